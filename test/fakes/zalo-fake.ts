import { randomBytes } from 'node:crypto';
import { isObject, startFakeHttp, unknownKeys, violation, type FakeHttpServer, type FakeReply, type RecordedRequest } from './fake-http';

/**
 * A local stand-in for the Zalo OA API (`POST /v3.0/oa/message/cs`) and the OAuth v4
 * token endpoint (`POST /v4/oa/access_token`), serving both on one port. It checks
 * every request against the documented shapes (400 + a recorded violation when one
 * does not conform), answers errors in HTTP 200 bodies as Zalo does, and rotates
 * single-use refresh tokens like the real one.
 */

/** 'http500', 'timeout' (never answers), or a Zalo error code answered in a 200 body. */
export type ZaloFailure = 'http500' | 'timeout' | number;
export type ZaloEndpoint = 'message' | 'oauth';

export interface ZaloFakeOptions {
  appId?: string;
  appSecret?: string;
  accessToken?: string;
  refreshToken?: string;
  /** `expires_in` handed out on refresh (default "90000", 25 h). */
  expiresInSeconds?: number;
}

export interface ZaloSentMessage {
  userId: string;
  text: string;
  buttons?: unknown[];
  messageId: string;
  accessToken: string;
}

export interface ZaloFake extends FakeHttpServer {
  readonly appId: string;
  readonly appSecret: string;
  /** The pair valid right now. */
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Every pair handed out by the token endpoint, in order. */
  readonly issued: Array<{ accessToken: string; refreshToken: string }>;
  readonly sent: ZaloSentMessage[];
  messageRequests(): RecordedRequest[];
  oauthRequests(): RecordedRequest[];
  /**
   * The next `n` well-formed requests to `endpoint` (default 'message') fail as `how`,
   * after letting `after` (default 0) of them through.
   */
  failNext(n: number, how: ZaloFailure, options?: { endpoint?: ZaloEndpoint; after?: number }): void;
  /** The current access token stops working (-216) until the next refresh. */
  expireAccessToken(): void;
}

export const ZALO_ERROR_MESSAGES: Record<number, string> = {
  [-32]: 'Your application/OA reached limit call api',
  [-201]: 'user_id is invalid!',
  [-204]: 'Official Account is disable',
  [-205]: 'Official Account is not exist',
  [-211]: 'Out of quota',
  [-213]: 'User has not followed OA',
  [-216]: 'Access token is invalid',
  [-220]: 'access_token is expired or removed',
  [-230]: 'User has not interacted with the OA in the past 7 days',
  [-232]: 'User has not interacted with the OA, or the last interaction has expired',
};

// The OAuth error code for a bad refresh token is not documented; this value is illustrative.
const INVALID_REFRESH_TOKEN = -14020;
const INVALID_APP = -14001;

const BUTTON_TYPES = ['oa.open.url', 'oa.query.show', 'oa.query.hide', 'oa.open.sms', 'oa.open.phone'];

