import type Database from 'better-sqlite3';
import type { CaseRecord } from '../domain/cases';

/**
 * Read queries of the deadline sweeper (src/jobs/sweeper.ts) on the SQLite ledger
 * store's `cases` table. Kept apart from sqlite.ts so the sweeper's needs do not
 * widen the LedgerStore contract every adapter must meet.
 */

/** An open case with its position in the question's cases (the sweeper's notification keys name it). */
export type IndexedCase = CaseRecord & { idx: number };

interface OpenCaseRow {
  q: string;
  idx: number;
  agency: string;
  start_ms: number;
  accept_due_ms: number;
  base_answer_due_ms: number;
  answer_due_ms: number;
  accepted_ms: number | null;
  extension_ms: number | null;
  extension_days: number | null;
  extension_applied: number | null;
}

/**
 * `ORDER BY agency, accept_due_ms` matches the partial index cases_open_by_agency,
 * so SQLite reads only the open cases instead of every case started before `at`
 * (which the cases_by_start range would otherwise walk: the whole history).
 */
export const OPEN_CASES_SQL = `SELECT q, idx, agency, start_ms, accept_due_ms, base_answer_due_ms, answer_due_ms, accepted_ms,
    extension_ms, extension_days, extension_applied
  FROM cases
  WHERE answered_ms IS NULL AND ended_ms IS NULL AND start_ms <= ?
  ORDER BY agency, accept_due_ms`;

const statements = new WeakMap<Database.Database, Database.Statement<[number], OpenCaseRow>>();

/** Cases of every agency still open (not answered, deleted or forwarded away) that started by `at`, with their deadlines. */
export function openCases(db: Database.Database, at: number): IndexedCase[] {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare<[number], OpenCaseRow>(OPEN_CASES_SQL);
    statements.set(db, stmt);
  }
  return stmt.all(at).map((r) => {
    const c: IndexedCase = {
      q: r.q,
      idx: r.idx,
      agency: r.agency,
      start: r.start_ms,
      acceptDue: r.accept_due_ms,
      baseAnswerDue: r.base_answer_due_ms,
      answerDue: r.answer_due_ms,
    };
    if (r.accepted_ms !== null) c.accepted = r.accepted_ms;
    if (r.extension_ms !== null) c.extension = { at: r.extension_ms, days: r.extension_days ?? 0, appliedDays: r.extension_applied ?? 0 };
    return c;
  });
}

/** The sweeper's case source over an SQLite ledger store's database (SqliteLedgerStore.db). */
export class SqliteOpenCases {
  constructor(private readonly db: Database.Database) {}

  async openCases(at: number): Promise<IndexedCase[]> {
    return openCases(this.db, at);
  }
}
