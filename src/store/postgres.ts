import { randomInt } from 'node:crypto';
import { Client, Pool, types as pgTypes, type PoolClient, type PoolConfig } from 'pg';
import type { CaseRecord } from '../domain/cases';
import type { QuestionState } from '../domain/lifecycle';
import { caseFromRow, caseRow, type CaseRow } from './case-rows';
import { pgText, inTransaction } from './postgres-transaction';
import { ConflictError, type LedgerStore, type QuestionUpdate, type StoredEvent } from './types';

/**
 * Schema migrations, applied in order inside one transaction each; `schema_migrations`
 * records how many ran. Times are epoch milliseconds (BIGINT), as in the SQLite schema,
 * so both stores give the same rows to the same code.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    q TEXT NOT NULL,
    type TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    -- The event's JSON exactly as received (text, not jsonb: jsonb would reorder keys and drop duplicates).
    body TEXT NOT NULL
  );
  CREATE INDEX events_by_question ON events (q, seq);
  CREATE INDEX events_forwarded ON events (q) WHERE type = 'forwarded';
  CREATE INDEX events_submitted_source ON events (((body::jsonb) ->> 'source')) WHERE type = 'submitted';

  CREATE TABLE questions (
    q TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    agency TEXT,
    channel TEXT NOT NULL,
    submitted_ms BIGINT NOT NULL,
    last_event_ms BIGINT NOT NULL,
    event_count INTEGER NOT NULL,
    rating INTEGER,
    state TEXT NOT NULL
  );
  CREATE INDEX questions_by_agency_status ON questions (agency, status);

  CREATE TABLE cases (
    q TEXT NOT NULL,
    idx INTEGER NOT NULL,
    agency TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    accept_due_ms BIGINT NOT NULL,
    base_answer_due_ms BIGINT NOT NULL,
    answer_due_ms BIGINT NOT NULL,
    accepted_ms BIGINT,
    extension_ms BIGINT,
    extension_days INTEGER,
    extension_applied INTEGER,
    answered_ms BIGINT,
    authorized INTEGER,
    ended_ms BIGINT,
    end_reason TEXT,
    closed_ms BIGINT GENERATED ALWAYS AS (coalesce(answered_ms, ended_ms)) STORED,
    PRIMARY KEY (q, idx)
  );
  CREATE INDEX cases_by_start ON cases (start_ms);
  CREATE INDEX cases_by_agency_start ON cases (agency, start_ms);
  CREATE INDEX cases_open_by_agency ON cases (agency, accept_due_ms) WHERE answered_ms IS NULL AND ended_ms IS NULL;
  CREATE INDEX cases_by_agency_closed ON cases (agency, closed_ms);

  -- Ticket numbers (HD-YYYY-NNNNNN), one counter per year.
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
  `
  -- Channels (src/store/postgres-channels.ts, postgres-directline.ts, postgres-bot-storage.ts), as in SQLite's
  -- migrations 3 and 5 and the portal's pending turns. lease_instance / owner: the instance (PostgresLedgerStore.instanceId)
  -- that holds a claim, so that another instance frees it only when that one is gone.
  -- botbuilder Storage: conversation and dialog state, with eTags for optimistic concurrency.
  CREATE TABLE bot_state (key TEXT PRIMARY KEY, etag TEXT NOT NULL, value TEXT NOT NULL, updated_ms BIGINT NOT NULL);
  CREATE INDEX bot_state_by_updated ON bot_state (updated_ms);
  -- The portal channel (Direct Line 3.0). last_seq: the conversation's last activity, taken under its row lock.
  CREATE TABLE dl_conversations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX dl_conversations_by_last ON dl_conversations (last_ms);
  -- The activity's JSON without its id, which is derived from (conversation_id, seq).
  CREATE TABLE dl_activities (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    activity TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  );
  -- Citizens' portal messages whose turn has not finished (a crash leaves them here for the next start).
  CREATE TABLE dl_pending (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stored_ms BIGINT NOT NULL,
    owner INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  );
  CREATE INDEX dl_pending_by_time ON dl_pending (stored_ms);
  -- Zalo and Messenger: every webhook event is stored here before the webhook answers 200.
  CREATE TABLE inbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_instance INTEGER,
    lease_until BIGINT,
    processed_ms BIGINT,
    error TEXT,
    UNIQUE (channel, dedupe_key)
  );
  CREATE INDEX inbox_pending ON inbox (id) WHERE status = 'pending';
  CREATE INDEX inbox_by_user ON inbox (user_key, id) WHERE status = 'pending';
  CREATE INDEX inbox_failed ON inbox (id) WHERE status = 'failed';
  CREATE INDEX inbox_by_received ON inbox (received_ms);
  -- Everything the bot and the notices send, delivered with retries; 'dead' after the last attempt.
  CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    source TEXT,
    created_ms BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_instance INTEGER,
    lease_until BIGINT,
    sent_ms BIGINT,
    provider_id TEXT,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE status IN ('pending', 'sending');
  CREATE INDEX outbox_by_recipient ON outbox (channel, recipient, id) WHERE status IN ('pending', 'sending');
  CREATE INDEX outbox_undelivered ON outbox (status, id) WHERE status IN ('dead', 'expired', 'unknown');
  CREATE INDEX outbox_expired_by_recipient ON outbox (channel, recipient) WHERE status = 'expired';
  CREATE INDEX outbox_by_created ON outbox (created_ms);
  -- When each channel user last wrote: the reply windows count from it.
  CREATE TABLE channel_users (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last_inbound_ms BIGINT NOT NULL,
    PRIMARY KEY (channel, user_id)
  );
  -- Channel credentials that rotate (Zalo's single-use refresh token), sealed when HOIDAP_SECRET_KEY is set.
  CREATE TABLE channel_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms BIGINT NOT NULL);
  -- Once-only keys (notices, hand-overs); the back office's migration may create it too, hence IF NOT EXISTS.
  CREATE TABLE IF NOT EXISTS notifications_sent (key TEXT PRIMARY KEY, created_ms BIGINT NOT NULL);
  `,
  // ---- back office (src/store/postgres-backoffice.ts): accounts, tokens, chat links, link codes, drafts, notification keys
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_ms BIGINT NOT NULL,
    -- Where approvers without a linked chat are told of new drafts.
    email TEXT
  );
  CREATE INDEX accounts_by_agency ON accounts (agency, role);
  -- Only hashes: a copy of the database lets nobody in.
  CREATE TABLE api_tokens (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, created_ms BIGINT NOT NULL, revoked_ms BIGINT);
  CREATE INDEX api_tokens_by_account ON api_tokens (account_id);
  CREATE TABLE chat_identities (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    conversation TEXT,
    linked_ms BIGINT NOT NULL,
    PRIMARY KEY (channel, user_id)
  );
  CREATE INDEX chat_identities_by_account ON chat_identities (account_id);
  -- A code is named by its first characters (selector); its secret is hashed; wrong tries are counted per code.
  CREATE TABLE link_codes (
    selector TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT,
    failures INTEGER NOT NULL DEFAULT 0,
    voided_ms BIGINT
  );
  CREATE INDEX link_codes_by_account ON link_codes (account_id);
  CREATE TABLE link_failures (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at_ms BIGINT NOT NULL, identity TEXT NOT NULL, address TEXT);
  CREATE INDEX link_failures_by_time ON link_failures (at_ms);
  CREATE INDEX link_failures_by_identity ON link_failures (identity, at_ms);
  CREATE INDEX link_failures_by_address ON link_failures (address, at_ms) WHERE address IS NOT NULL;
  -- Answers drafted by officers, waiting for an approver (or returned with a comment).
  CREATE TABLE drafts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    q TEXT NOT NULL,
    agency TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    created_ms BIGINT NOT NULL,
    decided_ms BIGINT,
    decided_by TEXT
  );
  CREATE INDEX drafts_by_question ON drafts (q, id);
  CREATE INDEX drafts_pending ON drafts (agency, status);
  -- Once-only keys of reminders, digests, hand-overs and answer notices (the outbox writes some too: IF NOT EXISTS).
  CREATE TABLE IF NOT EXISTS notifications_sent (key TEXT PRIMARY KEY, created_ms BIGINT NOT NULL);
  -- Answers already in the ledger were handed over when they were published.
  INSERT INTO notifications_sent (key, created_ms) SELECT 'answer-hand-over:' || q, at_ms FROM events WHERE type = 'answered' ON CONFLICT (key) DO NOTHING;
  `,
  // ---- question intake (src/store/postgres-intake.ts): daily counters and the editors' held queue
  `
  -- Hashed keys only: the counters do not keep who asked or their phone number.
  CREATE TABLE question_intake (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at_ms BIGINT NOT NULL, identity TEXT NOT NULL, contact TEXT NOT NULL, address TEXT);
  CREATE INDEX question_intake_by_time ON question_intake (at_ms);
  CREATE INDEX question_intake_by_identity ON question_intake (identity, at_ms);
  CREATE INDEX question_intake_by_contact ON question_intake (contact, at_ms);
  CREATE INDEX question_intake_by_address ON question_intake (address, at_ms) WHERE address IS NOT NULL;
  CREATE TABLE held_questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    held_ms BIGINT NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'held',
    decided_ms BIGINT,
    decided_by TEXT,
    q TEXT,
    -- The channel event it came from (body.source): held once. A column, not a jsonb path: jsonb refuses a body whose text escapes a NUL character.
    source TEXT UNIQUE
  );
  CREATE INDEX held_questions_waiting ON held_questions (id) WHERE status = 'held';
  `,
  // ---- the web console's sessions (src/store/postgres-sessions.ts)
  `
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT
  );
  CREATE INDEX console_sessions_by_account ON console_sessions (account_id);
  CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_ms);
  `,
  // ---- the ledger: the channel event a question was filed from, kept as a column (questionFromSource)
  `
  -- jsonb refuses a body whose text escapes a NUL character, which SQLite keeps: the source is read once, when written.
  ALTER TABLE events ADD COLUMN source TEXT;
  UPDATE events SET source = (body::jsonb) ->> 'source' WHERE type = 'submitted';
  DROP INDEX events_submitted_source;
  CREATE INDEX events_by_source ON events (source) WHERE source IS NOT NULL;
  `,
  // ---- the web console's sessions: how each was opened and by which browser, for the admins' list
  `
  ALTER TABLE console_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'token';
  ALTER TABLE console_sessions ADD COLUMN user_agent TEXT;
  `,
  // ---- portal citizens' long-lived identities (src/store/postgres-directline.ts)
  `
  CREATE TABLE portal_identities (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    last_ms BIGINT NOT NULL
  );
  CREATE INDEX portal_identities_by_expiry ON portal_identities (expires_ms);
  `,
  // ---- one-time codes confirming a portal citizen's contact (src/store/postgres-contact-codes.ts)
  `
  CREATE TABLE contact_codes (
    id TEXT PRIMARY KEY,
    contact TEXT NOT NULL,
    address TEXT,
    code_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    tries_left INTEGER NOT NULL,
    confirmed_ms BIGINT
  );
  CREATE INDEX contact_codes_by_contact ON contact_codes (contact, created_ms);
  CREATE INDEX contact_codes_by_address ON contact_codes (address, created_ms) WHERE address IS NOT NULL;
  CREATE INDEX contact_codes_by_time ON contact_codes (created_ms);
  `,
  // ---- photos sent with questions (src/store/postgres-photos.ts): pending until the question is filed
  `
  CREATE TABLE question_photos (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    q TEXT,
    n INTEGER,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    channel TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    bytes BYTEA NOT NULL
  );
  CREATE UNIQUE INDEX question_photos_by_q ON question_photos (q, n) WHERE q IS NOT NULL;
  CREATE INDEX question_photos_pending ON question_photos (received_ms) WHERE q IS NULL;
  `,
  // ---- the cap on a sender's pending photos looks them up by sender (as SQLite's index does)
  `
  CREATE INDEX question_photos_pending_by_owner ON question_photos (owner, received_ms) WHERE q IS NULL;
  `,
];

/** Any instance that migrates takes this lock first, so two instances starting together migrate once. */
const MIGRATION_LOCK = 0x686f6964; // "hoid"

