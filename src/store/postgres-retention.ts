import type { Pool } from 'pg';
import type { Retention, RetentionKind } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { inTransaction, nulSafePool } from './postgres-transaction';
import { DEDUPE_KEYS_KEPT_MS } from './sqlite-retention';

/**
 * Deletions of old channel traffic in PostgreSQL (src/jobs/retention.ts) on the channel tables
 * (inbox, outbox, dl_*, bot_state), with the semantics of SqliteRetention: each a bounded batch,
 * oldest first along an index on time. Rows another instance is purging or writing at that moment
 * are skipped (SKIP LOCKED), so instances running the job at once neither wait nor count twice.
 */
export class PostgresRetention implements Retention {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  async purgeBatch(kind: RetentionKind, cutoff: number, limit: number): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const run = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rowCount ?? 0;
      switch (kind) {
        case 'webhookEvents':
          // A handled event's id outlives its payload by a year (a redelivery is still a duplicate), then goes too.
          await run(
            `DELETE FROM inbox WHERE id IN (
               SELECT id FROM inbox WHERE received_ms < $1 AND status = 'purged' ORDER BY received_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [cutoff - DEDUPE_KEYS_KEPT_MS, limit],
          );
          return run(
            `UPDATE inbox SET payload = '{}', user_key = '', error = NULL, status = 'purged' WHERE id IN (
               SELECT id FROM inbox WHERE received_ms < $1 AND status IN ('done', 'ignored') ORDER BY received_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [cutoff, limit],
          );
        case 'sentMessages':
          return run(
            `DELETE FROM outbox WHERE id IN (
               SELECT id FROM outbox WHERE created_ms < $1 AND status IN ('sent', 'expired') ORDER BY created_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [cutoff, limit],
          );
        case 'portalConversations':
          // A conversation with its activities and unfinished turns, together.
          return run(
            `WITH old AS (
               SELECT id FROM dl_conversations WHERE last_ms < $1 ORDER BY last_ms LIMIT $2 FOR UPDATE SKIP LOCKED
             ), activities AS (
               DELETE FROM dl_activities WHERE conversation_id IN (SELECT id FROM old)
             ), pending AS (
               DELETE FROM dl_pending WHERE conversation_id IN (SELECT id FROM old)
             )
             DELETE FROM dl_conversations WHERE id IN (SELECT id FROM old)`,
            [cutoff, limit],
          );
        case 'abandonedDialogs':
          // botbuilder's ConversationState keys are "<channel>/conversations/<id>/<namespace>"; user profiles are kept.
          return run(
            `DELETE FROM bot_state WHERE key IN (
               SELECT key FROM bot_state WHERE updated_ms < $1 AND key LIKE '%/conversations/%' ORDER BY updated_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [cutoff, limit],
          );
        case 'expiredIdentities':
          return run(
            `DELETE FROM portal_identities WHERE id IN (
               SELECT id FROM portal_identities WHERE expires_ms < $1 ORDER BY expires_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [cutoff, limit],
          );
      }
    });
  }
}
