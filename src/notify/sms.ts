import type { ChannelSender } from '../channels/messaging/dispatcher';
import { isRecord, postForJson, TransportError, type JsonResponse } from '../channels/send-support';
import type { OutboundPayload } from '../store/channel-types';
import type { SmsConfig } from './config';
import { NotifySendError } from './errors';
import { smsParts } from './policy';

/**
 * A brandname-SMS gateway's request shape: how to ask it to send one customer-care (CSKH)
 * message, and how to read its answer. Carriers' own interfaces are not public and the
 * province's gateway is not known yet, so the shape is a small adapter; eSMS's is the one
 * notifications.md documents from the gateway's own docs (confidence H).
 */
export interface SmsGatewayAdapter {
  request(config: SmsConfig, phone: string, text: string, requestId: string | undefined, unicode: boolean): { url: string; headers: Record<string, string>; body: string };
  /** The gateway's message id, or a NotifySendError with the right kind. */
  interpret(response: JsonResponse): { providerId?: string };
}

/**
 * eSMS (ViHAT) SendMultipleMessage_V4_post_json: credentials in the JSON body, `SmsType` "2"
 * (customer care), answers in HTTP 200 with a string `CodeResult` ("100" = accepted; not
 * proof of delivery). `RequestId` is the notice's key, so an attempt repeated after a lost
 * answer is recognised by the gateway (124) rather than sent twice.
 */
export const esmsAdapter: SmsGatewayAdapter = {
  request(config, phone, text, requestId, unicode) {
    return {
      url: config.url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ApiKey: config.apiKey,
        SecretKey: config.secretKey,
        Phone: phone,
        Content: text,
        Brandname: config.brandname,
        SmsType: '2',
        IsUnicode: unicode ? '1' : '0',
        Sandbox: config.sandbox ? '1' : '0',
        ...(requestId ? { RequestId: requestId } : {}),
      }),
    };
  },
  interpret(response) {
    const json = response.json;
    const code = isRecord(json) && json.CodeResult !== undefined ? String(json.CodeResult) : undefined;
    const message = isRecord(json) && typeof json.ErrorMessage === 'string' ? `: ${json.ErrorMessage}` : '';
    if (code === '100') return { providerId: isRecord(json) && json.SMSID !== undefined ? String(json.SMSID) : undefined };
    // The same RequestId was accepted before (an earlier attempt whose answer was lost).
    if (code === '124') return { providerId: `esms-request-exists` };
    if (code === undefined) throw new NotifySendError('retryable', `SMS gateway answered HTTP ${response.status} without a CodeResult`, { httpStatus: response.status });
    const details = { code, httpStatus: response.status };
    switch (code) {
      case '101': // wrong ApiKey / SecretKey
      case '140': // this server's IP is not on the gateway's list
        throw new NotifySendError('auth', `SMS gateway error ${code}${message}`, details);
      case '103': // balance too low: an admin tops it up, the retries may still get through
        throw new NotifySendError('retryable', `SMS gateway error ${code}${message}`, details);
      default: // 99 number blocked, 104 brandname, 108 phone format, 146 template, 177 carrier, ...
        throw new NotifySendError('permanent', `SMS gateway error ${code}${message}`, details);
    }
  },
};

export const SMS_ADAPTERS: Record<SmsConfig['gateway'], SmsGatewayAdapter> = { esms: esmsAdapter };

/**
 * Brandname SMS through the configured gateway; the text was rendered (and folded) when the notice
 * was queued, and goes as Unicode only if it has characters outside GSM-7.
 */
export class SmsSender implements ChannelSender {
  private readonly adapter: SmsGatewayAdapter;

  constructor(
    private readonly config: SmsConfig,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.adapter = SMS_ADAPTERS[config.gateway];
  }

  windowOpen(): boolean {
    return true;
  }

  async send(recipient: string, payload: OutboundPayload): Promise<{ providerId?: string }> {
    const { url, headers, body } = this.adapter.request(this.config, recipient, payload.text, payload.requestId, smsParts(payload.text).encoding === 'ucs2');
    let response: JsonResponse;
    try {
      response = await postForJson(url, headers, body, this.options.timeoutMs ?? 15_000);
    } catch (err) {
      throw new NotifySendError('retryable', err instanceof TransportError && err.reason === 'timeout' ? 'SMS gateway did not answer in time' : 'SMS gateway request failed');
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408)
      throw new NotifySendError('retryable', `SMS gateway answered HTTP ${response.status}`, { httpStatus: response.status });
    if (response.status === 401 || response.status === 403) throw new NotifySendError('auth', `SMS gateway answered HTTP ${response.status}`, { httpStatus: response.status });
    if (response.status < 200 || response.status >= 300) throw new NotifySendError('permanent', `SMS gateway answered HTTP ${response.status}`, { httpStatus: response.status });
    return this.adapter.interpret(response);
  }
}
