import { randomUUID } from 'node:crypto';
import { inTransaction } from './postgres-transaction';
import type { PoolClient } from 'pg';
import type {
  ChannelQueueStore,
  InboundEvent,
  MessagingChannel,
  NewInboundEvent,
  NewOutboundMessage,
  OutboundMessage,
  OutboundStatus,
  TurnResult,
  UndeliveredDecision,
} from './channel-types';
import { SETTLEABLE } from './channel-types';
import { blankedCodePayload, isCodePayload, inbound, outbound, type InboxRow, type OutboxRow } from './channel-rows';
import { INSTANCE_LOCK_CLASS, type PostgresLedgerStore } from './postgres';
import { SecretBox, secretBoxFromEnv } from './secret-box';

/** The outbox row as the claim reads it: it also orders by the next attempt. */
type DueOutboxRow = OutboxRow & { next_attempt_ms: number };

/**
 * PostgreSQL text cannot hold NUL, which a channel's ids could carry (JSON allows "\u0000"): it becomes U+FFFD
 * in the plain text columns, the same every time, so a replayed event is still recognised. JSON columns are
 * written escaped by JSON.stringify and need nothing.
 */
export const pgKeyText = (value: string): string => (value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value);
const optionalText = (value: string | undefined): string | null => (value === undefined ? null : pgKeyText(value));

/** True in SQL when the instance `column` names is gone: its liveness lock can be taken (released at the statement's end). */
const gone = (column: string) => `pg_try_advisory_xact_lock(${INSTANCE_LOCK_CLASS}, ${column})`;

/**
 * The inbox and outbox in PostgreSQL, shared by several instances: claims take rows with
 * `FOR UPDATE SKIP LOCKED` (two consumers never get the same row), once-only keys are unique keys,
 * and every claim records the instance that holds it, so that a restart frees only what dead
 * instances held (see PostgresLedgerStore.instanceId).
 */
export class PostgresChannelQueueStore implements ChannelQueueStore {
  private readonly pool;

