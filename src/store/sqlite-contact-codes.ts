import type Database from 'better-sqlite3';
import type { CodeIssue, CodeTry, ContactCodeLimits, ContactCodes, NewContactCode } from '../app/ports';
import { sameHash } from '../channels/portal/store';

/** A stored code as both adapters read it. */
export interface ContactCodeRow {
  code_hash: string;
  expires_ms: number;
  tries_left: number;
  confirmed_ms: number | null;
}

/** What a try of `codeHash` on `row` at `now` comes to, before the row is updated (shared by both adapters). */
export function judgeTry(row: ContactCodeRow | undefined, codeHash: string, now: number): CodeTry {
  if (!row) return { outcome: 'unknown' };
  if (row.confirmed_ms !== null) return { outcome: 'used' };
  if (row.expires_ms <= now) return { outcome: 'expired' };
  if (row.tries_left <= 0) return { outcome: 'exhausted' };
  if (sameHash(row.code_hash, codeHash)) return { outcome: 'confirmed' };
  return { outcome: 'wrong', triesLeft: row.tries_left - 1 };
}

/** Codes of the day before yesterday are not needed for any limit. */
export const CODES_KEPT_MS = 2 * 86_400_000;

/** The contact confirmation codes in the SQLite file (table contact_codes); each call one immediate transaction. */
export class SqliteContactCodes implements ContactCodes {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      countContact: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM contact_codes WHERE contact = ? AND created_ms >= ?'),
      countRequester: db.prepare<[string, string | null, number], { n: number }>('SELECT count(*) AS n FROM contact_codes WHERE contact = ? AND address IS ? AND created_ms >= ?'),
      lastRequester: db.prepare<[string, string | null], { last: number | null }>('SELECT max(created_ms) AS last FROM contact_codes WHERE contact = ? AND address IS ?'),
      countAddress: db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM contact_codes WHERE address = ? AND created_ms >= ?'),
      insert: db.prepare(
        'INSERT INTO contact_codes (id, contact, address, code_hash, created_ms, expires_ms, tries_left) VALUES (@id, @contact, @address, @codeHash, @createdAt, @expiresAt, @tries)',
      ),
      prune: db.prepare('DELETE FROM contact_codes WHERE created_ms < ?'),
      get: db.prepare<[string], ContactCodeRow>('SELECT code_hash, expires_ms, tries_left, confirmed_ms FROM contact_codes WHERE id = ?'),
      useTry: db.prepare('UPDATE contact_codes SET tries_left = tries_left - 1 WHERE id = ?'),
      confirm: db.prepare('UPDATE contact_codes SET confirmed_ms = ? WHERE id = ?'),
    };
  }

  async issue(code: NewContactCode, dayStart: number, limits: ContactCodeLimits): Promise<CodeIssue> {
    return this.db
      .transaction((): CodeIssue => {
        const requester = code.address ?? null;
        const last = this.stmt.lastRequester.get(code.contact, requester)?.last ?? null;
        if (last !== null && code.createdAt < last + limits.resendAfterMs) return { ok: false, reason: 'wait', retryAt: last + limits.resendAfterMs };
        if (this.stmt.countRequester.get(code.contact, requester, dayStart)!.n >= limits.perContactPerRequester) return { ok: false, reason: 'requester' };
        if (this.stmt.countContact.get(code.contact, dayStart)!.n >= limits.perContact) return { ok: false, reason: 'contact' };
        if (code.address !== undefined && this.stmt.countAddress.get(code.address, dayStart)!.n >= limits.perAddress) return { ok: false, reason: 'address' };
        this.stmt.prune.run(Math.min(dayStart, code.createdAt) - CODES_KEPT_MS);
        this.stmt.insert.run({ ...code, address: code.address ?? null });
        return { ok: true };
      })
      .immediate();
  }

  async attempt(id: string, codeHash: string, now: number): Promise<CodeTry> {
    return this.db
      .transaction((): CodeTry => {
        const verdict = judgeTry(this.stmt.get.get(id), codeHash, now);
        if (verdict.outcome === 'confirmed') this.stmt.confirm.run(now, id);
        else if (verdict.outcome === 'wrong') this.stmt.useTry.run(id);
        return verdict;
      })
      .immediate();
  }
}
