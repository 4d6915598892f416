import { isObject, startFakeHttp, unknownKeys, violation, type FakeHttpServer, type FakeReply, type RecordedRequest } from './fake-http';

/**
 * A local stand-in for Zalo ZNS's send by phone (`POST /message/template` on
 * business.openapi.zalo.me, notifications.md §1.3–1.6, §1.13). Checks the shape of every
 * request (bare `access_token` header, `phone` in 84… form, a known `template_id`, exactly
 * the template's parameters as strings within their length, `tracking_id` ≤ 48 plain
 * characters) and answers like Zalo: always HTTP 200 with `{error, message, data?}`.
 */

export type ZnsFailure = 'http500' | number;

export interface ZnsFake extends FakeHttpServer {
  /** Sent with the ZNS fake's own notion of the valid token (a function: a Zalo fake's token rotates). */
  readonly sent: Array<{ phone: string; templateId: string; data: Record<string, string>; trackingId: string; msgId: string; mode?: string }>;
  failNext(n: number, how: ZnsFailure): void;
}

const FIELDS = ['phone', 'template_id', 'template_data', 'tracking_id', 'sending_mode', 'mode'];
const MESSAGES: Record<number, string> = {
  [-100]: 'Unknown error',
  [-108]: 'Phone number invalid',
  [-109]: 'Template ID invalid',
  [-118]: 'Zalo account not existed',
  [-124]: 'Access token invalid',
  [-1122]: 'Missing template param',
  [-1121]: 'Template param too long',
};

export async function startZnsFake(options: { templates: Record<string, { params: Record<string, number> }>; validToken: () => string }): Promise<ZnsFake> {
  const sent: ZnsFake['sent'] = [];
  const failures: ZnsFailure[] = [];
  let ids = 0;
  const err = (code: number, outcome: string): FakeReply => ({ status: 200, body: { error: code, message: MESSAGES[code] ?? 'error' }, outcome });

  const check = (r: RecordedRequest): string[] => {
    const problems: string[] = [];
    if (r.method !== 'POST') problems.push(`method ${r.method}, expected POST`);
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type must be application/json');
    if (!r.headers.access_token) problems.push('missing header access_token');
    if (r.headers.authorization) problems.push('the token goes in the access_token header, not Authorization');
    const b = r.body;
    if (!isObject(b)) return [...problems, 'body is not a JSON object'];
    problems.push(...unknownKeys(b, FIELDS, 'body'));
    if (typeof b.phone !== 'string' || !/^\+?84\d{9,10}$/.test(b.phone)) problems.push(`phone must be 84… or +84…, not ${String(b.phone)}`);
    if (typeof b.template_id !== 'string') problems.push('template_id must be a string');
    if (!isObject(b.template_data)) problems.push('template_data must be an object');
    else for (const [k, v] of Object.entries(b.template_data)) if (typeof v !== 'string') problems.push(`template_data.${k} must be a string`);
    if (typeof b.tracking_id !== 'string' || b.tracking_id.length === 0 || b.tracking_id.length > 48 || /[^A-Za-z0-9_-]/.test(b.tracking_id)) problems.push('tracking_id must be 1..48 plain characters');
    if (b.mode !== undefined && b.mode !== 'development') problems.push('mode may only be "development"');
    return problems;
  };

  const handle = (r: RecordedRequest): FakeReply => {
    if (r.endpoint !== 'send') return { status: 404, body: { error: -106, message: 'Method unsupported' }, outcome: 'violation' };
    const problems = check(r);
    if (problems.length > 0) return violation(problems);
    const failure = failures.shift();
    if (failure === 'http500') return { status: 500, body: 'Internal Server Error', outcome: 'injected:http500' };
    if (failure !== undefined) return err(failure, `injected:${failure}`);
    if (r.headers.access_token !== options.validToken()) return err(-124, 'rejected:-124');
    const b = r.body as { phone: string; template_id: string; template_data: Record<string, string>; tracking_id: string; mode?: string };
    const template = options.templates[b.template_id];
    if (!template) return err(-109, 'rejected:-109');
    for (const [name, max] of Object.entries(template.params)) {
      if (b.template_data[name] === undefined) return err(-1122, 'rejected:-1122');
      if ([...b.template_data[name]].length > max) return err(-1121, 'rejected:-1121');
    }
    if (Object.keys(b.template_data).some((k) => !(k in template.params))) return violation([`template_data has parameters the template does not have`]);
    const msgId = `zns${(ids += 1).toString().padStart(16, '0')}`;
    sent.push({ phone: b.phone, templateId: b.template_id, data: b.template_data, trackingId: b.tracking_id, msgId, ...(b.mode ? { mode: b.mode } : {}) });
    return { status: 200, body: { error: 0, message: 'Success', data: { msg_id: msgId, sent_time: String(Date.now()), sending_mode: '1', quota: { dailyQuota: '500', remainingQuota: String(500 - ids) } } }, outcome: 'ok' };
  };

  const server = await startFakeHttp((_method, path) => (path === '/message/template' ? 'send' : 'unknown'), handle);
  return Object.assign(server, {
    sent,
    failNext(n: number, how: ZnsFailure) {
      for (let i = 0; i < n; i += 1) failures.push(how);
    },
  });
}
