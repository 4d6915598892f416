import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { storeContract } from './contract';

storeContract('SQLite', async () => new SqliteLedgerStore(':memory:'));

describe('SQLite file', () => {
  test('keeps its data across reopening, in WAL mode, with the schema version recorded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-'));
    const file = path.join(dir, 'nested', 'hoidap.sqlite');
    const first = new SqliteLedgerStore(file);
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal');
    first.db.prepare("INSERT INTO events (q, type, at_ms, key, body) VALUES ('HD-1', 'submitted', 0, 'k', '{}')").run();
    await first.close();
    const second = new SqliteLedgerStore(file);
    expect((await second.counts()).events).toBe(1);
    expect(second.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    await second.close();
  });

  test('the overdue query for one agency uses an index', () => {
    const store = new SqliteLedgerStore(':memory:');
    const plan = store.db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM cases WHERE agency = ? AND answered_ms IS NULL AND ended_ms IS NULL AND accept_due_ms < ? AND start_ms <= ?')
      .all('h-baothang', 1, 1) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX cases_open_by_agency/);
    const period = store.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM cases WHERE start_ms BETWEEN ? AND ?').all(1, 2) as Array<{ detail: string }>;
    expect(period.map((p) => p.detail).join(' ')).toMatch(/USING INDEX cases_by_start/);
    void store.close();
  });
});
