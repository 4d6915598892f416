import type { ChannelQueueStore, OutboundPayload } from '../../store/channel-types';
import type { ChannelSender } from '../messaging/dispatcher';
import { ZALO_MAX_BUTTONS, zaloWindowOpen, type TokenStore, type ZaloClient, type ZaloTokens } from './client';

const TOKENS = 'zalo.tokens';

/** The OA token pair in the store; `save` commits before it resolves (the refresh token is single-use). */
export function zaloTokenStore(queue: ChannelQueueStore, seed?: { accessToken?: string; refreshToken?: string }, now: () => number = Date.now): TokenStore {
  return {
    async load(): Promise<ZaloTokens | undefined> {
      const saved = await queue.getSecret(TOKENS);
      if (saved) return JSON.parse(saved) as ZaloTokens;
      // First start: the pair from the configuration, treated as expiring now so it is refreshed before use.
      if (seed?.refreshToken) return { accessToken: seed.accessToken ?? '', refreshToken: seed.refreshToken, expiresAt: seed.accessToken ? now() + 60 * 60 * 1000 : 0 };
      return undefined;
    },
    async save(tokens: ZaloTokens): Promise<void> {
      await queue.setSecret(TOKENS, JSON.stringify(tokens), now());
    },
  };
}

/** Outbox messages to Zalo: consultation messages (text, or text with query buttons) inside the 7-day window. */
export class ZaloSender implements ChannelSender {
  constructor(private readonly client: ZaloClient) {}

  windowOpen(lastInbound: number | undefined, now: number): boolean {
    return lastInbound !== undefined && zaloWindowOpen(lastInbound, now);
  }

  async send(recipient: string, payload: OutboundPayload): Promise<{ providerId?: string }> {
    const buttons = (payload.buttons ?? []).slice(0, ZALO_MAX_BUTTONS).map((title) => ({ title, payload: title }));
    const ids = buttons.length > 0 ? await this.client.sendButtons(recipient, payload.text, buttons) : await this.client.sendText(recipient, payload.text);
    return { providerId: ids.join(',') };
  }
}