export async function startZaloFake(options: ZaloFakeOptions = {}): Promise<ZaloFake> {
  const appId = options.appId ?? '2553928453557884079';
  const appSecret = options.appSecret ?? 'fake-app-secret';
  const state = {
    accessToken: options.accessToken ?? 'zalo-at-initial',
    refreshToken: options.refreshToken ?? 'zalo-rt-initial',
    accessValid: true,
  };
  const issuedAccess = new Set([state.accessToken]);
  const issuedRefresh = new Set([state.refreshToken]);
  const issued: Array<{ accessToken: string; refreshToken: string }> = [];
  const sent: ZaloSentMessage[] = [];
  const failures: Record<ZaloEndpoint, Array<ZaloFailure | 'pass'>> = { message: [], oauth: [] };

  const classify = (_method: string, path: string): string =>
    path === '/v3.0/oa/message/cs' ? 'message' : path === '/v4/oa/access_token' ? 'oauth' : 'unknown';

  const injected = (endpoint: ZaloEndpoint): FakeReply | undefined => {
    const how = failures[endpoint].shift();
    if (how === undefined || how === 'pass') return undefined;
    const outcome = `injected:${how}`;
    if (how === 'timeout') return { hang: true, outcome };
    if (how === 'http500') return { status: 500, body: 'Internal Server Error', outcome };
    if (endpoint === 'oauth') return { status: 200, body: { error: how, error_name: 'Injected failure', error_reason: `injected ${how}` }, outcome };
    return { status: 200, body: { error: how, message: ZALO_ERROR_MESSAGES[how] ?? 'Injected failure' }, outcome };
  };

  const handleMessage = (request: RecordedRequest): FakeReply => {
    const problems: string[] = [];
    if (request.method !== 'POST') problems.push(`method ${request.method}, expected POST`);
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type is not application/json');
    const token = request.headers.access_token;
    if (!token) problems.push('header access_token missing');
    else if (!issuedAccess.has(token)) problems.push('header access_token is not a token this server issued');
    if (request.headers.authorization !== undefined) problems.push('Authorization header sent; Zalo uses the access_token header');
    problems.push(...messageBodyProblems(request.body));
    if (problems.length > 0) return violation(problems);

    const failure = injected('message');
    if (failure) return failure;
    if (token !== state.accessToken || !state.accessValid) return zaloError(-216);

    const body = request.body as { recipient: { user_id: string }; message: { text: string; attachment?: { payload: { buttons: unknown[] } } } };
    const messageId = randomBytes(10).toString('hex');
    sent.push({ userId: body.recipient.user_id, text: body.message.text, buttons: body.message.attachment?.payload.buttons, messageId, accessToken: token });
    return {
      status: 200,
      outcome: 'ok',
      body: {
        data: { message_id: messageId, user_id: body.recipient.user_id, sent_time: String(Date.now()), quota: { quota_type: 'reply', remain: '8', total: '8' } },
        error: 0,
        message: 'Success',
      },
    };
  };

  const handleOauth = (request: RecordedRequest): FakeReply => {
    const problems: string[] = [];
    if (request.method !== 'POST') problems.push(`method ${request.method}, expected POST`);
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) problems.push('content-type is not application/x-www-form-urlencoded');
    if (!request.headers.secret_key) problems.push('header secret_key missing');
    const fields = isObject(request.body) ? request.body : {};
    for (const name of ['refresh_token', 'app_id', 'grant_type']) {
      if (typeof fields[name] !== 'string' || fields[name] === '') problems.push(`field ${name} missing`);
    }
    problems.push(...unknownKeys(fields, ['refresh_token', 'app_id', 'grant_type'], 'form'));
    if (fields.grant_type !== undefined && fields.grant_type !== 'refresh_token') problems.push(`grant_type ${String(fields.grant_type)}, expected refresh_token`);
    const refreshToken = fields.refresh_token;
    if (typeof refreshToken === 'string' && refreshToken !== '' && !issuedRefresh.has(refreshToken)) problems.push('refresh_token is not a token this server issued');
    if (problems.length > 0) return violation(problems);

    const failure = injected('oauth');
    if (failure) return failure;
    if (request.headers.secret_key !== appSecret || fields.app_id !== appId) {
      return { status: 200, outcome: `rejected:${INVALID_APP}`, body: { error: INVALID_APP, error_name: 'Invalid app', error_reason: 'app_id or secret_key is invalid' } };
    }
    if (refreshToken !== state.refreshToken) {
      // Single use: a refresh token that was already exchanged is dead.
      return {
        status: 200,
        outcome: `rejected:${INVALID_REFRESH_TOKEN}`,
        body: { error: INVALID_REFRESH_TOKEN, error_name: 'Invalid refresh token', error_reason: 'Refresh token is invalid', ref_doc: 'https://developers.zalo.me/docs' },
      };
    }
    const n = issued.length + 1;
    state.accessToken = `zalo-at-${n}-${randomBytes(6).toString('hex')}`;
    state.refreshToken = `zalo-rt-${n}-${randomBytes(6).toString('hex')}`;
    state.accessValid = true;
    issuedAccess.add(state.accessToken);
    issuedRefresh.add(state.refreshToken);
    issued.push({ accessToken: state.accessToken, refreshToken: state.refreshToken });
    return {
      status: 200,
      outcome: 'ok',
      body: { access_token: state.accessToken, refresh_token: state.refreshToken, expires_in: String(options.expiresInSeconds ?? 90000) },
    };
  };

  const server = await startFakeHttp(classify, (request) => {
    if (request.endpoint === 'message') return handleMessage(request);
    if (request.endpoint === 'oauth') return handleOauth(request);
    return violation([`unknown endpoint ${request.method} ${request.path}`], 404);
  });

  return {
    ...server,
    appId,
    appSecret,
    get accessToken() {
      return state.accessToken;
    },
    get refreshToken() {
      return state.refreshToken;
    },
    issued,
    sent,
    messageRequests: () => server.requests.filter((r) => r.endpoint === 'message'),
    oauthRequests: () => server.requests.filter((r) => r.endpoint === 'oauth'),
    failNext(n, how, { endpoint = 'message', after = 0 } = {}) {
      for (let i = 0; i < after; i += 1) failures[endpoint].push('pass');
      for (let i = 0; i < n; i += 1) failures[endpoint].push(how);
    },
    expireAccessToken() {
      state.accessValid = false;
    },
  };
}

