import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../../src/http/server';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { SqlitePhotos } from '../../../src/store/sqlite-photos';
import { JPEG_BYTES, PNG_BYTES, startCdnFake, type CdnFake } from '../../fakes/cdn-fake';
import { startGraphFake, type GraphFake } from '../../fakes/graph-fake';
import { startZaloFake, type ZaloFake } from '../../fakes/zalo-fake';
import { BAO_THANG_QUESTION } from '../../helpers/bot';
import { channelsConfig, eventually, postMessenger, postZalo, withMetricsToken, zaloText } from '../../helpers/channels';
import { province } from '../../helpers/province';

/**
 * Photos sent while asking on Zalo and Messenger, through the signed webhooks, the inbox and the
 * bot, fetched from a loopback TLS fake of the channels' CDNs (the allowed host names of
 * data/photos.json resolved to it), stored and filed with the question.
 */

let zalo: ZaloFake;
let graph: GraphFake;
let cdn: CdnFake;
let server: RunningServer;
let base: string;
let dbFile: string;

beforeAll(async () => {
  zalo = await startZaloFake();
  graph = await startGraphFake();
  cdn = await startCdnFake(province().photos.maxBytes);
  dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-photos-ch-')), 'hoidap.sqlite');
  server = await withMetricsToken(() =>
    startServer({
      data: province(),
      port: 0,
      host: '127.0.0.1',
      dbLocation: dbFile,
      channels: channelsConfig(zalo, graph),
      messaging: { processor: { pollMs: 20 }, dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
      photoFetch: { lookup: cdn.lookup, ca: cdn.ca, testFake: { port: cdn.port } },
    }),
  );
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  await zalo.close();
  await graph.close();
  await cdn.close();
});

const zaloTexts = (userId: string) => zalo.sent.filter((m) => m.userId === userId).map((m) => m.text);
const graphTexts = (psid: string) => graph.sent.filter((m) => m.psid === psid).map((m) => m.text);

let seq = 0;
function zaloImage(userId: string, urls: string[], text?: string) {
  seq += 1;
  return {
    app_id: zalo.appId,
    sender: { id: userId },
    recipient: { id: '388613280878808645' },
    user_id_by_app: '552177279717587730',
    event_name: 'user_send_image',
    message: { msg_id: `img-${seq}-${Date.now()}`, ...(text ? { text } : {}), attachments: urls.map((url) => ({ type: 'image', payload: { url, thumbnail: url } })) },
    timestamp: String(Date.now()),
  };
}

function messenger(psid: string, message: Record<string, unknown>) {
  seq += 1;
  const t = Date.now();
  return { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: `m-${seq}-${t}`, ...message } }] }] };
}

async function photosOf(q: string) {
  const store = new SqliteLedgerStore(dbFile);
  try {
    const photos = new SqlitePhotos(store.db);
    return await Promise.all((await photos.list(q)).map(async (p) => ({ ...p, bytes: (await photos.get(q, p.n))?.bytes })));
  } finally {
    await store.close();
  }
}

async function zaloSays(userId: string, text: string, expected: string) {
  const before = zaloTexts(userId).length;
  expect((await postZalo(base, zalo.appId, zaloText(zalo.appId, userId, text))).status).toBe(200);
  await eventually(() => zaloTexts(userId).slice(before).some((t) => t.includes(expected)), `Zalo reply ${expected}`);
}

async function messengerSays(psid: string, message: Record<string, unknown>, expected: string) {
  const before = graphTexts(psid).length;
  expect((await postMessenger(base, messenger(psid, message))).status).toBe(200);
  await eventually(() => graphTexts(psid).slice(before).some((t) => t.includes(expected)), `Messenger reply ${expected}`);
}

test('Zalo: a photo at the question prompt is fetched from the CDN and filed with the question; a refused one is said', async () => {
  const user = '714249482301';
  await zaloSays(user, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  let before = zaloTexts(user).length;
  expect((await postZalo(base, zalo.appId, zaloImage(user, [cdn.zalo('/photo.jpg')]))).status).toBe(200);
  await eventually(() => zaloTexts(user).slice(before).some((t) => t.includes('Đã nhận ảnh. Bạn vui lòng viết nội dung câu hỏi')), 'the request to write the question');
  // A page dressed as a photo, and a URL off the allowed hosts: refused, nothing fetched from the latter.
  before = zaloTexts(user).length;
  const requested = cdn.requests.length;
  expect((await postZalo(base, zalo.appId, zaloImage(user, [cdn.zalo('/page.jpg')]))).status).toBe(200);
  await eventually(() => zaloTexts(user).slice(before).some((t) => t.includes('Không nhận được ảnh vừa gửi')), 'the refusal of a non-image');
  before = zaloTexts(user).length;
  expect((await postZalo(base, zalo.appId, zaloImage(user, [`https://127.0.0.1:${cdn.port}/photo.png`]))).status).toBe(200);
  await eventually(() => zaloTexts(user).slice(before).some((t) => t.includes('Không nhận được ảnh vừa gửi')), 'the refusal of another host');
  expect(cdn.requests.slice(requested)).toEqual(['/page.jpg']);

  await zaloSays(user, BAO_THANG_QUESTION, 'họ và tên');
  await zaloSays(user, 'Nguyen Van An', 'số điện thoại hoặc email');
  await zaloSays(user, '0912345678', 'xã/phường nào');
  await zaloSays(user, 'bo qua', 'Có');
  await zaloSays(user, 'co', 'Kèm theo 1 ảnh');
  const ticket = /HD-\d{4}-\d{6}/.exec(zaloTexts(user).find((t) => t.includes('Kèm theo 1 ảnh')) ?? '')?.[0] ?? '';
  const photos = await photosOf(ticket);
  expect(photos.map((p) => [p.n, p.type, p.channel])).toEqual([[1, 'image/jpeg', 'zalo']]);
  expect(Buffer.compare(photos[0].bytes ?? Buffer.alloc(0), JPEG_BYTES)).toBe(0);
  expect(zalo.violations).toEqual([]);
});

test('Messenger: a photo at a later step is kept and filed; one too large is refused', async () => {
  const psid = 'p-photo-1';
  await messengerSays(psid, { text: 'Gửi câu hỏi' }, 'Mời bạn nhập nội dung câu hỏi');
  await messengerSays(psid, { text: BAO_THANG_QUESTION }, 'họ và tên');
  await messengerSays(psid, { attachments: [{ type: 'image', payload: { url: cdn.facebook('/big') } }] }, 'mỗi ảnh không quá 5 MB');
  await messengerSays(psid, { attachments: [{ type: 'image', payload: { url: cdn.facebook('/photo.png') } }] }, 'Đã nhận ảnh (1/3)');
  await messengerSays(psid, { text: 'Nguyen Van An' }, 'số điện thoại hoặc email');
  await messengerSays(psid, { text: 'an@example.com' }, 'xã/phường nào');
  await messengerSays(psid, { text: 'bo qua' }, 'Có');
  await messengerSays(psid, { text: 'co' }, 'Kèm theo 1 ảnh');
  const ticket = /HD-\d{4}-\d{6}/.exec(graphTexts(psid).find((t) => t.includes('Kèm theo 1 ảnh')) ?? '')?.[0] ?? '';
  const photos = await photosOf(ticket);
  expect(photos.map((p) => [p.n, p.type, p.channel])).toEqual([[1, 'image/png', 'facebook']]);
  expect(Buffer.compare(photos[0].bytes ?? Buffer.alloc(0), PNG_BYTES)).toBe(0);
  expect(graph.violations).toEqual([]);
});
