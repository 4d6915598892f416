import {
  activityId,
  checkIdentity,
  fromRow,
  identityFromRow,
  hashToken,
  needsTurn,
  sameHash,
  UnknownConversationError,
  type ActivityPage,
  type ConversationRow,
  type DirectLineActivity,
  type DirectLineConversation,
  type DirectLineStore,
  type IdentityCheck,
  type IdentityRow,
  type NewDirectLineActivity,
  type PortalIdentity,
  type StoredDirectLineActivity,
  type TokenCheck,
} from '../channels/portal/store';
import { INSTANCE_LOCK_CLASS, type PostgresLedgerStore } from './postgres';

/** The stored JSON has no id: it is the conversation's and the sequence number's, added back on reading. */
const stored = (conversationId: string, seq: number, json: string): StoredDirectLineActivity => ({
  seq,
  activity: { ...(JSON.parse(json) as NewDirectLineActivity), id: activityId(conversationId, seq) },
});

/**
 * The portal's conversations in PostgreSQL. Every instance reads and writes the same rows, so a
 * reply the bot wrote on one instance is in the next poll (GET activities) of a client talking to
 * another: the poll reads the table, nothing waits in memory. A citizen's message whose turn has
 * not finished is recorded with the instance running it; another instance's recovery takes it
 * only once that instance is gone (PostgresLedgerStore.instanceId).
 */
export class PostgresDirectLineStore implements DirectLineStore {
  private readonly pool;

  constructor(private readonly ledger: PostgresLedgerStore) {
    this.pool = ledger.pool;
  }

  async createConversation(input: { id: string; tokenHash: string; userId: string; expiresAt: number; now: number }): Promise<DirectLineConversation> {
    const row: ConversationRow = { id: input.id, token_hash: input.tokenHash, user_id: input.userId, created_ms: input.now, expires_ms: input.expiresAt, last_ms: input.now };
    await this.pool.query('INSERT INTO dl_conversations (id, token_hash, user_id, created_ms, expires_ms, last_ms) VALUES ($1, $2, $3, $4, $5, $6)', [
      row.id,
      row.token_hash,
      row.user_id,
      row.created_ms,
      row.expires_ms,
      row.last_ms,
    ]);
    return fromRow(row);
  }

  private async row(id: string): Promise<ConversationRow | undefined> {
    // PostgreSQL text cannot hold NUL, so no conversation has it (the id comes from the URL or a token).
    if (id.includes('\u0000')) return undefined;
    return (await this.pool.query<ConversationRow>('SELECT id, token_hash, user_id, created_ms, expires_ms, last_ms FROM dl_conversations WHERE id = $1', [id])).rows[0];
  }

  async findConversation(id: string): Promise<DirectLineConversation | undefined> {
    const row = await this.row(id);
    return row ? fromRow(row) : undefined;
  }

  async verifyToken(id: string, token: string, now: number): Promise<TokenCheck> {
    const row = await this.row(id);
    if (!row) return { ok: false, reason: 'unknown-conversation' };
    if (!sameHash(row.token_hash, hashToken(token))) return { ok: false, reason: 'invalid-token' };
    if (row.expires_ms <= now) return { ok: false, reason: 'expired-token' };
    return { ok: true, conversation: fromRow(row) };
  }

  async refreshToken(id: string, update: { expiresAt: number; tokenHash?: string }): Promise<boolean> {
    if (id.includes('\u0000')) return false;
    const result =
      update.tokenHash === undefined
        ? await this.pool.query('UPDATE dl_conversations SET expires_ms = $1 WHERE id = $2', [update.expiresAt, id])
        : await this.pool.query('UPDATE dl_conversations SET token_hash = $1, expires_ms = $2 WHERE id = $3', [update.tokenHash, update.expiresAt, id]);
    return (result.rowCount ?? 0) > 0;
  }

  /** One statement: the conversation's row lock hands out the sequence number, so appends from any instance never share one. */
  async appendActivity(conversationId: string, activity: NewDirectLineActivity, now: number): Promise<StoredDirectLineActivity> {
    if (conversationId.includes('\u0000')) throw new UnknownConversationError(conversationId);
    const { id: _ignored, ...content } = activity as NewDirectLineActivity & { id?: unknown };
    const json = JSON.stringify(content);
    const owner = needsTurn(activity) ? await this.ledger.instanceId() : null;
    const result = await this.pool.query<{ seq: number }>(
      `WITH c AS (
         UPDATE dl_conversations SET last_ms = greatest(last_ms, $2), last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq AS seq
       ), a AS (
         INSERT INTO dl_activities (conversation_id, seq, activity) SELECT $1, seq, $3 FROM c RETURNING seq
       ), p AS (
         INSERT INTO dl_pending (conversation_id, seq, stored_ms, owner) SELECT $1, seq, $2, $4 FROM a WHERE $4::integer IS NOT NULL
       )
       SELECT seq FROM a`,
      [conversationId, now, json, owner],
    );
    const seq = result.rows[0]?.seq;
    if (seq === undefined) throw new UnknownConversationError(conversationId);
    return { seq, activity: { ...activity, id: activityId(conversationId, seq) } as DirectLineActivity };
  }

