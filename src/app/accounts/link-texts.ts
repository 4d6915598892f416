import type { Wording } from '../../domain/text';

/** The wording about link codes (data/texts/vi.json, staff.link; checked against this shape at start-up). */
export const LINK_SHAPE = {
  seconds: ['n'],
  minutes: ['n'],
  failuresAlert: ['failures', 'minutes'],
  instructions: ['code', 'expiresAt'],
  /** In chat, to whoever sends "liên kết XXXXX-XXXXX" (src/bot/bot.ts). */
  channelRefused: [],
  linked: ['name', 'agency'],
  blocked: ['wait'],
  wrongCode: [],
} as const;
export type LinkTexts = Wording<typeof LINK_SHAPE>;
