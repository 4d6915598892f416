import { logger } from '../../observability/logger';
import { isRecord, postForJson, splitText, TransportError, type JsonResponse, type SendFailureKind } from '../send-support';

/**
 * Messenger Send API client over plain `fetch`, and the window policy. Facts
 * (body, limits, windows, error codes) are from the channel reference,
 * Messenger §2.4–2.6.
 */

/** `message.text` must be under 2,000 characters. */
export const MESSENGER_TEXT_LIMIT = 1999;
export const MESSENGER_QUICK_REPLY_TITLE_LIMIT = 20;
export const MESSENGER_MAX_QUICK_REPLIES = 13;
const QUICK_REPLY_PAYLOAD_LIMIT = 1000;

export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

export interface MessengerSendOptions {
  messagingType: MessagingType;
  /** Only with MESSAGE_TAG, and only for a human agent's reply. */
  tag?: 'HUMAN_AGENT';
}

export type MessengerPolicyDecision =
  | { allowed: true; messagingType: 'RESPONSE' }
  | { allowed: true; messagingType: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }
  | { allowed: false; reason: 'window_closed' };

/**
 * Whether and how a reply may be sent `now` to a user whose last message was at
 * `lastUserMessageAt` (epoch ms): inside 24 hours as a RESPONSE; up to 7 days only
 * as a human agent's reply under the HUMAN_AGENT tag, when the Page has that
 * permission (automated messages may never use it). Both bounds are exclusive.
 * An allowed decision can be passed as the options of `sendText`.
 */
export function messengerPolicy(lastUserMessageAt: number, now: number, humanAgentEnabled: boolean, isHumanAgentReply: boolean): MessengerPolicyDecision {
  if (!Number.isFinite(lastUserMessageAt) || !Number.isFinite(now)) return { allowed: false, reason: 'window_closed' };
  // A user message stamped slightly in the future (clock skew) counts as just now.
  const age = Math.max(0, now - lastUserMessageAt);
  if (age < STANDARD_WINDOW_MS) return { allowed: true, messagingType: 'RESPONSE' };
  if (humanAgentEnabled && isHumanAgentReply && age < HUMAN_AGENT_WINDOW_MS) return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return { allowed: false, reason: 'window_closed' };
}

export interface MessengerClientConfig {
  graphBase?: string;
  apiVersion?: string;
  pageToken: string;
  /** Per request, including reading the body (default 10 s). */
  timeoutMs?: number;
  /** The Page has the Human Agent permission (App Review). */
  humanAgentTag: boolean;
}

export interface QuickReply {
  /** Cut to 20 characters. */
  title: string;
  payload: string;
}

/**
 * - window_closed: outside the allowed window (10/2018278) or the person is unavailable (551): do not retry.
 * - retryable: rate limits (613, 4), temporary failures (2, 1200, `is_transient`), HTTP 5xx/429/408, network errors, timeouts.
 * - auth: the Page token is invalid (190): an admin must replace it.
 * - permanent: invalid parameter (100), permissions (200, 230), anything else.
 */
export type MessengerErrorKind = SendFailureKind;

export class MessengerSendError extends Error {
  override readonly name = 'MessengerSendError';
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly httpStatus: number | undefined;
  /** Ids of the parts of a split message that were delivered before this failure. */
  sentMessageIds: string[] = [];

  constructor(
    readonly kind: MessengerErrorKind,
    message: string,
    details: { code?: number; subcode?: number; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.subcode = details.subcode;
    this.httpStatus = details.httpStatus;
  }
}

/** How a Graph error is handled. */
export function messengerErrorKind(error: { code?: number; subcode?: number; httpStatus?: number; isTransient?: boolean }): MessengerErrorKind {
  const { code, subcode, httpStatus } = error;
  if ((code === 10 && subcode === 2018278) || code === 551) return 'window_closed';
  if (code === 190) return 'auth';
  if (code === 613 || code === 4 || code === 2 || code === 1200 || error.isTransient === true) return 'retryable';
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408)) return 'retryable';
  return 'permanent';
}

interface GraphMessage {
  text: string;
  quick_replies?: Array<{ content_type: 'text'; title: string; payload: string }>;
}

export class MessengerClient {
  private readonly graphBase: string;
  private readonly apiVersion: string;
  private readonly timeoutMs: number;

