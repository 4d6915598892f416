import type { Pool } from 'pg';
import { caseFromRow, type CaseRow } from './case-rows';
import type { PostgresLedgerStore } from './postgres';
import { nulSafePool } from './postgres-transaction';
import type { IndexedCase, OpenCases } from '../app/ports';

/**
 * Cases of every agency still open (not answered, deleted or forwarded away) that started by `at`;
 * `ORDER BY agency, accept_due_ms` follows the partial index cases_open_by_agency, as in SQLite.
 * The sweeper's notification keys are the back office's (PostgresBackofficeStore.claimNotification):
 * a unique key, so two instances sweeping at once send each message once.
 */
export const PG_OPEN_CASES_SQL = `SELECT *
  FROM cases
  WHERE answered_ms IS NULL AND ended_ms IS NULL AND start_ms <= $1
  ORDER BY agency, accept_due_ms`;

/** The sweeper's case source over a PostgreSQL ledger store's tables. */
export class PostgresOpenCases implements OpenCases {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  async openCases(at: number): Promise<IndexedCase[]> {
    const rows = await this.pool.query<CaseRow & { closed_ms: number | null }>(PG_OPEN_CASES_SQL, [at]);
    return rows.rows.map((r) => ({ ...caseFromRow(r), idx: r.idx }));
  }
}
