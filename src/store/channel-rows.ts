import type { InboundEvent, MessagingChannel, OutboundMessage, OutboundStatus, OutboxChannel } from './channel-types';

/** The inbox and outbox rows as both adapters (SQLite, PostgreSQL) read them, and what they become. */

export interface InboxRow {
  id: number;
  channel: MessagingChannel;
  dedupe_key: string;
  user_key: string;
  kind: string;
  payload: string;
  received_ms: number;
  attempts: number;
}

export interface OutboxRow {
  id: number;
  channel: OutboxChannel;
  recipient: string;
  payload: string;
  source: string | null;
  created_ms: number;
  attempts: number;
  status: OutboundStatus;
  last_error: string | null;
}

export const inbound = (r: InboxRow): InboundEvent => ({
  id: r.id,
  channel: r.channel,
  dedupeKey: r.dedupe_key,
  userKey: r.user_key,
  kind: r.kind,
  payload: r.payload,
  receivedAt: r.received_ms,
  attempts: r.attempts,
});

export const outbound = (r: OutboxRow): OutboundMessage => ({
  id: r.id,
  channel: r.channel,
  recipient: r.recipient,
  payload: JSON.parse(r.payload),
  ...(r.source ? { source: r.source } : {}),
  createdAt: r.created_ms,
  attempts: r.attempts,
});

/** The requestId of a contact confirmation code's message (src/notify/confirmation.ts). */
export const CODE_REQUEST_PREFIX = 'contact-code:';

/**
 * A contact code's message once it is done with (sent, dead, expired): the payload with every text
 * that carries the code blanked, the row kept for the admins' view; undefined for other messages.
 */
/** A contact code's message: never sent again by an admin (its code is blanked once it fails; the citizen asks for a new one). */
export function isCodePayload(payload: string): boolean {
  return Boolean((JSON.parse(payload) as OutboundMessage['payload']).requestId?.startsWith(CODE_REQUEST_PREFIX));
}

export function blankedCodePayload(payload: string): string | undefined {
  const parsed = JSON.parse(payload) as OutboundMessage['payload'];
  if (!parsed.requestId?.startsWith(CODE_REQUEST_PREFIX)) return undefined;
  return JSON.stringify({
    ...parsed,
    text: '',
    ...(parsed.template ? { template: { id: parsed.template.id, data: Object.fromEntries(Object.keys(parsed.template.data).map((k) => [k, ''])) } } : {}),
    ...(parsed.fallback ? { fallback: { ...parsed.fallback, text: '' } } : {}),
  });
}
