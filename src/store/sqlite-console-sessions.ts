import type Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, ConsoleSessionStore, SessionSummary, SignInMethod } from '../app/ports';

/** The web console's sessions in the SQLite file: the table keeps only the SHA-256 of each session id. */

const hash = (id: string) => createHash('sha256').update(id).digest('hex');
/** 16 hex digits of the hash: enough to tell an account's sessions apart, useless to open one. */
const HANDLE_LENGTH = 16;

export class SqliteConsoleSessions implements ConsoleSessionStore {
  constructor(private readonly db: Database.Database) {
    // The console's own table, created where it is used (no other module reads it).
    db.exec(`CREATE TABLE IF NOT EXISTS console_sessions (
      id_hash TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      csrf TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL,
      revoked_ms INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS console_sessions_by_account ON console_sessions (account_id);`);
    // Added after the first release: how the session was opened and by which browser, for the admins' list.
    const columns = new Set((db.prepare(`PRAGMA table_info(console_sessions)`).all() as Array<{ name: string }>).map((c) => c.name));
    db.transaction(() => {
      if (!columns.has('method')) db.exec(`ALTER TABLE console_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'token'`);
      if (!columns.has('user_agent')) db.exec(`ALTER TABLE console_sessions ADD COLUMN user_agent TEXT`);
    }).immediate();
  }

  /** A new session; returns the id for the cookie (never stored in clear). */
  async create(accountId: string, now: number, ttlMs: number, opened: { method?: SignInMethod; userAgent?: string } = {}): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { accountId, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + ttlMs };
    this.db.prepare(`DELETE FROM console_sessions WHERE expires_ms < ? OR revoked_ms IS NOT NULL`).run(now - 86_400_000);
    this.db
      .prepare(`INSERT INTO console_sessions (id_hash, account_id, csrf, created_ms, expires_ms, method, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(hash(id), accountId, session.csrf, now, session.expiresAt, opened.method ?? 'token', opened.userAgent?.slice(0, 200) ?? null);
    return { id, session };
  }

  /** The live session with that id: unknown, expired and revoked ones are refused alike. */
  async get(id: string | undefined, now: number): Promise<ConsoleSession | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return undefined;
    const row = this.db
      .prepare<[string], { account_id: string; csrf: string; created_ms: number; expires_ms: number; revoked_ms: number | null }>(
        `SELECT account_id, csrf, created_ms, expires_ms, revoked_ms FROM console_sessions WHERE id_hash = ?`,
      )
      .get(hash(id));
    if (!row || row.revoked_ms !== null || row.expires_ms <= now) return undefined;
    return { accountId: row.account_id, csrf: row.csrf, createdAt: row.created_ms, expiresAt: row.expires_ms };
  }

  handleOf(id: string): string {
    return hash(id).slice(0, HANDLE_LENGTH);
  }

  async revoke(id: string, now: number): Promise<void> {
    this.db.prepare(`UPDATE console_sessions SET revoked_ms = ? WHERE id_hash = ? AND revoked_ms IS NULL`).run(now, hash(id));
  }

  async live(accountId: string, now: number): Promise<SessionSummary[]> {
    return this.db
      .prepare<[string, number], { id_hash: string; method: string; user_agent: string | null; created_ms: number; expires_ms: number }>(
        `SELECT id_hash, method, user_agent, created_ms, expires_ms FROM console_sessions
         WHERE account_id = ? AND revoked_ms IS NULL AND expires_ms > ? ORDER BY created_ms DESC, id_hash`,
      )
      .all(accountId, now)
      .map(summary);
  }

  async revokeHandle(accountId: string, handle: string, now: number): Promise<boolean> {
    if (!HANDLE.test(handle)) return false;
    return (
      this.db
        .prepare(`UPDATE console_sessions SET revoked_ms = ? WHERE account_id = ? AND substr(id_hash, 1, ${HANDLE_LENGTH}) = ? AND revoked_ms IS NULL AND expires_ms > ?`)
        .run(now, accountId, handle, now).changes > 0
    );
  }

  /** Ends every session of an account (a lost phone, a person who left); returns how many were live. */
  async revokeAccount(accountId: string, now: number): Promise<number> {
    return this.db.prepare(`UPDATE console_sessions SET revoked_ms = ? WHERE account_id = ? AND revoked_ms IS NULL AND expires_ms > ?`).run(now, accountId, now).changes;
  }

  async liveCounts(now: number): Promise<Map<string, number>> {
    const rows = this.db
      .prepare<[number], { account_id: string; n: number }>(`SELECT account_id, count(*) AS n FROM console_sessions WHERE revoked_ms IS NULL AND expires_ms > ? GROUP BY account_id`)
      .all(now);
    return new Map(rows.map((r) => [r.account_id, r.n]));
  }
}

const HANDLE = new RegExp(`^[0-9a-f]{${HANDLE_LENGTH}}$`);

/** A session row as the admins' list shows it. */
function summary(r: { id_hash: string; method: string; user_agent: string | null; created_ms: number; expires_ms: number }): SessionSummary {
  return {
    handle: r.id_hash.slice(0, HANDLE_LENGTH),
    method: r.method === 'link_code' ? 'link_code' : 'token',
    ...(r.user_agent ? { userAgent: r.user_agent } : {}),
    createdAt: r.created_ms,
    expiresAt: r.expires_ms,
  };
}
