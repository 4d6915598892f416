import type { Server } from 'node:http';
import { z } from 'zod';
import { createApp } from '../../src/http/app';
import { openApiDocument } from '../../src/http/openapi';
import { buildRouter, loadRoutingResources } from '../../src/routing/load';
import { sqliteStores } from '../../src/store/open';
import { SqliteQuestionIntake } from '../../src/store/sqlite-intake';
import { startApiRig, type ApiRig } from '../helpers/api-rig';
import { instant, province } from '../helpers/province';

/**
 * The OpenAPI document against the API itself: every documented route is called over loopback
 * on a copy of the demo ledger, and every answer, success or error, is checked against the
 * schema the document gives for its route, status and media type (the document's JSON Schema,
 * turned into a validator: no field it does not list, none it requires missing). Field names,
 * in the document and in every answer, are camelCase as the document says.
 */

type Json = Record<string, unknown>;
type Who = 'none' | 'officerYT' | 'officerBT' | 'approverBT' | 'editor' | 'admin';

const DEMO_Q = 'HD-2023-000156';
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

let rig: ApiRig & { tokens: Record<Who, string | undefined> };
const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, Json> }>>; components: { schemas: Record<string, Json>; responses: Record<string, Json> } };

beforeAll(async () => {
  // With the router, so that a question's detail carries its forwarding suggestion.
  const data = province();
  const now = instant('2023-10-02T09:00:00+07:00');
  const started = await startApiRig({ router: buildRouter(data, loadRoutingResources(data), [], () => now) });
  rig = { ...started, tokens: { ...started.tokens, none: undefined } };
});

afterAll(async () => {
  await rig.close();
});

// ---- the document's schemas as validators ----------------------------------------------------

/** A `$ref` into the document, followed. */
function follow(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
  const target = section === 'schemas' ? doc.components.schemas[name] : section === 'responses' ? doc.components.responses[name] : undefined;
  if (!target) throw new Error(`the document refers to ${ref}, which it does not define`);
  return { ...follow(target), ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')) };
}

/** The schema with every reference replaced by what it names. */
function inline(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(inline);
  if (typeof node !== 'object' || node === null) return node;
  const followed = follow(node as Json);
  return Object.fromEntries(Object.entries(followed).map(([k, v]) => [k, inline(v)]));
}

/** The validator of what a route answers with this status and media type, from the document alone. */
function documented(route: string, method: string, status: number, mediaType = 'application/json'): z.ZodType {
  const op = doc.paths[route]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${route} is not in the document`);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${method} ${route} does not document status ${status}`);
  const content = follow(response).content as Record<string, { schema: Json }> | undefined;
  const schema = content?.[mediaType]?.schema;
  if (!schema) throw new Error(`${method} ${route} ${status} documents no ${mediaType} body`);
  return z.fromJSONSchema(inline(schema) as Parameters<typeof z.fromJSONSchema>[0]);
}

// ---- calls, each checked ---------------------------------------------------------------------

/** Every (route, method, status) answered and found as documented. */
const seen = new Set<string>();
/** Every key of every JSON answer. */
const keys = new Set<string>();

function collectKeys(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(collectKeys);
  if (typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    keys.add(k);
    collectKeys(v);
  }
}

async function call(method: 'GET' | 'POST', route: string, url: string, who: Who, status: number, body?: unknown): Promise<{ json: unknown; text: string; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  const token = rig.tokens[who];
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${rig.base}${url}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  expect({ call: `${method} ${url} as ${who}`, status: res.status }).toEqual({ call: `${method} ${url} as ${who}`, status });
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0];
  let json: unknown;
  if (mediaType === 'application/json') {
    json = JSON.parse(text);
    const result = documented(route, method, status).safeParse(json);
    expect({ call: `${method} ${url} as ${who} → ${status}`, issues: result.success ? [] : result.error.issues }).toEqual({ call: `${method} ${url} as ${who} → ${status}`, issues: [] });
    // The document's own keys are OpenAPI's (paths, media types); every other answer is ours.
    if (route !== '/openapi.json') collectKeys(json);
    if (status >= 400) expect(json).toMatchObject({ error: expect.any(String), code: expect.any(String), message: expect.any(String) });
  } else {
    // Not JSON: the document must list this media type for the status.
    documented(route, method, status, mediaType);
  }
  seen.add(`${method} ${route} ${status}`);
  return { json, text, headers: res.headers, bytes };
}

