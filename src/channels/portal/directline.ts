import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { randomBytes } from 'node:crypto';
import { ActivityTypes, type Activity, type ActivityHandlerBase, type ChannelAccount } from 'botbuilder';
import { EVENT_SOURCE } from '../../bot/turn-state';
import { ADDRESS_KEY, addressKey } from '../../bot/channels';
import { clientNetwork } from '../../domain/network';
import { logger } from '../../observability/logger';
import { PORTAL_CHANNEL_ID, toTurnActivity, type PortalAdapter } from './adapter';
import { KeyedQueue } from './queue';
import { TokenBuckets, type BucketLimit } from './rate-limit';
import { clientErrorStatus } from '../../http/client-error';
import { hashToken, type DirectLineActivity, type DirectLineConversation, type DirectLineStore, type NewDirectLineActivity } from './store';
import type { PhotoStore } from '../../app/ports';
import { photoExtension, sniffPhotoType, type PhotoPolicy } from '../../domain/photo';
import { PORTAL_PHOTO_SCHEME } from '../../bot/photos';
import { multipartBoundary, parseMultipart } from './multipart';

export interface DirectLineLimits {
  /** Starting conversations, per client IP. */
  startConversation: BucketLimit;
  /** Posting activities, per client IP. */
  postActivity: BucketLimit;
  /** Reading a conversation's activities (Web Chat polls about once a second), per client IP. */
  readActivities: BucketLimit;
  /** Largest size of an activity's value, entities and channelData together, as JSON (characters). */
  maxExtrasLength: number;
  /** Longest message text, in characters (Unicode code points). */
  maxTextLength: number;
  /** Largest JSON body (express/body-parser syntax). */
  maxBody: string;
  /** Token lifetime; Web Chat refreshes at half of 30 minutes. */
  tokenTtlSeconds: number;
  /** Activities returned by one GET at most; the client gets the rest on its next poll. */
  pageSize: number;
}

/**
 * Many citizens share one public IP behind mobile carriers' NAT, so the per-IP limits
 * are generous: they stop floods, not people.
 */
export const DEFAULT_LIMITS: DirectLineLimits = {
  startConversation: { burst: 30, perMinute: 30 },
  postActivity: { burst: 60, perMinute: 120 },
  // Several tabs and a NAT'd household: a page polls once a second.
  readActivities: { burst: 120, perMinute: 600 },
  // Web Chat's own channelData and entities take a few hundred characters; card submissions little more.
  maxExtrasLength: 8192,
  maxTextLength: 2000,
  maxBody: '64kb',
  tokenTtlSeconds: 1800,
  pageSize: 100,
};

export interface DirectLineRouterOptions {
  store: DirectLineStore;
  adapter: PortalAdapter;
  bot: Pick<ActivityHandlerBase, 'run'>;
  limits?: Partial<DirectLineLimits>;
  /** Access-Control-Allow-Origin; tokens travel in a header, not cookies, so '*' is safe. */
  allowOrigin?: string;
  /** Injected clock (tests). */
  now?: () => number;
  /** Days a portal identity's secret stays valid after its last use (data/policy.json myQuestions.portalIdentityTtlDays). */
  identityTtlDays?: number;
  /** Photos uploaded from Web Chat's attach button (POST .../upload); without it the upload answers 501. */
  photos?: { store: PhotoStore; policy: PhotoPolicy };
}

