import type Database from 'better-sqlite3';
import { caseFromRow, type CaseRow } from './case-rows';
import type { IndexedCase, OpenCases } from '../app/ports';

export type { IndexedCase } from '../app/ports';

/**
 * Read queries of the deadline sweeper (src/jobs/sweeper.ts) on the SQLite ledger
 * store's `cases` table. Kept apart from sqlite.ts so the sweeper's needs do not
 * widen the LedgerStore contract every adapter must meet.
 */

/**
 * `ORDER BY agency, accept_due_ms` matches the partial index cases_open_by_agency,
 * so SQLite reads only the open cases instead of every case started before `at`
 * (which the cases_by_start range would otherwise walk: the whole history).
 */
export const OPEN_CASES_SQL = `SELECT *
  FROM cases
  WHERE answered_ms IS NULL AND ended_ms IS NULL AND start_ms <= ?
  ORDER BY agency, accept_due_ms`;

const statements = new WeakMap<Database.Database, Database.Statement<[number], CaseRow>>();

/** Cases of every agency still open (not answered, deleted or forwarded away) that started by `at`, with their deadlines. */
export function openCases(db: Database.Database, at: number): IndexedCase[] {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare<[number], CaseRow>(OPEN_CASES_SQL);
    statements.set(db, stmt);
  }
  return stmt.all(at).map((r) => ({ ...caseFromRow(r), idx: r.idx }));

}

/** The sweeper's case source over an SQLite ledger store's database (SqliteLedgerStore.db). */
export class SqliteOpenCases implements OpenCases {
  constructor(private readonly db: Database.Database) {}

  async openCases(at: number): Promise<IndexedCase[]> {
    return openCases(this.db, at);
  }
}
