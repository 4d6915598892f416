import type { MessagingChannel, OutboxChannel } from '../../store/channel-types';

/** What the main thread tells the messaging worker, and what the worker reports back (messages over its port). */
export type WorkerCommand = { type: 'kick-inbound' } | { type: 'kick-outbound' } | { type: 'stop' };
export type WorkerEvent =
  | { type: 'ready' }
  | { type: 'turn'; channel: MessagingChannel }
  | { type: 'outbound'; channel: OutboxChannel; outcome: string };