export interface DirectLineRouter extends Router {
  /** Runs the turns of citizens' messages stored before a crash but never handled; resolves with how many. */
  recover(): Promise<number>;
  /** Refuse new conversations and activities (503) from now on; polling keeps working. */
  stopAccepting(): void;
  /** Resolves when every accepted activity has been stored and every turn in flight has finished. */
  drain(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Direct Line's error shape: {"error": {"code", "message"}}. */
function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

const ACCEPTED_TYPES = new Set<string>([ActivityTypes.Message, ActivityTypes.Event, ActivityTypes.Typing]);
const TOKEN_SEPARATOR = '~';
const STALE_TYPING_MS = 30_000;

/** Opaque to clients; carries the conversation id so /tokens/refresh finds the conversation without a token index. */
function newToken(conversationId: string): string {
  return `${conversationId}${TOKEN_SEPARATOR}${randomBytes(32).toString('base64url')}`;
}

/**
 * A portal identity's secret: its id (not secret: it names the row) and 32 random bytes (256 bits) the server
 * keeps only hashed. The page keeps it in localStorage and presents it when it starts a conversation.
 */
const IDENTITY_SEPARATOR = '.';
const IDENTITY_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const DEFAULT_IDENTITY_TTL_DAYS = 365;

function newIdentitySecret(): { id: string; secret: string } {
  const id = randomBytes(16).toString('base64url');
  return { id, secret: `${id}${IDENTITY_SEPARATOR}${randomBytes(32).toString('base64url')}` };
}

/** The user id of a conversation bound to a portal identity: the same for every conversation of that identity. */
export function identityUserId(identityId: string): string {
  return `p-${identityId}`;
}

function conversationIdOfToken(token: string): string | undefined {
  const at = token.lastIndexOf(TOKEN_SEPARATOR);
  return at > 0 ? token.slice(0, at) : undefined;
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  // DirectLineJS sends "Bearer undefined" when it has no token yet.
  if (!match || match[1] === 'undefined' || match[1] === 'null') return undefined;
  return match[1];
}

/** Limits count per client network: an IPv4 address or an IPv6 /64 (any address of which one subscriber may use). */
function clientKey(req: Request): string {
  return clientNetwork(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shortString(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

function isLocale(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(value);
}

/** Fields of a client activity the server keeps; everything identifying (from, conversation, ids) is set by the server. */
/** How deep an activity's value, entities and channelData may nest (Web Chat's go three or four levels). */
const MAX_EXTRAS_DEPTH = 16;

/** The JSON length of an activity's free-form parts, or Infinity when they nest deeper than MAX_EXTRAS_DEPTH. */
function extrasLength(body: Record<string, unknown>): number {
  const depth = (value: unknown, level: number): number => {
    if (level > MAX_EXTRAS_DEPTH || typeof value !== 'object' || value === null) return level;
    let deepest = level;
    for (const child of Object.values(value)) {
      deepest = Math.max(deepest, depth(child, level + 1));
      if (deepest > MAX_EXTRAS_DEPTH) break;
    }
    return deepest;
  };
  const extras = { value: body.value, entities: body.entities, channelData: body.channelData };
  if (depth(extras, 0) > MAX_EXTRAS_DEPTH) return Infinity;
  return JSON.stringify(extras).length;
}

function userActivity(
  body: Record<string, unknown>,
  conversation: DirectLineConversation,
  bot: ChannelAccount,
  serviceUrl: string,
  now: number,
): NewDirectLineActivity {
  const channelData = isRecord(body.channelData)
    ? Object.fromEntries(Object.entries(body.channelData).filter(([key]) => !key.startsWith('webchat:') && !key.startsWith('hoidap:') && key !== 'state'))
    : undefined;
  const activity: NewDirectLineActivity = {
    type: String(body.type),
    timestamp: new Date(now).toISOString(),
    channelId: PORTAL_CHANNEL_ID,
    serviceUrl,
    conversation: { id: conversation.id },
    from: { id: conversation.userId, role: 'user' },
    recipient: { id: bot.id, name: bot.name, role: 'bot' },
  };
  const name = shortString(isRecord(body.from) ? body.from.name : undefined, 64);
  if (name) activity.from.name = name;
  if (typeof body.text === 'string') activity.text = body.text;
  if (body.textFormat === 'plain' || body.textFormat === 'markdown') activity.textFormat = body.textFormat;
  if (isLocale(body.locale)) activity.locale = body.locale;
  const localTimestamp = shortString(body.localTimestamp, 40);
  if (localTimestamp) activity.localTimestamp = localTimestamp;
  const localTimezone = shortString(body.localTimezone, 64);
  if (localTimezone) activity.localTimezone = localTimezone;
  const eventName = shortString(body.name, 128);
  if (eventName) activity.name = eventName;
  if (body.value !== undefined) activity.value = body.value;
  if (Array.isArray(body.entities)) activity.entities = body.entities.filter(isRecord);
  const replyToId = shortString(body.replyToId, 128);
  if (replyToId) activity.replyToId = replyToId;
  if (channelData && Object.keys(channelData).length > 0) activity.channelData = channelData;
  return activity;
}

/** The turn (not the stored activity) carries a key of the sender's address, for the link code limits. */
function withAddress(activity: Partial<Activity>, ip: string): Partial<Activity> {
  return { ...activity, channelData: { ...(activity.channelData as Record<string, unknown> | undefined), [ADDRESS_KEY]: addressKey(ip) } };
}

function tooLarge(policy: PhotoPolicy): string {
  const mb = Math.floor((policy.maxBytes / 1048576) * 10) / 10;
  return `Ảnh quá lớn: mỗi ảnh tối đa ${mb.toLocaleString('vi-VN')} MB, tối đa ${policy.maxPerQuestion} ảnh. (each photo at most ${policy.maxBytes} bytes)`;
}

/** Web Chat orders by channelData['webchat:sequence-id'] when present: the server's order, whatever the clocks say. */
function served(seq: number, activity: DirectLineActivity): DirectLineActivity {
  return { ...activity, channelData: { ...activity.channelData, 'webchat:sequence-id': seq } };
}

/**
 * The Direct Line 3.0 REST surface Web Chat uses (polling; no WebSocket), mounted at
 * /v3/directline. Every conversation has its own opaque token; a token opens only its
 * own conversation.
 */
export function createDirectLineRouter(options: DirectLineRouterOptions): DirectLineRouter {
  const { store, adapter, bot } = options;
  const limits: DirectLineLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const startBuckets = new TokenBuckets(limits.startConversation, now);
  const postBuckets = new TokenBuckets(limits.postActivity, now);
  const readBuckets = new TokenBuckets(limits.readActivities, now);
  // Storing an activity and queueing its turn happen in the order the posts arrived.
  const postOrder = new KeyedQueue();
  /**
   * A citizen's stored activity through the bot. Its key is the event's source (a question is filed at most once
   * even if the turn runs again after a crash); it is marked handled when the turn has finished, whatever the outcome.
   */
  const runTurn = (activity: DirectLineActivity, clientAddress?: string): Promise<void> =>
    adapter
      // The client's address counts link-code failures per address; a turn recovered after a crash has none.
      .processActivity(clientAddress ? withAddress(toTurnActivity(activity, adapter.bot), clientAddress) : toTurnActivity(activity, adapter.bot), async (context) => {
        // Inside this instance's queue of the conversation, before the bot reads its state: with several
        // instances, the turns of this conversation's earlier messages posted to another one come first.
        if (store.awaitEarlierTurns) await store.awaitEarlierTurns(activity);
        context.turnState.set(EVENT_SOURCE, `portal:${activity.id}`);
        return bot.run(context);
      })
      .catch((error: unknown) => {
        logger.error('portal turn could not finish', { conversationId: activity.conversation.id, activityId: activity.id, error: String(error) });
      })
      .then(() => store.markHandled(activity))
      .catch((error: unknown) => {
        logger.error('portal turn not marked handled', { activityId: activity.id, error: String(error) });
      });
  let accepting = true;

  const router = express.Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Access-Control-Allow-Origin', options.allowOrigin ?? '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent, X-Requested-With, Accept');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    res.setHeader('Access-Control-Max-Age', '600');
    // Responses carry tokens and citizens' messages.
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  router.use(express.json({ limit: limits.maxBody }));

  const limited = (buckets: TokenBuckets, req: Request, res: Response): boolean => {
    const taken = buckets.take(clientKey(req));
    if (taken.ok) return false;
    res.setHeader('Retry-After', String(taken.retryAfterSeconds));
    sendError(res, 429, 'TooManyRequests', 'Bạn gửi quá nhiều yêu cầu; vui lòng thử lại sau ít phút. (rate limit exceeded)');
    return true;
  };

  const refusedWhileClosing = (res: Response): boolean => {
    if (accepting) return false;
    res.setHeader('Retry-After', '5');
    sendError(res, 503, 'ServiceUnavailable', 'Hệ thống đang khởi động lại; vui lòng thử lại sau ít giây. (shutting down)');
    return true;
  };

  /** The conversation of the URL, if the bearer token is its current token (else 404 / 403 sent). */
  const authorize = async (req: Request, res: Response, conversationId: string): Promise<DirectLineConversation | undefined> => {
    const token = bearerToken(req);
    const check = await store.verifyToken(conversationId, token ?? '', now());
    if (check.ok) return check.conversation;
    if (check.reason === 'unknown-conversation') sendError(res, 404, 'BadArgument', 'Conversation not found');
    else if (!token) sendError(res, 403, 'TokenMissing', 'Authorization: Bearer <token> of this conversation is required');
    else if (check.reason === 'expired-token') sendError(res, 403, 'TokenExpired', 'The token has expired; start a new conversation');
    else sendError(res, 403, 'BadToken', 'The token does not belong to this conversation');
    return undefined;
  };

  const identityTtlMs = (options.identityTtlDays ?? DEFAULT_IDENTITY_TTL_DAYS) * 24 * 3600 * 1000;

  /**
   * The identity a conversation starts with. `presented` is what the client sent as `identity`: a secret this
   * server issued (the same user id as before, its expiry moved on), or `true` to be given one. A secret that is
   * unknown, wrong or expired is never an error the client could probe: it gets a new identity, like `true`.
   * Anything else (absent, a user id, an object): no identity, a new user as before identities existed.
   */
  const portalIdentity = async (presented: unknown, at: number): Promise<{ userId: string; issued?: string } | undefined> => {
    if (typeof presented === 'string') {
      const match = IDENTITY_PATTERN.exec(presented);
      if (match) {
        const check = await store.useIdentity(match[1], hashToken(presented), at, at + identityTtlMs);
        if (check.ok) return { userId: identityUserId(check.identity.id) };
        // The reason only: neither the secret nor the identity it names is logged.
        logger.info('portal identity refused; a new one issued', { reason: check.reason });
      }
    } else if (presented !== true) return undefined;
    const issued = newIdentitySecret();
    await store.createIdentity({ id: issued.id, secretHash: hashToken(issued.secret), expiresAt: at + identityTtlMs, now: at });
    return { userId: identityUserId(issued.id), issued: issued.secret };
  };

  const conversationBody = (conversationId: string, token: string, expiresAt: number, at: number) => ({
    conversationId,
    token,
    expires_in: Math.max(0, Math.round((expiresAt - at) / 1000)),
  });

  router.post('/conversations', async (req, res) => {
    const presented = bearerToken(req);
    if (presented) {
      // Web Chat given a token from our POST calls POST /conversations again with it: that conversation, not a new one.
      const id = conversationIdOfToken(presented);
      const at = now();
      const check = id ? await store.verifyToken(id, presented, at) : undefined;
      if (!check?.ok) {
        sendError(res, 403, 'BadToken', 'The token is invalid or has expired');
        return;
      }
      res.status(200).json(conversationBody(check.conversation.id, presented, check.conversation.expiresAt, at));
      return;
    }
    if (refusedWhileClosing(res) || limited(startBuckets, req, res)) return;
    const body: Record<string, unknown> = isRecord(req.body) ? req.body : {};
    const created = now();
    const id = randomBytes(16).toString('base64url');
    const token = newToken(id);
    // The server names the user: botbuilder keys user state by user id, so a client must not pick someone else's.
    // Only a portal identity's secret (body.identity) gives a conversation a user id it had before; without one, a new user.
    const identity = await portalIdentity(body.identity, created);
    const userId = identity ? identity.userId : `u-${randomBytes(12).toString('base64url')}`;
    const conversation = await store.createConversation({
      id,
      tokenHash: hashToken(token),
      userId,
      expiresAt: created + limits.tokenTtlSeconds * 1000,
      now: created,
    });
    logger.info('portal conversation started', { conversationId: id });
    const user: ChannelAccount = { id: userId, name: '', role: 'user' };
    // Web Chat does not send conversationUpdate over Direct Line; the bot needs one to greet.
    adapter
      .processActivity(
        {
          type: ActivityTypes.ConversationUpdate,
          id: `${id}|start`,
          timestamp: new Date(created),
          channelId: PORTAL_CHANNEL_ID,
          serviceUrl: adapter.serviceUrl,
          conversation: { id, isGroup: false, conversationType: 'personal', name: '' },
          from: user,
          recipient: adapter.bot,
          membersAdded: [user],
          locale: isLocale(body.locale) ? body.locale : undefined,
        },
        (context) => bot.run(context),
      )
      .catch((error: unknown) => logger.error('portal greeting turn could not finish', { conversationId: id, error: String(error) }));
    res.status(201).json({ ...conversationBody(conversation.id, token, conversation.expiresAt, created), userId, ...(identity?.issued ? { identity: identity.issued } : {}) });
  });

  router.get('/conversations/:id', async (req, res) => {
    const conversation = await authorize(req, res, req.params.id);
    if (!conversation) return;
    // Resuming hands out a new token; the old one stops working.
    const token = newToken(conversation.id);
    const at = now();
    const expiresAt = at + limits.tokenTtlSeconds * 1000;
    await store.refreshToken(conversation.id, { tokenHash: hashToken(token), expiresAt });
    res.json(conversationBody(conversation.id, token, expiresAt, at));
  });

  router.post('/tokens/refresh', async (req, res) => {
    const token = bearerToken(req);
    const id = token ? conversationIdOfToken(token) : undefined;
    if (!token || !id) {
      sendError(res, 403, 'BadToken', 'Authorization: Bearer <token> is required');
      return;
    }
    const at = now();
    const check = await store.verifyToken(id, token, at);
    if (!check.ok) {
      if (check.reason === 'unknown-conversation') sendError(res, 404, 'BadArgument', 'Conversation not found');
      else sendError(res, 403, 'BadToken', 'The token is invalid or has expired');
      return;
    }
    // Same token, later expiry: requests already in flight with it keep working.
    const expiresAt = at + limits.tokenTtlSeconds * 1000;
    await store.refreshToken(id, { expiresAt });
    res.json(conversationBody(id, token, expiresAt, at));
  });

  router.post('/conversations/:id/activities', async (req, res) => {
    if (refusedWhileClosing(res) || limited(postBuckets, req, res)) return;
    const conversation = await authorize(req, res, req.params.id);
    if (!conversation) return;
    const body = req.body as unknown;
    if (!isRecord(body)) throw new HttpError(400, 'BadArgument', 'The body must be a JSON activity (Content-Type: application/json)');
    if (typeof body.type !== 'string' || !ACCEPTED_TYPES.has(body.type))
      throw new HttpError(400, 'BadArgument', `Activity type must be one of ${[...ACCEPTED_TYPES].join(', ')}`);
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpError(400, 'BadArgument', 'text must be a string');
    if (typeof body.text === 'string' && [...body.text.trim()].length > limits.maxTextLength)
      throw new HttpError(
        400,
        'MessageTooLong',
        `Tin nhắn dài quá ${limits.maxTextLength.toLocaleString('vi-VN')} ký tự; bạn vui lòng rút gọn hoặc chia thành nhiều tin nhắn. (text longer than ${limits.maxTextLength} characters)`,
      );
    // Stored whole and served on every poll: a large or deeply nested value would cost every read.
    if (extrasLength(body) > limits.maxExtrasLength)
      throw new HttpError(413, 'PayloadTooLarge', `value, entities and channelData together must be at most ${limits.maxExtrasLength} characters of JSON, nested at most ${MAX_EXTRAS_DEPTH} levels`);
    if (Array.isArray(body.attachments) && body.attachments.length > 0)
      throw new HttpError(400, 'AttachmentsNotSupported', 'Cổng chưa hỗ trợ gửi tệp đính kèm. (attachments are not supported)');
    if (body.type === ActivityTypes.Typing) {
      // Typing is ephemeral: acknowledged, neither stored nor given to the bot.
      res.json({ id: `${conversation.id}|typing-${randomBytes(6).toString('base64url')}` });
      return;
    }
    const stored = await postOrder.run(conversation.id, async () => {
      const saved = await store.appendActivity(conversation.id, userActivity(body, conversation, adapter.bot, adapter.serviceUrl, now()), now());
      // Queued here, inside the ordered section, so turns run in the order the activities were stored.
      void runTurn(saved.activity, clientKey(req));
      return saved;
    });
    logger.debug('portal activity received', { conversationId: conversation.id, activityId: stored.activity.id, type: stored.activity.type });
    res.json({ id: stored.activity.id });
  });

  router.get('/conversations/:id/activities', async (req, res) => {
    if (limited(readBuckets, req, res)) return;
    const conversation = await authorize(req, res, req.params.id);
    if (!conversation) return;
    const raw = req.query.watermark;
    const text = typeof raw === 'string' ? raw : '';
    if (text !== '' && !/^\d{1,15}$/.test(text)) throw new HttpError(400, 'BadArgument', 'watermark must be a watermark this server returned');
    const page = await store.listActivities(conversation.id, text === '' ? 0 : Number(text), limits.pageSize);
    const at = now();
    // A bot's old "typing" replayed after a reload would show a typing indicator for nothing.
    const current = page.activities.filter((a) => a.activity.type !== ActivityTypes.Typing || at - Date.parse(a.activity.timestamp) < STALE_TYPING_MS);
    res.json({ activities: current.map((a) => served(a.seq, a.activity)), watermark: String(page.watermark) });
  });

  /**
   * Web Chat's attach button: multipart/form-data with an `activity` part (the message, JSON) and one part per
   * file. Only photos are taken (JPEG, PNG, WebP by their first bytes, whatever they claim to be), at most
   * policy.maxPerQuestion of at most policy.maxBytes each; each is stored for this conversation's user, and the
   * message reaches the bot naming them (the dialog files them with the question: src/bot/photos.ts).
   */
  const photos = options.photos;
  const uploadLimit = photos ? photos.policy.maxPerQuestion * photos.policy.maxBytes + 64 * 1024 : 0;
  const uploadBuckets = photos ? new TokenBuckets({ burst: photos.policy.uploads.burst, perMinute: photos.policy.uploads.perMinute }, now) : undefined;
  let uploadsInProgress = 0;
  const uploadsByAddress = new Map<string, number>();
  router.post('/conversations/:id/upload', async (req, res, next) => {
    if (!photos || photos.policy.maxPerQuestion === 0) {
      sendError(res, 501, 'NotImplemented', 'Cổng chưa hỗ trợ gửi tệp đính kèm. (uploads are not supported)');
      return;
    }
    if (refusedWhileClosing(res) || limited(postBuckets, req, res)) return;
    // Uploads have their own, smaller bucket: each may hold maxPerQuestion × maxBytes.
    const address = clientKey(req);
    const taken = (uploadBuckets as TokenBuckets).take(address);
    if (!taken.ok) {
      res.setHeader('Retry-After', String(taken.retryAfterSeconds));
      throw new HttpError(429, 'TooManyRequests', 'Bạn gửi ảnh quá nhiều trong thời gian ngắn; vui lòng đợi ít phút rồi gửi lại. (upload rate limit exceeded)');
    }
    const conversation = await authorize(req, res, req.params.id);
    if (!conversation) return;
    const boundary = multipartBoundary(req.get('content-type'));
    if (!boundary) throw new HttpError(400, 'BadArgument', 'The body must be multipart/form-data with an activity part and file parts');
    // The declared length first: a body over the limit is refused before it is read.
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > uploadLimit) throw new HttpError(413, 'PayloadTooLarge', tooLarge(photos.policy));
    // Uploads being read at once, server-wide and per address: each holds its body in memory (at most uploadLimit).
    const { maxInProgress, maxInProgressPerAddress } = photos.policy.uploads;
    const mine = uploadsByAddress.get(address) ?? 0;
    if (mine >= maxInProgressPerAddress) {
      res.setHeader('Retry-After', '10');
      throw new HttpError(429, 'TooManyRequests', 'Ảnh trước của bạn đang được gửi; vui lòng đợi gửi xong rồi gửi tiếp. (too many uploads in progress from this address)');
    }
    if (uploadsInProgress >= maxInProgress) {
      logger.warn('portal uploads refused: too many in progress', { inProgress: uploadsInProgress });
      res.setHeader('Retry-After', '10');
      throw new HttpError(503, 'ServiceUnavailable', 'Hệ thống đang nhận nhiều ảnh cùng lúc; vui lòng gửi lại sau ít phút. (too many uploads in progress)');
    }
    uploadsInProgress += 1;
    uploadsByAddress.set(address, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      uploadsInProgress -= 1;
      const left = (uploadsByAddress.get(address) ?? 1) - 1;
      if (left > 0) uploadsByAddress.set(address, left);
      else uploadsByAddress.delete(address);
    };
    // 'close' comes once the answer is sent or the client went away, whichever way the upload ends.
    res.once('close', release);
    express.raw({ type: () => true, limit: uploadLimit })(req, res, (err?: unknown) => {
      if (err) return next(isRecord(err) && err.type === 'entity.too.large' ? new HttpError(413, 'PayloadTooLarge', tooLarge(photos.policy)) : err);
      storeUpload(req, res, conversation, boundary).catch(next);
    });
  });

  const storeUpload = async (req: Request, res: Response, conversation: DirectLineConversation, boundary: string): Promise<void> => {
    const policy = (photos as NonNullable<typeof photos>).policy;
    const parts = Buffer.isBuffer(req.body) ? parseMultipart(req.body, boundary, policy.maxPerQuestion + 5) : undefined;
    if (!parts) throw new HttpError(400, 'BadArgument', 'The multipart body cannot be read (or has too many parts)');
    const activityPart = parts.find((p) => p.name === 'activity');
    let body: Record<string, unknown> = { type: ActivityTypes.Message };
    if (activityPart) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(activityPart.data.toString('utf8'));
      } catch {
        throw new HttpError(400, 'BadArgument', 'The activity part is not JSON');
      }
      if (!isRecord(parsed)) throw new HttpError(400, 'BadArgument', 'The activity part must be a JSON activity');
      body = parsed;
    }
    if (body.type !== ActivityTypes.Message) throw new HttpError(400, 'BadArgument', 'An upload carries a message activity');
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpError(400, 'BadArgument', 'text must be a string');
    if (typeof body.text === 'string' && [...body.text.trim()].length > limits.maxTextLength)
      throw new HttpError(400, 'MessageTooLong', `text longer than ${limits.maxTextLength} characters`);
    if (extrasLength(body) > limits.maxExtrasLength) throw new HttpError(413, 'PayloadTooLarge', `value, entities and channelData together must be at most ${limits.maxExtrasLength} characters of JSON`);
    const files = parts.filter((p) => p !== activityPart);
    if (files.length === 0) throw new HttpError(400, 'BadArgument', 'No file in the upload');
    if (files.length > policy.maxPerQuestion)
      throw new HttpError(400, 'TooManyFiles', `Mỗi câu hỏi chỉ gửi kèm được tối đa ${policy.maxPerQuestion} ảnh. (at most ${policy.maxPerQuestion} files)`);
    const checked = files.map((file) => {
      if (file.data.length > policy.maxBytes) throw new HttpError(413, 'PayloadTooLarge', tooLarge(policy));
      const type = sniffPhotoType(file.data);
      if (!type) throw new HttpError(415, 'UnsupportedMediaType', 'Chỉ nhận ảnh JPEG, PNG hoặc WebP. (only JPEG, PNG and WebP images, checked by their content)');
      return { data: file.data, type };
    });
    const at = now();
    const attachments: Array<Record<string, unknown>> = [];
    for (const [i, file] of checked.entries()) {
      const id = randomBytes(16).toString('base64url');
      await (photos as NonNullable<typeof photos>).store.savePending({ id, owner: `${PORTAL_CHANNEL_ID}:${conversation.userId}`, channel: 'portal', type: file.type, bytes: file.data, receivedAt: at }, policy.maxPerQuestion);
      attachments.push({ contentType: file.type, contentUrl: `${PORTAL_PHOTO_SCHEME}${id}`, name: `anh-${i + 1}.${photoExtension(file.type)}` });
    }
    const stored = await postOrder.run(conversation.id, async () => {
      const activity = { ...userActivity(body, conversation, adapter.bot, adapter.serviceUrl, now()), attachments };
      const saved = await store.appendActivity(conversation.id, activity, now());
      void runTurn(saved.activity, clientKey(req));
      return saved;
    });
    logger.info('portal photos uploaded', { conversationId: conversation.id, activityId: stored.activity.id, photos: attachments.length });
    res.json({ id: stored.activity.id });
  };

  router.use((_req: Request, res: Response) => {
    sendError(res, 404, 'NotFound', 'No such Direct Line endpoint');
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      sendError(res, err.status, err.code, err.message);
      return;
    }
    const type = isRecord(err) ? err.type : undefined;
    if (type === 'entity.too.large') {
      sendError(res, 413, 'PayloadTooLarge', `The body is larger than ${limits.maxBody}`);
      return;
    }
    if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      sendError(res, 400, 'BadArgument', 'The body is not valid JSON');
      return;
    }
    // Any other error the request itself caused (a body that does not decompress, a path that does not decode).
    const status = clientErrorStatus(err);
    if (status !== undefined) {
      sendError(res, status, 'BadArgument', 'The request cannot be read');
      return;
    }
    logger.error('portal request failed', {
      requestId: res.locals.requestId,
      path: req.path,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    sendError(res, 500, 'InternalError', 'Internal error');
  });

  return Object.assign(router, {
    async recover(): Promise<number> {
      // Messages stored before a crash whose turn never finished: run now, in the order they were stored.
      // Only what was stored before this start: a message posted since has its own turn queued already.
      const before = now();
      const seen = new Set<string>();
      let recovered = 0;
      for (;;) {
        const batch = (await store.unhandledActivities(100, before)).filter((a) => !seen.has(a.activity.id));
        if (batch.length === 0) break;
        for (const a of batch) seen.add(a.activity.id);
        await Promise.all(batch.map((a) => runTurn(a.activity)));
        recovered += batch.length;
      }
      if (recovered > 0) logger.warn('portal: messages stored before a restart were answered now', { count: recovered });
      return recovered;
    },
    stopAccepting(): void {
      accepting = false;
    },
    async drain(): Promise<void> {
      while (postOrder.size > 0 || adapter.turnsInFlight > 0) {
        await postOrder.drain();
        await adapter.drain();
      }
    },
  });
}
