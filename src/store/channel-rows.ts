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
