import type { PhotoStore } from '../../src/app/ports';
import { PostgresPhotos } from '../../src/store/postgres-photos';
import { SqlitePhotos } from '../../src/store/sqlite-photos';
import { postgresHarness, sqliteHarness, type StoreHarness } from './harness';

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);
const DAY = 86_400_000;
/** The first bytes of a JPEG, then some of a picture: what the store must give back byte for byte. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256))]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** Photos sent with questions: every adapter passes this. */
function photosContract<L>(name: string, open: () => Promise<StoreHarness<L>>, photos: (ledger: L) => PhotoStore): void {
  let db: StoreHarness<L>;
  let store: PhotoStore;
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = photos(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    const question = (q: string, status: string, lastEventMs: number) =>
      db.rows(`INSERT INTO questions (q, status, agency, channel, submitted_ms, last_event_ms, event_count, rating, state) VALUES ('${q}', '${status}', 'so-yte', 'zalo', ${T0}, ${lastEventMs}, 2, NULL, '{}')`);

    test('a pending photo is filed with a question by its sender only, numbered in order, bytes kept exactly', async () => {
      await store.savePending({ id: 'p1', owner: 'zalo:123', channel: 'zalo', type: 'image/jpeg', bytes: JPEG, receivedAt: T0 });
      await store.savePending({ id: 'p2', owner: 'zalo:123', channel: 'zalo', type: 'image/png', bytes: PNG, receivedAt: T0 + 1 });
      await store.savePending({ id: 'p3', owner: 'zalo:999', channel: 'zalo', type: 'image/png', bytes: PNG, receivedAt: T0 + 2 });
      // The same id again (a turn run again after a crash) keeps the first.
      await store.savePending({ id: 'p1', owner: 'zalo:123', channel: 'zalo', type: 'image/png', bytes: PNG, receivedAt: T0 + 5 });
      expect(await store.list('HD-2026-000001')).toEqual([]);

      // Another sender's photo id is not filed with this question.
      expect(await store.attach('HD-2026-000001', 'zalo:123', ['p2', 'p1', 'p3', 'nope'])).toBe(2);
      expect(await store.list('HD-2026-000001')).toEqual([
        { n: 1, type: 'image/png', size: PNG.length, channel: 'zalo', receivedAt: T0 + 1 },
        { n: 2, type: 'image/jpeg', size: JPEG.length, channel: 'zalo', receivedAt: T0 },
      ]);
      const got = await store.get('HD-2026-000001', 2);
      expect(got?.type).toBe('image/jpeg');
      expect(Buffer.compare(got?.bytes ?? Buffer.alloc(0), JPEG)).toBe(0);
      expect(await store.get('HD-2026-000001', 3)).toBeUndefined();
      expect(await store.get('HD-2026-000002', 1)).toBeUndefined();

      // Filing again (the same turn after a crash) changes nothing; a photo filed once is not filed elsewhere.
      expect(await store.attach('HD-2026-000001', 'zalo:123', ['p2', 'p1'])).toBe(2);
      expect(await store.attach('HD-2026-000002', 'zalo:123', ['p1'])).toBe(0);
      expect(await store.list('HD-2026-000002')).toEqual([]);
      expect(await store.attach('HD-2026-000002', 'zalo:999', ['p3'])).toBe(1);
      expect((await store.list('HD-2026-000002')).map((p) => p.n)).toEqual([1]);
    });

    test('with a cap, a sender keeps at most that many unfiled photos: a new one replaces the oldest; filed ones and others are untouched', async () => {
      await store.savePending({ id: 'f1', owner: 'directline:u-1', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: T0 - 10 });
      expect(await store.attach('HD-2026-000020', 'directline:u-1', ['f1'])).toBe(1);
      await store.savePending({ id: 'other', owner: 'directline:u-2', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: T0 - 5 });
      for (let i = 1; i <= 5; i++) await store.savePending({ id: `c${i}`, owner: 'directline:u-1', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: T0 + i }, 3);
      const pending = await db.rows(`SELECT id FROM question_photos WHERE q IS NULL ORDER BY id`);
      expect(pending.map((r) => r.id)).toEqual(['c3', 'c4', 'c5', 'other']);
      // The replaced photos can no longer be filed; the newest three can.
      expect(await store.attach('HD-2026-000021', 'directline:u-1', ['c1', 'c2', 'c3', 'c4', 'c5'])).toBe(3);
      expect((await store.list('HD-2026-000020')).length).toBe(1);
      // Another instance keeps the same cap.
      const second = photos(await db.another());
      await Promise.all([1, 2, 3, 4].map((i) => second.savePending({ id: `d${i}`, owner: 'directline:u-3', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: T0 + 100 + i }, 2)));
      expect((await db.rows(`SELECT id FROM question_photos WHERE owner = 'directline:u-3'`)).length).toBe(2);
    });

    test('a photo stored by one instance is read by another', async () => {
      const second = photos(await db.another());
      await store.savePending({ id: 'x1', owner: 'directline:u-1', channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: T0 });
      expect(await second.attach('HD-2026-000003', 'directline:u-1', ['x1'])).toBe(1);
      expect(Buffer.compare((await store.get('HD-2026-000003', 1))?.bytes ?? Buffer.alloc(0), PNG)).toBe(0);
    });

    test('purge: unfiled photos after their cutoff, filed ones only once their question ended before its cutoff', async () => {
      await question('HD-2026-000010', 'answered', T0 - 200 * DAY);
      await question('HD-2026-000011', 'accepted', T0 - 200 * DAY);
      await question('HD-2026-000012', 'deleted', T0 - 10 * DAY);
      for (const [id, at] of [
        ['old-pending', T0 - 40 * DAY],
        ['new-pending', T0 - 1 * DAY],
        ['answered-long-ago', T0 - 300 * DAY],
        ['still-open', T0 - 300 * DAY],
        ['deleted-lately', T0 - 300 * DAY],
      ] as const)
        await store.savePending({ id, owner: 'facebook:1', channel: 'facebook', type: 'image/png', bytes: PNG, receivedAt: at });
      await store.attach('HD-2026-000010', 'facebook:1', ['answered-long-ago']);
      await store.attach('HD-2026-000011', 'facebook:1', ['still-open']);
      await store.attach('HD-2026-000012', 'facebook:1', ['deleted-lately']);

      expect(await store.purge(T0 - 30 * DAY, T0 - 180 * DAY, 100)).toBe(2);
      expect(await store.list('HD-2026-000010')).toEqual([]);
      expect(await store.list('HD-2026-000011')).toHaveLength(1);
      expect(await store.list('HD-2026-000012')).toHaveLength(1);
      expect((await db.rows('SELECT id FROM question_photos ORDER BY id')).map((r) => r.id)).toEqual(['deleted-lately', 'new-pending', 'still-open']);
      expect(await store.purge(T0 - 30 * DAY, T0 - 180 * DAY, 100)).toBe(0);
    });
  });
}

photosContract('SQLite', sqliteHarness, (ledger) => new SqlitePhotos(ledger.db));
photosContract('PostgreSQL', postgresHarness, (ledger) => new PostgresPhotos(ledger));
