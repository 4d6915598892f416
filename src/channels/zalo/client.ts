import { logger } from '../../observability/logger';
import { isRecord, postForJson, splitText, TransportError, type JsonResponse, type SendFailureKind } from '../send-support';

/**
 * Zalo OA client for customer-service (tư vấn) messages over plain `fetch`.
 * Facts (paths, headers, error codes, token rotation) are from the channel
 * reference, Zalo §1.5–1.8.
 *
 * One client per OA and per process: tokens are cached in memory after the first
 * load, and the single-use refresh token must not be spent by two processes.
 */

export const ZALO_TEXT_LIMIT = 2000;
/** Community code never sends more; Zalo's own limit is unconfirmed. */
export const ZALO_MAX_BUTTONS = 5;
/** CS messages need an interaction within the last 7 days (-230/-232 otherwise). */
export const ZALO_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

const DEFAULT_API_BASE = 'https://openapi.zalo.me';
const DEFAULT_OAUTH_BASE = 'https://oauth.zaloapp.com';
const MESSAGE_PATH = '/v3.0/oa/message/cs';

/** Whether a CS message may still be sent to a user whose last interaction was at `lastInteractionAt` (epoch ms). */
export function zaloWindowOpen(lastInteractionAt: number, now: number): boolean {
  if (!Number.isFinite(lastInteractionAt) || !Number.isFinite(now)) return false;
  return now - lastInteractionAt < ZALO_WINDOW_MS;
}

export interface ZaloTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

/** Where the OA tokens live (persisted by the caller). `save` must be durable when it resolves. */
export interface TokenStore {
  load(): Promise<ZaloTokens | undefined>;
  save(tokens: ZaloTokens): Promise<void>;
}

export interface ZaloClientConfig {
  apiBase?: string;
  oauthBase?: string;
  appId: string;
  /** The app's secret key (header `secret_key` of the token endpoint). */
  appSecret: string;
  /** Per request, including reading the body (default 10 s). */
  timeoutMs?: number;
  /** Refresh before sending when the access token expires within this margin (default 1 h of its 25 h). */
  refreshMarginMs?: number;
  now?: () => number;
}

export interface ZaloButton {
  title: string;
  /** Comes back as the text of a `user_send_text` event when clicked (`oa.query.hide`: not shown in the chat). */
  payload: string;
}

/**
 * - retryable: rate limit (-32), network error, timeout, HTTP 5xx: try again later.
 * - window_closed: -230/-232/-213: do not retry; the citizen reads the answer on the portal.
 * - auth: no usable token and the refresh failed: an admin must re-authorise the OA.
 * - permanent: invalid request (-201), OA disabled or missing (-204/-205), anything else.
 */
export type ZaloErrorKind = SendFailureKind;

export class ZaloSendError extends Error {
  override readonly name = 'ZaloSendError';
  /** Zalo's `error` code when Zalo answered one. */
  readonly code: number | undefined;
  readonly httpStatus: number | undefined;
  /** Ids of the parts of a split message that were delivered before this failure. */
  sentMessageIds: string[] = [];

  constructor(
    readonly kind: ZaloErrorKind,
    message: string,
    details: { code?: number; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.httpStatus = details.httpStatus;
  }
}

/** How a Zalo `error` code is handled; 'token_rejected' means refresh the token and retry once. */
export function zaloErrorKind(code: number): ZaloErrorKind | 'token_rejected' {
  switch (code) {
    case -216:
    case -220:
      return 'token_rejected';
    case -32:
      return 'retryable';
    case -230:
    case -232:
    case -213:
      return 'window_closed';
    default:
      return 'permanent';
  }
}

interface OaMessage {
  text: string;
  attachment?: {
    type: 'template';
    payload: { buttons: Array<{ title: string; type: 'oa.query.hide'; payload: string }> };
  };
}

export class ZaloClient {
  private readonly apiBase: string;
  private readonly oauthBase: string;
  private readonly timeoutMs: number;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;

  /** The last pair known to be saved in the store. */
  private tokens: ZaloTokens | undefined;
  /** A refreshed pair whose save failed: the old refresh token is spent, so this is the only valid one. */
  private unsaved: ZaloTokens | undefined;
  private loading: Promise<void> | undefined;
  private saving: Promise<void> | undefined;
  private refreshing: Promise<ZaloTokens> | undefined;

