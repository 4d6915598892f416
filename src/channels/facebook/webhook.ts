import express, { type Request, type Response } from 'express';
import type { ChannelQueueStore, NewInboundEvent } from '../../store/channel-types';
import type { InboundPayload } from '../messaging/adapter';
import { isRecord } from '../send-support';
import { eventTimestamp, isFresh, signedJsonBody } from '../signed-json';
import type { WebhookHooks } from '../zalo/webhook';
import { verifyMetaSignature, verifyTokenMatches } from './signature';

export interface FacebookWebhookConfig {
  appSecret: string;
  verifyToken: string;
  /** How old a signed event may be (default DEFAULT_MAX_EVENT_AGE_MS): an older one is a replay and is not stored. */
  maxEventAgeMs?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * A Messenger webhook body → the inbox events to store. Entries and their
 * `messaging` arrays may both be batched; echoes, reads, deliveries and standby
 * events are dropped on purpose; events are ordered by timestamp.
 */
export function messengerInboundEvents(body: unknown, receivedAt: number, maxEventAgeMs?: number): { events: NewInboundEvent[]; dropped: number; refused: number } | 'not_page' {
  if (!isRecord(body) || body.object !== 'page' || !Array.isArray(body.entry)) return 'not_page';
  const events: Array<NewInboundEvent & { at: number }> = [];
  let dropped = 0;
  /** Events checked one by one: a bad or stale timestamp refuses that event alone, never the others of the batch. */
  let refused = 0;
  for (const entry of body.entry.filter(isRecord)) {
    dropped += Array.isArray(entry.standby) ? entry.standby.length : 0;
    for (const m of Array.isArray(entry.messaging) ? entry.messaging.filter(isRecord) : []) {
      const psid = isRecord(m.sender) ? str(m.sender.id) : undefined;
      const pageId = isRecord(m.recipient) ? str(m.recipient.id) : str(entry.id);
      const at = eventTimestamp(m.timestamp ?? entry.time);
      if (at === undefined || !isFresh(at, receivedAt, maxEventAgeMs)) {
        refused += 1;
        continue;
      }
      const message = isRecord(m.message) ? m.message : undefined;
      const postback = isRecord(m.postback) ? m.postback : undefined;
      if (!psid || (message && message.is_echo === true) || (!message && !postback)) {
        dropped += 1; // echo of our own message, read or delivery receipt, or something unknown
        continue;
      }
      const push = (payload: InboundPayload, key: string) =>
        events.push({
          channel: 'facebook',
          dedupeKey: key,
          userKey: `facebook:${psid}`,
          kind: payload.kind,
          payload: JSON.stringify(payload),
          receivedAt,
          interaction: { userId: psid, at: Math.min(at, receivedAt) },
          at,
        });
      if (postback) {
        const text = str(postback.payload) ?? str(postback.title) ?? '';
        push({ userId: psid, botId: pageId ?? '', kind: 'message', text, timestamp: at }, str(postback.mid) ?? `postback:${psid}:${at}`);
        continue;
      }
      const mid = str(message?.mid);
      if (!mid) {
        dropped += 1;
        continue;
      }
      const quick = isRecord(message?.quick_reply) ? str(message.quick_reply.payload) : undefined;
      const text = quick ?? str(message?.text);
      if (text !== undefined) push({ userId: psid, botId: pageId ?? '', kind: 'message', text, timestamp: at }, mid);
      else {
        const attachments = Array.isArray(message?.attachments)
          ? message.attachments.filter(isRecord).map((a) => ({ type: str(a.type) ?? 'file', ...(isRecord(a.payload) && str(a.payload.url) ? { url: str(a.payload.url) } : {}) }))
          : [];
        push({ userId: psid, botId: pageId ?? '', kind: 'attachment', attachments, timestamp: at }, mid);
      }
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { events: events.map(({ at: _at, ...e }) => e), dropped, refused };
}

/** GET (Meta's verification handshake) and POST /webhooks/facebook. */
export function facebookWebhook(config: FacebookWebhookConfig, queue: ChannelQueueStore, hooks: WebhookHooks, now: () => number = Date.now): express.Router {
  const router = express.Router();
  router.get('/', (req: Request, res: Response) => {
    const challenge = req.query['hub.challenge'];
    // Meta's challenge is a number; anything long is not Meta's and is not echoed.
    if (req.query['hub.mode'] === 'subscribe' && verifyTokenMatches(req.query['hub.verify_token'], config.verifyToken) && typeof challenge === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(challenge)) {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    res.sendStatus(403);
  });
  const signed = signedJsonBody({
    channel: 'facebook',
    limit: '1mb',
    verify: (raw, req) => verifyMetaSignature({ rawBody: raw, header: req.get('x-hub-signature-256'), appSecret: config.appSecret }),
    onRejected: () => hooks.count?.('rejected'),
  });
  router.post('/', ...signed, async (_req: Request, res: Response) => {
    const body: unknown = res.locals.body;
    const parsed = messengerInboundEvents(body, now(), config.maxEventAgeMs);
    if (parsed === 'not_page') {
      res.sendStatus(404);
      return;
    }
    const stored = await queue.enqueueInbound(parsed.events);
    for (let i = 0; i < parsed.dropped; i += 1) hooks.count?.('ignored');
    for (let i = 0; i < parsed.refused; i += 1) hooks.count?.('rejected');
    for (let i = 0; i < parsed.events.length; i += 1) hooks.count?.(i < stored ? 'stored' : 'duplicate');
    res.status(200).send('EVENT_RECEIVED');
    if (stored > 0) hooks.onStored();
  });
  return router;
}