function fresh(text?: string): Promise<string> {
  return rig.fresh(text);
}

async function heldQuestion(): Promise<number> {
  const body = { channel: 'portal' as const, text: 'Xin hỏi thủ tục cấp giấy phép lái xe', asker: { name: 'Nguyễn Văn A', contact: '0912345678' }, lang: 'vi', agency: 'so-yte', confidence: 0.9, triage: false };
  return new SqliteQuestionIntake(rig.store.db).hold(body, 'contact', rig.workflow.now());
}

function undeliveredMessage(status: 'dead' | 'unknown'): number {
  const { lastInsertRowid } = rig.store.db
    .prepare(`INSERT INTO outbox (channel, recipient, payload, created_ms, next_attempt_ms, attempts, status, last_error, source) VALUES ('zalo', '8123', '{"text":"Câu hỏi HD-2023-000001 đã có trả lời."}', 0, 0, 8, ?, 'HTTP 500', 'HD-2023-000001')`)
    .run(status);
  return Number(lastInsertRowid);
}

async function throwawayAccount(): Promise<string> {
  return (await rig.backoffice.createAccount({ name: 'Tạm', role: 'officer', agency: 'so-yte' }, rig.workflow.now())).id;
}

// ---- every route -----------------------------------------------------------------------------

describe('every documented route answers as the document says', () => {
  test('GET /openapi.json: the document itself, the same as generated', async () => {
    const { json } = await call('GET', '/openapi.json', '/openapi.json', 'none', 200);
    expect(json).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test('GET /questions: lists, filters, pages; bad queries are 400', async () => {
    for (const url of ['/questions', '/questions?agency=h-baothang&limit=500', '/questions?overdue=true&agency=bao%20thang', '/questions?status=answered,deleted&from=2023-01-01&to=2023-09-25&limit=5&offset=2', '/questions?from=&to=&limit=']) {
      const { json } = await call('GET', '/questions', url, 'editor', 200);
      expect((json as { items: unknown[] }).items.length).toBeGreaterThan(0);
    }
    const own = await call('GET', '/questions', '/questions?agency=h-baothang', 'officerYT', 200);
    expect((own.json as { agency: string }).agency).toBe('so-yte');
    const bad = await call('GET', '/questions', '/questions?limit=0', 'editor', 400);
    expect(bad.json).toMatchObject({ code: 'invalid_input', error: 'limit must be a whole number from 1 to 500; got "0"' });
    expect((await call('GET', '/questions', '/questions?limit=2&limit=3', 'editor', 400)).json).toMatchObject({ error: 'query parameter limit must be given once' });
    expect((await call('GET', '/questions', '/questions?overdue=yes', 'editor', 400)).json).toMatchObject({ error: 'overdue must be one of true, false' });
    expect((await call('GET', '/questions', '/questions?from=2023-09-25&to=2023-01-01', 'editor', 400)).json).toMatchObject({ error: 'to must not be before from' });
    await call('GET', '/questions', '/questions', 'none', 401);
  });

  test('GET /questions/{q}: the detail with cases, events, drafts and the router’s suggestion; 403 to another agency, 404 for none', async () => {
    const q = await fresh('Xin hỏi về thủ tục cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi');
    await rig.workflow.draft(rig.accounts.officerBT, q, { text: 'Dự thảo thứ nhất' });
    await rig.workflow.returnDraft(rig.accounts.approverBT, q, { comment: 'Thêm căn cứ' });
    await rig.workflow.draft(rig.accounts.officerBT, q, { text: 'Dự thảo thứ hai, có căn cứ' });
    const { json } = await call('GET', '/questions/{q}', `/questions/${q}`, 'approverBT', 200);
    expect(json).toMatchObject({ q, asker: { contact: '0987654321' }, latestDraft: { status: 'pending', authorName: 'Cán bộ Bảo Thắng' }, draftChanges: { returned: { comment: 'Thêm căn cứ' } }, suggestion: { agency: expect.any(String) } });
    await call('GET', '/questions/{q}', `/questions/${DEMO_Q}`, 'editor', 200);
    await call('GET', '/questions/{q}', `/questions/${DEMO_Q}`, 'officerYT', 403);
    await call('GET', '/questions/{q}', '/questions/HD-2023-999999', 'editor', 404);
  });

  test('the question actions: each answer, and their 400, 403, 404 and 409', async () => {
    const a = await fresh();
    expect((await call('POST', '/questions/{q}/accept', `/questions/${a}/accept`, 'officerBT', 200)).json).toMatchObject({ q: a, status: 'accepted', agency: 'h-baothang', event: { type: 'accepted' } });
    expect((await call('POST', '/questions/{q}/accept', `/questions/${a}/accept`, 'officerBT', 409)).json).toMatchObject({ code: 'invalid_state' });
    await call('POST', '/questions/{q}/accept', `/questions/${a}/accept`, 'officerYT', 403);
    await call('POST', '/questions/{q}/accept', '/questions/HD-2023-999999/accept', 'admin', 404);
    expect((await call('POST', '/questions/{q}/extend', `/questions/${a}/extend`, 'officerBT', 200, { days: 2, reason: 'Cần xác minh hồ sơ' })).json).toMatchObject({ answerDue: expect.any(String) });
    await call('POST', '/questions/{q}/extend', `/questions/${a}/extend`, 'officerBT', 400, { days: 'hai', reason: 'x' });
    await call('POST', '/questions/{q}/extend', `/questions/${a}/extend`, 'officerBT', 409, { days: 1, reason: 'Lần nữa' });
    const drafted = await call('POST', '/questions/{q}/draft', `/questions/${a}/draft`, 'officerBT', 200, { text: 'Dự thảo trả lời' });
    expect(drafted.json).toMatchObject({ draft: { q: a, status: 'pending' }, notified: 1, reached: [{ account: rig.accounts.approverBT.id, by: 'chat' }] });
    await call('POST', '/questions/{q}/draft', `/questions/${a}/draft`, 'officerBT', 400, {});
    const returned = await call('POST', '/questions/{q}/return', `/questions/${a}/return`, 'approverBT', 200, { comment: 'Bổ sung căn cứ pháp lý' });
    expect(returned.json).toMatchObject({ draft: { status: 'returned', comment: 'Bổ sung căn cứ pháp lý' } });
    await call('POST', '/questions/{q}/return', `/questions/${a}/return`, 'approverBT', 409, { comment: 'Không còn dự thảo chờ' });
    await call('POST', '/questions/{q}/draft', `/questions/${a}/draft`, 'officerBT', 200, { text: 'Dự thảo đã sửa' });
    const approved = await call('POST', '/questions/{q}/approve', `/questions/${a}/approve`, 'approverBT', 200, { text: 'Câu trả lời của huyện' });
    expect(approved.json).toMatchObject({ status: 'answered', edited: true, draft: { status: 'approved' } });
    await call('POST', '/questions/{q}/approve', `/questions/${a}/approve`, 'officerBT', 403, {});
    await call('POST', '/questions/{q}/approve', `/questions/${a}/approve`, 'approverBT', 409, {});

    const f = await fresh();
    expect((await call('POST', '/questions/{q}/forward', `/questions/${f}/forward`, 'officerBT', 200, { agency: 'so-tnmt', reason: 'Thuộc thẩm quyền Sở' })).json).toMatchObject({ agency: 'so-tnmt', status: 'assigned' });
    await call('POST', '/questions/{q}/forward', `/questions/${f}/forward`, 'officerBT', 403, { agency: 'so-yte', reason: 'x' });
    await call('POST', '/questions/{q}/forward', `/questions/${f}/forward`, 'editor', 400, { agency: 'không có cơ quan này', reason: 'x' });
    expect((await call('POST', '/questions/{q}/assign', `/questions/${f}/assign`, 'editor', 200, { agency: 'so-yte' })).json).toMatchObject({ agency: 'so-yte' });
    await call('POST', '/questions/{q}/assign', `/questions/${f}/assign`, 'editor', 409, { agency: 'so-yte' });
    await call('POST', '/questions/{q}/assign', `/questions/${f}/assign`, 'officerBT', 403, { agency: 'so-yte' });
    const d = await fresh();
    expect((await call('POST', '/questions/{q}/delete', `/questions/${d}/delete`, 'officerBT', 200, { reason: 'duplicate' })).json).toMatchObject({ status: 'deleted', event: { reason: 'duplicate' } });
    await call('POST', '/questions/{q}/delete', `/questions/${d}/delete`, 'officerBT', 409, { reason: 'duplicate' });
    await call('POST', '/questions/{q}/delete', `/questions/${d}/delete`, 'officerBT', 400, { reason: 'boring' });

    // Each action's errors: a body it does not know (400), another agency's or role's question (403), no such question (404), an answered one (409).
    const valid: Record<string, unknown> = {
      accept: {},
      forward: { agency: 'so-yte', reason: 'Thuộc thẩm quyền Sở' },
      delete: { reason: 'duplicate' },
      extend: { days: 1, reason: 'Cần thêm thời gian' },
      draft: { text: 'Dự thảo' },
      approve: { text: 'Trả lời' },
      return: { comment: 'Sửa lại' },
      assign: { agency: 'so-yte' },
    };
    const open = await fresh();
    for (const [name, body] of Object.entries(valid)) {
      const route = `/questions/{q}/${name}`;
      await call('POST', route, `/questions/${open}/${name}`, 'admin', 400, { notAField: 1 });
      const outsider: Who = name === 'approve' || name === 'return' || name === 'assign' ? 'officerBT' : 'officerYT';
      await call('POST', route, `/questions/${open}/${name}`, outsider, 403, body);
      await call('POST', route, `/questions/HD-2023-999999/${name}`, 'admin', 404, body);
      await call('POST', route, `/questions/${a}/${name}`, 'admin', 409, body);
    }
  });

  test('the photos of a question: the list and each photo as documented; 400, 403 and 404', async () => {
    const photos = sqliteStores(rig.store).photos;
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('photo-bytes')]);
    const q = await fresh();
    await photos.savePending({ id: 'openapi-photo-1', owner: 'zalo:openapi', channel: 'zalo', type: 'image/png', bytes: png, receivedAt: rig.workflow.now() });
    await photos.attach(q, 'zalo:openapi', ['openapi-photo-1']);
    const { json } = await call('GET', '/questions/{q}/photos', `/questions/${q}/photos`, 'officerBT', 200);
    expect(json).toMatchObject({ q, photos: [{ n: 1, type: 'image/png', size: png.length, channel: 'zalo', url: `/api/v1/questions/${q}/photos/1` }] });
    await call('GET', '/questions/{q}/photos', `/questions/${q}/photos`, 'officerYT', 403);
    await call('GET', '/questions/{q}/photos', '/questions/HD-2023-999999/photos', 'editor', 404);
    const photo = await call('GET', '/questions/{q}/photos/{n}', `/questions/${q}/photos/1`, 'editor', 200);
    expect(Buffer.compare(photo.bytes, png)).toBe(0);
    await call('GET', '/questions/{q}/photos/{n}', `/questions/${q}/photos/0`, 'editor', 400);
    await call('GET', '/questions/{q}/photos/{n}', `/questions/${q}/photos/1`, 'officerYT', 403);
    await call('GET', '/questions/{q}/photos/{n}', `/questions/${q}/photos/2`, 'editor', 404);
  });

  test('GET /reports/appendix02: JSON as documented, and each other format with its documented media type', async () => {
    const period = 'from=2023-01-01&to=2023-09-25';
    const { json } = await call('GET', '/reports/appendix02', `/reports/appendix02?${period}`, 'editor', 200);
    const report = json as { rows: Array<{ agency: string; awaitingAnswer: number }>; summary: string };
    expect(report.rows).toHaveLength(37);
    expect(report.rows.find((r) => r.agency === 'h-baothang')).toMatchObject({ total: 9, awaitingAnswer: 0 });
    expect((await call('GET', '/reports/appendix02', `/reports/appendix02?${period}&format=csv&headers=vi`, 'admin', 200)).text).toContain('Bảo Thắng');
    expect((await call('GET', '/reports/appendix02', `/reports/appendix02?${period}&format=md`, 'admin', 200)).text).toContain('Bảo Thắng');
    for (const format of ['xlsx', 'docx']) {
      const { bytes, headers } = await call('GET', '/reports/appendix02', `/reports/appendix02?${period}&format=${format}&reportNumber=12&reportDate=2023-10-01`, 'admin', 200);
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(headers.get('content-disposition')).toContain(`.${format}`);
    }
    expect((await call('GET', '/reports/appendix02', '/reports/appendix02?from=2023-01-01', 'editor', 400)).json).toMatchObject({ error: 'from and to are required: dates written YYYY-MM-DD' });
    expect((await call('GET', '/reports/appendix02', `/reports/appendix02?${period}&format=pdf`, 'editor', 400)).json).toMatchObject({ error: 'format must be one of csv, json, md, xlsx, docx' });
    expect((await call('GET', '/reports/appendix02', `/reports/appendix02?${period}&reportDate=1/10/2023`, 'editor', 400)).json).toMatchObject({ error: 'reportDate must be a date written YYYY-MM-DD; got "1/10/2023"' });
    await call('GET', '/reports/appendix02', `/reports/appendix02?${period}`, 'officerBT', 403);
  });

  test('GET /overdue: one agency, every agency, and a bad instant', async () => {
    const { json } = await call('GET', '/overdue', '/overdue?agency=bao%20thang&at=2023-09-25T17:00:00%2B07:00', 'officerBT', 200);
    expect((json as { agencies: Array<{ items: Array<{ q: string; workingDaysOverdue: number }> }> }).agencies[0].items.map((i) => i.q)).toContain(DEMO_Q);
    const all = await call('GET', '/overdue', '/overdue?at=2023-09-25T17:00:00%2B07:00', 'editor', 200);
    expect((all.json as { agencies: unknown[] }).agencies.length).toBeGreaterThan(1);
    await call('GET', '/overdue', '/overdue?at=2023-09-25', 'editor', 400);
  });

  test('the account routes', async () => {
    const created = await call('POST', '/accounts', '/accounts', 'admin', 201, { name: 'Cán bộ mới', role: 'approver', agency: 'Bảo Thắng', email: 'moi@baothang.example.vn' });
    expect(created.json).toMatchObject({ account: { role: 'approver', agency: 'h-baothang', email: 'moi@baothang.example.vn' } });
    await call('POST', '/accounts', '/accounts', 'admin', 400, { name: 'X', role: 'boss' });
    await call('POST', '/accounts', '/accounts', 'editor', 403, { name: 'X', role: 'officer', agency: 'so-yte' });
    expect(((await call('GET', '/accounts', '/accounts?role=approver&agency=h-baothang', 'admin', 200)).json as { accounts: unknown[] }).accounts).toHaveLength(2);
    expect((await call('GET', '/accounts', '/accounts?role=boss', 'admin', 400)).json).toMatchObject({ error: 'role must be one of officer, approver, editor, admin' });
    await call('POST', '/accounts/{id}/link-code', `/accounts/${rig.accounts.officerBT.id}/link-code`, 'officerBT', 201);
    await call('POST', '/accounts/{id}/link-code', `/accounts/${rig.accounts.officerBT.id}/link-code`, 'officerYT', 403);
    await call('POST', '/accounts/{id}/link-code', '/accounts/acc_nobody/link-code', 'admin', 404);
    const id = await throwawayAccount();
    await call('GET', '/accounts/{id}/identities', `/accounts/${id}/identities`, 'admin', 200);
    await call('GET', '/accounts/{id}/identities', '/accounts/acc_nobody/identities', 'admin', 404);
    await call('POST', '/accounts/{id}/unlink', `/accounts/${id}/unlink`, 'admin', 200);
    await call('POST', '/accounts/{id}/unlink', `/accounts/${id}/unlink`, 'admin', 400, { channel: 'zalo' });
    expect((await call('POST', '/accounts/{id}/revoke-tokens', `/accounts/${id}/revoke-tokens`, 'admin', 200)).json).toEqual({ account: id, revoked: 0 });
    expect((await call('POST', '/accounts/{id}/deactivate', `/accounts/${id}/deactivate`, 'admin', 200)).json).toMatchObject({ account: { id, active: false } });
    await call('POST', '/accounts/{id}/deactivate', '/accounts/acc_nobody/deactivate', 'admin', 404);
    await call('POST', '/accounts/{id}/revoke-tokens', `/accounts/${id}/revoke-tokens`, 'officerBT', 403);
    // The rest of their errors: a body they do not take, a role that may not, an account that is not, a deactivated one.
    for (const action of ['deactivate', 'revoke-tokens', 'unlink']) {
      const route = `/accounts/{id}/${action}`;
      await call('POST', route, `/accounts/${rig.accounts.officerYT.id}/${action}`, 'admin', 400, { notAField: 1 });
      await call('POST', route, `/accounts/${rig.accounts.officerYT.id}/${action}`, 'editor', 403);
      await call('POST', route, `/accounts/acc_nobody/${action}`, 'admin', 404);
    }
    await call('GET', '/accounts/{id}/identities', `/accounts/${id}/identities`, 'editor', 403);
    await call('GET', '/accounts', '/accounts', 'editor', 403);
    await call('POST', '/accounts/{id}/link-code', `/accounts/${rig.accounts.officerBT.id}/link-code`, 'officerBT', 400, { notAField: 1 });
    expect((await call('POST', '/accounts/{id}/link-code', `/accounts/${id}/link-code`, 'admin', 409)).json).toMatchObject({ code: 'invalid_state', error: `account ${id} is deactivated` });
  });

  test('the held-question routes', async () => {
    const release = await heldQuestion();
    const discard = await heldQuestion();
    const { json } = await call('GET', '/held-questions', '/held-questions?limit=10', 'editor', 200);
    expect((json as { items: Array<{ id: number }> }).items.map((i) => i.id)).toEqual(expect.arrayContaining([release, discard]));
    await call('GET', '/held-questions', '/held-questions?limit=0', 'editor', 400);
    expect((await call('POST', '/held-questions/{id}/release', `/held-questions/${release}/release`, 'editor', 200)).json).toMatchObject({ id: release, q: expect.stringMatching(/^HD-/), agency: 'so-yte' });
    await call('POST', '/held-questions/{id}/release', `/held-questions/${release}/release`, 'editor', 409);
    await call('POST', '/held-questions/{id}/release', '/held-questions/999999/release', 'editor', 404);
    expect((await call('POST', '/held-questions/{id}/discard', `/held-questions/${discard}/discard`, 'admin', 200)).json).toEqual({ id: discard, status: 'discarded' });
    await call('POST', '/held-questions/{id}/discard', `/held-questions/${discard}/discard`, 'admin', 409);
    await call('POST', '/held-questions/{id}/discard', `/held-questions/${discard}/discard`, 'officerBT', 403);
    await call('POST', '/held-questions/{id}/discard', '/held-questions/999999/discard', 'admin', 404);
    await call('POST', '/held-questions/{id}/release', `/held-questions/${release}/release`, 'officerYT', 403);
    for (const decision of ['release', 'discard']) await call('POST', `/held-questions/{id}/${decision}`, `/held-questions/abc/${decision}`, 'editor', 400);
    await call('GET', '/held-questions', '/held-questions', 'officerBT', 403);
  });

  test('the outbox routes', async () => {
    const dead = undeliveredMessage('dead');
    const unknown = undeliveredMessage('unknown');
    const { json } = await call('GET', '/outbox/undelivered', '/outbox/undelivered?limit=5', 'admin', 200);
    expect((json as { items: Array<{ id: number; lastError?: string }> }).items.find((i) => i.id === dead)).toMatchObject({ lastError: 'HTTP 500', source: 'HD-2023-000001' });
    await call('GET', '/outbox/undelivered', '/outbox/undelivered', 'editor', 403);
    expect((await call('POST', '/outbox/{id}/resend', `/outbox/${dead}/resend`, 'admin', 200, { note: 'Zalo trả lỗi cả buổi sáng' })).json).toEqual({ id: dead, was: 'dead', status: 'pending' });
    await call('POST', '/outbox/{id}/resend', `/outbox/${dead}/resend`, 'admin', 409);
    await call('POST', '/outbox/{id}/resend', '/outbox/0/resend', 'admin', 400);
    expect((await call('POST', '/outbox/{id}/delivered', `/outbox/${unknown}/delivered`, 'admin', 200)).json).toEqual({ id: unknown, was: 'unknown', status: 'sent' });
    await call('POST', '/outbox/{id}/delivered', '/outbox/999999/delivered', 'admin', 404);
    // Resent, the dead message is pending again: it cannot be confirmed delivered now.
    await call('POST', '/outbox/{id}/delivered', `/outbox/${dead}/delivered`, 'admin', 409);
    await call('POST', '/outbox/{id}/delivered', `/outbox/${unknown}/delivered`, 'admin', 400, { notAField: 1 });
    await call('POST', '/outbox/{id}/delivered', `/outbox/${unknown}/delivered`, 'editor', 403);
    await call('POST', '/outbox/{id}/resend', `/outbox/${unknown}/resend`, 'editor', 403);
    await call('POST', '/outbox/{id}/resend', '/outbox/999999/resend', 'admin', 404);
    await call('GET', '/outbox/undelivered', '/outbox/undelivered?limit=abc', 'admin', 400);
  });

  test('a server without the held queue or the outbox: their lists are 404, as documented', async () => {
    const other = createApp({ data: province(), stores: sqliteStores(rig.store), api: { backoffice: rig.backoffice, workflow: rig.workflow } });
    const server = await new Promise<Server>((resolve) => {
      const s = other.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    const base = rig.base;
    rig.base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1`;
    try {
      expect((await call('GET', '/held-questions', '/held-questions', 'editor', 404)).json).toMatchObject({ error: 'this server has no held-question queue' });
      expect((await call('GET', '/outbox/undelivered', '/outbox/undelivered', 'admin', 404)).json).toMatchObject({ error: 'this server has no Zalo/Messenger outbox' });
    } finally {
      rig.base = base;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('without a token every route but the document itself is 401', async () => {
    for (const [route, ops] of Object.entries(doc.paths))
      for (const method of Object.keys(ops)) {
        if (route === '/openapi.json') continue;
        const url = route.replace('{q}', DEMO_Q).replace('{id}', '1');
        const res = await call(method.toUpperCase() as 'GET' | 'POST', route, url, 'none', 401, method === 'post' ? {} : undefined);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
  });

  test('a route outside the document: 404 in the error shape', async () => {
    const res = await fetch(`${rig.base}/nowhere`, { headers: { authorization: `Bearer ${rig.tokens.admin}` } });
    expect(res.status).toBe(404);
    expect(ErrorShape.safeParse(await res.json()).success).toBe(true);
  });
});

const ErrorShape = z.lazy(() => z.fromJSONSchema(inline(doc.components.schemas.Error) as Parameters<typeof z.fromJSONSchema>[0]));

describe('coverage and naming', () => {
  test('every documented operation was called: its success, 401 where a token is needed, and its documented errors', () => {
    const missing: string[] = [];
    for (const [route, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const status of Object.keys(op.responses)) {
          // 500 is the server's own failure: documented, not provoked here.
          if (status === '500') continue;
          if (!seen.has(`${method.toUpperCase()} ${route} ${status}`)) missing.push(`${method.toUpperCase()} ${route} ${status}`);
        }
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(120);
  });

  test('the documented naming convention: camelCase field names in the document, its parameters and every answer', () => {
    const documentedNames = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'properties' && typeof v === 'object' && v !== null) for (const name of Object.keys(v)) documentedNames.add(name);
        if (k === 'parameters' && Array.isArray(v)) for (const p of v as Array<{ name: string }>) documentedNames.add(p.name);
        walk(v);
      }
    };
    walk(doc);
    expect(documentedNames.size).toBeGreaterThan(50);
    expect([...documentedNames].filter((n) => !CAMEL.test(n))).toEqual([]);
    expect(keys.size).toBeGreaterThan(50);
    expect([...keys].filter((k) => !CAMEL.test(k))).toEqual([]);
    expect(keys).toContain('workingDaysOverdue');
    expect((doc as unknown as { info: { description: string } }).info.description).toContain('camelCase');
  });
});
