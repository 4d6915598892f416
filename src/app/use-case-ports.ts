import type { Role } from '../domain/access';
import type { AgencyDirectory } from '../domain/agencies';
import type { WorkingCalendar } from '../domain/calendar';
import type { CaseRecord } from '../domain/cases';
import type { QuestionState, QuestionStatus } from '../domain/lifecycle';
import type { Policy, RuleBook } from '../domain/policy';
import type { LocalClock } from '../domain/time';

/**
 * The narrow ports the use cases need, each a structural subset of an existing adapter
 * (src/store/types.ts LedgerStore, src/ledger/ledger.ts Ledger, src/backoffice/types.ts
 * BackofficeStore, src/backoffice/notifier.ts Notifier, winston's logger), so those adapters
 * plug in unchanged. src/app/ports.ts (the store wiring) is another module's.
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

/** An event as stored: its JSON exactly as recorded. */
export interface StoredEventRecord {
  q: string;
  type: string;
  at: number;
  body: string;
}

/** Reads of the ledger store. */
export interface LedgerReader {
  loadQuestions(ids: readonly string[]): Promise<Map<string, QuestionState>>;
  questionEvents(q: string): Promise<StoredEventRecord[]>;
  overdueCandidates(agency: string, at: number): Promise<CaseRecord[]>;
  casesStartingBetween(start: number, end: number): Promise<CaseRecord[]>;
  questionFromSource(source: string): Promise<string | undefined>;
  allocateQuestionId(year: number): Promise<string>;
}

/**
 * Appends one event through the domain's lifecycle and returns the new state. Refusals are
 * thrown as errors named `LedgerRejection` (the lifecycle said no, with `reason`) or
 * `ConflictError` (another writer moved the question on).
 */
export interface LedgerWriter {
  record(event: Record<string, unknown>): Promise<QuestionState>;
}

/** A back-office account (the shape of src/backoffice/types.ts Account). */
export interface StaffAccount {
  id: string;
  name: string;
  role: Role;
  agency?: string;
  active: boolean;
  createdAt: number;
  /** Where to reach the person when no chat identity is linked. */
  email?: string;
}

/** A draft answer (the shape of src/backoffice/types.ts Draft). */
export interface DraftRecord {
  id: number;
  q: string;
  agency: string;
  text: string;
  author: string;
  status: 'pending' | 'approved' | 'returned';
  comment?: string;
  createdAt: number;
  decidedAt?: number;
  decidedBy?: string;
}

/** Accounts and drafts (a subset of BackofficeStore). */
export interface BackofficePort {
  getAccount(id: string): Promise<StaffAccount | undefined>;
  accountsFor(agency: string | undefined, roles: readonly Role[]): Promise<StaffAccount[]>;
  saveDraft(input: { q: string; agency: string; text: string; author: string }, now: number): Promise<DraftRecord>;
  latestDraft(q: string): Promise<DraftRecord | undefined>;
  /** Every draft of a question, oldest first. */
  draftsOf(q: string): Promise<DraftRecord[]>;
  decideDraft(id: number, decision: { status: 'approved' | 'returned'; by: string; comment?: string }, now: number): Promise<void>;
  claimNotification(key: string, now: number): Promise<boolean>;
}

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

/** Filters of the question list (the shape of src/store/sqlite-queries.ts QuestionListFilter). */
export interface QuestionListFilter {
  agency?: string;
  statuses?: readonly QuestionStatus[];
  submittedFrom?: number;
  submittedTo?: number;
  ids?: readonly string[];
  limit?: number;
  offset?: number;
}

/** Back-office reads that need more than the ledger store's interface. */
export interface QuestionQueries {
  listQuestions(filter: QuestionListFilter): Promise<{ total: number; rows: Array<{ state: QuestionState; submitted: Record<string, unknown> }> }>;
}

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
