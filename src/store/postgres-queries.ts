import type { Pool } from 'pg';
import { answerHandOverKey } from '../backoffice/types';
import type { QuestionState } from '../domain/lifecycle';
import type { PostgresLedgerStore } from './postgres';
import { nulSafePool } from './postgres-transaction';
import { askerContactIs, contactPattern } from './sqlite-queries';
import type { PublicAnswerRow, QuestionListFilter, QuestionListRow, QuestionQueries, SubmittedRange } from '../app/ports';

function rangeWhere(range: SubmittedRange): { sql: string; params: Array<string | number> } {
  return range.agency === undefined
    ? { sql: 'submitted_ms BETWEEN $1 AND $2', params: [range.from, range.to] }
    : { sql: 'submitted_ms BETWEEN $1 AND $2 AND agency = $3', params: [range.from, range.to, range.agency] };
}

/**
 * Read-only SQL over the PostgreSQL ledger's tables (questions, events, cases) for the back
 * office and the public page: the same answers as sqlite-queries.ts and answeredWithoutKey
 * of sqlite-channels.ts. Ticket numbers are compared byte by byte (COLLATE "C"), as SQLite does.
 */
export class PostgresQuestionQueries implements QuestionQueries {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  /** Questions matching the filter, the most recently submitted first, with the total before paging. */
  async listQuestions(filter: QuestionListFilter): Promise<{ total: number; rows: QuestionListRow[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => (params.push(value), `$${params.length}`);
    if (filter.agency !== undefined) where.push(`q.agency = ${param(filter.agency)}`);
    if (filter.statuses && filter.statuses.length > 0) where.push(`q.status = ANY(${param([...filter.statuses])}::text[])`);
    if (filter.submittedFrom !== undefined) where.push(`q.submitted_ms >= ${param(filter.submittedFrom)}`);
    if (filter.submittedTo !== undefined) where.push(`q.submitted_ms <= ${param(filter.submittedTo)}`);
    if (filter.ids) where.push(`q.q = ANY(${param([...filter.ids])}::text[])`);
    const sql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM questions q ${sql}`, params)).rows[0].n;
    const rows = await this.pool.query<{ state: string; body: string | null }>(
      `SELECT q.state AS state, (SELECT s.body FROM events s WHERE s.q = q.q AND s.type = 'submitted' ORDER BY s.seq LIMIT 1) AS body
       FROM questions q ${sql}
       ORDER BY q.submitted_ms DESC, q.q COLLATE "C" DESC LIMIT ${param(filter.limit ?? null)} OFFSET ${param(filter.offset ?? 0)}`,
      params,
    );
    return {
      total,
      rows: rows.rows.map((r) => ({ state: JSON.parse(r.state) as QuestionState, submitted: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} })),
    };
  }

  /** How many questions are answered: answers are never withdrawn, so this changes exactly when a new one is published. */
  async answeredCount(): Promise<number> {
    return (await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM questions WHERE status = 'answered'`)).rows[0].n;
  }

  /** Every published answer with its question, for the public page: of the asker only the name leaves this function, never the contact. */
  async publicAnswers(): Promise<PublicAnswerRow[]> {
    const rows = await this.pool.query<{ q: string; agency: string; submitted_ms: number; asked: string; answered: string; answered_ms: number }>(
      `SELECT q.q AS q, q.agency AS agency, q.submitted_ms AS submitted_ms, s.body AS asked, a.body AS answered, a.at_ms AS answered_ms
       FROM questions q
       JOIN events s ON s.q = q.q AND s.type = 'submitted'
       JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered'
       ORDER BY a.at_ms DESC, q.q COLLATE "C" DESC`,
    );
    return rows.rows.map((r) => {
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

  /** Answered questions since `since` (epoch ms) whose key `keyPrefix + q` is not recorded in notifications_sent, oldest answer first. */
  async answeredWithoutKey(since: number, keyPrefix: string): Promise<string[]> {
    return (await this.unkeyedAnswers(since, keyPrefix)).map((r) => r.q);
  }

  /**
   * Answers published since `since` (epoch ms) and never handed to the citizen's channel
   * (no hand-over claim), oldest first: what a crash interrupted, for the start-up hand-over.
   */
  async unclaimedAnswersSince(since: number): Promise<Array<{ q: string; text: string; agency: string }>> {
    return (await this.unkeyedAnswers(since, answerHandOverKey(''))).map((r) => {
      const body = JSON.parse(r.body) as { text?: unknown; agency?: unknown };
      return { q: r.q, text: String(body.text ?? ''), agency: String(body.agency ?? '') };
    });
  }

  /** Submission instants of the questions submitted in the range (the console's questions per month). */
  async submittedTimes(range: SubmittedRange): Promise<number[]> {
    const { sql, params } = rangeWhere(range);
    return (await this.pool.query<{ ms: number }>(`SELECT submitted_ms AS ms FROM questions WHERE ${sql}`, params)).rows.map((r) => r.ms);
  }

  /** Citizens' ratings of the questions submitted in the range, with how many of each. */
  async ratingCounts(range: SubmittedRange): Promise<Array<{ rating: number; n: number }>> {
    const { sql, params } = rangeWhere(range);
    return (await this.pool.query<{ rating: number; n: number }>(`SELECT rating, count(*)::int AS n FROM questions WHERE rating IS NOT NULL AND ${sql} GROUP BY rating ORDER BY rating`, params)).rows;
  }
  async questionsByContact(contact: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ q: string; body: string }>(`SELECT q, body FROM events WHERE type = 'submitted' AND body LIKE $1 ESCAPE '\\' ORDER BY seq DESC`, [contactPattern(contact)]);
    return rows.filter((r) => askerContactIs(r.body, contact)).map((r) => r.q).slice(0, limit);
  }

  private async unkeyedAnswers(since: number, keyPrefix: string): Promise<Array<{ q: string; body: string }>> {
    const rows = await this.pool.query<{ q: string; body: string }>(
      `SELECT a.q AS q, a.body AS body FROM questions q JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered' AND q.last_event_ms >= $1 AND a.at_ms >= $1
         AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.key = $2 || a.q)
       ORDER BY a.at_ms, a.seq`,
      [since, keyPrefix],
    );
    return rows.rows;
  }
}
