import type { Pool } from 'pg';
import type { PostgresLedgerStore } from './postgres';
import { inTransaction, lockFor, nulSafePool } from './postgres-transaction';
import type { AdmitDecision, HeldBody, HeldQuestion, HoldReason, IntakeLimits, QuestionIntake } from '../app/ports';
import { held, type HeldRow } from './sqlite-intake';

/**
 * The daily counters of filed questions and the editors' held queue in PostgreSQL (tables of the
 * intake migration in postgres.ts). Counting and admitting take a lock per schema, so that two
 * instances cannot both take the last place of a day.
 */
export class PostgresQuestionIntake implements QuestionIntake {
  private readonly pool: Pool;
  private readonly schema: string;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
    this.schema = ledger.schema;
  }

  /**
   * Whether one more question from this identity and contact fits in today's limits (the
   * local day starts at `dayStart`); if it does, it is counted. Otherwise the limit it went over.
   * `contact` undefined: the contact is neither checked nor counted (a channel-identified sender).
   */
  async admit(identity: string, contact: string | undefined, address: string | undefined, dayStart: number, now: number, limits: IntakeLimits): Promise<AdmitDecision> {
    return inTransaction(this.pool, async (client): Promise<AdmitDecision> => {
      await lockFor(client, this.schema, 'question-intake');
      const count = async (where: string, params: unknown[]) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM question_intake WHERE ${where}`, params)).rows[0].n;
      if ((await count('at_ms >= $1', [dayStart])) >= limits.overall) return { ok: false, reason: 'overall' };
      if ((await count('identity = $1 AND at_ms >= $2', [identity, dayStart])) >= limits.perIdentity) return { ok: false, reason: 'identity' };
      if (contact !== undefined && (await count('contact = $1 AND at_ms >= $2', [contact, dayStart])) >= limits.perContact) return { ok: false, reason: 'contact' };
      if (address !== undefined && limits.perAddress !== undefined && (await count('address = $1 AND at_ms >= $2', [address, dayStart])) >= limits.perAddress)
        return { ok: false, reason: 'address' };
      // Yesterday's counts are not needed any more.
      await client.query('DELETE FROM question_intake WHERE at_ms < $1', [dayStart - 86_400_000]);
      // '' (no hash is empty): a question whose contact is not counted.
      await client.query('INSERT INTO question_intake (at_ms, identity, contact, address) VALUES ($1, $2, $3, $4)', [now, identity, contact ?? '', address ?? null]);
      return { ok: true };
    });
  }

  /** Puts a question in the held queue (once per inbound event: the unique source column); returns its id. */
  async hold(body: HeldBody, reason: HoldReason, now: number): Promise<number> {
    const source = body.source ?? null;
    const inserted = await this.pool.query<{ id: number }>(
      `INSERT INTO held_questions (held_ms, reason, body, source) VALUES ($1, $2, $3, $4) ON CONFLICT (source) DO NOTHING RETURNING id`,
      [now, reason, JSON.stringify(body), source],
    );
    if (inserted.rows.length === 1) return inserted.rows[0].id;
    return (await this.pool.query<{ id: number }>('SELECT id FROM held_questions WHERE source = $1', [source])).rows[0].id;
  }

  async waiting(limit = 100): Promise<HeldQuestion[]> {
    return (await this.pool.query<HeldRow>(`SELECT * FROM held_questions WHERE status = 'held' ORDER BY id LIMIT $1`, [limit])).rows.map(held);
  }

  async get(id: number): Promise<HeldQuestion | undefined> {
    const row = (await this.pool.query<HeldRow>('SELECT * FROM held_questions WHERE id = $1', [id])).rows[0];
    return row ? held(row) : undefined;
  }

  /** Records an editor's decision; false when the question was no longer held (someone decided meanwhile). */
  async decide(id: number, decision: { status: 'released' | 'discarded'; by: string; q?: string }, now: number): Promise<boolean> {
    const changed = await this.pool.query(`UPDATE held_questions SET status = $2, decided_ms = $3, decided_by = $4, q = $5 WHERE id = $1 AND status = 'held'`, [
      id,
      decision.status,
      now,
      decision.by,
      decision.q ?? null,
    ]);
    return changed.rowCount === 1;
  }

  /** A release that could not file the question: back to the queue. */
  async reopen(id: number): Promise<void> {
    await this.pool.query(`UPDATE held_questions SET status = 'held', decided_ms = NULL, decided_by = NULL WHERE id = $1 AND q IS NULL`, [id]);
  }

  async setTicket(id: number, q: string): Promise<void> {
    await this.pool.query('UPDATE held_questions SET q = $1 WHERE id = $2', [q, id]);
  }
}
