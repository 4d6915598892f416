import Database from 'better-sqlite3';
import fs from 'node:fs';
import { makePrivate } from './private-file';
import path from 'node:path';
import type { CaseRecord } from '../domain/cases';
import type { QuestionState } from '../domain/lifecycle';
import { caseFromRow, caseRow, type CaseRow } from './case-rows';
import { ConflictError, type LedgerStore, type QuestionUpdate, type StoredEvent } from './types';

/** Schema migrations, applied in order; PRAGMA user_version records how many ran. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    q TEXT NOT NULL,
    type TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
  );
  CREATE INDEX events_by_question ON events (q, seq);

  CREATE TABLE questions (
    q TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    agency TEXT,
    channel TEXT NOT NULL,
    submitted_ms INTEGER NOT NULL,
    last_event_ms INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    rating INTEGER,
    state TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX questions_by_agency_status ON questions (agency, status);

  CREATE TABLE cases (
    q TEXT NOT NULL,
    idx INTEGER NOT NULL,
    agency TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    accept_due_ms INTEGER NOT NULL,
    base_answer_due_ms INTEGER NOT NULL,
    answer_due_ms INTEGER NOT NULL,
    accepted_ms INTEGER,
    extension_ms INTEGER,
    extension_days INTEGER,
    extension_applied INTEGER,
    answered_ms INTEGER,
    authorized INTEGER,
    ended_ms INTEGER,
    end_reason TEXT,
    closed_ms INTEGER GENERATED ALWAYS AS (coalesce(answered_ms, ended_ms)) STORED,
    PRIMARY KEY (q, idx)
  ) WITHOUT ROWID;
  CREATE INDEX cases_by_start ON cases (start_ms);
  CREATE INDEX cases_by_agency_start ON cases (agency, start_ms);
  -- Open cases by accept deadline: "overdue for agency X now" reads only these.
  CREATE INDEX cases_open_by_agency ON cases (agency, accept_due_ms) WHERE answered_ms IS NULL AND ended_ms IS NULL;
  -- Cases closed after a past instant T were still open at T.
  CREATE INDEX cases_by_agency_closed ON cases (agency, closed_ms);
  `,
  `
  -- Officers' forwards teach the router (routing corrections).
  CREATE INDEX events_forwarded ON events (q) WHERE type = 'forwarded';
  `,
  `
  -- Ticket numbers (HD-YYYY-NNNNNN), one counter per year.
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  -- botbuilder Storage: conversation and dialog state, with eTags for optimistic concurrency.
  CREATE TABLE bot_state (key TEXT PRIMARY KEY, etag TEXT NOT NULL, value TEXT NOT NULL, updated_ms INTEGER NOT NULL) WITHOUT ROWID;
  -- The portal channel (Direct Line 3.0): conversations, their tokens and their activities.
  CREATE TABLE dl_conversations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE dl_activities (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    activity TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  `,
  `
  -- A question filed from a channel event carries the event's key: replaying the event never files it twice.
  CREATE INDEX events_submitted_source ON events (json_extract(body, '$.source')) WHERE type = 'submitted';
  -- Zalo and Messenger: every webhook event is stored here before the webhook answers 200.
  CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    processed_ms INTEGER,
    error TEXT,
    UNIQUE (channel, dedupe_key)
  );
  CREATE INDEX inbox_pending ON inbox (id) WHERE status = 'pending';
  CREATE INDEX inbox_by_user ON inbox (user_key, id) WHERE status = 'pending';
  -- Everything the bot sends on Zalo and Messenger, delivered with retries; 'dead' after the last attempt.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    source TEXT,
    created_ms INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    sent_ms INTEGER,
    provider_id TEXT,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE status IN ('pending', 'sending');
  CREATE INDEX outbox_by_recipient ON outbox (channel, recipient, id) WHERE status IN ('pending', 'sending');
  -- When each channel user last wrote: the reply windows (Zalo 7 days, Messenger 24 hours) count from it.
  CREATE TABLE channel_users (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last_inbound_ms INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
  ) WITHOUT ROWID;
  -- Channel credentials that rotate (Zalo's single-use refresh token).
  CREATE TABLE channel_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms INTEGER NOT NULL) WITHOUT ROWID;
  `,
  `
  -- Back office: accounts (officer, approver, editor, admin), their API tokens, linked chat identities and one-time link codes.
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX accounts_by_agency ON accounts (agency, role);
  CREATE TABLE api_tokens (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, created_ms INTEGER NOT NULL, revoked_ms INTEGER) WITHOUT ROWID;
  CREATE TABLE chat_identities (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    conversation TEXT,
    linked_ms INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX chat_identities_by_account ON chat_identities (account_id);
  CREATE TABLE link_codes (code_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, expires_ms INTEGER NOT NULL, used_ms INTEGER) WITHOUT ROWID;
  -- Answers drafted by officers, waiting for an approver (or returned with a comment).
  CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    q TEXT NOT NULL,
    agency TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    created_ms INTEGER NOT NULL,
    decided_ms INTEGER,
    decided_by TEXT
  );
  CREATE INDEX drafts_by_question ON drafts (q, id);
  CREATE INDEX drafts_pending ON drafts (agency, status);
  -- Every notification the sweeper or the workflow sends, by a key that makes it once-only across restarts and instances.
  CREATE TABLE notifications_sent (key TEXT PRIMARY KEY, created_ms INTEGER NOT NULL) WITHOUT ROWID;
  `,
  `
  -- Retention (src/jobs/retention.ts): old channel traffic is found along its time, oldest first.
  CREATE INDEX IF NOT EXISTS inbox_by_received ON inbox (received_ms);
  CREATE INDEX IF NOT EXISTS outbox_by_created ON outbox (created_ms);
  CREATE INDEX IF NOT EXISTS dl_conversations_by_last ON dl_conversations (last_ms);
  CREATE INDEX IF NOT EXISTS bot_state_by_updated ON bot_state (updated_ms);
  -- Messages waiting for an admin (GET /api/v1/outbox/undelivered, the /metrics gauge) without a scan of all that was sent.
  CREATE INDEX IF NOT EXISTS outbox_undelivered ON outbox (status, id) WHERE status IN ('dead', 'expired', 'unknown');
  -- A person who writes again reopens their reply window: their expired messages are found here.
  CREATE INDEX IF NOT EXISTS outbox_expired_by_recipient ON outbox (channel, recipient) WHERE status = 'expired';
  -- Webhook events the bot could not handle after its attempts (the /metrics gauge).
  CREATE INDEX IF NOT EXISTS inbox_failed ON inbox (id) WHERE status = 'failed';
  -- Answers already published were handed to the citizens' channels (see Workflow.handOverAnswer).
  INSERT OR IGNORE INTO notifications_sent (key, created_ms) SELECT 'answer-hand-over:' || q, at_ms FROM events WHERE type = 'answered';
  `,
  `
  -- Portal (Direct Line) messages stored whose turn has not finished yet (stored_ms: when stored): a crash between
  -- the two leaves them here, and the next start runs them, as the webhook inbox does for Zalo and Messenger.
  CREATE TABLE IF NOT EXISTS dl_pending (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stored_ms INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS dl_pending_by_time ON dl_pending (stored_ms);
  `,
  `
  -- Link codes that cannot be guessed (security issue 10): the old six-digit codes are void. A code is named by its
  -- first characters (selector), its secret is hashed; wrong tries are counted per code and kept per identity/address.
  DROP TABLE IF EXISTS link_codes;
  CREATE TABLE link_codes (
    selector TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    voided_ms INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS link_codes_by_account ON link_codes (account_id);
  CREATE TABLE IF NOT EXISTS link_failures (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, identity TEXT NOT NULL, address TEXT);
  CREATE INDEX IF NOT EXISTS link_failures_by_time ON link_failures (at_ms);
  CREATE INDEX IF NOT EXISTS link_failures_by_identity ON link_failures (identity, at_ms);
  CREATE INDEX IF NOT EXISTS link_failures_by_address ON link_failures (address, at_ms) WHERE address IS NOT NULL;
  -- Questions filed per identity and per contact (hashed keys), counted per local day; what goes over waits in held_questions.
  -- address: the portal sender's network address (hashed); a new conversation is a new identity.
  CREATE TABLE IF NOT EXISTS question_intake (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, identity TEXT NOT NULL, contact TEXT NOT NULL, address TEXT);
  CREATE INDEX IF NOT EXISTS question_intake_by_address ON question_intake (address, at_ms) WHERE address IS NOT NULL;
  CREATE INDEX IF NOT EXISTS question_intake_by_time ON question_intake (at_ms);
  CREATE INDEX IF NOT EXISTS question_intake_by_identity ON question_intake (identity, at_ms);
  CREATE INDEX IF NOT EXISTS question_intake_by_contact ON question_intake (contact, at_ms);
  CREATE TABLE IF NOT EXISTS held_questions (
    id INTEGER PRIMARY KEY,
    held_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'held',
    decided_ms INTEGER,
    decided_by TEXT,
    q TEXT
  );
  CREATE INDEX IF NOT EXISTS held_questions_waiting ON held_questions (id) WHERE status = 'held';
  `,
  `
  -- An account's e-mail address (optional): approvers with no linked chat are told of new drafts by e-mail.
  -- A table of its own rather than a column: safe to run twice, like every migration here.
  CREATE TABLE IF NOT EXISTS account_contacts (account_id TEXT PRIMARY KEY REFERENCES accounts (id), email TEXT NOT NULL);
  `,
  `
  -- Portal citizens' long-lived identities ("câu hỏi của tôi" across tabs and days): the browser keeps the secret, this the hash.
  CREATE TABLE IF NOT EXISTS portal_identities (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS portal_identities_by_expiry ON portal_identities (expires_ms);
  `,
  `
  -- One-time codes confirming a portal citizen's contact (src/store/sqlite-contact-codes.ts): the code's hash only,
  -- the contact and the network address as hashed keys; kept a day or two for the daily limits.
  CREATE TABLE IF NOT EXISTS contact_codes (
    id TEXT PRIMARY KEY,
    contact TEXT NOT NULL,
    address TEXT,
    code_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    tries_left INTEGER NOT NULL,
    confirmed_ms INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS contact_codes_by_contact ON contact_codes (contact, created_ms);
  CREATE INDEX IF NOT EXISTS contact_codes_by_address ON contact_codes (address, created_ms) WHERE address IS NOT NULL;
  CREATE INDEX IF NOT EXISTS contact_codes_by_time ON contact_codes (created_ms);
  `,
  `
  -- Photos sent with questions (src/store/sqlite-photos.ts): pending (q NULL) until the question is filed.
  -- IF NOT EXISTS: databases of 2026-12-05 got the table from the store itself.
  CREATE TABLE IF NOT EXISTS question_photos (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    q TEXT,
    n INTEGER,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    channel TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    bytes BLOB NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS question_photos_by_q ON question_photos (q, n) WHERE q IS NOT NULL;
  CREATE INDEX IF NOT EXISTS question_photos_pending ON question_photos (received_ms) WHERE q IS NULL;
  CREATE INDEX IF NOT EXISTS question_photos_pending_by_owner ON question_photos (owner, received_ms) WHERE q IS NULL;
  `,
];

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The embedded default: one SQLite file in WAL mode. */
export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly db: Database.Database;
  private readonly stmt;

  /**
   * `checkpoints: false` leaves WAL checkpoints to another connection to the same file
   * (the messaging worker), so that a webhook's insert never pays for one.
   */
  constructor(
    readonly file: string,
    options: { checkpoints?: boolean } = {},
  ) {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
      makePrivate(file);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    if (options.checkpoints === false) this.db.pragma('wal_autocheckpoint = 0');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.stmt = {
      insertEvent: this.db.prepare('INSERT INTO events (q, type, at_ms, key, body) VALUES (@q, @type, @at, @key, @body)'),
      eventCount: this.db.prepare<[string], { event_count: number }>('SELECT event_count FROM questions WHERE q = ?'),
      upsertQuestion: this.db.prepare(
        `INSERT INTO questions (q, status, agency, channel, submitted_ms, last_event_ms, event_count, rating, state)
         VALUES (@q, @status, @agency, @channel, @submitted_ms, @last_event_ms, @event_count, @rating, @state)
         ON CONFLICT (q) DO UPDATE SET status = excluded.status, agency = excluded.agency, last_event_ms = excluded.last_event_ms,
           event_count = excluded.event_count, rating = excluded.rating, state = excluded.state`,
      ),
      upsertCase: this.db.prepare(
        `INSERT OR REPLACE INTO cases (q, idx, agency, start_ms, accept_due_ms, base_answer_due_ms, answer_due_ms, accepted_ms,
           extension_ms, extension_days, extension_applied, answered_ms, authorized, ended_ms, end_reason)
         VALUES (@q, @idx, @agency, @start_ms, @accept_due_ms, @base_answer_due_ms, @answer_due_ms, @accepted_ms,
           @extension_ms, @extension_days, @extension_applied, @answered_ms, @authorized, @ended_ms, @end_reason)`,
      ),
      casesBetween: this.db.prepare<[number, number], CaseRow>('SELECT * FROM cases WHERE start_ms BETWEEN ? AND ?'),
      openOverdue: this.db.prepare<[string, number, number], CaseRow>(
        `SELECT * FROM cases WHERE agency = ? AND answered_ms IS NULL AND ended_ms IS NULL AND accept_due_ms < ? AND start_ms <= ?`,
      ),
      closedAfter: this.db.prepare<[string, number, number, number], CaseRow>(
        `SELECT * FROM cases WHERE agency = ? AND closed_ms > ? AND accept_due_ms < ? AND start_ms <= ?`,
      ),
      questionEvents: this.db.prepare<[string], { q: string; key: string; type: string; at_ms: number; body: string }>(
        'SELECT q, key, type, at_ms, body FROM events WHERE q = ? ORDER BY seq',
      ),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length)
      throw new Error(`${this.file}: database schema version ${version} is newer than this hoidap (${MIGRATIONS.length}); upgrade hoidap`);
    for (let v = version; v < MIGRATIONS.length; v += 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  async loadQuestions(ids: readonly string[]): Promise<Map<string, QuestionState>> {
    const found = new Map<string, QuestionState>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = this.db
        .prepare<string[], { q: string; state: string }>(`SELECT q, state FROM questions WHERE q IN (${part.map(() => '?').join(',')})`)
        .all(...part);
      for (const row of rows) found.set(row.q, JSON.parse(row.state) as QuestionState);
    }
    return found;
  }

  async existingEventKeys(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(keys)])) {
      const rows = this.db
        .prepare<string[], { key: string }>(`SELECT key FROM events WHERE key IN (${part.map(() => '?').join(',')})`)
        .all(...part);
      for (const row of rows) found.add(row.key);
    }
    return found;
  }

  async commit(updates: readonly QuestionUpdate[]): Promise<void> {
    const events = updates.flatMap((u) => u.events);
    if (events.some((e) => e.order !== undefined)) events.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    this.db.transaction(() => {
      for (const event of events) this.stmt.insertEvent.run({ q: event.q, type: event.type, at: event.at, key: event.key, body: event.body });
      for (const update of updates) {
        const { state } = update;
        const current = this.stmt.eventCount.get(state.id)?.event_count ?? 0;
        if (current !== update.expectedEventCount) throw new ConflictError(state.id);
        this.stmt.upsertQuestion.run({
          q: state.id,
          status: state.status,
          agency: state.agency ?? null,
          channel: state.channel,
          submitted_ms: state.submittedAt,
          last_event_ms: state.lastEventAt,
          event_count: state.eventCount,
          rating: state.rating ?? null,
          state: JSON.stringify(state),
        });
        state.cases.forEach((c, idx) => this.stmt.upsertCase.run(caseRow(state.id, idx, c)));
      }
    }).immediate();
  }

  async *events(): AsyncIterable<StoredEvent> {
    const rows = this.db.prepare<[], { q: string; key: string; type: string; at_ms: number; body: string }>(
      'SELECT q, key, type, at_ms, body FROM events ORDER BY seq',
    );
    for (const row of rows.iterate()) yield { q: row.q, key: row.key, type: row.type as StoredEvent['type'], at: row.at_ms, body: row.body };
  }

  async questionEvents(q: string): Promise<StoredEvent[]> {
    return this.stmt.questionEvents.all(q).map((row) => ({ q: row.q, key: row.key, type: row.type as StoredEvent['type'], at: row.at_ms, body: row.body }));
  }

  async casesStartingBetween(start: number, end: number): Promise<CaseRecord[]> {
    return this.stmt.casesBetween.all(start, end).map(caseFromRow);
  }

  async overdueCandidates(agency: string, at: number): Promise<CaseRecord[]> {
    const open = this.stmt.openOverdue.all(agency, at, at);
    const closedLater = this.stmt.closedAfter.all(agency, at, at, at);
    return [...open, ...closedLater].map(caseFromRow);
  }

  async allocateQuestionId(year: number): Promise<string> {
    const prefix = `HD-${year}-`;
    const value = this.db.transaction(() => {
      // Imported ledgers may already hold numbers of this year: never hand one out twice.
      const highest = this.db.prepare<[string], { q: string | null }>('SELECT max(q) AS q FROM questions WHERE q LIKE ?').get(`${prefix}%`)?.q;
      const imported = highest && /^HD-\d{4}-\d{6}$/.test(highest) ? Number(highest.slice(-6)) : 0;
      const counter = this.db.prepare<[string], { value: number }>('SELECT value FROM counters WHERE name = ?').get(prefix)?.value ?? 0;
      const next = Math.max(counter, imported) + 1;
      this.db.prepare('INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)').run(prefix, next);
      return next;
    }).immediate();
    return `${prefix}${String(value).padStart(6, '0')}`;
  }

  async answeredQuestions(): Promise<Array<{ q: string; agency: string; question: string; answer: string }>> {
    const rows = this.db
      .prepare<[], { q: string; agency: string; asked: string; answered: string }>(
        `SELECT q.q AS q, q.agency AS agency, s.body AS asked, a.body AS answered
         FROM questions q
         JOIN events s ON s.q = q.q AND s.type = 'submitted'
         JOIN events a ON a.q = q.q AND a.type = 'answered'
         WHERE q.status = 'answered'`,
      )
      .all();
    return rows.map((r) => ({
      q: r.q,
      agency: r.agency,
      question: String((JSON.parse(r.asked) as { text?: unknown }).text ?? ''),
      answer: String((JSON.parse(r.answered) as { text?: unknown }).text ?? ''),
    }));
  }

  async questionFromSource(source: string): Promise<string | undefined> {
    const row = this.db
      .prepare<[string], { q: string }>("SELECT q FROM events WHERE type = 'submitted' AND json_extract(body, '$.source') = ? LIMIT 1")
      .get(source);
    return row?.q;
  }

  async routingCorrections(): Promise<Array<{ q: string; text: string; agency: string }>> {
    const rows = this.db
      .prepare<[], { q: string; agency: string; body: string }>(
        `SELECT q.q AS q, q.agency AS agency, s.body AS body
         FROM (SELECT DISTINCT q FROM events WHERE type = 'forwarded') f
         JOIN questions q ON q.q = f.q
         JOIN events s ON s.q = f.q AND s.type = 'submitted'
         WHERE q.status IN ('accepted', 'answered')`,
      )
      .all();
    return rows.map((r) => ({ q: r.q, agency: r.agency, text: String((JSON.parse(r.body) as { text?: unknown }).text ?? '') }));
  }

  async counts(): Promise<{ questions: number; events: number; cases: number }> {
    const one = (sql: string) => (this.db.prepare<[], { n: number }>(sql).get() as { n: number }).n;
    return { questions: one('SELECT count(*) AS n FROM questions'), events: one('SELECT count(*) AS n FROM events'), cases: one('SELECT count(*) AS n FROM cases') };
  }

  async ping(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
