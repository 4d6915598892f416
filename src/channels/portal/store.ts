import type Database from 'better-sqlite3';
import { createHash, timingSafeEqual } from 'node:crypto';

import type {
  ActivityPage,
  DirectLineActivity,
  DirectLineConversation,
  DirectLineStore,
  IdentityCheck,
  NewDirectLineActivity,
  PortalIdentity,
  StoredDirectLineActivity,
  TokenCheck,
} from '../../app/ports';

export type {
  ActivityPage,
  DirectLineActivity,
  DirectLineConversation,
  DirectLineStore,
  IdentityCheck,
  NewDirectLineActivity,
  PortalIdentity,
  StoredDirectLineActivity,
  TokenCheck,
} from '../../app/ports';

/** What the bot must answer: a citizen's message or event (a bot's own activities never are). */
export function needsTurn(activity: NewDirectLineActivity): boolean {
  return activity.from.role === 'user' && (activity.type === 'message' || activity.type === 'event');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

export class UnknownConversationError extends Error {
  constructor(readonly conversationId: string) {
    super(`unknown Direct Line conversation ${conversationId}`);
    this.name = 'UnknownConversationError';
  }
}

/** A dl_conversations row, as both store adapters read it. */
export interface ConversationRow {
  id: string;
  token_hash: string;
  user_id: string;
  created_ms: number;
  expires_ms: number;
  last_ms: number;
}

export function fromRow(row: ConversationRow): DirectLineConversation {
  return { id: row.id, userId: row.user_id, createdAt: row.created_ms, expiresAt: row.expires_ms, lastActivityAt: row.last_ms };
}

/** A portal_identities row, as both store adapters read it. */
export interface IdentityRow {
  id: string;
  secret_hash: string;
  created_ms: number;
  expires_ms: number;
  last_ms: number;
}

export function identityFromRow(row: IdentityRow): PortalIdentity {
  return { id: row.id, createdAt: row.created_ms, expiresAt: row.expires_ms, lastUsedAt: row.last_ms };
}

/** The check both adapters make on a stored identity (the row as it was before this use). */
export function checkIdentity(row: IdentityRow | undefined, secretHash: string, now: number): IdentityCheck {
  if (!row) return { ok: false, reason: 'unknown-identity' };
  if (!sameHash(row.secret_hash, secretHash)) return { ok: false, reason: 'invalid-secret' };
  if (row.expires_ms <= now) return { ok: false, reason: 'expired-identity' };
  return { ok: true, identity: identityFromRow(row) };
}

/** Token hashes compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** On the ledger's SQLite database (`SqliteLedgerStore.db`), tables of migration 3. */
export class SqliteDirectLineStore implements DirectLineStore {
  private readonly stmt;
  private readonly appendTx;

  constructor(db: Database.Database) {
    this.stmt = {
      insert: db.prepare(
        'INSERT INTO dl_conversations (id, token_hash, user_id, created_ms, expires_ms, last_ms) VALUES (@id, @token_hash, @user_id, @created_ms, @expires_ms, @last_ms)',
      ),
      find: db.prepare<[string], ConversationRow>('SELECT * FROM dl_conversations WHERE id = ?'),
      setExpiry: db.prepare<[number, string]>('UPDATE dl_conversations SET expires_ms = ? WHERE id = ?'),
      setToken: db.prepare<[string, number, string]>('UPDATE dl_conversations SET token_hash = ?, expires_ms = ? WHERE id = ?'),
      touch: db.prepare<[number, string]>('UPDATE dl_conversations SET last_ms = max(last_ms, ?) WHERE id = ?'),
      lastSeq: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM dl_activities WHERE conversation_id = ?'),
      insertActivity: db.prepare<[string, number, string]>('INSERT INTO dl_activities (conversation_id, seq, activity) VALUES (?, ?, ?)'),
      insertPending: db.prepare<[string, number, number]>('INSERT OR IGNORE INTO dl_pending (conversation_id, seq, stored_ms) VALUES (?, ?, ?)'),
      unhandled: db.prepare<[number, number], { seq: number; activity: string }>(
        `SELECT a.seq AS seq, a.activity AS activity FROM dl_pending p JOIN dl_activities a ON a.conversation_id = p.conversation_id AND a.seq = p.seq
         WHERE p.stored_ms < ? ORDER BY p.stored_ms, p.conversation_id, p.seq LIMIT ?`,
      ),
      handled: db.prepare<[string, number]>('DELETE FROM dl_pending WHERE conversation_id = ? AND seq = ?'),
      after: db.prepare<[string, number, number], { seq: number; activity: string }>(
        'SELECT seq, activity FROM dl_activities WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      insertIdentity: db.prepare('INSERT INTO portal_identities (id, secret_hash, created_ms, expires_ms, last_ms) VALUES (@id, @secret_hash, @created_ms, @expires_ms, @last_ms)'),
      findIdentity: db.prepare<[string], IdentityRow>('SELECT * FROM portal_identities WHERE id = ?'),
      useIdentity: db.prepare<[number, number, string]>('UPDATE portal_identities SET last_ms = max(last_ms, ?), expires_ms = max(expires_ms, ?) WHERE id = ?'),
    };
    // Sequence numbers are taken inside one transaction, so concurrent appends never share one.
    this.appendTx = db.transaction((conversationId: string, activity: NewDirectLineActivity, now: number): StoredDirectLineActivity => {
      if (this.stmt.touch.run(now, conversationId).changes === 0) throw new UnknownConversationError(conversationId);
      const seq = (this.stmt.lastSeq.get(conversationId)?.seq ?? 0) + 1;
      const stored = { ...activity, id: activityId(conversationId, seq) } as DirectLineActivity;
      this.stmt.insertActivity.run(conversationId, seq, JSON.stringify(stored));
      if (needsTurn(activity)) this.stmt.insertPending.run(conversationId, seq, now);
      return { seq, activity: stored };
    });
  }

  async createConversation(input: { id: string; tokenHash: string; userId: string; expiresAt: number; now: number }): Promise<DirectLineConversation> {
    const row: ConversationRow = {
      id: input.id,
      token_hash: input.tokenHash,
      user_id: input.userId,
      created_ms: input.now,
      expires_ms: input.expiresAt,
      last_ms: input.now,
    };
    this.stmt.insert.run(row);
    return fromRow(row);
  }

  async findConversation(id: string): Promise<DirectLineConversation | undefined> {
    const row = this.stmt.find.get(id);
    return row ? fromRow(row) : undefined;
  }

  async verifyToken(id: string, token: string, now: number): Promise<TokenCheck> {
    const row = this.stmt.find.get(id);
    if (!row) return { ok: false, reason: 'unknown-conversation' };
    if (!sameHash(row.token_hash, hashToken(token))) return { ok: false, reason: 'invalid-token' };
    if (row.expires_ms <= now) return { ok: false, reason: 'expired-token' };
    return { ok: true, conversation: fromRow(row) };
  }

  async refreshToken(id: string, update: { expiresAt: number; tokenHash?: string }): Promise<boolean> {
    const result =
      update.tokenHash === undefined ? this.stmt.setExpiry.run(update.expiresAt, id) : this.stmt.setToken.run(update.tokenHash, update.expiresAt, id);
    return result.changes > 0;
  }

  async appendActivity(conversationId: string, activity: NewDirectLineActivity, now: number): Promise<StoredDirectLineActivity> {
    return this.appendTx.immediate(conversationId, activity, now);
  }

  async unhandledActivities(limit: number, before: number): Promise<StoredDirectLineActivity[]> {
    return this.stmt.unhandled.all(before, limit).map((r) => ({ seq: r.seq, activity: JSON.parse(r.activity) as DirectLineActivity }));
  }

  async markHandled(activity: DirectLineActivity): Promise<void> {
    const seq = Number(activity.id.slice(activity.id.lastIndexOf('|') + 1));
    this.stmt.handled.run(activity.conversation.id, seq);
  }

  async createIdentity(input: { id: string; secretHash: string; expiresAt: number; now: number }): Promise<PortalIdentity> {
    const row: IdentityRow = { id: input.id, secret_hash: input.secretHash, created_ms: input.now, expires_ms: input.expiresAt, last_ms: input.now };
    this.stmt.insertIdentity.run(row);
    return identityFromRow(row);
  }

  async useIdentity(id: string, secretHash: string, now: number, expiresAt: number): Promise<IdentityCheck> {
    const check = checkIdentity(this.stmt.findIdentity.get(id), secretHash, now);
    if (!check.ok) return check;
    this.stmt.useIdentity.run(now, expiresAt, id);
    return { ok: true, identity: identityFromRow(this.stmt.findIdentity.get(id) as IdentityRow) };
  }

  async listActivities(conversationId: string, afterSeq: number, limit: number): Promise<ActivityPage> {
    const rows = this.stmt.after.all(conversationId, afterSeq, limit);
    const activities = rows.map((r) => ({ seq: r.seq, activity: JSON.parse(r.activity) as DirectLineActivity }));
    // A watermark beyond the end (e.g. from a restored database) is pulled back so new activities are not skipped.
    const watermark = activities.length > 0 ? activities[activities.length - 1].seq : Math.min(afterSeq, this.stmt.lastSeq.get(conversationId)?.seq ?? 0);
    return { activities, watermark };
  }
}
