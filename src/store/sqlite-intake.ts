import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { QuestionFiling } from '../backoffice/types';

/** A question waiting for an editor because it went over a daily limit (data/policy.json questionsPerDay). */
export interface HeldQuestion {
  id: number;
  heldAt: number;
  /** Which limit it went over. */
  reason: HoldReason;
  /** Everything needed to file it: the would-be `submitted` event's fields, the routing, where to reach the citizen. */
  body: HeldBody;
  status: 'held' | 'released' | 'discarded';
  decidedAt?: number;
  decidedBy?: string;
  /** The ticket it got when released. */
  q?: string;
}

export type HoldReason = 'identity' | 'contact' | 'address' | 'overall';

/** What a held question keeps: the filing as the dialog would have made it, and the citizen's conversation (to deliver the answer there once released). */
export type HeldBody = QuestionFiling & { reference?: unknown };

export interface IntakeLimits {
  perIdentity: number;
  perContact: number;
  perAddress?: number;
  overall: number;
}

interface HeldRow {
  id: number;
  held_ms: number;
  reason: string;
  body: string;
  status: string;
  decided_ms: number | null;
  decided_by: string | null;
  q: string | null;
}

function held(r: HeldRow): HeldQuestion {
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

/** Keys are hashes: the counters do not keep who asked or their phone number. */
function key(kind: string, value: string): string {
  return createHash('sha256').update(`${kind}:${value}`, 'utf8').digest('hex').slice(0, 32);
}

/** A contact as counted: a phone's digits (+84 as 0), an e-mail in lower case. */
export function contactKey(contact: string): string {
  const trimmed = contact.trim().toLowerCase();
  const digits = trimmed.replace(/[\s.()+-]/g, '');
  return key('contact', /^\d+$/.test(digits) ? digits.replace(/^84/, '0') : trimmed);
}

export function identityKey(channel: string, userId: string): string {
  return key('identity', `${channel}:${userId}`);
}

/**
 * The daily counters of filed questions and the held queue (tables of the security
 * migration). Counting and the decision to admit happen in one transaction, so two
 * processes (the server and the messaging worker) cannot both take the last place.
 */
export class SqliteQuestionIntake {
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
  admit(identity: string, contact: string | undefined, address: string | undefined, dayStart: number, now: number, limits: IntakeLimits): { ok: true } | { ok: false; reason: HoldReason } {
    return this.db.transaction((): { ok: true } | { ok: false; reason: HoldReason } => {
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
  hold(body: HeldBody, reason: HoldReason, now: number): number {
    return this.db.transaction(() => {
      const already = body.source ? this.stmt.heldBySource.get(body.source) : undefined;
      if (already) return already.id;
      return this.stmt.hold.get(now, reason, JSON.stringify(body))!.id;
    }).immediate();
  }

  waiting(limit = 100): HeldQuestion[] {
    return this.stmt.waiting.all(limit).map(held);
  }

  get(id: number): HeldQuestion | undefined {
    const row = this.stmt.get.get(id);
    return row ? held(row) : undefined;
  }

  /** Records an editor's decision; false when the question was no longer held (someone decided meanwhile). */
  decide(id: number, decision: { status: 'released' | 'discarded'; by: string; q?: string }, now: number): boolean {
    return this.stmt.decide.run({ id, status: decision.status, now, by: decision.by, q: decision.q ?? null }).changes === 1;
  }

  /** A release that could not file the question: back to the queue. */
  reopen(id: number): void {
    this.stmt.reopen.run(id);
  }

  setTicket(id: number, q: string): void {
    this.stmt.setTicket.run(q, id);
  }
}