  constructor(
    private readonly config: ZaloClientConfig,
    private readonly store: TokenStore,
  ) {
    if (!config.appId || !config.appSecret) throw new Error('Zalo client: appId and appSecret are required');
    this.apiBase = (config.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
    this.oauthBase = (config.oauthBase ?? DEFAULT_OAUTH_BASE).replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.refreshMarginMs = config.refreshMarginMs ?? 60 * 60 * 1000;
    this.now = config.now ?? Date.now;
  }

  /** Sends `text` (split into several messages over 2,000 characters); returns the message ids in order. */
  async sendText(userId: string, text: string): Promise<string[]> {
    const parts = this.parts(text);
    return this.sendParts(
      userId,
      parts.map((part) => ({ text: part })),
    );
  }

  /**
   * Sends `text` with `oa.query.hide` buttons. A long text is split; the buttons go
   * with the last part so that they stay under the whole answer.
   */
  async sendButtons(userId: string, text: string, buttons: readonly ZaloButton[]): Promise<string[]> {
    if (buttons.length === 0 || buttons.length > ZALO_MAX_BUTTONS) {
      throw new ZaloSendError('permanent', `Zalo buttons: between 1 and ${ZALO_MAX_BUTTONS} buttons are allowed, got ${buttons.length}`);
    }
    for (const button of buttons) {
      if (!button.title.trim() || !button.payload) throw new ZaloSendError('permanent', 'Zalo buttons: every button needs a title and a payload');
    }
    const parts = this.parts(text);
    const attachment: OaMessage['attachment'] = {
      type: 'template',
      payload: { buttons: buttons.map((button) => ({ title: button.title, type: 'oa.query.hide', payload: button.payload })) },
    };
    return this.sendParts(
      userId,
      parts.map((part, index) => (index === parts.length - 1 ? { text: part, attachment } : { text: part })),
    );
  }

  /**
   * Exchanges the refresh token for a new pair (the old refresh token is spent),
   * saves the pair through the TokenStore, and only then makes it current.
   * Concurrent callers share one refresh.
   */
  refreshAccessToken(): Promise<ZaloTokens> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private parts(text: string): string[] {
    const parts = splitText(text.normalize('NFC'), ZALO_TEXT_LIMIT);
    if (parts.length === 0) throw new ZaloSendError('permanent', 'Zalo: the message text is empty');
    return parts;
  }

  private async sendParts(userId: string, messages: OaMessage[]): Promise<string[]> {
    if (!userId) throw new ZaloSendError('permanent', 'Zalo: recipient user id is empty');
    const ids: string[] = [];
    for (const message of messages) {
      try {
        const data = await this.callWithToken(MESSAGE_PATH, { recipient: { user_id: userId }, message });
        const id = isRecord(data) && typeof data.message_id === 'string' ? data.message_id : '';
        if (!id) logger.warn('zalo: message sent without a message_id in the answer', { channel: 'zalo' });
        ids.push(id);
      } catch (error) {
        if (error instanceof ZaloSendError) error.sentMessageIds = [...ids];
        throw error;
      }
    }
    logger.debug('zalo: message sent', { channel: 'zalo', messageIds: ids });
    return ids;
  }

  /** POSTs to the OA API; on -216/-220 refreshes (or adopts a newer token) once and retries once. */
  private async callWithToken(path: string, body: unknown): Promise<unknown> {
    let token = await this.accessTokenForSend();
    let renewed = false;
    for (;;) {
      const answer = await this.postOa(path, token, body);
      if (answer.ok) return answer.data;
      if (renewed) {
        throw new ZaloSendError('auth', `Zalo still rejects the access token after a refresh (${answer.code})`, { code: answer.code });
      }
      logger.info('zalo: access token rejected, renewing it', { channel: 'zalo', code: answer.code });
      renewed = true;
      token = await this.renewAfterRejection(token);
    }
  }

  private async postOa(path: string, token: string, body: unknown): Promise<{ ok: true; data: unknown } | { ok: false; code: number }> {
    const response = await this.post(`${this.apiBase}${path}`, { 'content-type': 'application/json', access_token: token }, JSON.stringify(body));
    const json = response.json;
    const code = isRecord(json) ? zaloCode(json.error) : undefined;
    if (code === undefined) {
      // A 200 without an envelope: the message may have gone out; a retry risks a duplicate, which beats a lost answer.
      throw new ZaloSendError('retryable', `Zalo answered HTTP ${response.status} without an error code`, { httpStatus: response.status });
    }
    if (code === 0 && isRecord(json)) return { ok: true, data: json.data };
    const kind = zaloErrorKind(code);
    if (kind === 'token_rejected') return { ok: false, code };
    const message = isRecord(json) && typeof json.message === 'string' ? json.message : 'no message';
    throw new ZaloSendError(kind, `Zalo error ${code}: ${message}`, { code, httpStatus: response.status });
  }

  /** POST with transport and HTTP status failures mapped to ZaloSendError. */
  private async post(url: string, headers: Record<string, string>, body: string): Promise<JsonResponse> {
    let response: JsonResponse;
    try {
      response = await postForJson(url, headers, body, this.timeoutMs);
    } catch (error) {
      const reason = error instanceof TransportError ? error.reason : 'network';
      throw new ZaloSendError('retryable', reason === 'timeout' ? `Zalo did not answer within ${this.timeoutMs} ms` : 'Zalo request failed', { cause: error });
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new ZaloSendError('retryable', `Zalo answered HTTP ${response.status}`, { httpStatus: response.status });
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ZaloSendError('permanent', `Zalo answered HTTP ${response.status}`, { httpStatus: response.status, code: isRecord(response.json) ? zaloCode(response.json.error) : undefined });
    }
    return response;
  }

  /** A usable OA access token (refreshed first when it expires soon), for other OA APIs such as ZNS. */
  async accessToken(): Promise<string> {
    return this.accessTokenForSend();
  }

  /** After another OA API rejected `used`: a refresh in flight, a token refreshed meanwhile, or a new refresh. */
  async renewAccessToken(used: string): Promise<string> {
    return this.renewAfterRejection(used);
  }

  private async accessTokenForSend(): Promise<string> {
    const tokens = await this.currentTokens();
    if (tokens.expiresAt - this.now() > this.refreshMarginMs) return tokens.accessToken;
    return (await this.refreshAccessToken()).accessToken;
  }

  /** After a rejection of `used`: join a refresh in flight, adopt a token refreshed meanwhile, or refresh. */
  private async renewAfterRejection(used: string): Promise<string> {
    if (this.refreshing) return (await this.refreshing).accessToken;
    const current = await this.currentTokens();
    if (current.accessToken !== used) return current.accessToken;
    return (await this.refreshAccessToken()).accessToken;
  }

  private async currentTokens(): Promise<ZaloTokens> {
    if (this.unsaved) await this.saveUnsaved();
    if (!this.tokens) {
      // Single-flight, and never overwrite a pair that a refresh installed meanwhile.
      this.loading ??= Promise.resolve()
        .then(() => this.store.load())
        .then((loaded) => {
          this.tokens ??= loaded;
        })
        .finally(() => {
          this.loading = undefined;
        });
      try {
        await this.loading;
      } catch (error) {
        throw new ZaloSendError('retryable', 'Zalo: the token store could not be read', { cause: error });
      }
    }
    if (!this.tokens) throw new ZaloSendError('auth', 'Zalo: no OA tokens stored; an admin must authorise the OA');
    return this.tokens;
  }

  private async refresh(): Promise<ZaloTokens> {
    const current = await this.currentTokens();
    const form = new URLSearchParams({ refresh_token: current.refreshToken, app_id: this.config.appId, grant_type: 'refresh_token' });
    let response: JsonResponse;
    try {
      response = await this.post(
        `${this.oauthBase}/v4/oa/access_token`,
        { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.config.appSecret },
        form.toString(),
      );
    } catch (error) {
      if (error instanceof ZaloSendError && error.kind === 'retryable') {
        // Zalo may have rotated the pair without us seeing the answer; the next try tells.
        logger.warn('zalo: token refresh did not complete; the refresh token may have been spent', { channel: 'zalo', reason: error.message });
        throw error;
      }
      throw this.refreshFailed(error instanceof ZaloSendError ? error.code : undefined, error instanceof ZaloSendError ? error.httpStatus : undefined, error);
    }
    const tokens = parseTokenAnswer(response.json, this.now());
    if (!tokens) {
      const json = response.json;
      throw this.refreshFailed(isRecord(json) ? zaloCode(json.error) : undefined, response.status);
    }
    // The old refresh token is spent now: the new pair must be durable before anything uses it.
    this.unsaved = tokens;
    await this.saveUnsaved();
    logger.info('zalo: access token refreshed', { channel: 'zalo', expiresAt: new Date(tokens.expiresAt).toISOString() });
    return tokens;
  }

  private refreshFailed(code: number | undefined, httpStatus: number | undefined, cause?: unknown): ZaloSendError {
    logger.error('zalo: token refresh refused; an admin must re-authorise the OA', { channel: 'zalo', code, httpStatus });
    return new ZaloSendError('auth', `Zalo token refresh refused${code === undefined ? '' : ` (${code})`}`, { code, httpStatus, cause });
  }

  /** Saves the unsaved pair (single-flight) and makes it current; on failure keeps it for the next attempt. */
  private async saveUnsaved(): Promise<void> {
    this.saving ??= (async () => {
      const tokens = this.unsaved;
      if (!tokens) return;
      await this.store.save(tokens);
      this.tokens = tokens;
      if (this.unsaved === tokens) this.unsaved = undefined;
    })().finally(() => {
      this.saving = undefined;
    });
    try {
      await this.saving;
    } catch (error) {
      logger.error('zalo: refreshed tokens could not be saved; holding them in memory until a save succeeds', { channel: 'zalo', error: String(error) });
      throw new ZaloSendError('retryable', 'Zalo: refreshed tokens could not be saved', { cause: error });
    }
  }
}

function zaloCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** `{access_token, refresh_token, expires_in}` with `expires_in` in seconds, usually a string. */
function parseTokenAnswer(json: unknown, now: number): ZaloTokens | undefined {
  if (!isRecord(json)) return undefined;
  const code = zaloCode(json.error);
  if (code !== undefined && code !== 0) return undefined;
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = json;
  if (typeof accessToken !== 'string' || !accessToken || typeof refreshToken !== 'string' || !refreshToken) return undefined;
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn.trim()) : typeof expiresIn === 'number' ? expiresIn : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return { accessToken, refreshToken, expiresAt: now + seconds * 1000 };
}
