import type { StoreItems } from 'botbuilder';

/** Zalo and Messenger: the durable inbox of webhook events and outbox of messages to send. */

export type MessagingChannel = 'zalo' | 'facebook';

/** Citizens' notifications by the contact they gave (src/notify): e-mail, brandname SMS, Zalo ZNS template by phone. */
export type NotificationChannel = 'email' | 'sms' | 'zns';

/** Everything the outbox sends: chat replies and notifications share its retries, dead letters and admins' view. */
export type OutboxChannel = MessagingChannel | NotificationChannel;

export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['email', 'sms', 'zns'];

export function isMessagingChannel(channel: OutboxChannel): channel is MessagingChannel {
  return channel === 'zalo' || channel === 'facebook';
}

export interface NewInboundEvent {
  channel: MessagingChannel;
  /** The channel's message id (or a key derived from the event): a replayed delivery has the same. */
  dedupeKey: string;
  /** channel:user: events of one user are handled in order. */
  userKey: string;
  kind: string;
  payload: string;
  receivedAt: number;
  /** Recorded but not handed to the bot (unfollow...). */
  ignored?: boolean;
  /** The user's interaction, which opens the channel's reply window (stored in the same transaction). */
  interaction?: { userId: string; at: number };
}

export interface InboundEvent extends Omit<NewInboundEvent, 'interaction'> {
  id: number;
  attempts: number;
}

export interface OutboundPayload {
  text: string;
  /** Button titles; a click comes back as the title typed. */
  buttons?: string[];
  /** A person (officer) wrote it: Messenger's HUMAN_AGENT tag may apply after 24 hours. */
  human?: boolean;
  /** E-mail: the subject line (`text` is the body). */
  subject?: string;
  /** Zalo ZNS: the approved template and its parameters (`text` is a summary for the admins' view). */
  template?: { id: string; data: Record<string, string> };
  /** The sender's idempotency or correlation key (SMS RequestId, ZNS tracking_id), the same on every attempt. */
  requestId?: string;
  /** ZNS: the SMS to send instead when the number cannot get ZNS (no Zalo account, ZNS refused). */
  fallback?: { channel: 'sms'; text: string };
}

export interface NewOutboundMessage {
  channel: OutboxChannel;
  recipient: string;
  payload: OutboundPayload;
  /** What it answers: the inbox event id, or a question id. */
  source?: string;
}

export interface OutboundMessage extends NewOutboundMessage {
  id: number;
  attempts: number;
  createdAt: number;
}

export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'dead' | 'expired' | 'unknown';

export interface TurnResult {
  status: 'done' | 'failed';
  error?: string;
  replies: NewOutboundMessage[];
  /** Bot state written during the turn, committed with the replies. */
  stateWrites: StoreItems;
  /**
   * Who wrote: their reply window is open again, so officers' answers that expired waiting
   * for it (published after the window closed) go out now, before this turn's replies.
   */
  from?: { channel: MessagingChannel; recipient: string };
}

export type UndeliveredDecision = 'resend' | 'delivered';

/** Which statuses each admin decision applies to. */
export const SETTLEABLE: Record<UndeliveredDecision, readonly OutboundStatus[]> = {
  resend: ['dead', 'expired', 'unknown'],
  delivered: ['dead', 'unknown'],
};

export interface ChannelQueueStore {
  /** Stores webhook events durably; returns how many were new (a replayed event changes nothing). */
  enqueueInbound(events: readonly NewInboundEvent[]): Promise<number>;
  /** Claims pending events: per user only the earliest, and none while another of that user is claimed. */
  claimInbound(owner: string, now: number, leaseMs: number, limit: number): Promise<InboundEvent[]>;
  /** Ends a turn: state, replies and the event's status in one transaction. False when the lease was lost. */
  completeInbound(id: number, owner: string, now: number, result: TurnResult): Promise<boolean>;
  /** Gives an event back after a failure, to be tried again (or marked failed after `maxAttempts`). */
  releaseInbound(id: number, owner: string, error: string, maxAttempts: number): Promise<void>;

  enqueueOutbound(messages: readonly NewOutboundMessage[], now: number): Promise<void>;
  /**
   * Enqueues `messages` and records `key` in one transaction, unless `key` was recorded
   * before: then nothing is enqueued and it returns false (the once-only notifications).
   */
  enqueueOnce(key: string, messages: readonly NewOutboundMessage[], now: number): Promise<boolean>;
  /** When `key` was first recorded; records it with `now` the first time. */
  firstRecorded(key: string, now: number): Promise<number>;
  /** Claims due messages (status becomes 'sending'): per recipient only the earliest, so replies keep their order. */
  claimOutbound(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboundMessage[]>;
  finishOutbound(id: number, owner: string, now: number, outcome: { status: 'sent' | 'dead' | 'expired'; providerId?: string; error?: string }): Promise<void>;
  retryOutbound(id: number, owner: string, nextAttemptAt: number, error: string): Promise<void>;
  /**
   * At start-up of the only process using this store (the embedded SQLite file): events it had
   * claimed are free again at once, and sends it had started are marked 'unknown' (never resent
   * automatically: a message is sent at most once; admins decide with settleUndelivered).
   */
  recoverAfterRestart(): Promise<{ inbound: number; interruptedSends: number }>;
  outboundByStatus(): Promise<Record<OutboundStatus, number>>;
  /** Dead, expired and unknown messages, newest first, for admins. */
  undelivered(limit: number): Promise<Array<OutboundMessage & { status: OutboundStatus; lastError?: string }>>;
  /**
   * An admin's decision on an undelivered message: 'resend' puts a dead, expired or unknown
   * one back in the queue with fresh attempts; 'delivered' records that a dead or unknown one
   * did reach the person (seen in the channel's own console, or confirmed by them).
   * Returns the status it had, `undefined` when there is no such message, or
   * `{ conflict }` when its status does not allow the decision.
   */
  settleUndelivered(id: number, decision: UndeliveredDecision, note: string, now: number): Promise<{ was: OutboundStatus } | { conflict: OutboundStatus } | undefined>;

  touchUser(channel: MessagingChannel, userId: string, at: number): Promise<void>;
  lastInbound(channel: MessagingChannel, userId: string): Promise<number | undefined>;
  getSecret(name: string): Promise<string | undefined>;
  setSecret(name: string, value: string, now: number): Promise<void>;
  inboundByStatus(): Promise<Record<string, number>>;
}
