import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { openStore } from '../../src/config/store';
import { MongoLedgerStore } from '../../src/store/mongo';
import { storeContract } from './contract';

/**
 * The MongoDB adapter runs the shared contract suite against a real server when
 * MONGODB_URI names one (a replica set: the adapter needs transactions), e.g.
 *   MONGODB_URI='mongodb://127.0.0.1:27017/?replicaSet=rs0' npx jest test/store/mongo
 * Each test gets its own database (hoidap_test_<random>), dropped afterwards.
 * MongoDB cannot be installed on the development machines: without MONGODB_URI
 * the suite is reported as skipped, never as passed.
 */
const uri = process.env.MONGODB_URI;
if (!uri) console.warn('MongoDB store contract suite skipped: MONGODB_URI is not set');
const suite = uri ? describe : describe.skip;

/** The same deployment and options with another database; credentials keep authenticating where they did. */
function withDatabase(base: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(base);
  if (!match) throw new Error(`MONGODB_URI is not a mongodb:// or mongodb+srv:// URI: ${base}`);
  const [, scheme, authority, path = '', query = ''] = match;
  const params = query ? query.split('&') : [];
  // The path's database is also the default authSource: keep it when the URI carries credentials.
  if (authority.includes('@') && !params.some((p) => p.toLowerCase().startsWith('authsource='))) params.push(`authSource=${path || 'admin'}`);
  return `${scheme}${authority}/${database}${params.length > 0 ? `?${params.join('&')}` : ''}`;
}

suite('MongoDB store contract (set MONGODB_URI to run it against a replica set)', () => {
  storeContract('MongoDB', async () => {
    const store = await MongoLedgerStore.open(withDatabase(uri as string, `hoidap_test_${randomBytes(6).toString('hex')}`));
    const close = store.close.bind(store);
    store.close = async () => {
      try {
        await store.connection.db?.dropDatabase();
      } finally {
        await close();
      }
    };
    return store;
  });

  describe('MongoDB adapter', () => {
    let store: MongoLedgerStore;
    beforeEach(async () => {
      store = await MongoLedgerStore.open(withDatabase(uri as string, `hoidap_test_${randomBytes(6).toString('hex')}`));
    });
    afterEach(async () => {
      await store.connection.db?.dropDatabase();
      await store.close();
    });

    test('ticket numbers handed out concurrently are all different', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, () => store.allocateQuestionId(2026)));
      expect(new Set(ids).size).toBe(20);
      expect([...ids].sort()[19]).toBe('HD-2026-000020');
    });

    test('creates the indexes the period and overdue queries use', async () => {
      const names = (await store.connection.db!.collection('cases').indexes()).map((i) => i.name);
      expect(names).toEqual(expect.arrayContaining(['cases_by_start', 'cases_by_agency_closed_accept_due']));
      const events = (await store.connection.db!.collection('events').indexes()).map((i) => i.name);
      expect(events).toEqual(expect.arrayContaining(['events_by_key', 'events_by_seq', 'events_submitted_source']));
    });
  });
});

describe('MongoDB location (no server needed)', () => {
  test('openStore gives a mongodb:// URI to the MongoDB adapter, which fails fast and clearly when nothing listens', async () => {
    const open = jest.spyOn(MongoLedgerStore, 'open');
    const connections = mongoose.connections.length;
    const started = Date.now();
    try {
      const location = 'mongodb://hoidap:s3cret@127.0.0.1:1/hoidap?serverSelectionTimeoutMS=200';
      const error: unknown = await openStore(location).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(open).toHaveBeenCalledWith(location);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/^MongoDB at mongodb:\/\/hoidap:\*\*\*@127\.0\.0\.1:1\/hoidap\?serverSelectionTimeoutMS=200: cannot connect \(/);
      expect(message).toMatch(/ECONNREFUSED|Server selection timed out/);
      expect(message).not.toContain('s3cret');
      expect(Date.now() - started).toBeLessThan(10_000);
      // The failed connection was destroyed, not left in mongoose's list with its monitors running.
      expect(mongoose.connections.length).toBe(connections);
    } finally {
      open.mockRestore();
    }
  });

  test('a mongodb+srv:// URI selects the MongoDB adapter too; a file path stays SQLite', async () => {
    const open = jest.spyOn(MongoLedgerStore, 'open').mockRejectedValue(new Error('not contacted in this test'));
    try {
      await expect(openStore('mongodb+srv://cluster0.example.net/hoidap')).rejects.toThrow('not contacted in this test');
      expect(open).toHaveBeenCalledWith('mongodb+srv://cluster0.example.net/hoidap');
      const sqlite = await openStore(':memory:');
      expect(sqlite.kind).toBe('sqlite');
      await sqlite.close();
      expect(open).toHaveBeenCalledTimes(1);
    } finally {
      open.mockRestore();
    }
  });
});
