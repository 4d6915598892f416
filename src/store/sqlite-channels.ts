import type Database from 'better-sqlite3';
import { SecretBox, secretBoxFromEnv } from './secret-box';
import { randomUUID } from 'node:crypto';
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

/** The inbox and outbox on the SQLite file (tables from migration 5 of SqliteLedgerStore). */
export class SqliteChannelQueueStore implements ChannelQueueStore {
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    /** Channel secrets at rest: encrypted when HOIDAP_SECRET_KEY is set. */
    private readonly secrets: SecretBox = secretBoxFromEnv(),
  ) {
    this.stmt = {
      insertInbound: db.prepare(
        `INSERT INTO inbox (channel, dedupe_key, user_key, kind, payload, received_ms, status)
         VALUES (@channel, @dedupeKey, @userKey, @kind, @payload, @receivedAt, @status)
         ON CONFLICT (channel, dedupe_key) DO NOTHING`,
      ),
      candidatesInbound: db.prepare<[number, number], InboxRow>(
        `SELECT i.* FROM inbox i
         WHERE i.status = 'pending' AND (i.lease_until IS NULL OR i.lease_until < ?)
           AND i.id = (SELECT min(j.id) FROM inbox j WHERE j.user_key = i.user_key AND j.status = 'pending')
         ORDER BY i.id LIMIT ?`,
      ),
      leaseInbound: db.prepare(
        `UPDATE inbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
         WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`,
      ),
      finishInbound: db.prepare(
        `UPDATE inbox SET status = ?, processed_ms = ?, error = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      ),
      releaseInbound: db.prepare(
        `UPDATE inbox SET lease_owner = NULL, lease_until = NULL, error = ?,
           status = CASE WHEN attempts >= ? THEN 'failed' ELSE status END
         WHERE id = ? AND lease_owner = ?`,
      ),
      writeState: db.prepare('INSERT OR REPLACE INTO bot_state (key, etag, value, updated_ms) VALUES (?, ?, ?, ?)'),
      stateEtag: db.prepare<[string], { etag: string }>('SELECT etag FROM bot_state WHERE key = ?'),
      insertOutbound: db.prepare(
        `INSERT INTO outbox (channel, recipient, payload, source, created_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      candidatesOutbound: db.prepare<[number, number, number], OutboxRow>(
        `SELECT o.* FROM outbox o
         WHERE o.status IN ('pending', 'sending') AND o.next_attempt_ms <= ? AND (o.lease_until IS NULL OR o.lease_until < ?)
           AND o.status = 'pending'
           AND o.id = (SELECT min(p.id) FROM outbox p WHERE p.channel = o.channel AND p.recipient = o.recipient AND p.status IN ('pending', 'sending'))
         ORDER BY o.next_attempt_ms, o.id LIMIT ?`,
      ),
      leaseOutbound: db.prepare(
        `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1
         WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`,
      ),
      finishOutbound: db.prepare(
        `UPDATE outbox SET status = ?, sent_ms = ?, provider_id = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND lease_owner = ?`,
      ),
      retryOutbound: db.prepare(
        `UPDATE outbox SET status = 'pending', next_attempt_ms = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND lease_owner = ?`,
      ),
      interrupted: db.prepare(`UPDATE outbox SET status = 'unknown', last_error = 'the server stopped while sending' WHERE status = 'sending' AND lease_until < ?`),
      outboxStatus: db.prepare<[number], { status: OutboundStatus; payload: string }>('SELECT status, payload FROM outbox WHERE id = ?'),
      resend: db.prepare(
        `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_ms = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
      ),
      confirmDelivered: db.prepare(`UPDATE outbox SET status = 'sent', sent_ms = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`),
      inboxPending: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE status = 'pending'"),
      inboxFailed: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE status = 'failed'"),
      undeliveredCounts: db.prepare<[], { status: 'dead' | 'expired' | 'unknown'; n: number }>(
        `SELECT status, count(*) AS n FROM outbox WHERE status IN ('dead', 'expired', 'unknown') GROUP BY status`,
      ),
      reopenExpired: db.prepare(
        `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_ms = ?, last_error = 'expired; sent when the person wrote again',
           lease_owner = NULL, lease_until = NULL
         WHERE channel = ? AND recipient = ? AND status = 'expired' AND json_extract(payload, '$.human') = 1`,
      ),
      touchUser: db.prepare(
        `INSERT INTO channel_users (channel, user_id, last_inbound_ms) VALUES (?, ?, ?)
         ON CONFLICT (channel, user_id) DO UPDATE SET last_inbound_ms = max(last_inbound_ms, excluded.last_inbound_ms)`,
      ),
      lastInbound: db.prepare<[string, string], { last_inbound_ms: number }>('SELECT last_inbound_ms FROM channel_users WHERE channel = ? AND user_id = ?'),
      getSecret: db.prepare<[string], { value: string }>('SELECT value FROM channel_secrets WHERE name = ?'),
      setSecret: db.prepare('INSERT OR REPLACE INTO channel_secrets (name, value, updated_ms) VALUES (?, ?, ?)'),
      claimKey: db.prepare('INSERT INTO notifications_sent (key, created_ms) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      keyCreated: db.prepare<[string], { created_ms: number }>('SELECT created_ms FROM notifications_sent WHERE key = ?'),
    };
    // With a key, secrets stored in clear before it was set are sealed now (the server's start), not at their next refresh.
    if (this.secrets.sealing) this.sealStoredSecrets();
  }

  /**
   * Seals every channel secret still stored in clear; returns how many. The old bytes are overwritten
   * (secure_delete for this write), so the file no longer holds them; older backups still do.
   */
  sealStoredSecrets(): number {
    const plain = this.db.prepare<[], { name: string; value: string }>("SELECT name, value FROM channel_secrets WHERE value NOT LIKE 'enc:v1:%'").all();
    if (plain.length === 0) return 0;
    const previous = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      const reseal = this.db.prepare('UPDATE channel_secrets SET value = ? WHERE name = ? AND value = ?');
      // Only a value still as read is replaced: another process may have written a sealed one meanwhile.
      return this.db.transaction(() => plain.reduce((n, r) => n + reseal.run(this.secrets.seal(r.value), r.name, r.value).changes, 0)).immediate();
    } finally {
      this.db.pragma(`secure_delete = ${previous ? 'ON' : 'OFF'}`);
    }
  }

  /**
   * Webhook events that arrive in the same turn of the event loop are written in one
   * transaction (group commit): under load the webhooks take the write lock once per
   * batch instead of once per request, so they wait less behind the bot's writes.
   * Each caller's promise resolves once its events are committed.
   */
  async enqueueInbound(events: readonly NewInboundEvent[]): Promise<number> {
    // Checked before joining the shared write: a bad event fails its own request only.
    const bad = events.find((e) => !Number.isSafeInteger(e.receivedAt) || (e.interaction !== undefined && !Number.isSafeInteger(e.interaction.at)));
    if (bad) throw new Error(`inbound event ${bad.channel}:${bad.dedupeKey} has no valid time`);
    return new Promise<number>((resolve, reject) => {
      this.inboundBatch.push({ events, resolve, reject });
      if (this.inboundBatch.length === 1) setImmediate(() => this.flushInbound());
    });
  }

  private readonly inboundBatch: Array<{ events: readonly NewInboundEvent[]; resolve: (added: number) => void; reject: (err: unknown) => void }> = [];

  private flushInbound(): void {
    const batch = this.inboundBatch.splice(0);
    const write = (requests: typeof batch) =>
      this.db.transaction(() =>
        requests.map(({ events }) => {
          let n = 0;
          for (const e of events) {
            n += this.stmt.insertInbound.run({ channel: e.channel, dedupeKey: e.dedupeKey, userKey: e.userKey, kind: e.kind, payload: e.payload, receivedAt: e.receivedAt, status: e.ignored ? 'ignored' : 'pending' }).changes;
            if (e.interaction) this.stmt.touchUser.run(e.channel, e.interaction.userId, e.interaction.at);
          }
          return n;
        }),
      ).immediate();
    try {
      const added = write(batch);
      batch.forEach((b, i) => b.resolve(added[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // One request's failure must not fail the others written with it: each on its own.
      for (const b of batch) {
        try {
          b.resolve(write([b])[0]);
        } catch (own) {
          b.reject(own);
        }
      }
    }
  }

  async claimInbound(owner: string, now: number, leaseMs: number, limit: number): Promise<InboundEvent[]> {
    // The search runs outside the write lock (a webhook's insert must not wait for it); each lease re-checks its row.
    return this.leaseEach(this.stmt.candidatesInbound.all(now, limit), this.stmt.leaseInbound, owner, now, leaseMs, inbound);
  }

  /** Leases the candidates found outside the write lock, in one transaction; a row someone else took meanwhile is skipped. */
  private leaseEach<Row extends { id: number; attempts: number }, T>(
    candidates: Row[],
    lease: Database.Statement,
    owner: string,
    now: number,
    leaseMs: number,
    map: (row: Row) => T,
  ): T[] {
    if (candidates.length === 0) return [];
    return this.db.transaction(() => {
      const claimed: T[] = [];
      for (const row of candidates) if (lease.run(owner, now + leaseMs, row.id, now).changes === 1) claimed.push(map({ ...row, attempts: row.attempts + 1 }));
      return claimed;
    }).immediate();
  }

  async completeInbound(id: number, owner: string, now: number, result: TurnResult): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.stmt.finishInbound.run(result.status, now, result.error ?? null, id, owner).changes !== 1) return false;
      for (const [key, item] of Object.entries(result.stateWrites)) {
        const { eTag, ...value } = (item ?? {}) as { eTag?: string };
        const current = this.stmt.stateEtag.get(key)?.etag;
        if (current && eTag && eTag !== '*' && eTag !== current) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        this.stmt.writeState.run(key, randomUUID(), JSON.stringify(value), now);
      }
      // Officers' answers that expired waiting for the window (the bot's own replies are not worth sending late).
      // Before the replies are inserted: they get higher ids, so the answers go out first.
      if (result.from) this.stmt.reopenExpired.run(now, result.from.channel, result.from.recipient);
      for (const m of result.replies) this.stmt.insertOutbound.run(m.channel, m.recipient, JSON.stringify(m.payload), m.source ?? null, now, now);
      return true;
    }).immediate();
  }

  async releaseInbound(id: number, owner: string, error: string, maxAttempts: number): Promise<void> {
    this.stmt.releaseInbound.run(error.slice(0, 500), maxAttempts, id, owner);
  }

  async enqueueOutbound(messages: readonly NewOutboundMessage[], now: number): Promise<void> {
    this.db.transaction(() => {
      for (const m of messages) this.stmt.insertOutbound.run(m.channel, m.recipient, JSON.stringify(m.payload), m.source ?? null, now, now);
    }).immediate();
  }

  async enqueueOnce(key: string, messages: readonly NewOutboundMessage[], now: number): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.stmt.claimKey.run(key, now).changes !== 1) return false;
      for (const m of messages) this.stmt.insertOutbound.run(m.channel, m.recipient, JSON.stringify(m.payload), m.source ?? null, now, now);
      return true;
    }).immediate();
  }

  async firstRecorded(key: string, now: number): Promise<number> {
    return this.db.transaction(() => {
      this.stmt.claimKey.run(key, now);
      return this.stmt.keyCreated.get(key)?.created_ms ?? now;
    }).immediate();
  }

  async claimOutbound(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboundMessage[]> {
    return this.leaseEach(this.stmt.candidatesOutbound.all(now, now, limit), this.stmt.leaseOutbound, owner, now, leaseMs, outbound);
  }

  async finishOutbound(id: number, owner: string, now: number, outcome: { status: 'sent' | 'dead' | 'expired'; providerId?: string; error?: string }): Promise<void> {
    const finished = this.stmt.finishOutbound.run(outcome.status, outcome.status === 'sent' ? now : null, outcome.providerId ?? null, outcome.error?.slice(0, 500) ?? null, id, owner);
    if (finished.changes > 0) this.blankCode(id);
  }

  /** A contact code's message is done with: its code leaves the payload (the row stays for the admins' view). */
  private blankCode(id: number): void {
    const row = this.db.prepare<[number], { payload: string }>('SELECT payload FROM outbox WHERE id = ?').get(id);
    const blanked = row && blankedCodePayload(row.payload);
    if (blanked) this.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run(blanked, id);
  }

  async retryOutbound(id: number, owner: string, nextAttemptAt: number, error: string): Promise<void> {
    this.stmt.retryOutbound.run(nextAttemptAt, error.slice(0, 500), id, owner);
  }

  async recoverAfterRestart(): Promise<{ inbound: number; interruptedSends: number }> {
    return this.db.transaction(() => ({
      inbound: this.db.prepare("UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE status = 'pending' AND lease_owner IS NOT NULL").run().changes,
      interruptedSends: this.stmt.interrupted.run(Number.MAX_SAFE_INTEGER).changes,
    })).immediate();
  }

  async outboundByStatus(): Promise<Record<OutboundStatus, number>> {
    const counts: Record<OutboundStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0, expired: 0, unknown: 0 };
    for (const r of this.db.prepare<[], { status: OutboundStatus; n: number }>('SELECT status, count(*) AS n FROM outbox GROUP BY status').all()) counts[r.status] = r.n;
    return counts;
  }

  async inboundByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = { pending: 0, done: 0, ignored: 0, failed: 0 };
    for (const r of this.db.prepare<[], { status: string; n: number }>('SELECT status, count(*) AS n FROM inbox GROUP BY status').all()) counts[r.status] = r.n;
    return counts;
  }

  async undelivered(limit: number): Promise<Array<OutboundMessage & { status: OutboundStatus; lastError?: string }>> {
    return this.db
      .prepare<[number], OutboxRow>(`SELECT * FROM outbox WHERE status IN ('dead', 'expired', 'unknown') ORDER BY id DESC LIMIT ?`)
      .all(limit)
      .map((r) => ({ ...outbound(r), status: r.status, ...(r.last_error ? { lastError: r.last_error } : {}) }));
  }

  async settleUndelivered(id: number, decision: UndeliveredDecision, note: string, now: number): Promise<{ was: OutboundStatus } | { conflict: OutboundStatus } | undefined> {
    return this.db.transaction(() => {
      const row = this.stmt.outboxStatus.get(id);
      if (!row) return undefined;
      if (!SETTLEABLE[decision].includes(row.status) || (decision === 'resend' && isCodePayload(row.payload))) return { conflict: row.status };
      if (decision === 'resend') this.stmt.resend.run(now, note.slice(0, 500), id);
      else {
        this.stmt.confirmDelivered.run(now, note.slice(0, 500), id);
        this.blankCode(id);
      }
      return { was: row.status };
    }).immediate();
  }

  /** For the /metrics gauges (src/observability/metrics.ts): counts along the partial indexes inbox_pending, inbox_failed and outbox_undelivered. */
  async inboxPending(): Promise<number> {
    return this.stmt.inboxPending.get()?.n ?? 0;
  }

  async inboxFailed(): Promise<number> {
    return this.stmt.inboxFailed.get()?.n ?? 0;
  }

  async undeliveredByStatus(): Promise<Record<'dead' | 'expired' | 'unknown', number>> {
    const counts = { dead: 0, expired: 0, unknown: 0 };
    for (const r of this.stmt.undeliveredCounts.all()) counts[r.status] = r.n;
    return counts;
  }

  async touchUser(channel: MessagingChannel, userId: string, at: number): Promise<void> {
    this.stmt.touchUser.run(channel, userId, at);
  }

  async lastInbound(channel: MessagingChannel, userId: string): Promise<number | undefined> {
    return this.stmt.lastInbound.get(channel, userId)?.last_inbound_ms;
  }

  async getSecret(name: string): Promise<string | undefined> {
    const stored = this.stmt.getSecret.get(name)?.value;
    return stored === undefined ? undefined : this.secrets.open(stored);
  }

  async setSecret(name: string, value: string, now: number): Promise<void> {
    this.stmt.setSecret.run(name, this.secrets.seal(value), now);
  }
}

/**
 * Answered questions whose answer was published since `since` (epoch ms) and that have no
 * key `keyPrefix + q` (the answer notices a stop between publishing and queueing left out), oldest first.
 */
export function answeredWithoutKey(db: Database.Database, since: number, keyPrefix: string): string[] {
  return db
    .prepare<[number, number, string], { q: string }>(
      `SELECT a.q AS q FROM questions q JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered' AND q.last_event_ms >= ? AND a.at_ms >= ?
         AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.key = ? || a.q)
       ORDER BY a.at_ms`,
    )
    .all(since, since, keyPrefix)
    .map((r) => r.q);
}
