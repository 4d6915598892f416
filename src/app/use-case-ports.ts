import type { AgencyDirectory } from '../domain/agencies';
import type { WorkingCalendar } from '../domain/calendar';
import type { QuestionState } from '../domain/lifecycle';
import type { Policy, RuleBook } from '../domain/policy';
import type { LocalClock } from '../domain/time';
import type { Account, BackofficeStore, Draft, LedgerStore, QuestionListFilter, QuestionQueries as StoreQueries } from './ports';

/**
 * The narrow ports the use cases need. Where a store carries the method, the port is a `Pick`
 * of the storage port in src/app/ports.ts, so each method is declared once; the rest (the
 * ledger's writer, src/ledger/ledger.ts Ledger; the notifier, src/backoffice/notifier.ts;
 * the router; winston's logger) are declared here, and those adapters plug in unchanged.
 */

import type { StaffNotices } from './staff-texts';

/** The province's policy facts (a subset of src/config/data.ts ProvinceData). */
export interface ProvinceFacts {
  agencies: AgencyDirectory;
  policy: Policy;
  rules: RuleBook;
  clock: LocalClock;
  calendar: WorkingCalendar;
}

/** Reads of the ledger store. */
export type LedgerReader = Pick<LedgerStore, 'loadQuestions' | 'questionEvents' | 'overdueCandidates' | 'casesStartingBetween' | 'questionFromSource' | 'allocateQuestionId'>;

/**
 * Appends one event through the domain's lifecycle and returns the new state. Refusals are
 * thrown as errors named `LedgerRejection` (the lifecycle said no, with `reason`) or
 * `ConflictError` (another writer moved the question on).
 */
export interface LedgerWriter {
  record(event: Record<string, unknown>): Promise<QuestionState>;
}

/** A back-office account. */
export type StaffAccount = Account;

/** A draft answer. */
export type DraftRecord = Draft;

/** Accounts and drafts. */
export type BackofficePort = Pick<BackofficeStore, 'getAccount' | 'accountsFor' | 'saveDraft' | 'latestDraft' | 'draftsOf' | 'decideDraft' | 'claimNotification'>;

export interface ChatMessage {
  text: string;
  /** Button titles; a click comes back as the title typed. */
  buttons?: string[];
}

/** Chat messages to staff and answers to citizens (src/backoffice/notifier.ts Notifier). */
export interface StaffNotifier {
  /** Returns how many chat identities of the account it reached. */
  toAccount(account: StaffAccount, message: ChatMessage): Promise<number>;
  answerToCitizen(q: string, answerText: string, agencyName: string): Promise<boolean>;
}

/** E-mail to a staff member who has no linked chat (queued in the outbox; false when e-mail is off). */
export interface StaffMailer {
  mailAccount(account: StaffAccount & { email: string }, message: { subject: string; text: string }, key: string): Promise<boolean>;
}

/** Filters of the question list. */
export type { QuestionListFilter };

/** Back-office reads that need more than the ledger store's interface. */
export type QuestionQueries = Pick<StoreQueries, 'listQuestions'>;

/** The router's answer, as far as forwarding suggestions need it. */
export interface RouterPort {
  route(text: string): { agency: string; triage: boolean; candidates: ReadonlyArray<{ agency: string; score: number }> };
}

/** Structured logs (winston's logger satisfies it); never a citizen's contact or text at info level. */
export interface LogPort {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/** Everything a use case may reach; each handler uses a part. */
export interface AppDeps {
  facts: ProvinceFacts;
  ledger: LedgerReader;
  writer: LedgerWriter;
  backoffice: BackofficePort;
  notifier: StaffNotifier;
  mailer?: StaffMailer;
  /** Needed by the question list only. */
  queries?: QuestionQueries;
  router?: RouterPort;
  now: () => number;
  log: LogPort;
  /** What staff are told (wording from data/texts). */
  notices: StaffNotices;
  /** Called after each event is recorded (e.g. to tell a new agency's officers); errors are logged, never thrown. */
  onRecorded?: (event: Readonly<Record<string, unknown>>, state: QuestionState) => void | Promise<void>;
}