  constructor(
    private readonly ledger: PostgresLedgerStore,
    /** Channel secrets at rest: encrypted when HOIDAP_SECRET_KEY is set. */
    private readonly secrets: SecretBox = secretBoxFromEnv(),
  ) {
    this.pool = ledger.pool;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  /** One statement per request: the events (in their order, so per-user order follows ids) and the users' last interaction. */
  async enqueueInbound(events: readonly NewInboundEvent[]): Promise<number> {
    const bad = events.find((e) => !Number.isSafeInteger(e.receivedAt) || (e.interaction !== undefined && !Number.isSafeInteger(e.interaction.at)));
    if (bad) throw new Error(`inbound event ${bad.channel}:${bad.dedupeKey} has no valid time`);
    if (events.length === 0) return 0;
    const touched = events.filter((e) => e.interaction);
    const result = await this.pool.query<{ n: number }>(
      `WITH added AS (
         INSERT INTO inbox (channel, dedupe_key, user_key, kind, payload, received_ms, status)
         SELECT channel, dedupe_key, user_key, kind, payload, received_ms, status
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
           WITH ORDINALITY AS e (channel, dedupe_key, user_key, kind, payload, received_ms, status, n)
         ORDER BY n
         ON CONFLICT (channel, dedupe_key) DO NOTHING
         RETURNING 1
       ), touched AS (
         INSERT INTO channel_users (channel, user_id, last_inbound_ms)
         SELECT channel, user_id, max(at) FROM unnest($8::text[], $9::text[], $10::bigint[]) AS t (channel, user_id, at)
         GROUP BY channel, user_id ORDER BY channel, user_id
         ON CONFLICT (channel, user_id) DO UPDATE SET last_inbound_ms = greatest(channel_users.last_inbound_ms, EXCLUDED.last_inbound_ms)
       )
       SELECT count(*) AS n FROM added`,
      [
        events.map((e) => e.channel),
        events.map((e) => pgKeyText(e.dedupeKey)),
        events.map((e) => pgKeyText(e.userKey)),
        events.map((e) => pgKeyText(e.kind)),
        events.map((e) => pgKeyText(e.payload)),
        events.map((e) => e.receivedAt),
        events.map((e) => (e.ignored ? 'ignored' : 'pending')),
        touched.map((e) => e.channel),
        touched.map((e) => optionalText(e.interaction?.userId)),
        touched.map((e) => e.interaction?.at),
      ],
    );
    return result.rows[0].n;
  }

  async claimInbound(owner: string, now: number, leaseMs: number, limit: number): Promise<InboundEvent[]> {
    const instance = await this.ledger.instanceId();
    // Only each user's earliest pending event, and not while it is leased: a user's events are handled in order.
    const result = await this.pool.query<InboxRow>(
      `WITH picked AS (
         SELECT i.id FROM inbox i
         WHERE i.status = 'pending' AND (i.lease_until IS NULL OR i.lease_until < $1)
           AND i.id = (SELECT min(j.id) FROM inbox j WHERE j.user_key = i.user_key AND j.status = 'pending')
         ORDER BY i.id LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE inbox SET lease_owner = $3, lease_instance = $4, lease_until = $5, attempts = inbox.attempts + 1
       FROM picked WHERE inbox.id = picked.id
       RETURNING inbox.id, inbox.channel, inbox.dedupe_key, inbox.user_key, inbox.kind, inbox.payload, inbox.received_ms, inbox.attempts`,
      [now, limit, owner, instance, now + leaseMs],
    );
    return result.rows.sort((a, b) => a.id - b.id).map(inbound);
  }

  async completeInbound(id: number, owner: string, now: number, result: TurnResult): Promise<boolean> {
    return this.transaction(async (client) => {
      const finished = await client.query(
        `UPDATE inbox SET status = $1, processed_ms = $2, error = $3, lease_owner = NULL, lease_instance = NULL, lease_until = NULL
         WHERE id = $4 AND lease_owner = $5 AND status = 'pending'`,
        [result.status, now, optionalText(result.error), id, owner],
      );
      if (finished.rowCount !== 1) return false;
      await writeBotState(client, result.stateWrites, now);
      // Officers' answers that expired waiting for the window, before this turn's replies (lower ids go out first).
      if (result.from)
        await client.query(
          `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_ms = $1, last_error = 'expired; sent when the person wrote again',
             lease_owner = NULL, lease_instance = NULL, lease_until = NULL
           WHERE channel = $2 AND recipient = $3 AND status = 'expired' AND (payload::jsonb) -> 'human' = 'true'::jsonb`,
          [now, result.from.channel, pgKeyText(result.from.recipient)],
        );
      await insertOutbound(client, result.replies, now);
      return true;
    });
  }

  async releaseInbound(id: number, owner: string, error: string, maxAttempts: number): Promise<void> {
    await this.pool.query(
      `UPDATE inbox SET lease_owner = NULL, lease_instance = NULL, lease_until = NULL, error = $1,
         status = CASE WHEN attempts >= $2 THEN 'failed' ELSE status END
       WHERE id = $3 AND lease_owner = $4`,
      [pgKeyText(error.slice(0, 500)), maxAttempts, id, owner],
    );
  }

  async enqueueOutbound(messages: readonly NewOutboundMessage[], now: number): Promise<void> {
    await insertOutbound(this.pool, messages, now);
  }

  async enqueueOnce(key: string, messages: readonly NewOutboundMessage[], now: number): Promise<boolean> {
    // A second instance with the same key waits on the unique key until the first commits, then inserts nothing.
    return this.transaction(async (client) => {
      const claimed = await client.query('INSERT INTO notifications_sent (key, created_ms) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now]);
      if (claimed.rowCount !== 1) return false;
      await insertOutbound(client, messages, now);
      return true;
    });
  }

  async firstRecorded(key: string, now: number): Promise<number> {
    await this.pool.query('INSERT INTO notifications_sent (key, created_ms) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now]);
    // A statement of its own: it sees the row whichever instance committed it.
    const found = await this.pool.query<{ created_ms: number }>('SELECT created_ms FROM notifications_sent WHERE key = $1', [key]);
    return found.rows[0]?.created_ms ?? now;
  }

  async claimOutbound(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboundMessage[]> {
    const instance = await this.ledger.instanceId();
    // Sends of an instance that died mid-send: nobody else would ever finish them, and they hold their recipient's queue.
    await this.markInterrupted(`lease_instance <> $1 AND ${gone('lease_instance')}`, [instance]);
    const result = await this.pool.query<DueOutboxRow>(
      `WITH picked AS (
         SELECT o.id FROM outbox o
         WHERE o.status = 'pending' AND o.next_attempt_ms <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)
           AND o.id = (SELECT min(p.id) FROM outbox p WHERE p.channel = o.channel AND p.recipient = o.recipient AND p.status IN ('pending', 'sending'))
         ORDER BY o.next_attempt_ms, o.id LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE outbox SET status = 'sending', lease_owner = $3, lease_instance = $4, lease_until = $5, attempts = outbox.attempts + 1
       FROM picked WHERE outbox.id = picked.id
       RETURNING outbox.*`,
      [now, limit, owner, instance, now + leaseMs],
    );
    return result.rows.sort((a, b) => a.next_attempt_ms - b.next_attempt_ms || a.id - b.id).map(outbound);
  }

  /** Sends in flight matching `where` become 'unknown' (never resent automatically). Their lease stays: a late finish still records itself. */
  private async markInterrupted(where: string, params: unknown[]): Promise<number> {
    const result = await this.pool.query(
      `UPDATE outbox SET status = 'unknown', last_error = 'the server stopped while sending' WHERE status = 'sending' AND ${where}`,
      params,
    );
    return result.rowCount ?? 0;
  }

  async finishOutbound(id: number, owner: string, now: number, outcome: { status: 'sent' | 'dead' | 'expired'; providerId?: string; error?: string }): Promise<void> {
    await this.pool.query(
      `UPDATE outbox SET status = $1, sent_ms = $2, provider_id = $3, last_error = $4, lease_owner = NULL, lease_instance = NULL, lease_until = NULL
       WHERE id = $5 AND lease_owner = $6`,
      [outcome.status, outcome.status === 'sent' ? now : null, optionalText(outcome.providerId), optionalText(outcome.error?.slice(0, 500)), id, owner],
    );
    await this.blankCode(this.pool, id);
  }

  /** A contact code's message is done with: its code leaves the payload (the row stays for the admins' view). */
  private async blankCode(db: Pick<PoolClient, 'query'>, id: number): Promise<void> {
    const row = (await db.query<{ payload: string; status: OutboundStatus }>('SELECT payload, status FROM outbox WHERE id = $1', [id])).rows[0];
    if (!row || !['sent', 'dead', 'expired'].includes(row.status)) return;
    const blanked = blankedCodePayload(row.payload);
    if (blanked) await db.query('UPDATE outbox SET payload = $1 WHERE id = $2', [blanked, id]);
  }

  async retryOutbound(id: number, owner: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE outbox SET status = 'pending', next_attempt_ms = $1, last_error = $2, lease_owner = NULL, lease_instance = NULL, lease_until = NULL
       WHERE id = $3 AND lease_owner = $4`,
      [nextAttemptAt, pgKeyText(error.slice(0, 500)), id, owner],
    );
  }

  /**
   * Frees the claims of this instance and of instances that are gone; the claims of instances still
   * running (their liveness lock is held) are theirs to finish. Nothing else changes from SQLite.
   */
  async recoverAfterRestart(): Promise<{ inbound: number; interruptedSends: number }> {
    const instance = await this.ledger.instanceId();
    const freed = await this.pool.query(
      `UPDATE inbox SET lease_owner = NULL, lease_instance = NULL, lease_until = NULL
       WHERE status = 'pending' AND lease_owner IS NOT NULL AND (lease_instance IS NULL OR lease_instance = $1 OR ${gone('lease_instance')})`,
      [instance],
    );
    const interruptedSends = await this.markInterrupted(`(lease_instance IS NULL OR lease_instance = $1 OR ${gone('lease_instance')})`, [instance]);
    return { inbound: freed.rowCount ?? 0, interruptedSends };
  }

  async outboundByStatus(): Promise<Record<OutboundStatus, number>> {
    const counts: Record<OutboundStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0, expired: 0, unknown: 0 };
    const rows = await this.pool.query<{ status: OutboundStatus; n: number }>('SELECT status, count(*) AS n FROM outbox GROUP BY status');
    for (const r of rows.rows) counts[r.status] = r.n;
    return counts;
  }

  async inboundByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = { pending: 0, done: 0, ignored: 0, failed: 0 };
    const rows = await this.pool.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM inbox GROUP BY status');
    for (const r of rows.rows) counts[r.status] = r.n;
    return counts;
  }

  async undelivered(limit: number): Promise<Array<OutboundMessage & { status: OutboundStatus; lastError?: string }>> {
    const rows = await this.pool.query<OutboxRow>(`SELECT * FROM outbox WHERE status IN ('dead', 'expired', 'unknown') ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.rows.map((r) => ({ ...outbound(r), status: r.status, ...(r.last_error ? { lastError: r.last_error } : {}) }));
  }

  async settleUndelivered(id: number, decision: UndeliveredDecision, note: string, now: number): Promise<{ was: OutboundStatus } | { conflict: OutboundStatus } | undefined> {
    return this.transaction(async (client) => {
      const row = (await client.query<{ status: OutboundStatus; payload: string }>('SELECT status, payload FROM outbox WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!row) return undefined;
      if (!SETTLEABLE[decision].includes(row.status) || (decision === 'resend' && isCodePayload(row.payload))) return { conflict: row.status };
      if (decision === 'resend')
        await client.query(
          `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_ms = $1, last_error = $2, lease_owner = NULL, lease_instance = NULL, lease_until = NULL WHERE id = $3`,
          [now, pgKeyText(note.slice(0, 500)), id],
        );
      else
        await client.query(
          `UPDATE outbox SET status = 'sent', sent_ms = $1, last_error = $2, lease_owner = NULL, lease_instance = NULL, lease_until = NULL WHERE id = $3`,
          [now, pgKeyText(note.slice(0, 500)), id],
        );
      if (decision !== 'resend') await this.blankCode(client, id);
      return { was: row.status };
    });
  }

  /** For the /metrics gauges: counts along the partial indexes inbox_pending, inbox_failed and outbox_undelivered. */
  async inboxPending(): Promise<number> {
    return (await this.pool.query<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE status = 'pending'")).rows[0].n;
  }

  async inboxFailed(): Promise<number> {
    return (await this.pool.query<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE status = 'failed'")).rows[0].n;
  }

  async undeliveredByStatus(): Promise<Record<'dead' | 'expired' | 'unknown', number>> {
    const counts = { dead: 0, expired: 0, unknown: 0 };
    const rows = await this.pool.query<{ status: 'dead' | 'expired' | 'unknown'; n: number }>(
      `SELECT status, count(*) AS n FROM outbox WHERE status IN ('dead', 'expired', 'unknown') GROUP BY status`,
    );
    for (const r of rows.rows) counts[r.status] = r.n;
    return counts;
  }

  async touchUser(channel: MessagingChannel, userId: string, at: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO channel_users (channel, user_id, last_inbound_ms) VALUES ($1, $2, $3)
       ON CONFLICT (channel, user_id) DO UPDATE SET last_inbound_ms = greatest(channel_users.last_inbound_ms, EXCLUDED.last_inbound_ms)`,
      [channel, pgKeyText(userId), at],
    );
  }

  async lastInbound(channel: MessagingChannel, userId: string): Promise<number | undefined> {
    const rows = await this.pool.query<{ last_inbound_ms: number }>('SELECT last_inbound_ms FROM channel_users WHERE channel = $1 AND user_id = $2', [channel, pgKeyText(userId)]);
    return rows.rows[0]?.last_inbound_ms;
  }

  /**
   * Seals every channel secret still stored in clear (with a key; without one, nothing); returns how many.
   * Called when the stores open (the server's start). PostgreSQL keeps the replaced row versions until
   * VACUUM reuses their space, and its WAL and older backups still hold them.
   */
  async sealStoredSecrets(): Promise<number> {
    if (!this.secrets.sealing) return 0;
    return this.transaction(async (client) => {
      const plain = (await client.query<{ name: string; value: string }>("SELECT name, value FROM channel_secrets WHERE value NOT LIKE 'enc:v1:%' FOR UPDATE")).rows;
      let sealed = 0;
      // Only a value still as read is replaced: another instance may have written a sealed one meanwhile.
      for (const r of plain) sealed += (await client.query('UPDATE channel_secrets SET value = $1 WHERE name = $2 AND value = $3', [this.secrets.seal(r.value), r.name, r.value])).rowCount ?? 0;
      return sealed;
    });
  }

  async getSecret(name: string): Promise<string | undefined> {
    const stored = (await this.pool.query<{ value: string }>('SELECT value FROM channel_secrets WHERE name = $1', [name])).rows[0]?.value;
    return stored === undefined ? undefined : this.secrets.open(stored);
  }

  async setSecret(name: string, value: string, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO channel_secrets (name, value, updated_ms) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_ms = EXCLUDED.updated_ms`,
      [name, this.secrets.seal(value), now],
    );
  }
}

/** Messages in their order (ids follow it: a recipient's messages go out in that order). */
async function insertOutbound(db: Pick<PoolClient, 'query'>, messages: readonly NewOutboundMessage[], now: number): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO outbox (channel, recipient, payload, source, created_ms, next_attempt_ms)
     SELECT channel, recipient, payload, source, $5, $5
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m (channel, recipient, payload, source, n)
     ORDER BY n`,
    [messages.map((m) => m.channel), messages.map((m) => pgKeyText(m.recipient)), messages.map((m) => JSON.stringify(m.payload)), messages.map((m) => optionalText(m.source)), now],
  );
}

/**
 * botbuilder state written with a turn, with the eTag check of PostgresBotStorage: a stale eTag fails
 * (and with it the whole transaction), "*" or none overwrites. The row lock serialises concurrent writers.
 */
export async function writeBotState(client: PoolClient, changes: Record<string, unknown>, now: number): Promise<void> {
  // Keys in one order everywhere: two turns writing the same keys wait for each other instead of deadlocking.
  for (const [key, item] of Object.entries(changes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { eTag, ...value } = (item ?? {}) as { eTag?: string };
    const current = (await client.query<{ etag: string }>('SELECT etag FROM bot_state WHERE key = $1 FOR UPDATE', [pgKeyText(key)])).rows[0]?.etag;
    if (current && eTag && eTag !== '*' && eTag !== current) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
    await client.query(
      `INSERT INTO bot_state (key, etag, value, updated_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, value = EXCLUDED.value, updated_ms = EXCLUDED.updated_ms`,
      [pgKeyText(key), randomUUID(), JSON.stringify(value), now],
    );
  }
}
