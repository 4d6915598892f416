import type Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, ConsoleSessionStore } from '../app/ports';

/** The web console's sessions in the SQLite file: the table keeps only the SHA-256 of each session id. */

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

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
  }

  /** A new session; returns the id for the cookie (never stored in clear). */
  async create(accountId: string, now: number, ttlMs: number): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { accountId, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + ttlMs };
    this.db.prepare(`DELETE FROM console_sessions WHERE expires_ms < ? OR revoked_ms IS NOT NULL`).run(now - 86_400_000);
    this.db
      .prepare(`INSERT INTO console_sessions (id_hash, account_id, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)`)
      .run(hash(id), accountId, session.csrf, now, session.expiresAt);
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

  async revoke(id: string, now: number): Promise<void> {
    this.db.prepare(`UPDATE console_sessions SET revoked_ms = ? WHERE id_hash = ? AND revoked_ms IS NULL`).run(now, hash(id));
  }

  /** Ends every session of an account (a lost phone, a person who left); returns how many were live. */
  async revokeAccount(accountId: string, now: number): Promise<number> {
    return this.db.prepare(`UPDATE console_sessions SET revoked_ms = ? WHERE account_id = ? AND revoked_ms IS NULL AND expires_ms > ?`).run(now, accountId, now).changes;
  }
}

