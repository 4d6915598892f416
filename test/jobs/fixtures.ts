import type Database from 'better-sqlite3';
import type { ChatMessage, Notifier } from '../../src/backoffice/notifier';
import type { Account, BackofficeStore, Role } from '../../src/backoffice/types';
import { loadProvinceData } from '../../src/config/data';
import { loadReminderPolicy, type ReminderPolicy } from '../../src/jobs/reminder-policy';
import { DeadlineSweeper } from '../../src/jobs/sweeper';
import { Ledger } from '../../src/ledger/ledger';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { PostgresBackofficeStore } from '../../src/store/postgres-backoffice';
import { PostgresOpenCases } from '../../src/store/postgres-sweeper';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteOpenCases } from '../../src/store/sqlite-sweeper';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { submittedText } from '../../src/queries/question-text';

/**
 * The parts of BackofficeStore the sweeper uses, on the real tables of an SQLite
 * ledger database (accounts, notifications_sent), until SqliteBackofficeStore lands.
 */
export class TableBackoffice implements Pick<BackofficeStore, 'accountsFor' | 'claimNotification'> {
  constructor(private readonly db: Database.Database) {}

  async accountsFor(agency: string | undefined, roles: readonly Role[]): Promise<Account[]> {
    const rows = this.db
      .prepare<[], { id: string; name: string; role: Role; agency: string | null; active: number; created_ms: number }>('SELECT * FROM accounts WHERE active = 1 ORDER BY id')
      .all();
    return rows
      .filter((r) => roles.includes(r.role) && (r.role === 'editor' || r.role === 'admin' || r.agency === agency))
      .map((r) => ({ id: r.id, name: r.name, role: r.role, ...(r.agency !== null ? { agency: r.agency } : {}), active: true, createdAt: r.created_ms }));
  }

  async claimNotification(key: string, now: number): Promise<boolean> {
    return this.db.prepare('INSERT INTO notifications_sent (key, created_ms) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, now).changes === 1;
  }
}

export const ACCOUNTS: Array<{ id: string; role: Role; agency?: string; active?: boolean }> = [
  { id: 'yte-officer', role: 'officer', agency: 'so-yte' },
  { id: 'yte-approver', role: 'approver', agency: 'so-yte' },
  { id: 'yte-former', role: 'officer', agency: 'so-yte', active: false },
  { id: 'bt-officer', role: 'officer', agency: 'h-baothang' },
  { id: 'bt-approver', role: 'approver', agency: 'h-baothang' },
  { id: 'editor', role: 'editor' },
  { id: 'admin', role: 'admin' },
];

export function addAccounts(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO accounts (id, name, role, agency, active, created_ms) VALUES (?, ?, ?, ?, ?, 0)');
  for (const a of ACCOUNTS) insert.run(a.id, `Tài khoản ${a.id}`, a.role, a.agency ?? null, a.active === false ? 0 : 1);
}

/** One message as sent: when (local ISO), to whom, what. */
export interface SentMessage {
  at: string;
  account: string;
  message: ChatMessage;
}

/** Records sends with the simulated time of the run that made them. */
export class LogNotifier implements Pick<Notifier, 'toAccount'> {
  now = 0;

  constructor(readonly log: SentMessage[], private readonly format: (ms: number) => string) {}

  async toAccount(account: Account, message: ChatMessage): Promise<number> {
    this.log.push({ at: this.format(this.now), account: account.id, message });
    return 1;
  }
}

export const data = loadProvinceData();
export const reminderPolicy: ReminderPolicy = loadReminderPolicy(undefined, data.policy.deadlines);

/** One "server": its own store object (connection), backoffice, notifier and sweeper on the database file. */
export class Instance {
  readonly store: SqliteLedgerStore;
  readonly ledger: Ledger;
  readonly notifier: LogNotifier;
  readonly sweeper: DeadlineSweeper;
  /** Drafts (and their decisions) on the same database, as the workflow writes them. */
  readonly drafts: SqliteBackofficeStore;

  constructor(file: string, log: SentMessage[], policy: ReminderPolicy = reminderPolicy, options: { outbox?: boolean; drafts?: boolean } = {}) {
    this.store = new SqliteLedgerStore(file);
    this.ledger = new Ledger(this.store, data);
    this.notifier = new LogNotifier(log, (ms) => data.clock.format(ms));
    this.drafts = new SqliteBackofficeStore(this.store.db);
    this.sweeper = new DeadlineSweeper({
      cases: new SqliteOpenCases(this.store.db),
      backoffice: new TableBackoffice(this.store.db),
      notifier: this.notifier,
      data,
      policy,
      ...(options.outbox ? { outbox: new SqliteChannelQueueStore(this.store.db) } : {}),
      ...(options.drafts ? { drafts: { pendingDrafts: (agency?: string) => this.drafts.pendingDrafts(agency), questionText: (q: string) => submittedText(this.store, q) } } : {}),
    });
  }

  async runOnce(now: number) {
    this.notifier.now = now;
    return this.sweeper.runOnce(now);
  }

  async close(): Promise<void> {
    await this.sweeper.stop();
    await this.store.close();
  }
}

/** A compact line per non-digest message: "2024-02-06 08:00 yte-officer remind-accept HD-2024-000001". */
export function summary(m: SentMessage): string {
  const kind = /^Nhắc hạn tiếp nhận/.test(m.message.text)
    ? 'remind-accept'
    : /^Nhắc hạn trả lời/.test(m.message.text)
      ? 'remind-answer'
      : /^Quá hạn tiếp nhận/.test(m.message.text)
        ? 'overdue-accept'
        : /^Quá hạn trả lời/.test(m.message.text)
          ? 'overdue-answer'
          : /^Câu hỏi quá hạn/.test(m.message.text)
            ? 'digest'
            : 'unknown';
  const q = kind === 'digest' ? '' : ` ${/HD-\d{4}-\d{6}/.exec(m.message.text)?.[0] ?? '?'}`;
  return `${m.at.slice(0, 10)} ${m.at.slice(11, 16)} ${m.account} ${kind}${q}`;
}

/** One "server" on PostgreSQL: its own pool on the shared schema, back office, notifier and sweeper. */
export class PostgresInstance {
  readonly ledger: Ledger;
  readonly notifier: LogNotifier;
  readonly sweeper: DeadlineSweeper;

  private constructor(readonly store: PostgresLedgerStore, log: SentMessage[], policy: ReminderPolicy) {
    this.ledger = new Ledger(store, data);
    this.notifier = new LogNotifier(log, (ms) => data.clock.format(ms));
    this.sweeper = new DeadlineSweeper({ cases: new PostgresOpenCases(store), backoffice: new PostgresBackofficeStore(store), notifier: this.notifier, data, policy });
  }

  static async open(location: string, log: SentMessage[], policy: ReminderPolicy = reminderPolicy): Promise<PostgresInstance> {
    return new PostgresInstance(await PostgresLedgerStore.open(location), log, policy);
  }

  /** The test accounts (ACCOUNTS), as addAccounts does on SQLite. */
  async addAccounts(): Promise<void> {
    for (const a of ACCOUNTS)
      await this.store.pool.query('INSERT INTO accounts (id, name, role, agency, active, created_ms) VALUES ($1, $2, $3, $4, $5, 0)', [
        a.id,
        `Tài khoản ${a.id}`,
        a.role,
        a.agency ?? null,
        a.active === false ? 0 : 1,
      ]);
  }

  async runOnce(now: number) {
    this.notifier.now = now;
    return this.sweeper.runOnce(now);
  }

  async close(): Promise<void> {
    await this.sweeper.stop();
    await this.store.pool.end();
  }
}