/**
 * Each running instance holds the advisory lock (INSTANCE_LOCK_CLASS, its id) on a session of its own for as
 * long as it lives (the two-integer key space, apart from the migration lock's). Another instance that can take
 * that lock knows the first is gone (crashed, or its connection lost): the claims it held may be freed.
 */
export const INSTANCE_LOCK_CLASS = 0x686f6964;

const CASE_COLUMNS = `q, idx, agency, start_ms, accept_due_ms, base_answer_due_ms, answer_due_ms, accepted_ms,
  extension_ms, extension_days, extension_applied, answered_ms, authorized, ended_ms, end_reason`;

/** BIGINT (OID 20) columns come back as numbers: every one here is epoch milliseconds or a sequence, far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pgTypes.builtins.INT8 ? (value: string) => Number(value) : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

/**
 * Where a `postgres://` location points: the connection string, and the schema named by its
 * `schema` parameter (one database can hold several provinces, one schema each).
 */
export function parsePostgresLocation(location: string): { connectionString: string; schema: string } {
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`PostgreSQL location: schema '${schema}' must be lower-case letters, digits and _`);
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

/** The channel event key a `submitted` event's JSON names (`source`), as stored in the events' source column. */
function sourceOf(body: string): string | null {
  const source = (JSON.parse(body) as { source?: unknown }).source;
  return typeof source === 'string' ? pgText(source) : null;
}

