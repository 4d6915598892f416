import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { openStore } from '../../src/config/store';
import { parseEvent } from '../../src/domain/events';
import { applyEvent, type LifecycleContext, type QuestionState } from '../../src/domain/lifecycle';
import { Ledger } from '../../src/ledger/ledger';
import { MongoLedgerStore } from '../../src/store/mongo';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { ConflictError, type LedgerStore, type StoredEvent } from '../../src/store/types';
import { instant, province } from '../helpers/province';
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

    test('the demo ledger gives the same answers as in SQLite, and importing it again adds nothing', async () => {
      const data = province();
      const lines = fs.readFileSync(path.join(data.dataDir, 'demo', 'ledger-2023.jsonl'), 'utf8').split(/\r?\n/);
      const sqlite = new SqliteLedgerStore(':memory:');
      try {
        const first = await new Ledger(store, data).importLines(lines);
        expect(first.errors).toEqual([]);
        expect(first).toEqual(await new Ledger(sqlite, data).importLines(lines));
        expect((await new Ledger(store, data).importLines(lines)).imported).toBe(0);

        const byQ = <T extends { q: string }>(rows: T[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        const same = async <T>(read: (s: LedgerStore) => Promise<T>, normalize: (v: T) => unknown = (v) => v) =>
          expect(normalize(await read(store))).toEqual(normalize(await read(sqlite)));
        const all = async (s: LedgerStore) => {
          const out = [];
          for await (const e of s.events()) out.push(e);
          return out;
        };
        await same(all);
        await same((s) => s.counts());
        const ids = [...new Set((await all(sqlite)).map((e) => e.q))];
        await same((s) => s.loadQuestions(ids), (m) => [...m].sort());
        await same((s) => s.questionEvents(ids[7]));
        await same((s) => s.casesStartingBetween(instant('2023-01-01T00:00:00+07:00'), instant('2023-06-30T23:59:59.999+07:00')), byQ);
        let overdue = 0;
        for (const { code: agency } of data.agencies.all)
          for (const at of ['2023-03-01T09:00:00+07:00', '2023-09-30T17:00:00+07:00', '2024-01-01T00:00:00+07:00']) {
            await same((s) => s.overdueCandidates(agency, instant(at)), byQ);
            overdue += (await store.overdueCandidates(agency, instant(at))).length;
          }
        expect(overdue).toBeGreaterThan(0);
        await same((s) => s.answeredQuestions(), byQ);
        await same((s) => s.routingCorrections(), byQ);
        expect((await store.routingCorrections()).length).toBeGreaterThan(0);
        await same((s) => s.allocateQuestionId(2023));
      } finally {
        await sqlite.close();
      }
    });

    test('one batch may carry two updates of the same question; a stale update or a repeated event key leaves nothing behind', async () => {
      const data = province();
      const ctx: LifecycleContext = { calendar: data.calendar, policy: data.policy, isKnownAgency: (c) => data.agencies.has(c) };
      const q = 'HD-2026-000001';
      const raw = [
        { q, type: 'submitted', at: '2026-03-02T09:00:00+07:00', channel: 'portal', text: 'Xin hỏi' },
        { q, type: 'assigned', at: '2026-03-02T09:05:00+07:00', agency: 'so-yte' },
      ];
      const steps: Array<{ state: QuestionState; event: StoredEvent }> = [];
      let state: QuestionState | undefined;
      raw.forEach((fields, i) => {
        const parsed = parseEvent(fields);
        if (!parsed.ok) throw new Error(parsed.reason);
        const applied = applyEvent(state, parsed.event, instant(fields.at), ctx);
        if (!applied.ok) throw new Error(applied.reason);
        state = applied.state;
        steps.push({ state, event: { q, key: `${q}:${i}`, type: parsed.event.type, at: instant(fields.at), body: JSON.stringify(fields) } });
      });
      const [one, two] = steps;
      // A repeated event key is refused by the unique index, and the question row written before it is rolled back.
      await expect(
        store.commit([
          { state: one.state, expectedEventCount: 0, events: [one.event] },
          { state: two.state, expectedEventCount: 1, events: [{ ...two.event, key: one.event.key }] },
        ]),
      ).rejects.toThrow(/E11000|duplicate key/);
      expect(await store.counts()).toEqual({ questions: 0, events: 0, cases: 0 });
      await store.commit([
        { state: one.state, expectedEventCount: 0, events: [one.event] },
        { state: two.state, expectedEventCount: 1, events: [two.event] },
      ]);
      expect((await store.loadQuestions([q])).get(q)).toEqual(two.state);
      expect((await store.questionEvents(q)).map((e) => e.key)).toEqual([`${q}:0`, `${q}:1`]);
      expect(await store.counts()).toEqual({ questions: 1, events: 2, cases: 1 });
      // Stale: computed from one event, the question has two.
      await expect(store.commit([{ state: two.state, expectedEventCount: 1, events: [{ ...two.event, key: 'other' }] }])).rejects.toEqual(new ConflictError(q));
      expect(await store.counts()).toEqual({ questions: 1, events: 2, cases: 1 });
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