function zaloError(code: number): FakeReply {
  return { status: 200, outcome: `rejected:${code}`, body: { error: code, message: ZALO_ERROR_MESSAGES[code] ?? 'error' } };
}

function messageBodyProblems(body: unknown): string[] {
  if (!isObject(body)) return ['body is not a JSON object'];
  const problems = unknownKeys(body, ['recipient', 'message'], 'body');
  const recipient = body.recipient;
  if (!isObject(recipient)) problems.push('recipient missing');
  else {
    problems.push(...unknownKeys(recipient, ['user_id'], 'recipient'));
    // IDs exceed 2^53: they must travel as strings.
    if (typeof recipient.user_id !== 'string' || !/^\d+$/.test(recipient.user_id)) problems.push('recipient.user_id is not a string of digits');
  }
  const message = body.message;
  if (!isObject(message)) return [...problems, 'message missing'];
  problems.push(...unknownKeys(message, ['text', 'attachment'], 'message'));
  if (typeof message.text !== 'string' || message.text.length === 0) problems.push('message.text missing');
  else if (message.text.length > 2000) problems.push(`message.text has ${message.text.length} characters, limit 2000`);
  if (message.attachment !== undefined) problems.push(...buttonTemplateProblems(message.attachment));
  return problems;
}

function buttonTemplateProblems(attachment: unknown): string[] {
  if (!isObject(attachment)) return ['message.attachment is not an object'];
  const problems = unknownKeys(attachment, ['type', 'payload'], 'attachment');
  if (attachment.type !== 'template') problems.push('attachment.type is not "template"');
  const payload = attachment.payload;
  if (!isObject(payload)) return [...problems, 'attachment.payload missing'];
  problems.push(...unknownKeys(payload, ['buttons'], 'attachment.payload'));
  const buttons = payload.buttons;
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 5) return [...problems, 'attachment.payload.buttons must hold 1 to 5 buttons'];
  buttons.forEach((button: unknown, i) => {
    if (!isObject(button)) {
      problems.push(`button ${i} is not an object`);
      return;
    }
    problems.push(...unknownKeys(button, ['title', 'type', 'payload', 'image_icon'], `button ${i}`));
    if (typeof button.title !== 'string' || button.title.trim() === '') problems.push(`button ${i}: title missing`);
    if (typeof button.type !== 'string' || !BUTTON_TYPES.includes(button.type)) problems.push(`button ${i}: type ${String(button.type)} unknown`);
    else if (button.type.startsWith('oa.query.')) {
      if (typeof button.payload !== 'string' || button.payload === '') problems.push(`button ${i}: ${button.type} needs a string payload`);
    } else if (!isObject(button.payload)) problems.push(`button ${i}: ${button.type} needs an object payload`);
  });
  return problems;
}
