import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { SqlitePhotos } from '../../../src/store/sqlite-photos';
import { startServer, type RunningServer } from '../../../src/http/server';
import { BAO_THANG_QUESTION } from '../../helpers/bot';
import { eventually } from '../../helpers/channels';
import { province } from '../../helpers/province';
import { DL, getActivities, message, postActivity, startConversation, type Started } from './helpers';

/** A small but real PNG header and a JPEG start: what a phone would send, checked by content. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.alloc(4096, 3)]);

let server: RunningServer;
let base: string;
let dbFile: string;

beforeAll(async () => {
  dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-upload-')), 'hoidap.sqlite');
  // These tests send more uploads from one address than data/photos.json allows a minute (upload-limits.test.ts tests those limits).
  const data = province();
  server = await startServer({ data: { ...data, photos: { ...data.photos, uploads: { ...data.photos.uploads, burst: 100 } } }, port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] } });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
});

/** Web Chat's upload: an `activity` part and one `file` part per attachment (DirectLineJS postActivityWithAttachments). */
function upload(c: Started, files: Array<{ data: Buffer; type: string; name: string }>, text = '', token: string | null = c.token): Promise<Response> {
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({ ...message(text), attachments: files.map((f) => ({ contentType: f.type, contentUrl: 'blob:x', name: f.name })) })], { type: 'application/vnd.microsoft.activity' }));
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${DL}/conversations/${c.conversationId}/upload?userId=${c.userId}`, { method: 'POST', headers, body: form });
}

/** The bot's texts in the conversation so far. */
async function botTexts(c: Started): Promise<string[]> {
  const body = (await (await getActivities(base, c.conversationId, c.token)).json()) as { activities: Array<{ from: { role: string }; text?: string }> };
  return body.activities.filter((a) => a.from.role === 'bot').map((a) => a.text ?? '');
}

async function say(c: Started, text: string, expected: string): Promise<void> {
  const before = (await botTexts(c)).length;
  expect((await postActivity(base, c.conversationId, c.token, message(text))).status).toBe(200);
  await eventually(async () => (await botTexts(c)).slice(before).some((t) => t.includes(expected)), `the bot to say ${expected}`);
}

test('a photo uploaded from Web Chat while asking is checked, kept and filed with the question', async () => {
  const c = await startConversation(base);
  await say(c, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  const before = (await botTexts(c)).length;
  const res = await upload(c, [{ data: PNG, type: 'image/png', name: 'a.png' }]);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { id: string }).id).toMatch(new RegExp(`^${c.conversationId}\\|`));
  await eventually(async () => (await botTexts(c)).slice(before).some((t) => t.includes('Đã nhận ảnh. Bạn vui lòng viết nội dung câu hỏi bằng chữ')), 'the request to write the question');
  // A photo with a caption at a later step: both are kept, the caption answers the step.
  const mid = (await botTexts(c)).length;
  await say(c, BAO_THANG_QUESTION, 'họ và tên');
  expect((await upload(c, [{ data: JPEG, type: 'application/octet-stream', name: 'b.bin' }], 'Nguyen Van An')).status).toBe(200);
  await eventually(async () => (await botTexts(c)).slice(mid).some((t) => t.includes('số điện thoại hoặc email')), 'the contact step');
  await say(c, '0912345678', 'xã/phường nào');
  await say(c, 'bo qua', 'Có');
  await say(c, 'co', 'Kèm theo 2 ảnh');
  const ticket = /HD-\d{4}-\d{6}/.exec((await botTexts(c)).find((t) => t.includes('Kèm theo 2 ảnh')) ?? '')?.[0] ?? '';
  expect(ticket).toMatch(/^HD-/);

  const store = new SqliteLedgerStore(dbFile);
  try {
    const photos = new SqlitePhotos(store.db);
    expect((await photos.list(ticket)).map((p) => [p.n, p.type, p.size, p.channel])).toEqual([
      [1, 'image/png', PNG.length, 'portal'],
      [2, 'image/jpeg', JPEG.length, 'portal'],
    ]);
    expect(Buffer.compare((await photos.get(ticket, 2))?.bytes ?? Buffer.alloc(0), JPEG)).toBe(0);
  } finally {
    await store.close();
  }
});

test('uploads refused: no token, not an image whatever it claims, too large, too many, not multipart; nothing stored', async () => {
  const c = await startConversation(base);
  const other = await startConversation(base);
  expect((await upload(c, [{ data: PNG, type: 'image/png', name: 'a.png' }], '', null)).status).toBe(403);
  expect((await upload(c, [{ data: PNG, type: 'image/png', name: 'a.png' }], '', other.token)).status).toBe(403);

  const script = await upload(c, [{ data: Buffer.from('<script>alert(1)</script>'), type: 'image/png', name: 'x.png' }]);
  expect(script.status).toBe(415);
  expect(((await script.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'UnsupportedMediaType', message: expect.stringContaining('Chỉ nhận ảnh JPEG, PNG hoặc WebP') });
  // A GIF is an image, but not one of the three kinds kept.
  expect((await upload(c, [{ data: Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), type: 'image/gif', name: 'x.gif' }])).status).toBe(415);

  const big = Buffer.concat([PNG, Buffer.alloc(province().photos.maxBytes)]);
  const tooLarge = await upload(c, [{ data: big, type: 'image/png', name: 'big.png' }]);
  expect(tooLarge.status).toBe(413);
  expect(((await tooLarge.json()) as { error: { message: string } }).error.message).toContain('tối đa 5 MB');

  const four = Array.from({ length: province().photos.maxPerQuestion + 1 }, (_, i) => ({ data: PNG, type: 'image/png', name: `${i}.png` }));
  expect((await upload(c, four)).status).toBe(400);

  const json = await fetch(`${base}${DL}/conversations/${c.conversationId}/upload`, { method: 'POST', headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' }, body: '{"type":"message"}' });
  expect(json.status).toBe(400);

  const store = new SqliteLedgerStore(dbFile);
  try {
    const owners = store.db.prepare(`SELECT count(*) AS n FROM question_photos WHERE owner = ?`).get(`directline:${c.userId}`) as { n: number };
    expect(owners.n).toBe(0);
  } finally {
    await store.close();
  }
});
