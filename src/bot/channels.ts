import type { BotAdapter, TurnContext } from 'botbuilder';
import { createHash } from 'node:crypto';
import { PortalAdapter, PORTAL_CHANNEL_ID } from '../channels/portal/adapter';
import { MessagingAdapter } from '../channels/messaging/adapter';
import type { ChatIdentity } from '../backoffice/types';

export { channelLabel, KNOWN_CHANNELS, type ChannelLabel, type KnownChannel } from '../observability/metrics';

/** The channels whose sender the server verifies itself: Direct Line tokens it issued, signed Zalo and Messenger webhooks. */
export const VERIFIED_CHANNELS = [PORTAL_CHANNEL_ID, 'zalo', 'facebook'] as const;
export type VerifiedChannel = (typeof VERIFIED_CHANNELS)[number];

const trusted = new WeakMap<object, VerifiedChannel>();

/**
 * Declares that turns run by `adapter` come from a sender verified as `channel` (tests with
 * botbuilder's TestAdapter; the portal and messaging adapters need no declaration).
 */
export function trustAdapter(adapter: BotAdapter, channel: VerifiedChannel): void {
  trusted.set(adapter, channel);
}

/**
 * The verified channel of a turn, from the adapter that runs it, never from the activity:
 * the portal adapter only runs activities the Direct Line endpoint stored under a token it
 * issued, the messaging adapters only signed webhook events. Undefined on the Bot Framework
 * endpoint (CloudAdapter) and any other adapter.
 */
export function verifiedChannel(context: TurnContext): VerifiedChannel | undefined {
  const adapter = context.adapter;
  if (adapter instanceof PortalAdapter) return PORTAL_CHANNEL_ID;
  if (adapter instanceof MessagingAdapter) return adapter.channel;
  return trusted.get(adapter);
}

/** The staff identity of a turn: only on a verified channel, with the user id that channel vouches for. */
export function verifiedIdentity(context: TurnContext): ChatIdentity | undefined {
  const channel = verifiedChannel(context);
  const userId = context.activity.from?.id;
  return channel && userId ? { channel, userId } : undefined;
}

/**
 * The channelData key under which the portal hands a turn the key of the sender's network
 * address (never stored; a key a client sends under it is dropped), for the link code limits.
 */
export const ADDRESS_KEY = 'hoidap:address';

/** The key of the sender's network address, on portal turns only (the Direct Line router puts it there; nothing else is believed). */
export function verifiedAddress(context: TurnContext): string | undefined {
  if (verifiedChannel(context) !== 'directline') return undefined;
  const address = (context.activity.channelData as Record<string, unknown> | undefined)?.[ADDRESS_KEY];
  return typeof address === 'string' ? address : undefined;
}

/** A key for a network address: a hash, so that the database does not keep citizens' IPs. */
export function addressKey(ip: string): string {
  return createHash('sha256').update(`hoidap-address:${ip}`, 'utf8').digest('hex').slice(0, 24);
}
