import { createHash } from 'node:crypto';
import type { ConsoleSessionStore } from '../../src/app/ports';
import { PostgresConsoleSessions } from '../../src/store/postgres-console-sessions';
import { SqliteConsoleSessions } from '../../src/store/sqlite-console-sessions';
import { postgresHarness, sqliteHarness, type StoreHarness } from './harness';

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);
const HOUR = 3_600_000;

/** The web console's sessions: every adapter passes this. */
function consoleSessionsContract<L>(name: string, open: () => Promise<StoreHarness<L>>, sessions: (ledger: L) => ConsoleSessionStore): void {
  let db: StoreHarness<L>;
  let store: ConsoleSessionStore;
  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = sessions(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    describe(`console sessions`, () => {
      test('a random id for the cookie, stored only as its hash, live until its expiry', async () => {
        const { id, session } = await store.create('acc_1', T0, 8 * HOUR);
        expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(session).toEqual({ accountId: 'acc_1', csrf: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), createdAt: T0, expiresAt: T0 + 8 * HOUR });
        const rows = await db.rows('SELECT id_hash FROM console_sessions');
        expect(rows).toEqual([{ id_hash: createHash('sha256').update(id).digest('hex') }]);
        expect(await store.get(id, T0 + 8 * HOUR - 1)).toEqual(session);
        expect(await store.get(id, T0 + 8 * HOUR)).toBeUndefined();
        expect(await store.get(createHash('sha256').update(id).digest('hex'), T0)).toBeUndefined();
        expect(await store.get(undefined, T0)).toBeUndefined();
        expect(await store.get("x' OR 1=1 --", T0)).toBeUndefined();
        expect((await store.create('acc_1', T0, HOUR)).id).not.toBe(id);
      });

      test('sign-out ends one session; revoking an account ends its live ones and says how many', async () => {
        const one = await store.create('acc_1', T0, 8 * HOUR);
        const two = await store.create('acc_1', T0, 8 * HOUR);
        const old = await store.create('acc_1', T0 - 9 * HOUR, 8 * HOUR);
        const other = await store.create('acc_2', T0, 8 * HOUR);
        await store.revoke(one.id, T0 + 1);
        expect(await store.get(one.id, T0 + 2)).toBeUndefined();
        expect(await store.get(two.id, T0 + 2)).toEqual(two.session);
        expect(await store.revokeAccount('acc_1', T0 + 3)).toBe(1);
        expect(await store.get(two.id, T0 + 4)).toBeUndefined();
        expect(await store.get(old.id, T0 - 8 * HOUR)).toEqual(old.session);
        expect(await store.get(other.id, T0 + 4)).toEqual(other.session);
      });

      test('an admin lists an account\'s live sessions by handle, with how each was opened, and ends one by its handle', async () => {
        const byToken = await store.create('acc_1', T0, 8 * HOUR);
        const byCode = await store.create('acc_1', T0 + 1, 8 * HOUR, { method: 'link_code', userAgent: 'Mozilla/5.0 (iPhone) ' + 'x'.repeat(300) });
        const ended = await store.create('acc_1', T0 + 2, 8 * HOUR, { method: 'link_code' });
        await store.create('acc_2', T0, 8 * HOUR, { method: 'link_code' });
        await store.revoke(ended.id, T0 + 3);
        const live = await store.live('acc_1', T0 + 4);
        expect(live).toEqual([
          { handle: store.handleOf(byCode.id), method: 'link_code', userAgent: expect.stringMatching(/^Mozilla\/5\.0 \(iPhone\) x+$/), createdAt: T0 + 1, expiresAt: T0 + 1 + 8 * HOUR },
          { handle: store.handleOf(byToken.id), method: 'token', createdAt: T0, expiresAt: T0 + 8 * HOUR },
        ]);
        expect(live[0].userAgent).toHaveLength(200);
        // A handle names a session without opening it: it is a prefix of the stored hash, never the cookie id.
        expect(store.handleOf(byCode.id)).toMatch(/^[0-9a-f]{16}$/);
        expect(createHash('sha256').update(byCode.id).digest('hex').startsWith(store.handleOf(byCode.id))).toBe(true);
        expect(await store.get(store.handleOf(byCode.id), T0 + 4)).toBeUndefined();
        expect(await store.liveCounts(T0 + 4)).toEqual(new Map([['acc_1', 2], ['acc_2', 1]]));

        // Another account's handle, a malformed one and an ended session are refused alike.
        expect(await store.revokeHandle('acc_2', store.handleOf(byCode.id), T0 + 5)).toBe(false);
        expect(await store.revokeHandle('acc_1', "' OR 1=1 --", T0 + 5)).toBe(false);
        expect(await store.revokeHandle('acc_1', store.handleOf(ended.id), T0 + 5)).toBe(false);
        expect(await store.revokeHandle('acc_1', store.handleOf(byCode.id), T0 + 5)).toBe(true);
        expect(await store.get(byCode.id, T0 + 6)).toBeUndefined();
        expect(await store.get(byToken.id, T0 + 6)).toEqual(byToken.session);
        expect((await store.live('acc_1', T0 + 6)).map((s) => s.handle)).toEqual([store.handleOf(byToken.id)]);
        // Expired sessions count for nobody.
        expect(await store.liveCounts(T0 + 8 * HOUR + 1)).toEqual(new Map());
      });

      test('a session opened on one instance is live on another (behind a load balancer)', async () => {
        const second = sessions(await db.another());
        const { id, session } = await store.create('acc_1', T0, HOUR);
        expect(await second.get(id, T0 + 1)).toEqual(session);
        await second.revoke(id, T0 + 2);
        expect(await store.get(id, T0 + 3)).toBeUndefined();
      });
    });
  });
}

consoleSessionsContract('SQLite', sqliteHarness, (ledger) => new SqliteConsoleSessions(ledger.db));
consoleSessionsContract('PostgreSQL', postgresHarness, (ledger) => new PostgresConsoleSessions(ledger));
