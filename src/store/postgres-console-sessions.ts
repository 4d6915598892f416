import type { Pool } from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, ConsoleSessionStore, SessionSummary, SignInMethod } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { nulSafePool } from './postgres-transaction';

/** The web console's sessions in PostgreSQL (the console-sessions migrations): only the SHA-256 of each session id is kept. */

const hash = (id: string) => createHash('sha256').update(id).digest('hex');
/** 16 hex digits of the hash: enough to tell an account's sessions apart, useless to open one. */
const HANDLE_LENGTH = 16;
const HANDLE = new RegExp(`^[0-9a-f]{${HANDLE_LENGTH}}$`);

interface SessionRow {
  account_id: string;
  csrf: string;
  created_ms: number;
  expires_ms: number;
  revoked_ms: number | null;
}

interface SummaryRow {
  id_hash: string;
  method: string;
  user_agent: string | null;
  created_ms: number;
  expires_ms: number;
}

export class PostgresConsoleSessions implements ConsoleSessionStore {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  /** A new session; returns the id for the cookie (never stored in clear). */
  async create(accountId: string, now: number, ttlMs: number, opened: { method?: SignInMethod; userAgent?: string } = {}): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { accountId, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + ttlMs };
    // Revoked sessions, and sessions expired a day ago, are dropped (as in SQLite).
    await this.pool.query('DELETE FROM console_sessions WHERE expires_ms < $1 OR revoked_ms IS NOT NULL', [now - 86_400_000]);
    await this.pool.query(
      'INSERT INTO console_sessions (id_hash, account_id, csrf, created_ms, expires_ms, method, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [hash(id), accountId, session.csrf, now, session.expiresAt, opened.method ?? 'token', opened.userAgent?.slice(0, 200) ?? null],
    );
    return { id, session };
  }

  /** The live session with that id: unknown, expired and revoked ones are refused alike. */
  async get(id: string | undefined, now: number): Promise<ConsoleSession | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return undefined;
    const row = (await this.pool.query<SessionRow>('SELECT account_id, csrf, created_ms, expires_ms, revoked_ms FROM console_sessions WHERE id_hash = $1', [hash(id)])).rows[0];
    if (!row || row.revoked_ms !== null || row.expires_ms <= now) return undefined;
    return { accountId: row.account_id, csrf: row.csrf, createdAt: row.created_ms, expiresAt: row.expires_ms };
  }

  handleOf(id: string): string {
    return hash(id).slice(0, HANDLE_LENGTH);
  }

  async revoke(id: string, now: number): Promise<void> {
    await this.pool.query('UPDATE console_sessions SET revoked_ms = $1 WHERE id_hash = $2 AND revoked_ms IS NULL', [now, hash(id)]);
  }

  async live(accountId: string, now: number): Promise<SessionSummary[]> {
    const rows = (
      await this.pool.query<SummaryRow>(
        `SELECT id_hash, method, user_agent, created_ms, expires_ms FROM console_sessions
         WHERE account_id = $1 AND revoked_ms IS NULL AND expires_ms > $2 ORDER BY created_ms DESC, id_hash`,
        [accountId, now],
      )
    ).rows;
    return rows.map((r) => ({
      handle: r.id_hash.slice(0, HANDLE_LENGTH),
      method: r.method === 'link_code' ? 'link_code' : 'token',
      ...(r.user_agent ? { userAgent: r.user_agent } : {}),
      createdAt: r.created_ms,
      expiresAt: r.expires_ms,
    }));
  }

  async revokeHandle(accountId: string, handle: string, now: number): Promise<boolean> {
    if (!HANDLE.test(handle)) return false;
    const result = await this.pool.query(
      `UPDATE console_sessions SET revoked_ms = $1 WHERE account_id = $2 AND substr(id_hash, 1, ${HANDLE_LENGTH}) = $3 AND revoked_ms IS NULL AND expires_ms > $1`,
      [now, accountId, handle],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Ends every session of an account (a lost phone, a person who left); returns how many were live. */
  async revokeAccount(accountId: string, now: number): Promise<number> {
    return (await this.pool.query('UPDATE console_sessions SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL AND expires_ms > $1', [now, accountId])).rowCount ?? 0;
  }

  async liveCounts(now: number): Promise<Map<string, number>> {
    const rows = (
      await this.pool.query<{ account_id: string; n: string | number }>(
        'SELECT account_id, count(*) AS n FROM console_sessions WHERE revoked_ms IS NULL AND expires_ms > $1 GROUP BY account_id',
        [now],
      )
    ).rows;
    return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
  }
}
