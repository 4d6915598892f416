import { isObject, startFakeHttp, unknownKeys, violation, type FakeHttpServer, type FakeReply, type RecordedRequest } from './fake-http';

/**
 * A local stand-in for eSMS's customer-care send (`POST /MainService.svc/json/SendMultipleMessage_V4_post_json/`,
 * notifications.md §2.2). Checks every request's shape (400 + a recorded violation otherwise) and
 * answers like eSMS: HTTP 200 with a string `CodeResult` ("100" accepted, SMSID), errors in the body.
 */

export const ESMS_PATH = '/MainService.svc/json/SendMultipleMessage_V4_post_json/';

/** 'http500', 'timeout', or an eSMS CodeResult answered in a 200 body. */
export type SmsFailure = 'http500' | 'timeout' | string;

export interface SmsFake extends FakeHttpServer {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly brandname: string;
  /** Messages accepted (CodeResult 100). */
  readonly sent: Array<{ phone: string; content: string; unicode: boolean; requestId?: string; smsId: string }>;
  failNext(n: number, how: SmsFailure): void;
}

const FIELDS = ['ApiKey', 'SecretKey', 'Phone', 'Content', 'Brandname', 'SmsType', 'IsUnicode', 'Sandbox', 'RequestId', 'SendDate', 'CallbackUrl', 'campaignid'];
const MESSAGES: Record<string, string> = { '101': 'Authorize Failed', '103': 'Balance not enough', '104': 'Brand name code is not exist', '108': 'Phone number is invalid', '146': 'Sai template Brandname CSKH' };

export async function startSmsFake(options: { apiKey?: string; secretKey?: string; brandname?: string } = {}): Promise<SmsFake> {
  const apiKey = options.apiKey ?? 'esms-api-key';
  const secretKey = options.secretKey ?? 'esms-secret-key';
  const brandname = options.brandname ?? 'LAOCAI.GOV';
  const sent: SmsFake['sent'] = [];
  const failures: SmsFailure[] = [];
  const requestIds = new Set<string>();
  let ids = 0;

  const check = (r: RecordedRequest): string[] => {
    const problems: string[] = [];
    if (r.method !== 'POST') problems.push(`method ${r.method}, expected POST`);
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type must be application/json');
    const b = r.body;
    if (!isObject(b)) return [...problems, 'body is not a JSON object'];
    problems.push(...unknownKeys(b, FIELDS, 'body'));
    for (const key of ['ApiKey', 'SecretKey', 'Phone', 'Content', 'Brandname', 'SmsType']) if (typeof b[key] !== 'string' || b[key] === '') problems.push(`${key} must be a non-empty string`);
    for (const key of ['IsUnicode', 'Sandbox']) if (b[key] !== undefined && b[key] !== '0' && b[key] !== '1') problems.push(`${key} must be "0" or "1"`);
    if (b.SmsType !== '2') problems.push('SmsType must be "2" (customer care)');
    if (typeof b.Phone === 'string' && !/^0\d{9}$/.test(b.Phone)) problems.push(`Phone must be a domestic number 0xxxxxxxxx, not ${b.Phone}`);
    if (typeof b.Content === 'string' && b.IsUnicode !== '1' && /[^\x20-\x7e\n]/.test(b.Content)) problems.push('Content has non-ASCII characters but IsUnicode is not "1"');
    if (b.RequestId !== undefined && (typeof b.RequestId !== 'string' || b.RequestId.length > 100)) problems.push('RequestId must be a string');
    return problems;
  };

  const handle = (r: RecordedRequest): FakeReply => {
    if (r.endpoint !== 'send') return { status: 404, body: { message: 'not found' }, outcome: 'violation' };
    const problems = check(r);
    if (problems.length > 0) return violation(problems);
    const b = r.body as Record<string, string>;
    const failure = failures.shift();
    if (failure === 'timeout') return { hang: true, outcome: 'injected:timeout' };
    if (failure === 'http500') return { status: 500, body: 'Internal Server Error', outcome: 'injected:http500' };
    if (failure !== undefined) return { status: 200, body: { CodeResult: failure, ErrorMessage: MESSAGES[failure] ?? 'error' }, outcome: `injected:${failure}` };
    if (b.ApiKey !== apiKey || b.SecretKey !== secretKey) return { status: 200, body: { CodeResult: '101', ErrorMessage: MESSAGES['101'] }, outcome: 'rejected:101' };
    if (b.Brandname !== brandname) return { status: 200, body: { CodeResult: '104', ErrorMessage: MESSAGES['104'] }, outcome: 'rejected:104' };
    if (b.RequestId !== undefined) {
      if (requestIds.has(b.RequestId)) return { status: 200, body: { CodeResult: '124', ErrorMessage: 'Request exist 1' }, outcome: 'rejected:124' };
      requestIds.add(b.RequestId);
    }
    const smsId = `sms-${(ids += 1)}`;
    sent.push({ phone: b.Phone, content: b.Content, unicode: b.IsUnicode === '1', ...(b.RequestId ? { requestId: b.RequestId } : {}), smsId });
    return { status: 200, body: { CodeResult: '100', CountRegenerate: 0, SMSID: smsId }, outcome: 'ok' };
  };

  const server = await startFakeHttp((method, path) => (path === ESMS_PATH ? 'send' : 'unknown'), handle);
  return Object.assign(server, {
    apiKey,
    secretKey,
    brandname,
    sent,
    failNext(n: number, how: SmsFailure) {
      for (let i = 0; i < n; i += 1) failures.push(how);
    },
  });
}
