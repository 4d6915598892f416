import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { startServer, type RunningServer } from '../../../src/http/server';
import { province } from '../../helpers/province';
import { DL, message, startConversation, type Started } from './helpers';

/**
 * The limits on Web Chat uploads (data/photos.json): a sender keeps at most maxPerQuestion photos not yet
 * filed, uploads have their own bucket per address, and only so many are read at once per address and
 * server-wide (a slow upload holds its body in memory). Loopback addresses 127.0.0.x stand for clients.
 */

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 7)]);
const policy = province().photos;

let server: RunningServer;
let dbFile: string;

beforeAll(async () => {
  dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-upload-limits-')), 'hoidap.sqlite');
  server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] } });
});

afterAll(async () => {
  await server.close();
});

interface Sent {
  status: number;
  retryAfter?: string;
  body: string;
}

/** A multipart upload of one PNG from a chosen loopback address; `hold` sends all but the end and keeps the request open. */
function upload(c: Started, from: string, hold = false): { done: Promise<Sent>; abort: () => void } {
  const boundary = 'hoidapBoundary42';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="activity"\r\nContent-Type: application/vnd.microsoft.activity\r\n\r\n${JSON.stringify(message(''))}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, PNG, tail]);
  const request = http.request({
    host: '127.0.0.1',
    port: server.port,
    localAddress: from,
    method: 'POST',
    path: `${DL}/conversations/${c.conversationId}/upload`,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
  });
  const done = new Promise<Sent>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}) }));
    });
    request.on('error', reject);
  });
  // A held upload is reset when the test ends: that must not fail the run as an unhandled rejection.
  done.catch(() => undefined);
  if (hold) request.write(body.subarray(0, head.length + 100));
  else request.end(body);
  return { done, abort: () => request.destroy() };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a sender keeps at most maxPerQuestion unsent photos, and an address may upload only a few times a minute (429 in Vietnamese)', async () => {
  const c = await startConversation(`http://127.0.0.1:${server.port}`);
  const { burst } = policy.uploads;
  for (let i = 0; i < burst; i++) expect((await upload(c, '127.0.0.10').done).status).toBe(200);
  const refused = await upload(c, '127.0.0.10').done;
  expect(refused.status).toBe(429);
  expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  expect(JSON.parse(refused.body).error.message).toContain('Bạn gửi ảnh quá nhiều trong thời gian ngắn');
  // Another address is not held back by it.
  expect((await upload(c, '127.0.0.11').done).status).toBe(200);

  // burst + 1 photos were taken from one sender; only the newest maxPerQuestion are kept.
  const store = new SqliteLedgerStore(dbFile);
  try {
    const row = store.db.prepare(`SELECT count(*) AS n FROM question_photos WHERE owner = ? AND q IS NULL`).get(`directline:${c.userId}`) as { n: number };
    expect(burst + 1).toBeGreaterThan(policy.maxPerQuestion);
    expect(row.n).toBe(policy.maxPerQuestion);
  } finally {
    await store.close();
  }
});

test('uploads read at once are capped per address (429) and server-wide (503); a finished upload frees its place', async () => {
  const c = await startConversation(`http://127.0.0.1:${server.port}`);
  const { maxInProgress, maxInProgressPerAddress } = policy.uploads;
  const held: Array<ReturnType<typeof upload>> = [];
  // Fill the places, maxInProgressPerAddress from each of several addresses.
  for (let i = 0; held.length < maxInProgress; i++)
    for (let k = 0; k < maxInProgressPerAddress && held.length < maxInProgress; k++) held.push(upload(c, `127.0.1.${i + 1}`, true));
  await pause(400);

  const perAddress = await upload(c, '127.0.1.1').done;
  expect(perAddress.status).toBe(429);
  expect(JSON.parse(perAddress.body).error.message).toContain('Ảnh trước của bạn đang được gửi');

  const serverWide = await upload(c, '127.0.2.1').done;
  expect(serverWide.status).toBe(503);
  expect(serverWide.retryAfter).toBeDefined();
  expect(JSON.parse(serverWide.body).error.message).toContain('Hệ thống đang nhận nhiều ảnh cùng lúc');

  // Clients that go away give their places back.
  for (const h of held) {
    h.abort();
    await h.done.catch(() => undefined);
  }
  await pause(300);
  expect((await upload(c, '127.0.2.2').done).status).toBe(200);
});
