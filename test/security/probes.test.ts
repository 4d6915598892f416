/**
 * Red-team pass 2, what held: these probes found nothing, and stay as tests so that a change that
 * opens one of them again fails here. Static files do not leave their folders, however the path is
 * encoded; multipart bodies (nothing here accepts uploads) are refused without being read into
 * memory (answered before the upload ends); a Direct Line token opens its own conversation only, for writing as for reading; the
 * console makes a new session id at sign-in (a cookie planted before is never adopted) and refuses
 * a POST without the session's CSRF token.
 */
import { province } from '../helpers/province';
import { startLocal, type LocalServer } from './helpers';

let local: LocalServer;
beforeAll(async () => {
  local = await startLocal({ data: province() });
});
afterAll(async () => {
  await local.close();
});

/** fetch normalises `..`; a raw request sends the path exactly as written. */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(local.base).port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text }));
    socket.on('error', reject);
  });
}

test.each([
  '/static/../../../etc/passwd',
  '/static/webchat/../../../package.json',
  '/static/webchat/%2e%2e/%2e%2e/%2e%2e/package.json',
  '/static/webchat/..%2f..%2f..%2fpackage.json',
  '/static/portal/%2e%2e%2f%2e%2e%2fpackage.json',
  '/static/portal/..%5c..%5cpackage.json',
  '/static/%252e%252e/package.json',
  '/static/portal/.env',
  '/static/webchat/x%00.js',
])('no file outside the static folders: %s', async (path) => {
  const res = await rawGet(path);
  expect(res.status).toBe(404);
  expect(res.body).not.toMatch(/"name":\s*"hoidap"|root:x:0:0/);
});

test('a 30 MB multipart body is refused at once on every route that takes a body, and the server stays responsive', async () => {
  const big = new FormData();
  big.append('file', new Blob([new Uint8Array(30_000_000)]), 'big.bin');
  const conversation = (await (await fetch(`${local.base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { conversationId: string; token: string };
  const auth = { authorization: `Bearer ${conversation.token}` };
  const targets: Array<[string, Record<string, string>, number[]]> = [
    [`/v3/directline/conversations/${conversation.conversationId}/activities`, auth, [400, 413, 415]],
    // Photos from Web Chat: at most data/photos.json maxPerQuestion × maxBytes, refused before it is read.
    [`/v3/directline/conversations/${conversation.conversationId}/upload`, auth, [413]],
    ['/api/v1/accounts', {}, [401]],
    ['/quan-tri/dang-nhap', {}, [400, 401, 413, 415]],
  ];
  for (const [path, headers, statuses] of targets) {
    const started = Date.now();
    const res = await fetch(`${local.base}${path}`, { method: 'POST', headers, body: big }).catch(() => undefined);
    // The server may answer and close before the client finished sending: either way, no 2xx and no 5xx.
    if (res) expect(statuses).toContain(res.status);
    expect(Date.now() - started).toBeLessThan(5000);
  }
  expect((await fetch(`${local.base}/healthz`)).status).toBe(200);
});

test('a Direct Line token posts only into its own conversation', async () => {
  const start = async () => (await (await fetch(`${local.base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { conversationId: string; token: string };
  const a = await start();
  const b = await start();
  const post = (conversation: string, token: string) =>
    fetch(`${local.base}/v3/directline/conversations/${conversation}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'message', from: { id: 'x' }, text: 'xin chào' }),
    });
  expect((await post(b.conversationId, a.token)).status).toBe(403);
  expect((await post(b.conversationId, `${b.conversationId}~${a.token.split('~')[1]}`)).status).toBe(403);
  expect((await post(a.conversationId, a.token)).status).toBe(200);
});

test('console: a cookie planted before sign-in is not adopted; a POST without the CSRF token is refused', async () => {
  const accounts = local.server.backoffice!.store;
  const admin = await accounts.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
  const token = await accounts.issueApiToken(admin.id, Date.now());
  const planted = 'hoidap_qt=attacker-chosen-session-id';
  const signIn = await fetch(`${local.base}/quan-tri/dang-nhap`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: planted },
    body: `token=${encodeURIComponent(token)}`,
  });
  expect(signIn.status).toBe(303);
  const issued = /hoidap_qt=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
  expect(issued).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  expect(issued).not.toBe('attacker-chosen-session-id');
  expect((await fetch(`${local.base}/quan-tri`, { redirect: 'manual', headers: { cookie: planted } })).status).not.toBe(200);
  expect((await fetch(`${local.base}/quan-tri`, { redirect: 'manual', headers: { cookie: `hoidap_qt=${issued}` } })).status).toBe(200);
  for (const body of ['', '_csrf=wrong', '_csrf[]=a&_csrf[]=b'])
    expect((await fetch(`${local.base}/quan-tri/dang-xuat`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `hoidap_qt=${issued}` }, body })).status).toBe(403);
  // Still signed in: the refused sign-out did nothing.
  expect((await fetch(`${local.base}/quan-tri`, { redirect: 'manual', headers: { cookie: `hoidap_qt=${issued}` } })).status).toBe(200);
});
