import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Workflow } from '../../src/backoffice/actions';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import type { Account } from '../../src/backoffice/types';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import { sqliteStores } from '../../src/store/open';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqlitePhotos } from '../../src/store/sqlite-photos';
import { SqliteQuestionQueries } from '../../src/store/sqlite-queries';
import { importDemo, says } from '../helpers/bot';
import { staffRig } from '../helpers/staff';
import { instant, province } from '../helpers/province';

/**
 * Photos sent with questions, as officers and the public see them: over the REST API and the
 * console through the question's permission, in chat "xem HD-...", and never on /hoi-dap.
 * HD-2023-000156 is at Bảo Thắng (open); HD-2023-000003 was answered by Sở Y tế (public).
 */

const OPEN_Q = 'HD-2023-000156';
const ANSWERED_Q = 'HD-2023-000003';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not-public-photo-bytes')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('another-photo')]);

let base: string;
let server: Server;
let store: SqliteLedgerStore;
let dir: string;
let workflow: Workflow;
let backoffice: SqliteBackofficeStore;
const tokens: Record<string, string> = {};
const accounts: Record<string, Account> = {};

beforeAll(async () => {
  const data = province();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-photos-api-'));
  store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  await importDemo(store);
  const stores = sqliteStores(store);
  backoffice = new SqliteBackofficeStore(store.db);
  const now = instant('2023-10-02T09:00:00+07:00');
  workflow = new Workflow({ data, store, ledger: new Ledger(store, data), backoffice, queries: new SqliteQuestionQueries(store.db), notifier: new RecordingNotifier(), now: () => now });
  const t0 = instant('2023-09-01T08:00:00+07:00');
  accounts.officerBT = await backoffice.createAccount({ name: 'Cán bộ Bảo Thắng', role: 'officer', agency: 'h-baothang' }, t0);
  accounts.officerYT = await backoffice.createAccount({ name: 'Cán bộ Sở Y tế', role: 'officer', agency: 'so-yte' }, t0);
  accounts.editor = await backoffice.createAccount({ name: 'Ban biên tập', role: 'editor' }, t0);
  for (const [who, account] of Object.entries(accounts)) tokens[who] = await backoffice.issueApiToken(account.id, t0);

  const photos = new SqlitePhotos(store.db);
  await photos.savePending({ id: 'open-1', owner: 'zalo:42', channel: 'zalo', type: 'image/png', bytes: PNG, receivedAt: instant('2023-04-19T17:50:00+07:00') });
  await photos.savePending({ id: 'open-2', owner: 'zalo:42', channel: 'zalo', type: 'image/jpeg', bytes: JPEG, receivedAt: instant('2023-04-19T17:55:00+07:00') });
  await photos.attach(OPEN_Q, 'zalo:42', ['open-1', 'open-2']);
  await photos.savePending({ id: 'answered-1', owner: 'directline:u-1', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: instant('2023-01-04T15:39:00+07:00') });
  await photos.attach(ANSWERED_Q, 'directline:u-1', ['answered-1']);

  const app = createApp({ data, stores, api: { backoffice, workflow } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // The chat test takes seconds of CPU: fetch's kept-alive socket must still be open afterwards.
  server.keepAliveTimeout = 60_000;
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function api(url: string, who?: string): Promise<Response> {
  return fetch(`${base}/api/v1${url}`, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
}

describe('officers see the photos of the questions they may see', () => {
  test('the agency\'s officer lists and reads them; editors too; the photo is the bytes the citizen sent', async () => {
    for (const who of ['officerBT', 'editor']) {
      const list = await api(`/questions/${OPEN_Q}/photos`, who);
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('no-store');
      expect(await list.json()).toEqual({
        q: OPEN_Q,
        photos: [
          { n: 1, type: 'image/png', size: PNG.length, channel: 'zalo', receivedAt: '2023-04-19T17:50:00.000+07:00', url: `/api/v1/questions/${OPEN_Q}/photos/1` },
          { n: 2, type: 'image/jpeg', size: JPEG.length, channel: 'zalo', receivedAt: '2023-04-19T17:55:00.000+07:00', url: `/api/v1/questions/${OPEN_Q}/photos/2` },
        ],
      });
      const one = await api(`/questions/${OPEN_Q}/photos/2`, who);
      expect(one.status).toBe(200);
      expect(one.headers.get('content-type')).toBe('image/jpeg');
      expect(one.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.compare(Buffer.from(await one.arrayBuffer()), JPEG)).toBe(0);
    }
    expect((await api(`/questions/${OPEN_Q}/photos/3`, 'officerBT')).status).toBe(404);
    expect((await api(`/questions/${OPEN_Q}/photos/x`, 'officerBT')).status).toBe(400);
    expect((await api(`/questions/HD-2023-999999/photos`, 'officerBT')).status).toBe(404);
  });

  test('an officer of another agency gets 403 on the list and on each photo; no token gets 401; nothing of the photo leaks', async () => {
    for (const url of [`/questions/${OPEN_Q}/photos`, `/questions/${OPEN_Q}/photos/1`]) {
      const other = await api(url, 'officerYT');
      expect(other.status).toBe(403);
      const text = await other.text();
      expect(text).not.toContain('not-public-photo-bytes');
      expect(JSON.parse(text)).toMatchObject({ code: 'forbidden' });
      expect((await api(url)).status).toBe(401);
    }
  });

  test('the console\'s question page shows them to the officer, and serves them only to a session that may see the question', async () => {
    const signIn = async (who: string) => {
      const res = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(tokens[who])}` });
      return { cookie: `hoidap_qt=${/hoidap_qt=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? ''}` };
    };
    const bt = await signIn('officerBT');
    const page = await (await fetch(`${base}/quan-tri/cau-hoi/${OPEN_Q}`, { headers: bt })).text();
    expect(page).toContain('Ảnh người hỏi gửi kèm (2)');
    expect(page).toContain(`<img src="/quan-tri/cau-hoi/${OPEN_Q}/anh/1"`);
    expect(page).toContain(`<img src="/quan-tri/cau-hoi/${OPEN_Q}/anh/2"`);
    const img = await fetch(`${base}/quan-tri/cau-hoi/${OPEN_Q}/anh/1`, { headers: bt });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await img.arrayBuffer()), PNG)).toBe(0);

    const yt = await signIn('officerYT');
    const refused = await fetch(`${base}/quan-tri/cau-hoi/${OPEN_Q}/anh/1`, { headers: yt });
    expect([403, 404]).toContain(refused.status);
    expect(await refused.text()).not.toContain('not-public-photo-bytes');
    expect((await fetch(`${base}/quan-tri/cau-hoi/${OPEN_Q}/anh/1`, { redirect: 'manual' })).status).toBe(303);
  });

  test('in chat, "xem HD-..." says how many photos there are and where to see them', async () => {
    const rig = await staffRig({ demo: true, now: instant('2023-10-02T09:00:00+07:00') });
    const photos = new SqlitePhotos(rig.store.db);
    await photos.savePending({ id: 'chat-1', owner: 'zalo:42', channel: 'zalo', type: 'image/png', bytes: PNG, receivedAt: 1 });
    await photos.attach(OPEN_Q, 'zalo:42', ['chat-1']);
    const { person } = await rig.linked('bt', 'officer', 'h-baothang');
    await person.adapter
      .send(`xem ${OPEN_Q}`)
      .assertReply(says(`Ảnh người hỏi gửi kèm: 1 ảnh (chỉ cán bộ xem, không công khai). Xem trên trang quản trị /quan-tri/cau-hoi/${OPEN_Q} hoặc qua API GET /api/v1/questions/${OPEN_Q}/photos.`))
      .send('xem HD-2023-000003')
      .assertReply((a) => expect(a.text ?? '').not.toContain('Ảnh người hỏi'))
      .startTest();
  });
});

describe('photos are never published', () => {
  test('/hoi-dap, the question\'s own page and the search show no photo, no link to one, no photo bytes', async () => {
    const pages = [`/hoi-dap`, `/hoi-dap/${ANSWERED_Q}`, `/hoi-dap?q=${encodeURIComponent('phòng y tế trường học')}`, `/hoi-dap?q=${ANSWERED_Q}`];
    for (const url of pages) {
      const res = await fetch(`${base}${url}`, { redirect: 'follow' });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).not.toMatch(/<img\b/i);
      expect(html).not.toMatch(/\/photos|\/anh\/|hoidap-photo:|data:image/);
      expect(html).not.toContain('not-public-photo-bytes');
      expect(html).not.toMatch(/Ảnh người hỏi/);
    }
    // The answered question is on its public page (so the test looks at the right page).
    expect(await (await fetch(`${base}/hoi-dap/${ANSWERED_Q}`)).text()).toContain(ANSWERED_Q);
    // No public route serves a photo.
    for (const url of [`/hoi-dap/${ANSWERED_Q}/photos/1`, `/hoi-dap/${ANSWERED_Q}/anh/1`, `/api/v1/questions/${ANSWERED_Q}/photos/1`]) {
      const res = await fetch(`${base}${url}`);
      expect([401, 404]).toContain(res.status);
      expect(await res.text()).not.toContain('not-public-photo-bytes');
    }
  });
});
