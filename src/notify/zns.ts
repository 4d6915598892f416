import type { ChannelSender } from '../channels/messaging/dispatcher';
import { isRecord, postForJson, TransportError, type JsonResponse } from '../channels/send-support';
import type { OutboundPayload } from '../store/channel-types';
import type { ZnsConfig } from './config';
import { NotifySendError } from './errors';

/** The OA access token (the Zalo client's token pair: one per OA, renewed when rejected). */
export interface ZaloTokenSource {
  accessToken(): Promise<string>;
  renewAccessToken(used: string): Promise<string>;
}

export const ZNS_SEND_PATH = '/message/template';

/** `84` + the national number without its leading 0 (notifications.md §1.5). */
export function znsPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.startsWith('84')) return digits;
  return `84${digits.replace(/^0/, '')}`;
}

/**
 * How a ZNS `error` code is handled (notifications.md §1.6): -124 token → renew once;
 * -100, -133 (night), -144/-147 (daily limits), -115 (ZNS balance) → retried; a number
 * that has no Zalo or refuses ZNS (-108, -110, -114, -118, -119, -139, -140, -141) and
 * configuration errors → permanent (a dead letter for the admins).
 */
/** Codes that say this number cannot get ZNS (no Zalo, too old a Zalo, ZNS refused): an SMS may still reach it. */
export const ZNS_UNREACHABLE = [-108, -110, -114, -118, -119, -139, -140, -141];

export function znsErrorKind(code: number): 'retryable' | 'permanent' | 'token_rejected' {
  if (code === -124) return 'token_rejected';
  if ([-100, -115, -133, -144, -147].includes(code)) return 'retryable';
  return 'permanent';
}

/** Zalo ZNS: an approved template to a phone number (POST business.openapi.zalo.me/message/template). */
export class ZnsSender implements ChannelSender {
  private readonly base: string;

  constructor(
    private readonly config: ZnsConfig,
    private readonly tokens: ZaloTokenSource,
    /** The SMS sender, for a notice whose number cannot get ZNS (the notice carries the SMS text). */
    private readonly sms?: ChannelSender,
    private readonly timeoutMs = 15_000,
  ) {
    this.base = config.apiBase.replace(/\/+$/, '');
  }

  windowOpen(): boolean {
    return true;
  }

  async send(recipient: string, payload: OutboundPayload): Promise<{ providerId?: string }> {
    if (!payload.template) throw new NotifySendError('permanent', 'ZNS message without a template');
    const body = JSON.stringify({
      phone: znsPhone(recipient),
      template_id: payload.template.id,
      template_data: payload.template.data,
      // Zalo echoes it in the delivery webhook; at most 48 characters, no special characters.
      tracking_id: (payload.requestId ?? '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48) || 'hoidap',
      ...(this.config.development ? { mode: 'development' } : {}),
    });
    let token = await this.token(() => this.tokens.accessToken());
    for (let renewed = false; ; renewed = true) {
      const response = await this.post(token, body);
      const json = response.json;
      const code = isRecord(json) && typeof json.error === 'number' ? json.error : isRecord(json) && typeof json.error === 'string' ? Number(json.error) : undefined;
      if (code === undefined || Number.isNaN(code)) throw new NotifySendError('retryable', `ZNS answered HTTP ${response.status} without an error code`, { httpStatus: response.status });
      if (code === 0) {
        const data = isRecord(json) && isRecord(json.data) ? json.data : {};
        return { providerId: typeof data.msg_id === 'string' ? data.msg_id : undefined };
      }
      const message = isRecord(json) && typeof json.message === 'string' ? `: ${json.message}` : '';
      const kind = znsErrorKind(code);
      if (kind === 'token_rejected') {
        if (renewed) throw new NotifySendError('auth', `ZNS still rejects the access token after a renewal (${code})`, { code });
        const used = token;
        token = await this.token(() => this.tokens.renewAccessToken(used));
        continue;
      }
      if (ZNS_UNREACHABLE.includes(code) && payload.fallback && this.sms) {
        // Same attempt, same request id: a retry after a failed SMS tries ZNS again, then the SMS (the gateway knows the id).
        const sent = await this.sms.send(recipient, { text: payload.fallback.text, ...(payload.requestId ? { requestId: payload.requestId } : {}) }, undefined, Date.now());
        return { providerId: `sms:${sent.providerId ?? ''} (ZNS error ${code})` };
      }
      throw new NotifySendError(kind, `ZNS error ${code}${message}`, { code, httpStatus: response.status });
    }
  }

  private async token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      throw new NotifySendError(kind === 'retryable' ? 'retryable' : 'auth', `no usable Zalo OA access token for ZNS (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private async post(token: string, body: string): Promise<JsonResponse> {
    let response: JsonResponse;
    try {
      response = await postForJson(`${this.base}${ZNS_SEND_PATH}`, { 'content-type': 'application/json', access_token: token }, body, this.timeoutMs);
    } catch (err) {
      throw new NotifySendError('retryable', err instanceof TransportError && err.reason === 'timeout' ? 'ZNS did not answer in time' : 'ZNS request failed');
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) throw new NotifySendError('retryable', `ZNS answered HTTP ${response.status}`, { httpStatus: response.status });
    if (response.status < 200 || response.status >= 300) throw new NotifySendError('permanent', `ZNS answered HTTP ${response.status}`, { httpStatus: response.status });
    return response;
  }
}
