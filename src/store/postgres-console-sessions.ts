import type { Pool } from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, ConsoleSessionStore } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { nulSafePool } from './postgres-transaction';

/** The web console's sessions in PostgreSQL (the console-sessions migration): only the SHA-256 of each session id is kept. */

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

interface SessionRow {
  account_id: string;
  csrf: string;
  created_ms: number;
  expires_ms: number;
  revoked_ms: number | null;
}

export class PostgresConsoleSessions implements ConsoleSessionStore {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  /** A new session; returns the id for the cookie (never stored in clear). */
  async create(accountId: string, now: number, ttlMs: number): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { accountId, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + ttlMs };
    // Revoked sessions, and sessions expired a day ago, are dropped (as in SQLite).
    await this.pool.query('DELETE FROM console_sessions WHERE expires_ms < $1 OR revoked_ms IS NOT NULL', [now - 86_400_000]);
    await this.pool.query('INSERT INTO console_sessions (id_hash, account_id, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)', [
      hash(id),
      accountId,
      session.csrf,
      now,
      session.expiresAt,
    ]);
    return { id, session };
  }

  /** The live session with that id: unknown, expired and revoked ones are refused alike. */
  async get(id: string | undefined, now: number): Promise<ConsoleSession | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return undefined;
    const row = (await this.pool.query<SessionRow>('SELECT account_id, csrf, created_ms, expires_ms, revoked_ms FROM console_sessions WHERE id_hash = $1', [hash(id)])).rows[0];
    if (!row || row.revoked_ms !== null || row.expires_ms <= now) return undefined;
    return { accountId: row.account_id, csrf: row.csrf, createdAt: row.created_ms, expiresAt: row.expires_ms };
  }

  async revoke(id: string, now: number): Promise<void> {
    await this.pool.query('UPDATE console_sessions SET revoked_ms = $1 WHERE id_hash = $2 AND revoked_ms IS NULL', [now, hash(id)]);
  }

  /** Ends every session of an account (a lost phone, a person who left); returns how many were live. */
  async revokeAccount(accountId: string, now: number): Promise<number> {
    return (await this.pool.query('UPDATE console_sessions SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL AND expires_ms > $1', [now, accountId])).rowCount ?? 0;
  }
}