/** The location with its password hidden, for messages and logs. */
function safeLocation(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable location)';
  }
}

/** The ledger in PostgreSQL: several server instances may share it (row locks and unique keys keep them consistent). */
export class PostgresLedgerStore implements LedgerStore {
  readonly kind = 'postgres';

  private constructor(
    readonly pool: Pool,
    readonly schema: string,
    private readonly config: PoolConfig,
  ) {}

  /** The database the store connects to (without the schema parameter): for pg_dump. */
  get connectionString(): string {
    return String(this.config.connectionString);
  }

  private liveness?: Promise<{ id: number; client: Client }>;

  /**
   * This instance's id for the claims it takes (inbox, outbox, portal turns): a random positive 31-bit number
   * whose advisory lock a dedicated session holds until close(). See INSTANCE_LOCK_CLASS.
   */
  async instanceId(): Promise<number> {
    this.liveness ??= this.holdInstanceLock().catch((error: unknown) => {
      this.liveness = undefined;
      throw error;
    });
    return (await this.liveness).id;
  }

  private async holdInstanceLock(): Promise<{ id: number; client: Client }> {
    const client = new Client({ connectionString: this.config.connectionString, options: this.config.options, types, connectionTimeoutMillis: 5000 });
    // A lost session releases the lock: others may then free this instance's claims; a new id is taken next time.
    client.on('error', () => {
      this.liveness = undefined;
    });
    await client.connect();
    for (;;) {
      const id = randomInt(1, 2 ** 31 - 1);
      const taken = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [INSTANCE_LOCK_CLASS, id]);
      if (taken.rows[0].ok) return { id, client };
    }
  }

  /** Connects, creates the schema if needed and runs the migrations; fails fast and says where it tried. */
  static async open(location: string, options: { max?: number } = {}): Promise<PostgresLedgerStore> {
    const { connectionString, schema } = parsePostgresLocation(location);
    const config: PoolConfig = {
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5000,
      options: `-c search_path=${schema}`,
      types,
    };
    const pool = new Pool(config);
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresLedgerStore(pool, schema, config);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`PostgreSQL at ${safeLocation(location)}: ${reason}`);
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL)');
      const found = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const version = found.rows[0]?.version ?? 0;
      if (found.rows.length === 0) await client.query('INSERT INTO schema_migrations (version) VALUES (0)');
      if (version > MIGRATIONS.length) throw new Error(`database schema version ${version} is newer than this hoidap (${MIGRATIONS.length}); upgrade hoidap`);
      for (let v = version; v < MIGRATIONS.length; v += 1) await client.query(MIGRATIONS[v]);
      await client.query('UPDATE schema_migrations SET version = $1', [MIGRATIONS.length]);
    });
  }

  /** Runs `work` in one transaction on one connection; rolls back on any error. */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async loadQuestions(ids: readonly string[]): Promise<Map<string, QuestionState>> {
    const found = new Map<string, QuestionState>();
    if (ids.length === 0) return found;
    const rows = await this.pool.query<{ q: string; state: string }>('SELECT q, state FROM questions WHERE q = ANY($1::text[])', [[...new Set(ids)]]);
    for (const row of rows.rows) found.set(row.q, JSON.parse(row.state) as QuestionState);
    return found;
  }

  async existingEventKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.pool.query<{ key: string }>('SELECT key FROM events WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
    return new Set(rows.rows.map((r) => r.key));
  }

  async commit(updates: readonly QuestionUpdate[]): Promise<void> {
    const events = updates.flatMap((u) => u.events);
    if (events.some((e) => e.order !== undefined)) events.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    await this.transaction(async (client) => {
      for (const event of events)
        await client.query('INSERT INTO events (q, type, at_ms, key, body, source) VALUES ($1, $2, $3, $4, $5, $6)', [
          event.q,
          event.type,
          event.at,
          event.key,
          event.body,
          event.type === 'submitted' ? sourceOf(event.body) : null,
        ]);
      for (const update of updates) {
        const { state } = update;
        const values = [state.id, state.status, state.agency ?? null, state.channel, state.submittedAt, state.lastEventAt, state.eventCount, state.rating ?? null, JSON.stringify(state)];
        // The event count is the version: a new question must not exist yet, an existing one must not have moved on.
        // Under READ COMMITTED both statements wait for a concurrent writer of the same row and then see its result.
        const written =
          update.expectedEventCount === 0
            ? await client.query(
                `INSERT INTO questions (q, status, agency, channel, submitted_ms, last_event_ms, event_count, rating, state)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (q) DO NOTHING`,
                values,
              )
            : await client.query(
                `UPDATE questions SET status = $2, agency = $3, channel = $4, submitted_ms = $5, last_event_ms = $6, event_count = $7, rating = $8, state = $9
                 WHERE q = $1 AND event_count = $10`,
                [...values, update.expectedEventCount],
              );
        if (written.rowCount !== 1) throw new ConflictError(state.id);
        for (const [idx, c] of state.cases.entries()) {
          const row = caseRow(state.id, idx, c);
          await client.query(
            `INSERT INTO cases (${CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (q, idx) DO UPDATE SET agency = EXCLUDED.agency, start_ms = EXCLUDED.start_ms, accept_due_ms = EXCLUDED.accept_due_ms,
               base_answer_due_ms = EXCLUDED.base_answer_due_ms, answer_due_ms = EXCLUDED.answer_due_ms, accepted_ms = EXCLUDED.accepted_ms,
               extension_ms = EXCLUDED.extension_ms, extension_days = EXCLUDED.extension_days, extension_applied = EXCLUDED.extension_applied,
               answered_ms = EXCLUDED.answered_ms, authorized = EXCLUDED.authorized, ended_ms = EXCLUDED.ended_ms, end_reason = EXCLUDED.end_reason`,
            [row.q, row.idx, row.agency, row.start_ms, row.accept_due_ms, row.base_answer_due_ms, row.answer_due_ms, row.accepted_ms, row.extension_ms, row.extension_days, row.extension_applied, row.answered_ms, row.authorized, row.ended_ms, row.end_reason],
          );
        }
      }
    });
  }

  /** Every event in append order, read in pages so that a large ledger never sits in memory whole. */
  async *events(): AsyncIterable<StoredEvent> {
    const page = 1000;
    let after = 0;
    for (;;) {
      const rows = await this.pool.query<{ seq: number; q: string; key: string; type: string; at_ms: number; body: string }>(
        'SELECT seq, q, key, type, at_ms, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, page],
      );
      for (const row of rows.rows) yield { q: row.q, key: row.key, type: row.type as StoredEvent['type'], at: row.at_ms, body: row.body };
      if (rows.rows.length < page) return;
      after = rows.rows[rows.rows.length - 1].seq;
    }
  }

  async questionEvents(q: string): Promise<StoredEvent[]> {
    const rows = await this.pool.query<{ q: string; key: string; type: string; at_ms: number; body: string }>(
      'SELECT q, key, type, at_ms, body FROM events WHERE q = $1 ORDER BY seq',
      [q],
    );
    return rows.rows.map((row) => ({ q: row.q, key: row.key, type: row.type as StoredEvent['type'], at: row.at_ms, body: row.body }));
  }

  async casesStartingBetween(start: number, end: number): Promise<CaseRecord[]> {
    const rows = await this.pool.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE start_ms BETWEEN $1 AND $2`, [start, end]);
    return rows.rows.map(caseFromRow);
  }

  async overdueCandidates(agency: string, at: number): Promise<CaseRecord[]> {
    const rows = await this.pool.query<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM cases WHERE agency = $1 AND answered_ms IS NULL AND ended_ms IS NULL AND accept_due_ms < $2 AND start_ms <= $2
       UNION ALL
       SELECT ${CASE_COLUMNS} FROM cases WHERE agency = $1 AND closed_ms > $2 AND accept_due_ms < $2 AND start_ms <= $2`,
      [agency, at],
    );
    return rows.rows.map(caseFromRow);
  }

  async allocateQuestionId(year: number): Promise<string> {
    const prefix = `HD-${year}-`;
    // One statement: the counter row's lock serialises instances; imported ledgers' numbers are never handed out again.
    const result = await this.pool.query<{ value: number }>(
      `WITH imported AS (
         SELECT coalesce(max(substr(q, length($1) + 1)::int), 0) AS n FROM questions WHERE q LIKE $1 || '%' AND q ~ '^HD-[0-9]{4}-[0-9]{6}$'
       )
       INSERT INTO counters (name, value) SELECT $1, n + 1 FROM imported
       ON CONFLICT (name) DO UPDATE SET value = greatest(counters.value, (SELECT n FROM imported)) + 1
       RETURNING value`,
      [prefix],
    );
    return `${prefix}${String(result.rows[0].value).padStart(6, '0')}`;
  }

  async answeredQuestions(): Promise<Array<{ q: string; agency: string; question: string; answer: string }>> {
    const rows = await this.pool.query<{ q: string; agency: string; asked: string; answered: string }>(
      `SELECT q.q AS q, q.agency AS agency, s.body AS asked, a.body AS answered
       FROM questions q
       JOIN events s ON s.q = q.q AND s.type = 'submitted'
       JOIN events a ON a.q = q.q AND a.type = 'answered'
       WHERE q.status = 'answered'`,
    );
    return rows.rows.map((r) => ({
      q: r.q,
      agency: r.agency,
      question: String((JSON.parse(r.asked) as { text?: unknown }).text ?? ''),
      answer: String((JSON.parse(r.answered) as { text?: unknown }).text ?? ''),
    }));
  }

  async questionFromSource(source: string): Promise<string | undefined> {
    const rows = await this.pool.query<{ q: string }>(
      "SELECT q FROM events WHERE type = 'submitted' AND source = $1 LIMIT 1",
      [pgText(source)],
    );
    return rows.rows[0]?.q;
  }

  async routingCorrections(): Promise<Array<{ q: string; text: string; agency: string }>> {
    const rows = await this.pool.query<{ q: string; agency: string; body: string }>(
      `SELECT q.q AS q, q.agency AS agency, s.body AS body
       FROM (SELECT DISTINCT q FROM events WHERE type = 'forwarded') f
       JOIN questions q ON q.q = f.q
       JOIN events s ON s.q = f.q AND s.type = 'submitted'
       WHERE q.status IN ('accepted', 'answered')`,
    );
    return rows.rows.map((r) => ({ q: r.q, agency: r.agency, text: String((JSON.parse(r.body) as { text?: unknown }).text ?? '') }));
  }

  async counts(): Promise<{ questions: number; events: number; cases: number }> {
    const rows = await this.pool.query<{ questions: number; events: number; cases: number }>(
      'SELECT (SELECT count(*) FROM questions) AS questions, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM cases) AS cases',
    );
    return rows.rows[0];
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const liveness = this.liveness;
    this.liveness = undefined;
    if (liveness) await liveness.then(({ client }) => client.end()).catch(() => undefined);
    await this.pool.end();
  }
}
