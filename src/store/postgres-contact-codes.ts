import type { Pool } from 'pg';
import type { CodeIssue, CodeTry, ContactCodeLimits, ContactCodes, NewContactCode } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { inTransaction, lockFor, nulSafePool } from './postgres-transaction';
import { CODES_KEPT_MS, judgeTry, type ContactCodeRow } from './sqlite-contact-codes';

/**
 * The contact confirmation codes in PostgreSQL (table contact_codes). Issuing takes a lock per
 * schema, so that two instances cannot both send the last code of a day; a try locks the code's row.
 */
export class PostgresContactCodes implements ContactCodes {
  private readonly pool: Pool;
  private readonly schema: string;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
    this.schema = ledger.schema;
  }

  async issue(code: NewContactCode, dayStart: number, limits: ContactCodeLimits): Promise<CodeIssue> {
    return inTransaction(this.pool, async (client): Promise<CodeIssue> => {
      await lockFor(client, this.schema, 'contact-codes');
      const requester = code.address ?? null;
      const last = (await client.query<{ last: number | null }>('SELECT max(created_ms) AS last FROM contact_codes WHERE contact = $1 AND address IS NOT DISTINCT FROM $2', [code.contact, requester])).rows[0].last;
      if (last !== null && code.createdAt < Number(last) + limits.resendAfterMs) return { ok: false, reason: 'wait', retryAt: Number(last) + limits.resendAfterMs };
      const count = async (where: string, params: unknown[]) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM contact_codes WHERE ${where}`, params)).rows[0].n;
      if ((await count('contact = $1 AND address IS NOT DISTINCT FROM $2 AND created_ms >= $3', [code.contact, requester, dayStart])) >= limits.perContactPerRequester) return { ok: false, reason: 'requester' };
      if ((await count('contact = $1 AND created_ms >= $2', [code.contact, dayStart])) >= limits.perContact) return { ok: false, reason: 'contact' };
      if (code.address !== undefined && (await count('address = $1 AND created_ms >= $2', [code.address, dayStart])) >= limits.perAddress) return { ok: false, reason: 'address' };
      await client.query('DELETE FROM contact_codes WHERE created_ms < $1', [Math.min(dayStart, code.createdAt) - CODES_KEPT_MS]);
      await client.query('INSERT INTO contact_codes (id, contact, address, code_hash, created_ms, expires_ms, tries_left) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        code.id,
        code.contact,
        code.address ?? null,
        code.codeHash,
        code.createdAt,
        code.expiresAt,
        code.tries,
      ]);
      return { ok: true };
    });
  }

  async attempt(id: string, codeHash: string, now: number): Promise<CodeTry> {
    return inTransaction(this.pool, async (client): Promise<CodeTry> => {
      const row = (await client.query<ContactCodeRow>('SELECT code_hash, expires_ms, tries_left, confirmed_ms FROM contact_codes WHERE id = $1 FOR UPDATE', [id])).rows[0];
      const verdict = judgeTry(row, codeHash, now);
      if (verdict.outcome === 'confirmed') await client.query('UPDATE contact_codes SET confirmed_ms = $2 WHERE id = $1', [id, now]);
      else if (verdict.outcome === 'wrong') await client.query('UPDATE contact_codes SET tries_left = tries_left - 1 WHERE id = $1', [id]);
      return verdict;
    });
  }
}
