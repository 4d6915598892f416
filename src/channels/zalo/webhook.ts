import express, { type Request, type Response } from 'express';
import type { ChannelQueueStore, NewInboundEvent } from '../../store/channel-types';
import { isRecord } from '../send-support';
import { eventTimestamp, isFresh, signedJsonBody } from '../signed-json';
import type { InboundPayload } from '../messaging/adapter';
import { verifyZaloSignature } from './signature';

export interface ZaloWebhookConfig {
  appId: string;
  /** The key that signs webhook events (ZALO_OA_SECRET). */
  oaSecretKey: string;
  /** How old a signed event may be (default DEFAULT_MAX_EVENT_AGE_MS): an older one is a replay and is not stored. */
  maxEventAgeMs?: number;
}

export interface WebhookHooks {
  /** New events were stored: process them now. */
  onStored(): void;
  count?(result: 'stored' | 'duplicate' | 'ignored' | 'rejected'): void;
}

/** Events the bot does not act on: OA echoes, delivery and seen receipts. Dropped on purpose (counted), never stored. */
const NOT_FOR_THE_BOT = /^(oa_send_|user_received_message$|user_seen_message$)/;
const ATTACHMENT_EVENTS = /^user_send_(image|gif|sticker|file|audio|video|location|link|business_card)$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * One Zalo webhook body → the inbox event to store (undefined: drop on purpose).
 * IDs and timestamps stay strings: they exceed 2^53.
 */
export function zaloInboundEvent(body: unknown, receivedAt: number, maxEventAgeMs?: number): NewInboundEvent | undefined | 'malformed' | 'stale' {
  if (!isRecord(body)) return 'malformed';
  const name = str(body.event_name);
  if (!name) return 'malformed';
  if (NOT_FOR_THE_BOT.test(name)) return undefined;
  // The timestamp is signed with the body: it must be a time, and a recent one (an old signed event is a replay).
  const timestamp = eventTimestamp(body.timestamp);
  if (timestamp === undefined) return 'malformed';
  if (!isFresh(timestamp, receivedAt, maxEventAgeMs)) return 'stale';
  const sender = isRecord(body.sender) ? str(body.sender.id) : undefined;
  const recipient = isRecord(body.recipient) ? str(body.recipient.id) : undefined;
  const message = isRecord(body.message) ? body.message : undefined;
  const msgId = message ? str(message.msg_id) : undefined;
  const base = (payload: InboundPayload, dedupeKey: string, ignored = false): NewInboundEvent => ({
    channel: 'zalo',
    dedupeKey,
    userKey: `zalo:${payload.userId}`,
    kind: ignored ? name : payload.kind,
    payload: JSON.stringify(payload),
    receivedAt,
    ...(ignored ? { ignored } : { interaction: { userId: payload.userId, at: Math.min(payload.timestamp, receivedAt) } }),
  });
  if (name === 'user_send_text' && sender && msgId) {
    return base({ userId: sender, botId: recipient ?? '', kind: 'message', text: str(message?.text) ?? '', timestamp }, msgId);
  }
  if (ATTACHMENT_EVENTS.test(name) && sender && msgId) {
    const attachments = Array.isArray(message?.attachments)
      ? message.attachments.filter(isRecord).map((a) => ({ type: str(a.type) ?? 'file', ...(isRecord(a.payload) && str(a.payload.url) ? { url: str(a.payload.url) } : {}) }))
      : [];
    return base({ userId: sender, botId: recipient ?? '', kind: 'attachment', attachments, timestamp }, msgId);
  }
  const follower = isRecord(body.follower) ? str(body.follower.id) : undefined;
  const oaId = str(body.oa_id) ?? '';
  if ((name === 'follow' || name === 'unfollow') && follower) {
    // Recorded; only a follow is handed to the bot (it greets). The key makes a redelivery a duplicate.
    return base({ userId: follower, botId: oaId, kind: 'follow', timestamp }, `${name}:${follower}:${str(body.timestamp) ?? ''}`, name === 'unfollow');
  }
  const who = sender ?? follower ?? 'unknown';
  return base({ userId: who, botId: recipient ?? oaId, kind: 'message', timestamp }, `${name}:${who}:${str(body.timestamp) ?? receivedAt}`, true);
}

/** POST /webhooks/zalo: verify the signature over the raw body, store the event, then answer 200. */
export function zaloWebhook(config: ZaloWebhookConfig, queue: ChannelQueueStore, hooks: WebhookHooks, now: () => number = Date.now): express.Router {
  const router = express.Router();
  const signed = signedJsonBody({
    channel: 'zalo',
    limit: '256kb',
    verify: (raw, req) => verifyZaloSignature({ rawBody: raw, header: req.get('x-zevent-signature'), appId: config.appId, oaSecretKey: config.oaSecretKey }),
    onRejected: () => hooks.count?.('rejected'),
  });
  router.post('/', ...signed, async (_req: Request, res: Response) => {
    const body: unknown = res.locals.body;
    const event = zaloInboundEvent(body, now(), config.maxEventAgeMs);
    if (event === 'malformed') {
      res.status(400).json({ error: 'not a Zalo OA event' });
      return;
    }
    if (event === 'stale') {
      // Acknowledged (a retry would be as old) but not stored.
      hooks.count?.('rejected');
      res.status(200).json({ message: 'stale event ignored' });
      return;
    }
    if (event === undefined) {
      hooks.count?.('ignored');
      res.status(200).json({ message: 'ignored' });
      return;
    }
    const stored = await queue.enqueueInbound([event]);
    hooks.count?.(event.ignored ? 'ignored' : stored > 0 ? 'stored' : 'duplicate');
    res.status(200).json({ message: 'ok' });
    if (stored > 0 && !event.ignored) hooks.onStored();
  });
  return router;
}
