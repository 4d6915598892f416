import { MessageFactory, type TurnContext } from 'botbuilder';
import { TEXTS, type Lang, type Texts } from '../../src/bot/texts';
import type { BotServices } from '../../src/bot/services';
import type { Channel } from '../../src/domain/events';
import { verifiedChannel } from '../../src/bot/channels';

export { EVENT_SOURCE } from '../../src/bot/turn-state';

/** The language of this turn, set by the bot before the dialogs run. */
export const LANG = Symbol('hoidap.lang');

export function langOf(context: TurnContext): Lang {
  return (context.turnState.get(LANG) as Lang | undefined) ?? 'vi';
}

export function textsFor(context: TurnContext): Texts {
  return TEXTS[langOf(context)];
}

/** A message with the main menu as suggested actions (buttons in Web Chat, Zalo and Messenger). */
export function withMenu(t: Texts, text: string) {
  return MessageFactory.suggestedActions([t.menuActions.ask, t.menuActions.status, t.menuActions.faq], text);
}

export function withYesNo(t: Texts, text: string) {
  return MessageFactory.suggestedActions([t.confirmActions.yes, t.confirmActions.no], text);
}

/**
 * "yes", "no", or undefined when the reply is neither. "cảm ơn" at a yes/no question closes it as a yes
 * ("it helped, thanks"), except where `thanksIsYes` is false: before sending a question it is unclear.
 */
export function yesNo(services: BotServices, text: string | undefined, thanksIsYes = true): 'yes' | 'no' | undefined {
  const intent = services.intents.recognize(text ?? '');
  if (intent === 'thanks') return thanksIsYes ? 'yes' : undefined;
  return intent === 'yes' || intent === 'no' ? intent : undefined;
}

/**
 * Which ledger channel a turn came from: the channel the server verified (the portal's Direct
 * Line, signed Zalo and Messenger webhooks), never the channelId an activity claims; anything
 * else (the Bot Framework endpoint) is `botframework`.
 */
export function ledgerChannel(context: TurnContext): Channel {
  switch (verifiedChannel(context)) {
    case 'directline':
      return 'portal';
    case 'zalo':
      return 'zalo';
    case 'facebook':
      return 'facebook';
    default:
      return 'botframework';
  }
}

/** A contact confirmed with a code: its hashed key, the conversation, the moment (ms). */
export interface ConfirmedContact {
  key: string;
  conversation: string;
  at: number;
}

/** What a user state keeps between conversations: the language and the questions this person filed. */
export interface CitizenProfile {
  lang?: Lang;
  tickets: string[];
  name?: string;
  contact?: string;
  locality?: string;
  /** A published answer pushed to this citizen, waiting for a 1..5 rating. */
  pendingRating?: string;
  /**
   * Contacts confirmed with a one-time code (hashed keys), each with the conversation it was confirmed
   * in and when: not asked again for the next question of that conversation within
   * contactConfirmation.confirmedForMinutes. (Plain strings, from before, count as not confirmed.)
   */
  confirmedContacts?: Array<ConfirmedContact | string>;
}

export const PROFILE = 'citizenProfile';
export const DIALOG_STATE = 'dialogState';

export const DIALOG_IDS = {
  main: 'main',
  ask: 'askAgency',
  faq: 'faq',
  status: 'status',
  rating: 'rating',
} as const;
