import type { MessagingChannel, NotificationChannel, OutboundStatus, OutboxChannel, UndeliveredDecision } from '../app/ports';

/** Zalo and Messenger: the durable inbox of webhook events and outbox of messages to send (the port in src/app/ports.ts). */

export type {
  ChannelQueueStore,
  InboundEvent,
  MessagingChannel,
  NewInboundEvent,
  NewOutboundMessage,
  NotificationChannel,
  OutboundMessage,
  OutboundPayload,
  OutboundStatus,
  OutboxChannel,
  QueueDepths,
  TurnResult,
  UndeliveredDecision,
} from '../app/ports';

export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['email', 'sms', 'zns'];

export function isMessagingChannel(channel: OutboxChannel): channel is MessagingChannel {
  return channel === 'zalo' || channel === 'facebook';
}

/** Which statuses each admin decision applies to. */
export const SETTLEABLE: Record<UndeliveredDecision, readonly OutboundStatus[]> = {
  resend: ['dead', 'expired', 'unknown'],
  delivered: ['dead', 'unknown'],
};