  async listActivities(conversationId: string, afterSeq: number, limit: number): Promise<ActivityPage> {
    if (conversationId.includes('\u0000')) return { activities: [], watermark: 0 };
    const rows = await this.pool.query<{ seq: number; activity: string }>(
      'SELECT seq, activity FROM dl_activities WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [conversationId, afterSeq, limit],
    );
    const activities = rows.rows.map((r) => stored(conversationId, r.seq, r.activity));
    if (activities.length > 0) return { activities, watermark: activities[activities.length - 1].seq };
    // A watermark beyond the end (e.g. from a restored database) is pulled back so new activities are not skipped.
    const last = (await this.pool.query<{ seq: number }>('SELECT last_seq AS seq FROM dl_conversations WHERE id = $1', [conversationId])).rows[0]?.seq ?? 0;
    return { activities, watermark: Math.min(afterSeq, last) };
  }

  /**
   * Takes over (owner = this instance) the unfinished turns stored before `before` that belong to this
   * instance or to instances that are gone; the row locks make two instances recovering at once take each once.
   */
  async unhandledActivities(limit: number, before: number): Promise<StoredDirectLineActivity[]> {
    const instance = await this.ledger.instanceId();
    const rows = await this.pool.query<{ conversation_id: string; seq: number; stored_ms: number; activity: string }>(
      `WITH picked AS (
         SELECT conversation_id, seq FROM dl_pending
         WHERE stored_ms < $1 AND (owner = $2 OR pg_try_advisory_xact_lock(${INSTANCE_LOCK_CLASS}, owner))
         ORDER BY stored_ms, conversation_id, seq LIMIT $3
         FOR UPDATE SKIP LOCKED
       ), taken AS (
         UPDATE dl_pending p SET owner = $2 FROM picked WHERE p.conversation_id = picked.conversation_id AND p.seq = picked.seq
         RETURNING p.conversation_id, p.seq, p.stored_ms
       )
       SELECT t.conversation_id, t.seq, t.stored_ms, a.activity FROM taken t
       JOIN dl_activities a ON a.conversation_id = t.conversation_id AND a.seq = t.seq`,
      [before, instance, limit],
    );
    return rows.rows
      .sort((a, b) => a.stored_ms - b.stored_ms || (a.conversation_id < b.conversation_id ? -1 : a.conversation_id > b.conversation_id ? 1 : a.seq - b.seq))
      .map((r) => stored(r.conversation_id, r.seq, r.activity));
  }

  /**
   * Waits until no earlier message of the activity's conversation is being answered by another running
   * instance (its turn not finished, that instance alive), polling every `pollMs`, at most `timeoutMs`
   * (a turn stuck elsewhere must not silence the conversation). Earlier messages of this instance are
   * already ordered by its own per-conversation queue; those of a dead instance are left to recovery.
   */
  async awaitEarlierTurns(activity: DirectLineActivity, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    const seq = Number(activity.id.slice(activity.id.lastIndexOf('|') + 1));
    const instance = await this.ledger.instanceId();
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const busy = await this.pool.query(
        `SELECT 1 FROM dl_pending WHERE conversation_id = $1 AND seq < $2 AND owner <> $3 AND NOT pg_try_advisory_xact_lock(${INSTANCE_LOCK_CLASS}, owner) LIMIT 1`,
        [activity.conversation.id, seq, instance],
      );
      if (busy.rowCount === 0 || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
    }
  }

  async createIdentity(input: { id: string; secretHash: string; expiresAt: number; now: number }): Promise<PortalIdentity> {
    const row: IdentityRow = { id: input.id, secret_hash: input.secretHash, created_ms: input.now, expires_ms: input.expiresAt, last_ms: input.now };
    await this.pool.query('INSERT INTO portal_identities (id, secret_hash, created_ms, expires_ms, last_ms) VALUES ($1, $2, $3, $4, $5)', [
      row.id,
      row.secret_hash,
      row.created_ms,
      row.expires_ms,
      row.last_ms,
    ]);
    return identityFromRow(row);
  }

  async useIdentity(id: string, secretHash: string, now: number, expiresAt: number): Promise<IdentityCheck> {
    // PostgreSQL text cannot hold NUL, so no identity has it (the id comes from the client).
    if (id.includes('\u0000')) return { ok: false, reason: 'unknown-identity' };
    const found = await this.pool.query<IdentityRow>('SELECT id, secret_hash, created_ms, expires_ms, last_ms FROM portal_identities WHERE id = $1', [id]);
    const check = checkIdentity(found.rows[0], secretHash, now);
    if (!check.ok) return check;
    const used = await this.pool.query<IdentityRow>(
      'UPDATE portal_identities SET last_ms = greatest(last_ms, $2), expires_ms = greatest(expires_ms, $3) WHERE id = $1 RETURNING id, secret_hash, created_ms, expires_ms, last_ms',
      [id, now, expiresAt],
    );
    return { ok: true, identity: identityFromRow(used.rows[0] ?? (found.rows[0] as IdentityRow)) };
  }

  async markHandled(activity: DirectLineActivity): Promise<void> {
    const seq = Number(activity.id.slice(activity.id.lastIndexOf('|') + 1));
    await this.pool.query('DELETE FROM dl_pending WHERE conversation_id = $1 AND seq = $2', [activity.conversation.id, seq]);
  }
}
