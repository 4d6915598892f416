import { randomBytes } from 'node:crypto';
import { isObject, startFakeHttp, unknownKeys, violation, type FakeHttpServer, type FakeReply, type RecordedRequest } from './fake-http';

/**
 * A local stand-in for the Messenger Send API (`POST /{version}/me/messages?access_token=...`).
 * Every request is checked against the documented shape (400 + a recorded violation
 * when it does not conform); errors use Graph's envelope
 * `{error:{message,type,code,error_subcode,fbtrace_id}}`.
 */

export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  /** HTTP status (default 400, 500 for temporary failures). */
  status?: number;
  isTransient?: boolean;
}

/** 'http500', 'timeout' (never answers), a Graph error code (10 means 10/2018278), or a full spec. */
export type GraphFailure = 'http500' | 'timeout' | number | GraphErrorSpec;

export interface GraphFakeOptions {
  pageToken?: string;
  apiVersion?: string;
}

export interface GraphSentMessage {
  psid: string;
  messagingType: string;
  tag?: string;
  text: string;
  quickReplies?: Array<{ content_type: string; title: string; payload: string }>;
  messageId: string;
}

export interface GraphFake extends FakeHttpServer {
  readonly pageToken: string;
  readonly apiVersion: string;
  readonly sent: GraphSentMessage[];
  sendRequests(): RecordedRequest[];
  /** The next `n` well-formed requests fail as `how`, after letting `after` (default 0) of them through. */
  failNext(n: number, how: GraphFailure, options?: { after?: number }): void;
}

const KNOWN_ERRORS: Record<number, { message: string; subcode?: number; status: number; isTransient?: boolean }> = {
  2: { message: '(#2) Service temporarily unavailable', status: 500, isTransient: true },
  4: { message: '(#4) Application request limit reached', status: 400, isTransient: true },
  10: { message: '(#10) This message is sent outside of allowed window.', subcode: 2018278, status: 400 },
  100: { message: '(#100) Invalid parameter', status: 400 },
  190: { message: 'Invalid OAuth access token - Cannot parse access token', status: 400 },
  200: { message: '(#200) Permissions error', status: 403 },
  230: { message: '(#230) Requires pages_messaging permission to manage the object', status: 403 },
  551: { message: "(#551) This person isn't available right now.", status: 400 },
  613: { message: '(#613) Calls to this api have exceeded the rate limit.', status: 400 },
  1200: { message: '(#1200) Temporary send message failure. Please try again later.', status: 500, isTransient: true },
};

