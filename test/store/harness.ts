import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { openFreshPostgresStore, sameSchemaLocation } from '../helpers/postgres';

/**
 * A fresh database for the contract suites of the stores beside the ledger: the ledger store
 * (whose tables the read queries read), raw SQL to look at what is really stored, and a
 * second instance on the same data (another process or server).
 */
export interface StoreHarness<L = SqliteLedgerStore | PostgresLedgerStore> {
  ledger: L;
  /** Rows of a statement without parameters (the same text on both databases; none for a statement that returns none). */
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Another instance's ledger store on the same data; closed with the harness. */
  another(): Promise<L>;
  close(): Promise<void>;
}

export async function sqliteHarness(): Promise<StoreHarness<SqliteLedgerStore>> {
  // A file, not :memory:, so that a second connection sees the same data.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-contract-'));
  const ledger = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  const others: SqliteLedgerStore[] = [];
  return {
    ledger,
    rows: async (sql) => {
      const stmt = ledger.db.prepare(sql);
      if (stmt.reader) return stmt.all() as Array<Record<string, unknown>>;
      stmt.run();
      return [];
    },
    another: async () => {
      const other = new SqliteLedgerStore(ledger.file);
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of others) await other.close();
      await ledger.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresHarness(): Promise<StoreHarness<PostgresLedgerStore>> {
  const ledger = await openFreshPostgresStore();
  const others: PostgresLedgerStore[] = [];
  return {
    ledger,
    rows: async (sql) => (await ledger.pool.query<Record<string, unknown>>(sql)).rows,
    another: async () => {
      const other = await PostgresLedgerStore.open(sameSchemaLocation(ledger));
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of others) await other.pool.end().catch(() => undefined);
      await ledger.close();
    },
  };
}
