import type Database from 'better-sqlite3';
import type { Retention, RetentionKind } from '../app/ports';

export type { RetentionKind } from '../app/ports';

/**
 * Deletions of old channel traffic on the SQLite file (src/jobs/retention.ts), each a
 * bounded batch in its own short transaction, oldest first along an index on time
 * (migration 6), so a run never scans a whole table and never holds the write lock long.
 */

/**
 * A handled webhook event's id outlives its payload by a year: the payload (the citizen's message) goes at
 * webhookEventsDays, the row keeps only channel, id and time, so a redelivery or a replay is still a duplicate.
 * Any signed event older than the webhooks' freshness window (at most 30 days) is refused anyway.
 */
export const DEDUPE_KEYS_KEPT_MS = 365 * 86_400_000;

export class SqliteRetention implements Retention {
  private readonly purges: Record<RetentionKind, (cutoff: number, limit: number) => number>;

  constructor(private readonly db: Database.Database) {
    const inbox = db.prepare(
      `UPDATE inbox SET payload = '{}', user_key = '', error = NULL, status = 'purged' WHERE id IN (
         SELECT id FROM inbox WHERE received_ms < ? AND status IN ('done', 'ignored') ORDER BY received_ms LIMIT ?)`,
    );
    const inboxKeys = db.prepare(
      `DELETE FROM inbox WHERE id IN (
         SELECT id FROM inbox WHERE received_ms < ? AND status = 'purged' ORDER BY received_ms LIMIT ?)`,
    );
    const outbox = db.prepare(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE created_ms < ? AND status IN ('sent', 'expired') ORDER BY created_ms LIMIT ?)`,
    );
    const oldConversations = db.prepare<[number, number], { id: string }>('SELECT id FROM dl_conversations WHERE last_ms < ? ORDER BY last_ms LIMIT ?');
    const conversationActivities = db.prepare('DELETE FROM dl_activities WHERE conversation_id = ?');
    const conversationPending = db.prepare('DELETE FROM dl_pending WHERE conversation_id = ?');
    const conversation = db.prepare('DELETE FROM dl_conversations WHERE id = ?');
    // botbuilder's ConversationState keys are "<channel>/conversations/<id>/<namespace>"; user profiles
    // ("<channel>/users/...": language, the citizen's ticket list) are kept.
    const dialogs = db.prepare(
      `DELETE FROM bot_state WHERE key IN (
         SELECT key FROM bot_state WHERE updated_ms < ? AND key LIKE '%/conversations/%' ORDER BY updated_ms LIMIT ?)`,
    );
    const identities = db.prepare(
      `DELETE FROM portal_identities WHERE id IN (
         SELECT id FROM portal_identities WHERE expires_ms < ? ORDER BY expires_ms LIMIT ?)`,
    );
    this.purges = {
      webhookEvents: (cutoff, limit) => {
        inboxKeys.run(cutoff - DEDUPE_KEYS_KEPT_MS, limit);
        return inbox.run(cutoff, limit).changes;
      },
      sentMessages: (cutoff, limit) => outbox.run(cutoff, limit).changes,
      portalConversations: (cutoff, limit) => {
        let n = 0;
        for (const { id } of oldConversations.all(cutoff, limit)) {
          conversationActivities.run(id);
          conversationPending.run(id);
          n += conversation.run(id).changes;
        }
        return n;
      },
      abandonedDialogs: (cutoff, limit) => dialogs.run(cutoff, limit).changes,
      expiredIdentities: (cutoff, limit) => identities.run(cutoff, limit).changes,
    };
  }

  /** Deletes at most `limit` items of `kind` last touched before `cutoff`; returns how many. */
  async purgeBatch(kind: RetentionKind, cutoff: number, limit: number): Promise<number> {
    return this.db.transaction(() => this.purges[kind](cutoff, limit)).immediate();
  }
}
