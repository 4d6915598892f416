import type Database from 'better-sqlite3';
import { answerHandOverKey } from '../backoffice/types';
import type { PublicAnswerRow, QuestionListFilter, QuestionListRow, QuestionQueries, SubmittedRange } from '../app/ports';
import type { QuestionState } from '../domain/lifecycle';
import { answeredWithoutKey } from './sqlite-channels';

/** Read-only SQL over the ledger store's tables for the back office and the public page (the ledger store itself stays as it is). */

export type { PublicAnswerRow, QuestionListFilter, QuestionListRow, SubmittedRange } from '../app/ports';

function whereClause(filter: QuestionListFilter): { sql: string; params: Array<string | number> } {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.agency !== undefined) where.push('q.agency = ?'), params.push(filter.agency);
  if (filter.statuses && filter.statuses.length > 0) where.push(`q.status IN (${filter.statuses.map(() => '?').join(',')})`), params.push(...filter.statuses);
  if (filter.submittedFrom !== undefined) where.push('q.submitted_ms >= ?'), params.push(filter.submittedFrom);
  if (filter.submittedTo !== undefined) where.push('q.submitted_ms <= ?'), params.push(filter.submittedTo);
  if (filter.ids) {
    // json_each keeps the statement one shape whatever the number of ids.
    where.push('q.q IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.ids));
  }
  return { sql: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Questions matching the filter, the most recently submitted first, with the total before paging. */
export function listQuestions(db: Database.Database, filter: QuestionListFilter): { total: number; rows: QuestionListRow[] } {
  const { sql, params } = whereClause(filter);
  const total = (db.prepare<Array<string | number>, { n: number }>(`SELECT count(*) AS n FROM questions q ${sql}`).get(...params) as { n: number }).n;
  const limit = filter.limit ?? -1;
  const offset = filter.offset ?? 0;
  const rows = db
    .prepare<Array<string | number>, { state: string; body: string | null }>(
      `SELECT q.state AS state, (SELECT s.body FROM events s WHERE s.q = q.q AND s.type = 'submitted' ORDER BY s.seq LIMIT 1) AS body
       FROM questions q ${sql}
       ORDER BY q.submitted_ms DESC, q.q DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, offset);
  return {
    total,
    rows: rows.map((r) => ({ state: JSON.parse(r.state) as QuestionState, submitted: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} })),
  };
}

/** How many questions are answered: answers are never withdrawn, so this changes exactly when a new one is published. */
export function answeredCount(db: Database.Database): number {
  return (db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM questions WHERE status = 'answered'`).get() as { n: number }).n;
}

/** Every published answer with its question, for the public page: of the asker only the name leaves this function, never the contact. */
export function publicAnswers(db: Database.Database): PublicAnswerRow[] {
  const rows = db
    .prepare<[], { q: string; agency: string; submitted_ms: number; asked: string; answered: string; answered_ms: number }>(
      `SELECT q.q AS q, q.agency AS agency, q.submitted_ms AS submitted_ms, s.body AS asked, a.body AS answered, a.at_ms AS answered_ms
       FROM questions q
       JOIN events s ON s.q = q.q AND s.type = 'submitted'
       JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered'
       ORDER BY a.at_ms DESC, q.q DESC`,
    )
    .all();
  return rows.map((r) => {
    const asked = JSON.parse(r.asked) as { text?: unknown; asker?: { name?: unknown }; lang?: unknown };
    const answered = JSON.parse(r.answered) as { text?: unknown };
    return {
      q: r.q,
      agency: r.agency,
      submittedAt: r.submitted_ms,
      answeredAt: r.answered_ms,
      question: String(asked.text ?? ''),
      answer: String(answered.text ?? ''),
      ...(typeof asked.asker?.name === 'string' && asked.asker.name.trim() !== '' ? { askerName: asked.asker.name } : {}),
      ...(typeof asked.lang === 'string' ? { lang: asked.lang } : {}),
    };
  });
}

/**
 * Answers published since `since` (epoch ms) and never handed to the citizen's channel
 * (no hand-over claim), oldest first: what a crash interrupted, for the start-up hand-over.
 */
export function unclaimedAnswersSince(db: Database.Database, since: number): Array<{ q: string; text: string; agency: string }> {
  return db
    .prepare<[number, number, string], { q: string; body: string }>(
      `SELECT a.q AS q, a.body AS body FROM questions q JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered' AND q.last_event_ms >= ? AND a.at_ms >= ?
         AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.key = ? || a.q)
       ORDER BY a.at_ms`,
    )
    .all(since, since, answerHandOverKey(''))
    .map((r) => {
      const body = JSON.parse(r.body) as { text?: unknown; agency?: unknown };
      return { q: r.q, text: String(body.text ?? ''), agency: String(body.agency ?? '') };
    });
}

function rangeWhere(range: SubmittedRange): { sql: string; params: Array<string | number> } {
  return range.agency === undefined
    ? { sql: 'submitted_ms BETWEEN ? AND ?', params: [range.from, range.to] }
    : { sql: 'submitted_ms BETWEEN ? AND ? AND agency = ?', params: [range.from, range.to, range.agency] };
}

/** The read model's port on the SQLite file (the same database as SqliteLedgerStore.db). */
/** A LIKE pattern that finds `contact` as a JSON string anywhere in an event's text (\\ escapes). */
export function contactPattern(contact: string): string {
  return `%${JSON.stringify(contact).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Whether a `submitted` event's JSON gives exactly `contact` as the asker's (the LIKE only narrows the rows down). */
export function askerContactIs(body: string, contact: string): boolean {
  try {
    return (JSON.parse(body) as { asker?: { contact?: unknown } }).asker?.contact === contact;
  } catch {
    return false;
  }
}

export class SqliteQuestionQueries implements QuestionQueries {
  constructor(private readonly db: Database.Database) {}

  async listQuestions(filter: QuestionListFilter): Promise<{ total: number; rows: QuestionListRow[] }> {
    return listQuestions(this.db, filter);
  }

  async answeredCount(): Promise<number> {
    return answeredCount(this.db);
  }

  async publicAnswers(): Promise<PublicAnswerRow[]> {
    return publicAnswers(this.db);
  }

  async unclaimedAnswersSince(since: number): Promise<Array<{ q: string; text: string; agency: string }>> {
    return unclaimedAnswersSince(this.db, since);
  }

  async answeredWithoutKey(since: number, keyPrefix: string): Promise<string[]> {
    return answeredWithoutKey(this.db, since, keyPrefix);
  }

  async submittedTimes(range: SubmittedRange): Promise<number[]> {
    const { sql, params } = rangeWhere(range);
    return this.db.prepare<Array<string | number>, { ms: number }>(`SELECT submitted_ms AS ms FROM questions WHERE ${sql}`).all(...params).map((r) => r.ms);
  }

  async ratingCounts(range: SubmittedRange): Promise<Array<{ rating: number; n: number }>> {
    const { sql, params } = rangeWhere(range);
    return this.db
      .prepare<Array<string | number>, { rating: number; n: number }>(`SELECT rating, count(*) AS n FROM questions WHERE rating IS NOT NULL AND ${sql} GROUP BY rating ORDER BY rating`)
      .all(...params);
  }
  async questionsByContact(contact: string, limit: number): Promise<string[]> {
    const rows = this.db
      .prepare<[string], { q: string; body: string }>(`SELECT q, body FROM events WHERE type = 'submitted' AND body LIKE ? ESCAPE '\\' ORDER BY seq DESC`)
      .all(contactPattern(contact));
    return rows.filter((r) => askerContactIs(r.body, contact)).map((r) => r.q).slice(0, limit);
  }

}
