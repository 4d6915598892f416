import type Database from 'better-sqlite3';
import type { AdmitDecision, HeldBody, HeldQuestion, HoldReason, IntakeLimits, QuestionIntake } from '../app/ports';

export type { AdmitDecision, HeldBody, HeldQuestion, HoldReason, IntakeLimits } from '../app/ports';

export interface HeldRow {
  id: number;
  held_ms: number;
  reason: string;
  body: string;
  status: string;
  decided_ms: number | null;
  decided_by: string | null;
  q: string | null;
}

export function held(r: HeldRow): HeldQuestion {
  return {
    id: r.id,
    heldAt: r.held_ms,
    reason: r.reason as HoldReason,
    body: JSON.parse(r.body) as HeldBody,
    status: r.status as HeldQuestion['status'],
    ...(r.decided_ms !== null ? { decidedAt: r.decided_ms } : {}),
    ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
    ...(r.q !== null ? { q: r.q } : {}),
  };
}

/**
 * The daily counters of filed questions and the held queue (tables of the security
 * migration). Counting and the decision to admit happen in one transaction, so two
 * processes (the server and the messaging worker) cannot both take the last place.
 */
export class SqliteQuestionIntake implements QuestionIntake {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM question_intake WHERE at_ms >= ?'),
      countIdentity: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM question_intake WHERE identity = ? AND at_ms >= ?'),
      countContact: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM question_intake WHERE contact = ? AND at_ms >= ?'),
      countAddress: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM question_intake WHERE address = ? AND at_ms >= ?'),
      insert: db.prepare('INSERT INTO question_intake (at_ms, identity, contact, address) VALUES (?, ?, ?, ?)'),
      prune: db.prepare('DELETE FROM question_intake WHERE at_ms < ?'),
      hold: db.prepare<[number, string, string], { id: number }>(`INSERT INTO held_questions (held_ms, reason, body) VALUES (?, ?, ?) RETURNING id`),
      heldBySource: db.prepare<[string], { id: number }>(`SELECT id FROM held_questions WHERE json_extract(body, '$.source') = ?`),
      waiting: db.prepare<[number], HeldRow>(`SELECT * FROM held_questions WHERE status = 'held' ORDER BY id LIMIT ?`),
      get: db.prepare<[number], HeldRow>('SELECT * FROM held_questions WHERE id = ?'),
      reopen: db.prepare(`UPDATE held_questions SET status = 'held', decided_ms = NULL, decided_by = NULL WHERE id = ? AND q IS NULL`),
      setTicket: db.prepare('UPDATE held_questions SET q = ? WHERE id = ?'),
      decide: db.prepare(`UPDATE held_questions SET status = @status, decided_ms = @now, decided_by = @by, q = @q WHERE id = @id AND status = 'held'`),
    };
  }

  /**
   * Whether one more question from this identity and contact fits in today's limits (the
   * local day starts at `dayStart`); if it does, it is counted. Otherwise the limit it went over.
   * `contact` undefined: the contact is neither checked nor counted (a channel-identified sender).
   */
  async admit(identity: string, contact: string | undefined, address: string | undefined, dayStart: number, now: number, limits: IntakeLimits): Promise<AdmitDecision> {
    return this.db.transaction((): AdmitDecision => {
      if (this.stmt.count.get(dayStart)!.n >= limits.overall) return { ok: false, reason: 'overall' };
      if (this.stmt.countIdentity.get(identity, dayStart)!.n >= limits.perIdentity) return { ok: false, reason: 'identity' };
      if (contact !== undefined && this.stmt.countContact.get(contact, dayStart)!.n >= limits.perContact) return { ok: false, reason: 'contact' };
      if (address !== undefined && limits.perAddress !== undefined && this.stmt.countAddress.get(address, dayStart)!.n >= limits.perAddress) return { ok: false, reason: 'address' };
      // Yesterday's counts are not needed any more.
      this.stmt.prune.run(dayStart - 86_400_000);
      // '' (no hash is empty): a question whose contact is not counted.
      this.stmt.insert.run(now, identity, contact ?? '', address ?? null);
      return { ok: true };
    }).immediate();
  }

  /** Puts a question in the held queue (once per inbound event); returns its id. */
  async hold(body: HeldBody, reason: HoldReason, now: number): Promise<number> {
    return this.db.transaction(() => {
      const already = body.source ? this.stmt.heldBySource.get(body.source) : undefined;
      if (already) return already.id;
      return this.stmt.hold.get(now, reason, JSON.stringify(body))!.id;
    }).immediate();
  }

  async waiting(limit = 100): Promise<HeldQuestion[]> {
    return this.stmt.waiting.all(limit).map(held);
  }

  async get(id: number): Promise<HeldQuestion | undefined> {
    const row = this.stmt.get.get(id);
    return row ? held(row) : undefined;
  }

  /** Records an editor's decision; false when the question was no longer held (someone decided meanwhile). */
  async decide(id: number, decision: { status: 'released' | 'discarded'; by: string; q?: string }, now: number): Promise<boolean> {
    return this.stmt.decide.run({ id, status: decision.status, now, by: decision.by, q: decision.q ?? null }).changes === 1;
  }

  /** A release that could not file the question: back to the queue. */
  async reopen(id: number): Promise<void> {
    this.stmt.reopen.run(id);
  }

  async setTicket(id: number, q: string): Promise<void> {
    this.stmt.setTicket.run(q, id);
  }
}
