import type { Server } from 'node:http';
import { Workflow } from '../../src/backoffice/actions';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { sqliteStores } from '../../src/store/open';
import { SqliteQuestionQueries } from '../../src/store/sqlite-queries';
import { captureLogs } from '../fakes/log-capture';
import { instant, province } from '../helpers/province';

/** Every API error has a machine `code`, the operators' precise `error` and a Vietnamese `message`. */

const data = province();
const now = instant('2023-10-02T09:00:00+07:00');
let server: Server;
let base: string;
let store: SqliteLedgerStore;
let token: string;
let failing = false;

beforeAll(async () => {
  store = new SqliteLedgerStore(':memory:');
  const backoffice = new SqliteBackofficeStore(store.db);
  const queries = new SqliteQuestionQueries(store.db);
  const workflow = new Workflow({ data, store, ledger: new Ledger(store, data), backoffice, queries, notifier: new RecordingNotifier(), now: () => now });
  const editor = await backoffice.createAccount({ name: 'Ban biên tập', role: 'editor' }, now);
  token = await backoffice.issueApiToken(editor.id, now);
  // The store failing under the API (a disk error, say): the one fault injected here.
  const listQuestions = queries.listQuestions.bind(queries);
  queries.listQuestions = (...args) => (failing ? Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) : listQuestions(...args));
  const app = createApp({ data, stores: sqliteStores(store), api: { backoffice, workflow } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});

test('a body over the limit: 413, invalid_input, said in Vietnamese with the limit', async () => {
  const res = await fetch(`${base}/questions/HD-2023-000001/draft`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'x'.repeat(200_000) }),
  });
  expect(res.status).toBe(413);
  expect(await res.json()).toEqual({ error: 'the body is too large (at most 128 kB)', code: 'invalid_input', message: 'Dữ liệu gửi lên quá lớn (tối đa 128 kB).' });
});

test('the server’s own failure: 500 with code internal, a Vietnamese message and the request id the log has', async () => {
  const logs = captureLogs();
  failing = true;
  try {
    const res = await fetch(`${base}/questions`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ error: 'internal error', code: 'internal', message: expect.stringContaining('Hệ thống gặp sự cố') });
    expect(body.requestId).toEqual(expect.any(String));
    await new Promise((resolve) => setImmediate(resolve));
    const entries = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.level === 'error' && e.requestId === body.requestId)).toBe(true);
    // The cause stays in the log, not in the answer.
    expect(JSON.stringify(body)).not.toContain('SQLITE');
  } finally {
    failing = false;
    await logs.stop();
  }
});