  constructor(private readonly config: MessengerClientConfig) {
    if (!config.pageToken) throw new Error('Messenger client: pageToken is required');
    this.graphBase = (config.graphBase ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    this.apiVersion = config.apiVersion ?? 'v24.0';
    this.timeoutMs = config.timeoutMs ?? 10_000;
  }

  /** Sends `text` (split into several messages at the 2,000-character limit); returns the message ids in order. */
  async sendText(psid: string, text: string, options: MessengerSendOptions): Promise<string[]> {
    const parts = this.parts(text);
    return this.sendParts(
      psid,
      parts.map((part) => ({ text: part })),
      options,
    );
  }

  /** Sends `text` with quick replies (on the last part when the text is split). Default: a RESPONSE. */
  async sendQuickReplies(psid: string, text: string, replies: readonly QuickReply[], options: MessengerSendOptions = { messagingType: 'RESPONSE' }): Promise<string[]> {
    if (replies.length === 0 || replies.length > MESSENGER_MAX_QUICK_REPLIES) {
      throw new MessengerSendError('permanent', `Messenger quick replies: between 1 and ${MESSENGER_MAX_QUICK_REPLIES} are allowed, got ${replies.length}`);
    }
    const quickReplies = replies.map((reply) => {
      const title = truncate(reply.title.normalize('NFC').trim(), MESSENGER_QUICK_REPLY_TITLE_LIMIT);
      if (!title || !reply.payload || reply.payload.length > QUICK_REPLY_PAYLOAD_LIMIT) {
        throw new MessengerSendError('permanent', 'Messenger quick replies: every reply needs a title and a payload of at most 1000 characters');
      }
      return { content_type: 'text' as const, title, payload: reply.payload };
    });
    const parts = this.parts(text);
    return this.sendParts(
      psid,
      parts.map((part, index) => (index === parts.length - 1 ? { text: part, quick_replies: quickReplies } : { text: part })),
      options,
    );
  }

  private parts(text: string): string[] {
    const parts = splitText(text.normalize('NFC'), MESSENGER_TEXT_LIMIT);
    if (parts.length === 0) throw new MessengerSendError('permanent', 'Messenger: the message text is empty');
    return parts;
  }

  private checkOptions(options: MessengerSendOptions): void {
    if (options.messagingType === 'MESSAGE_TAG' && options.tag === undefined) {
      throw new MessengerSendError('permanent', 'Messenger: MESSAGE_TAG needs a tag');
    }
    if (options.messagingType !== 'MESSAGE_TAG' && options.tag !== undefined) {
      throw new MessengerSendError('permanent', 'Messenger: a tag is only sent with MESSAGE_TAG');
    }
    if (options.tag === 'HUMAN_AGENT' && !this.config.humanAgentTag) {
      throw new MessengerSendError('permanent', 'Messenger: the HUMAN_AGENT tag is not enabled for this Page');
    }
  }

  private async sendParts(psid: string, messages: GraphMessage[], options: MessengerSendOptions): Promise<string[]> {
    if (!psid) throw new MessengerSendError('permanent', 'Messenger: recipient PSID is empty');
    this.checkOptions(options);
    const ids: string[] = [];
    for (const message of messages) {
      const body = {
        recipient: { id: psid },
        messaging_type: options.messagingType,
        ...(options.tag === undefined ? {} : { tag: options.tag }),
        message,
      };
      try {
        ids.push(await this.post(body));
      } catch (error) {
        if (error instanceof MessengerSendError) error.sentMessageIds = [...ids];
        throw error;
      }
    }
    logger.debug('messenger: message sent', { channel: 'messenger', messageIds: ids, messagingType: options.messagingType });
    return ids;
  }

  private async post(body: unknown): Promise<string> {
    // The token goes in the query string as documented; this URL is never logged.
    const url = `${this.graphBase}/${this.apiVersion}/me/messages?access_token=${encodeURIComponent(this.config.pageToken)}`;
    let response: JsonResponse;
    try {
      response = await postForJson(url, { 'content-type': 'application/json' }, JSON.stringify(body), this.timeoutMs);
    } catch (error) {
      const reason = error instanceof TransportError ? error.reason : 'network';
      throw new MessengerSendError('retryable', reason === 'timeout' ? `Messenger did not answer within ${this.timeoutMs} ms` : 'Messenger request failed', {
        cause: error,
      });
    }
    const json = response.json;
    if (response.status >= 200 && response.status < 300) {
      if (isRecord(json) && typeof json.message_id === 'string') return json.message_id;
      // Sent, most likely, but without an id: a retry risks a duplicate, which beats a lost answer.
      throw new MessengerSendError('retryable', `Messenger answered HTTP ${response.status} without a message_id`, { httpStatus: response.status });
    }
    const error = isRecord(json) && isRecord(json.error) ? json.error : {};
    const code = typeof error.code === 'number' ? error.code : undefined;
    const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
    const kind = messengerErrorKind({ code, subcode, httpStatus: response.status, isTransient: error.is_transient === true });
    const message = typeof error.message === 'string' ? error.message : 'no message';
    throw new MessengerSendError(kind, `Messenger error ${code ?? '-'}${subcode === undefined ? '' : `/${subcode}`} (HTTP ${response.status}): ${message}`, {
      code,
      subcode,
      httpStatus: response.status,
    });
  }
}

/** Cut to `limit` UTF-16 code units with an ellipsis, at a word when one ends in the second half, never inside a surrogate pair. */
function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit - 1;
  const space = text.lastIndexOf(' ', cut);
  if (space >= limit / 2) cut = space;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}
