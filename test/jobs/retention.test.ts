import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../src/config/data';
import { startServer } from '../../src/http/server';
import { RetentionJob } from '../../src/jobs/retention';
import { loadRetentionPolicy, type RetentionPolicy } from '../../src/jobs/retention-policy';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteRetention } from '../../src/store/sqlite-retention';
import { SqlitePhotos } from '../../src/store/sqlite-photos';
import { instant, province } from '../helpers/province';

const DAY = 86_400_000;
const NOW = instant('2026-11-30T10:00:00+07:00');
const POLICY: RetentionPolicy = { checkEveryMinutes: 60, webhookEventsDays: 30, sentMessagesDays: 30, portalConversationsDays: 90, abandonedDialogsDays: 30, batchSize: 10 };

let dir: string;
let store: SqliteLedgerStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-retention-'));
  store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ago = (days: number) => NOW - days * DAY;

function inboxEvent(key: string, receivedAt: number, status: string): void {
  store.db
    .prepare(`INSERT INTO inbox (channel, dedupe_key, user_key, kind, payload, received_ms, status) VALUES ('zalo', ?, 'zalo:1', 'message', '{"text":"Số điện thoại của tôi là 0912345678"}', ?, ?)`)
    .run(key, receivedAt, status);
}
const column = (sql: string) => (store.db.prepare(sql).all() as Array<Record<string, unknown>>).map((r) => Object.values(r)[0]);

// What each kind keeps and purges, on SQLite and PostgreSQL: test/store/retention-contract.ts.
describe('retention: old channel traffic is deleted, what still serves a purpose is kept', () => {
  test('a redelivered webhook event within the limit is still recognised and not handled twice', async () => {
    const queue = new SqliteChannelQueueStore(store.db);
    const event = { channel: 'zalo' as const, dedupeKey: 'msg-1', userKey: 'zalo:1', kind: 'message', payload: '{}', receivedAt: ago(20) };
    expect(await queue.enqueueInbound([event])).toBe(1);
    store.db.prepare("UPDATE inbox SET status = 'done'").run();
    await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY }).runOnce(NOW);
    expect(await queue.enqueueInbound([{ ...event, receivedAt: NOW }])).toBe(0);
  });

  test('photos: unfiled ones go with abandoned dialogs, a question\'s photos questionPhotosDays after it was answered or deleted', async () => {
    const photos = new SqlitePhotos(store.db);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const question = (q: string, status: string, last: number) =>
      store.db.prepare(`INSERT INTO questions (q, status, agency, channel, submitted_ms, last_event_ms, event_count, state) VALUES (?, ?, 'so-yte', 'zalo', ?, ?, 2, '{}')`).run(q, status, last, last);
    question('HD-2026-000001', 'answered', ago(181));
    question('HD-2026-000002', 'answered', ago(100));
    for (const [id, at] of [['draft-old', ago(31)], ['draft-new', ago(2)], ['answered-old', ago(190)], ['answered-new', ago(190)]] as const)
      await photos.savePending({ id, owner: 'zalo:1', channel: 'zalo', type: 'image/png', bytes: png, receivedAt: at });
    await photos.attach('HD-2026-000001', 'zalo:1', ['answered-old']);
    await photos.attach('HD-2026-000002', 'zalo:1', ['answered-new']);
    const result = await new RetentionJob({ store: new SqliteRetention(store.db), policy: { ...POLICY, questionPhotosDays: 180 }, photos }).runOnce(NOW);
    expect(result.photos).toBe(2);
    expect(column('SELECT id FROM question_photos ORDER BY id')).toEqual(['answered-new', 'draft-new']);
    // data/retention.json says how long, and is checked.
    expect(loadRetentionPolicy().questionPhotosDays).toBe(180);
  });

  test('photos: an unfiled photo is kept data/photos.json pendingHours (a day), not the 30 days of an abandoned dialog', async () => {
    const photos = new SqlitePhotos(store.db);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const HOUR = 3_600_000;
    for (const [id, at] of [['two-days', NOW - 48 * HOUR], ['yesterday', NOW - 25 * HOUR], ['this-morning', NOW - 3 * HOUR]] as const)
      await photos.savePending({ id, owner: 'directline:u-1', channel: 'portal', type: 'image/png', bytes: png, receivedAt: at });
    const pendingHours = province().photos.pendingHours;
    expect(pendingHours).toBe(24);
    const result = await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY, photos, pendingPhotoHours: pendingHours }).runOnce(NOW);
    expect(result.photos).toBe(2);
    expect(column('SELECT id FROM question_photos ORDER BY id')).toEqual(['this-morning']);
  });

  test('the server started by `serve` runs it at start', async () => {
    inboxEvent('old-done', Date.now() - 31 * DAY, 'done');
    await store.close();
    const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, 'hoidap.sqlite'), channels: { off: [] }, retention: true });
    store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
    try {
      const kept = "SELECT count(*) FROM inbox WHERE status != 'purged'";
      for (let i = 0; i < 200 && column(kept)[0] !== 0; i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(column(kept)).toEqual([0]);
    } finally {
      await server.close();
    }
  });
});

describe('data/retention.json', () => {
  const write = (value: unknown) => {
    const file = path.join(dir, 'retention.json');
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  test('the shipped policy loads', () => {
    expect(loadRetentionPolicy()).toMatchObject({ webhookEventsDays: 30, portalConversationsDays: 90 });
  });

  test('limits that would break something are refused with the reason', () => {
    expect(() => loadRetentionPolicy(write({ ...POLICY, webhookEventsDays: 1 }))).toThrow(DataError);
    expect(() => loadRetentionPolicy(write({ ...POLICY, webhookEventsDays: 1 }))).toThrow(/webhookEventsDays.*at least 3 days.*redeliver/);
    expect(() => loadRetentionPolicy(write({ ...POLICY, portalConversationsDays: 30 }))).toThrow(/portalConversationsDays.*at least 60 days/);
    expect(() => loadRetentionPolicy(write({ ...POLICY, keepForever: true }))).toThrow(/keepForever/);
  });
});