const MESSAGE_TAGS = ['HUMAN_AGENT', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CUSTOMER_FEEDBACK'];

export function graphError(spec: GraphErrorSpec): FakeReply {
  const known = KNOWN_ERRORS[spec.code];
  const subcode = spec.subcode ?? known?.subcode;
  return {
    status: spec.status ?? known?.status ?? 400,
    outcome: `rejected:${spec.code}${subcode === undefined ? '' : `/${subcode}`}`,
    body: {
      error: {
        message: known?.message ?? `(#${spec.code}) error`,
        type: 'OAuthException',
        code: spec.code,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        ...((spec.isTransient ?? known?.isTransient) ? { is_transient: true } : {}),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    },
  };
}

export async function startGraphFake(options: GraphFakeOptions = {}): Promise<GraphFake> {
  const pageToken = options.pageToken ?? 'fake-page-token';
  const apiVersion = options.apiVersion ?? 'v24.0';
  const sent: GraphSentMessage[] = [];
  const failures: Array<GraphFailure | 'pass'> = [];
  const sendPath = /^\/(v\d+\.\d+)\/me\/messages$/;

  const server = await startFakeHttp(
    (_method, path) => (sendPath.test(path) ? 'send' : 'unknown'),
    (request) => {
      if (request.endpoint !== 'send') return violation([`unknown endpoint ${request.method} ${request.path}`], 404);
      const problems: string[] = [];
      if (request.method !== 'POST') problems.push(`method ${request.method}, expected POST`);
      const version = sendPath.exec(request.path)?.[1];
      if (version !== apiVersion) problems.push(`API version ${String(version)}, expected ${apiVersion}`);
      if (!request.query.access_token) problems.push('query parameter access_token missing');
      problems.push(...Object.keys(request.query).filter((k) => k !== 'access_token' && k !== 'appsecret_proof').map((k) => `unexpected query parameter ${k}`));
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type is not application/json');
      problems.push(...sendBodyProblems(request.body));
      if (problems.length > 0) return violation(problems);

      const how = failures.shift();
      if (how !== undefined && how !== 'pass') {
        if (how === 'timeout') return { hang: true, outcome: 'injected:timeout' };
        if (how === 'http500') return { status: 500, body: 'Internal Server Error', outcome: 'injected:http500' };
        const reply = graphError(typeof how === 'number' ? { code: how } : how);
        return { ...reply, outcome: `injected:${reply.outcome}` };
      }
      if (request.query.access_token !== pageToken) return graphError({ code: 190 });

      const body = request.body as { recipient: { id: string }; messaging_type: string; tag?: string; message: { text: string; quick_replies?: GraphSentMessage['quickReplies'] } };
      const messageId = `m_${randomBytes(12).toString('base64url')}`;
      sent.push({
        psid: body.recipient.id,
        messagingType: body.messaging_type,
        tag: body.tag,
        text: body.message.text,
        quickReplies: body.message.quick_replies,
        messageId,
      });
      return { status: 200, outcome: 'ok', body: { recipient_id: body.recipient.id, message_id: messageId } };
    },
  );

  return {
    ...server,
    pageToken,
    apiVersion,
    sent,
    sendRequests: () => server.requests.filter((r) => r.endpoint === 'send'),
    failNext(n, how, { after = 0 } = {}) {
      for (let i = 0; i < after; i += 1) failures.push('pass');
      for (let i = 0; i < n; i += 1) failures.push(how);
    },
  };
}

function sendBodyProblems(body: unknown): string[] {
  if (!isObject(body)) return ['body is not a JSON object'];
  const problems = unknownKeys(body, ['recipient', 'messaging_type', 'tag', 'message'], 'body');
  if (!isObject(body.recipient) || typeof body.recipient.id !== 'string' || body.recipient.id === '') problems.push('recipient.id missing');
  else problems.push(...unknownKeys(body.recipient, ['id'], 'recipient'));
  const type = body.messaging_type;
  if (type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') problems.push(`messaging_type ${String(type)} invalid`);
  if (type === 'MESSAGE_TAG') {
    if (typeof body.tag !== 'string' || !MESSAGE_TAGS.includes(body.tag)) problems.push(`MESSAGE_TAG needs a known tag, got ${String(body.tag)}`);
  } else if (body.tag !== undefined) problems.push('tag sent without messaging_type MESSAGE_TAG');
  const message = body.message;
  if (!isObject(message)) return [...problems, 'message missing'];
  problems.push(...unknownKeys(message, ['text', 'quick_replies'], 'message'));
  if (typeof message.text !== 'string' || message.text.length === 0) problems.push('message.text missing');
  else if (message.text.length >= 2000) problems.push(`message.text has ${message.text.length} characters, must be under 2000`);
  if (message.quick_replies !== undefined) {
    const replies = message.quick_replies;
    if (!Array.isArray(replies) || replies.length === 0 || replies.length > 13) problems.push('quick_replies must hold 1 to 13 replies');
    else {
      replies.forEach((reply: unknown, i) => {
        if (!isObject(reply)) {
          problems.push(`quick reply ${i} is not an object`);
          return;
        }
        problems.push(...unknownKeys(reply, ['content_type', 'title', 'payload', 'image_url'], `quick reply ${i}`));
        if (reply.content_type !== 'text') problems.push(`quick reply ${i}: content_type ${String(reply.content_type)}, expected text`);
        if (typeof reply.title !== 'string' || reply.title.length === 0 || reply.title.length > 20) problems.push(`quick reply ${i}: title must have 1 to 20 characters`);
        if (typeof reply.payload !== 'string' || reply.payload.length === 0 || reply.payload.length > 1000) problems.push(`quick reply ${i}: payload must have 1 to 1000 characters`);
      });
    }
  }
  return problems;
}
