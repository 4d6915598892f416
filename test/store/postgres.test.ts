import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/config/store';
import { parseEvent } from '../../src/domain/events';
import { applyEvent, lifecycleContext, type LifecycleContext, type QuestionState } from '../../src/domain/lifecycle';
import { Ledger } from '../../src/ledger/ledger';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { ConflictError, type LedgerStore, type StoredEvent } from '../../src/store/types';
import { dropSchema, freshSchemaLocation, openFreshPostgresStore } from '../helpers/postgres';
import { instant, province } from '../helpers/province';
import { storeContract } from './contract';

storeContract('PostgreSQL', openFreshPostgresStore);

describe('PostgreSQL adapter', () => {
  const data = province();
  const ctx: LifecycleContext = lifecycleContext(data.calendar, data.rules, data.agencies);
  let store: PostgresLedgerStore;
  beforeEach(async () => {
    store = await openFreshPostgresStore();
  });
  afterEach(async () => {
    await store.close();
  });

  /** States and stored events of one question, one step per event. */
  function steps(q: string, raw: Array<Record<string, unknown>>): Array<{ state: QuestionState; event: StoredEvent }> {
    let state: QuestionState | undefined;
    return raw.map((fields, i) => {
      const parsed = parseEvent({ q, ...fields });
      if (!parsed.ok) throw new Error(parsed.reason);
      const applied = applyEvent(state, parsed.event, instant(parsed.event.at), ctx);
      if (!applied.ok) throw new Error(applied.reason);
      state = applied.state;
      return { state, event: { q, key: `${q}:${i}`, type: parsed.event.type, at: instant(parsed.event.at), body: JSON.stringify({ q, ...fields }) } };
    });
  }

  test('ticket numbers handed out concurrently, by two instances on one database, are all different', async () => {
    const other = await PostgresLedgerStore.open(sameSchemaLocation(store));
    try {
      const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).allocateQuestionId(2026)));
      expect(new Set(ids).size).toBe(30);
      expect([...ids].sort()[29]).toBe('HD-2026-000030');
    } finally {
      await other.pool.end();
    }
  });

  test('two instances writing the same question at once: one wins, the other gets a conflict and nothing of it is stored', async () => {
    const other = await PostgresLedgerStore.open(sameSchemaLocation(store));
    try {
      const q = 'HD-2026-000001';
      const [first] = steps(q, [{ type: 'submitted', at: '2026-03-02T09:00:00+07:00', channel: 'portal', text: 'Xin hỏi' }]);
      const results = await Promise.allSettled([
        store.commit([{ state: first.state, expectedEventCount: 0, events: [first.event] }]),
        other.commit([{ state: first.state, expectedEventCount: 0, events: [{ ...first.event, key: 'from-the-other-instance' }] }]),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toEqual(new ConflictError(q));
      expect(await store.counts()).toEqual({ questions: 1, events: 1, cases: 0 });
    } finally {
      await other.pool.end();
    }
  });

  test('one batch may carry two updates of the same question; a repeated event key leaves nothing behind', async () => {
    const q = 'HD-2026-000001';
    const [one, two] = steps(q, [
      { type: 'submitted', at: '2026-03-02T09:00:00+07:00', channel: 'portal', text: 'Xin hỏi' },
      { type: 'assigned', at: '2026-03-02T09:05:00+07:00', agency: 'so-yte' },
    ]);
    await expect(
      store.commit([
        { state: one.state, expectedEventCount: 0, events: [one.event] },
        { state: two.state, expectedEventCount: 1, events: [{ ...two.event, key: one.event.key }] },
      ]),
    ).rejects.toThrow(/duplicate key/);
    expect(await store.counts()).toEqual({ questions: 0, events: 0, cases: 0 });
    await store.commit([
      { state: one.state, expectedEventCount: 0, events: [one.event] },
      { state: two.state, expectedEventCount: 1, events: [two.event] },
    ]);
    expect((await store.loadQuestions([q])).get(q)).toEqual(two.state);
    expect(await store.counts()).toEqual({ questions: 1, events: 2, cases: 1 });
    await expect(store.commit([{ state: two.state, expectedEventCount: 1, events: [{ ...two.event, key: 'other' }] }])).rejects.toEqual(new ConflictError(q));
  });

  test('the demo ledger gives the same answers as in SQLite, and importing it again adds nothing', async () => {
    const lines = fs.readFileSync(path.join(data.dataDir, 'demo', 'ledger-2023.jsonl'), 'utf8').split(/\r?\n/);
    const sqlite = new SqliteLedgerStore(':memory:');
    try {
      const first = await new Ledger(store, data).importLines(lines);
      expect(first.errors).toEqual([]);
      expect(first).toEqual(await new Ledger(sqlite, data).importLines(lines));
      expect((await new Ledger(store, data).importLines(lines)).imported).toBe(0);

      const sorted = <T>(rows: T[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
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
      await same((s) => s.casesStartingBetween(instant('2023-01-01T00:00:00+07:00'), instant('2023-06-30T23:59:59.999+07:00')), sorted);
      let overdue = 0;
      for (const { code: agency } of data.agencies.all)
        for (const at of ['2023-03-01T09:00:00+07:00', '2023-09-30T17:00:00+07:00', '2024-01-01T00:00:00+07:00']) {
          await same((s) => s.overdueCandidates(agency, instant(at)), sorted);
          overdue += (await store.overdueCandidates(agency, instant(at))).length;
        }
      expect(overdue).toBeGreaterThan(0);
      await same((s) => s.answeredQuestions(), sorted);
      await same((s) => s.routingCorrections(), sorted);
      expect((await store.routingCorrections()).length).toBeGreaterThan(0);
      await same((s) => s.allocateQuestionId(2023));
    } finally {
      await sqlite.close();
    }
  });

  test('the overdue query for one agency and the period query use their indexes', async () => {
    const client = await store.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, params: unknown[]) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(
        await plan('SELECT * FROM cases WHERE agency = $1 AND answered_ms IS NULL AND ended_ms IS NULL AND accept_due_ms < $2 AND start_ms <= $2', ['h-baothang', 1]),
      ).toMatch(/cases_open_by_agency/);
      expect(await plan('SELECT * FROM cases WHERE start_ms BETWEEN $1 AND $2', [1, 2])).toMatch(/cases_by_start/);
    } finally {
      client.release();
    }
  });
});

