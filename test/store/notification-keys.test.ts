import type { NotificationKeys } from '../../src/app/ports';
import { PostgresNotificationKeys } from '../../src/store/postgres-backoffice';
import type { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { postgresHarness, sqliteHarness, type StoreHarness } from './harness';

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);

/** The once-only notification keys, whoever writes them: every adapter passes this. */
function notificationKeysContract<L>(name: string, open: () => Promise<StoreHarness<L>>, keys: (ledger: L) => NotificationKeys): void {
  let db: StoreHarness<L>;
  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
    });
    afterEach(async () => {
      await db.close();
    });

    describe(`notification keys`, () => {
      test('firstRecorded keeps the first time a key was recorded, by a claim or by itself', async () => {
        const store = keys(db.ledger);
        expect(await store.firstRecorded('answer-notices-since', T0)).toBe(T0);
        expect(await store.firstRecorded('answer-notices-since', T0 + 5000)).toBe(T0);
        expect(await store.claimNotification('answer-notices-since', T0 + 6000)).toBe(false);
        expect(await store.claimNotification('answer-notice:HD-2026-000001', T0 + 7000)).toBe(true);
        expect(await store.firstRecorded('answer-notice:HD-2026-000001', T0 + 8000)).toBe(T0 + 7000);
      });

      test('two instances recording the same keys at once agree on one time and one claimant per key', async () => {
        const [a, b] = [keys(db.ledger), keys(await db.another())];
        const times = await Promise.all([a.firstRecorded('since', T0), b.firstRecorded('since', T0 + 1), a.firstRecorded('since', T0 + 2), b.firstRecorded('since', T0 + 3)]);
        expect(new Set(times).size).toBe(1);
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimNotification(`remind:HD-2026-${String(i % 5).padStart(6, '0')}`, T0)));
        expect(claims.filter(Boolean)).toHaveLength(5);
      });
    });
  });
}

const sqliteKeys = (ledger: SqliteLedgerStore): NotificationKeys => {
  const backoffice = new SqliteBackofficeStore(ledger.db);
  const channels = new SqliteChannelQueueStore(ledger.db);
  return { claimNotification: (key, now) => backoffice.claimNotification(key, now), firstRecorded: (key, now) => channels.firstRecorded(key, now) };
};

notificationKeysContract('SQLite', sqliteHarness, sqliteKeys);
notificationKeysContract('PostgreSQL', postgresHarness, (ledger) => new PostgresNotificationKeys(ledger));