describe('PostgreSQL location', () => {
  test('openStore gives a postgres:// URI to PostgreSQL; two instances opening a new schema at once migrate it once', async () => {
    const { location, schema } = freshSchemaLocation();
    try {
      const [a, b] = await Promise.all([openStore(location), openStore(location)]);
      expect(a.kind).toBe('postgres');
      expect(await a.counts()).toEqual({ questions: 0, events: 0, cases: 0 });
      const version = await (a as PostgresLedgerStore).pool.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(version.rows).toEqual([{ version: expect.any(Number) }]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await dropSchema(schema);
    }
  });

  test('a server that does not answer fails fast, with the location named and the password hidden', async () => {
    const error: unknown = await openStore('postgres://hoidap:s3cret@127.0.0.1:1/hoidap').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^PostgreSQL at postgres:\/\/hoidap:\*\*\*@127\.0\.0\.1:1\/hoidap: .*ECONNREFUSED/);
    expect(message).not.toContain('s3cret');
  });

  test('a schema name that is not a plain identifier is refused before anything is sent', async () => {
    await expect(openStore('postgres://postgres@127.0.0.1:5432/test?schema=x;DROP')).rejects.toThrow(/schema 'x;DROP' must be lower-case letters, digits and _/);
  });
});

/** The location of the schema a store already uses: a second instance on the same data. */
function sameSchemaLocation(store: PostgresLedgerStore): string {
  const { location } = freshSchemaLocation();
  const url = new URL(location);
  url.searchParams.set('schema', store.schema);
  return url.toString();
}
