import type { Role } from '../domain/access';
import type { CaseRecord } from '../domain/cases';
import type { Channel, EventType } from '../domain/events';
import type { QuestionState, QuestionStatus } from '../domain/lifecycle';

/**
 * The storage ports: every store the service needs, as async interfaces, so that the
 * embedded SQLite file and a PostgreSQL database (several server instances) both
 * implement them. src/store/open.ts `openStores(location)` returns one `Stores` bundle;
 * nothing else chooses an adapter. Only types live here (and one error class of the
 * ledger's contract): the use cases import this file, never an adapter.
 */

export type { Role } from '../domain/access';

// ---- the ledger -----------------------------------------------------------------------------

/** One ledger event as stored: its JSON exactly as received, and a key that makes re-imports idempotent. */
export interface StoredEvent {
  q: string;
  key: string;
  type: EventType;
  at: number;
  body: string;
  /** Position in the batch being written: events of several questions are stored in this order (a ledger file's line order). */
  order?: number;
}

/** New events of one question and the state they lead to, written together. */
export interface QuestionUpdate {
  state: QuestionState;
  /** The question's event count the update was computed from (0 for a new question). */
  expectedEventCount: number;
  events: StoredEvent[];
}

export class ConflictError extends Error {
  constructor(readonly q: string) {
    super(`question ${q} changed while this update was prepared; retry`);
    this.name = 'ConflictError';
  }
}

/**
 * The storage contract every adapter meets (test/store/contract.ts). The ledger is
 * the source of truth; the question and case rows are its current state, written
 * in the same transaction so that queries never disagree with the events.
 */
export interface LedgerStore {
  readonly kind: string;
  /** States of the given questions that exist. */
  loadQuestions(ids: readonly string[]): Promise<Map<string, QuestionState>>;
  /** Which of these event keys are already stored. */
  existingEventKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Writes all updates atomically, or none (ConflictError when a question moved on meanwhile). */
  commit(updates: readonly QuestionUpdate[]): Promise<void>;
  /** Every stored event, in the order it was appended. */
  events(): AsyncIterable<StoredEvent>;
  /** Events of one question, in order. */
  questionEvents(q: string): Promise<StoredEvent[]>;
  /** Cases whose start lies in [start, end]. */
  casesStartingBetween(start: number, end: number): Promise<CaseRecord[]>;
  /** Cases of an agency that may be overdue at `at`: started by then, not closed by then, accept deadline before it. */
  overdueCandidates(agency: string, at: number): Promise<CaseRecord[]>;
  /** Every answered question with its text and published answer (to offer before a duplicate is filed). */
  answeredQuestions(): Promise<Array<{ q: string; agency: string; question: string; answer: string }>>;
  /** The question filed from a channel event (its `source` key), if one was. */
  questionFromSource(source: string): Promise<string | undefined>;
  /** A new ticket number HD-YYYY-NNNNNN, never one already used or handed out. */
  allocateQuestionId(year: number): Promise<string>;
  /** Questions an officer forwarded and the final agency accepted or answered: (text, final agency), for the router. */
  routingCorrections(): Promise<Array<{ q: string; text: string; agency: string }>>;
  counts(): Promise<{ questions: number; events: number; cases: number }>;
  /** Whether the store answers (for readiness checks). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// ---- the ledger's read model (questions, cases, answers) ------------------------------------

export interface QuestionListFilter {
  /** The question's current agency (the one whose case is open, or that answered or deleted it). */
  agency?: string;
  statuses?: readonly QuestionStatus[];
  /** Submitted at or after this instant. */
  submittedFrom?: number;
  /** Submitted at or before this instant. */
  submittedTo?: number;
  /** Only these questions. */
  ids?: readonly string[];
  limit?: number;
  offset?: number;
}

export interface QuestionListRow {
  state: QuestionState;
  /** The `submitted` event as stored. */
  submitted: Record<string, unknown>;
}

export interface PublicAnswerRow {
  q: string;
  agency: string;
  submittedAt: number;
  answeredAt: number;
  question: string;
  answer: string;
  askerName?: string;
  lang?: string;
}

/** Questions submitted in [from, to], of one agency when given (the console's dashboard). */
export interface SubmittedRange {
  from: number;
  to: number;
  agency?: string;
}

/** Reads over the ledger's question and case rows that the LedgerStore contract does not carry. */
export interface QuestionQueries {
  /** Questions matching the filter, the most recently submitted first, with the total before paging. */
  listQuestions(filter: QuestionListFilter): Promise<{ total: number; rows: QuestionListRow[] }>;
  /** How many questions are answered: answers are never withdrawn, so this changes exactly when a new one is published. */
  answeredCount(): Promise<number>;
  /** Every published answer with its question, newest first; of the asker only the name, never the contact. */
  publicAnswers(): Promise<PublicAnswerRow[]>;
  /**
   * Answers published since `since` (epoch ms) and never handed to the citizen's channel (no
   * notification key `answer-hand-over:<q>`), oldest first: what a crash interrupted.
   */
  unclaimedAnswersSince(since: number): Promise<Array<{ q: string; text: string; agency: string }>>;
  /** Answered questions published since `since` with no notification key `keyPrefix + q`, oldest first. */
  answeredWithoutKey(since: number, keyPrefix: string): Promise<string[]>;
  /** Submission instants of the questions in the range (the dashboard's questions per month). */
  submittedTimes(range: SubmittedRange): Promise<number[]>;
  /** Citizens' ratings 1..5 of the questions in the range, with how many of each (ratings absent: none given). */
  ratingCounts(range: SubmittedRange): Promise<Array<{ rating: number; n: number }>>;
  /** Questions whose asker gave exactly `contact` (as the bot keeps it: 0… phone digits, e-mail in lower case), newest first, at most `limit`. */
  questionsByContact(contact: string, limit: number): Promise<string[]>;
}

// ---- the back office ------------------------------------------------------------------------

export interface Account {
  id: string;
  name: string;
  role: Role;
  /** The agency an officer or approver works for; editors and admins work for all. */
  agency?: string;
  active: boolean;
  createdAt: number;
  /** Where to reach the person by e-mail when no chat identity is linked (approvers told of new drafts). */
  email?: string;
}

/** A chat identity a person linked to their account by sending a one-time code to the bot. */
export interface ChatIdentity {
  /** The Bot Framework channel id: 'zalo', 'facebook', 'directline', 'emulator'... */
  channel: string;
  userId: string;
}

/** The limits of data/policy.json `linking`, and where the attempt came from. */
export interface LinkAttempt {
  /** A key for the sender's network address (a hash of the IP), when the channel knows it (the portal). */
  address?: string;
  limits: {
    triesPerCode: number;
    failureWindowMs: number;
    /** Wrong tries in the window an identity, an address, makes without waiting; after them each try waits (backoff). */
    perIdentity: number;
    perAddress: number;
    /** The first wait, doubled with each further wrong try, up to maxDelayMs. */
    firstDelayMs: number;
    maxDelayMs: number;
    /** Wrong tries in the window, from everyone, at which the admins are alerted; never a block. */
    alertOverall: number;
  };
  /** A sign-in to the web console: the code is checked and spent the same way, but no chat identity is linked. */
  signIn?: boolean;
}

export type LinkOutcome =
  | { ok: true; account: Account }
  /**
   * wrong: no such live code (recorded), `alertOverall` set when this failure brought the window's count to the alert threshold;
   * blocked: the identity or address must wait `retryAfterMs` (backoff), the code was not even looked at.
   */
  | { ok: false; reason: 'wrong'; voided?: boolean; alertOverall?: number }
  | { ok: false; reason: 'blocked'; limit: 'identity' | 'address'; retryAfterMs: number };

/** A question as the ask-an-agency dialog files it: the `submitted` and `assigned` events. */
export interface QuestionFiling {
  source?: string;
  channel: Channel;
  text: string;
  asker: { name: string; contact: string; locality?: string };
  lang: string;
  flags?: string[];
  agency: string;
  confidence: number;
  triage: boolean;
  suggested?: string;
}

export interface Draft {
  id: number;
  q: string;
  agency: string;
  text: string;
  /** Account id of the officer who wrote it. */
  author: string;
  status: 'pending' | 'approved' | 'returned';
  comment?: string;
  createdAt: number;
  decidedAt?: number;
  decidedBy?: string;
}

export interface BackofficeStore {
  createAccount(input: { name: string; role: Role; agency?: string; email?: string }, now: number): Promise<Account>;
  /** Sets (or, with undefined, removes) the account's e-mail address. */
  setAccountEmail(id: string, email: string | undefined): Promise<void>;
  getAccount(id: string): Promise<Account | undefined>;
  listAccounts(filter?: { agency?: string; role?: Role }): Promise<Account[]>;
  setAccountActive(id: string, active: boolean): Promise<void>;
  /** A new API token for the account, returned once in clear; only its hash is stored. */
  issueApiToken(accountId: string, now: number): Promise<string>;
  accountByApiToken(token: string): Promise<Account | undefined>;
  /** A one-time code (valid `ttlMs`) the person sends to the bot to link a chat identity; it replaces the account's unused one. */
  createLinkCode(accountId: string, now: number, ttlMs: number): Promise<string>;
  /**
   * Links the identity if the code is valid, unused, unexpired and not void, and the sender is not
   * waiting out a backoff (per identity, per address); a wrong code is recorded (persisted) against the identity, the address and,
   * when its first characters name a live code, that code, which is void after `triesPerCode`.
   */
  redeemLinkCode(code: string, identity: ChatIdentity, conversationReference: unknown, now: number, attempt: LinkAttempt): Promise<LinkOutcome>;
  /** Revokes every API token of the account; returns how many were live. */
  revokeApiTokens(accountId: string, now: number): Promise<number>;
  /** Unlinks one chat identity of the account, or all of them; returns how many were removed. */
  unlinkIdentities(accountId: string, identity?: ChatIdentity): Promise<number>;
  /** Drops the account's unused link codes (a deactivated account gets no new links). */
  dropLinkCodes(accountId: string): Promise<void>;
  accountByIdentity(identity: ChatIdentity): Promise<Account | undefined>;
  /** Where to reach an account in chat: each linked identity with the conversation reference saved at linking. */
  identitiesOf(accountId: string): Promise<Array<ChatIdentity & { conversationReference: unknown }>>;
  /** Active accounts of an agency with one of the roles (editors/admins: agency ignored). */
  accountsFor(agency: string | undefined, roles: readonly Role[]): Promise<Account[]>;

  saveDraft(input: { q: string; agency: string; text: string; author: string }, now: number): Promise<Draft>;
  /** The latest draft of a question. */
  latestDraft(q: string): Promise<Draft | undefined>;
  /** Every draft of a question, oldest first (what changed since a returned version). */
  draftsOf(q: string): Promise<Draft[]>;
  decideDraft(id: number, decision: { status: 'approved' | 'returned'; by: string; comment?: string }, now: number): Promise<void>;
  pendingDrafts(agency?: string): Promise<Draft[]>;

  /** Records a notification key; true the first time only (the once-only guarantee for reminders, digests and answer hand-overs). */
  claimNotification(key: string, now: number): Promise<boolean>;
}

// ---- notification keys ----------------------------------------------------------------------

/**
 * The once-only keys of notifications (one table, `notifications_sent`, whoever writes it): the
 * sweeper's reminders and digests, answer hand-overs, citizens' notices. A key is unique in the
 * whole store, so two processes or instances never both send the same notice.
 */
export interface NotificationKeys {
  /** Records `key`; true the first time only. */
  claimNotification(key: string, now: number): Promise<boolean>;
  /** When `key` was first recorded; records it with `now` the first time. */
  firstRecorded(key: string, now: number): Promise<number>;
}

// ---- question intake (daily limits, held queue) ---------------------------------------------

export type HoldReason = 'identity' | 'contact' | 'address' | 'overall';

/** What a held question keeps: the filing as the dialog would have made it, and the citizen's conversation (to deliver the answer there once released). */
export type HeldBody = QuestionFiling & { reference?: unknown };

/** A question waiting for an editor because it went over a daily limit (data/policy.json questionsPerDay). */
export interface HeldQuestion {
  id: number;
  heldAt: number;
  /** Which limit it went over. */
  reason: HoldReason;
  /** Everything needed to file it: the would-be `submitted` event's fields, the routing, where to reach the citizen. */
  body: HeldBody;
  status: 'held' | 'released' | 'discarded';
  decidedAt?: number;
  decidedBy?: string;
  /** The ticket it got when released. */
  q?: string;
}

export interface IntakeLimits {
  perIdentity: number;
  perContact: number;
  perAddress?: number;
  overall: number;
}

export type AdmitDecision = { ok: true } | { ok: false; reason: HoldReason };

/**
 * The daily counters of filed questions and the held queue. `identity`, `contact` and `address`
 * are already hashed keys (src/store/sqlite-intake.ts identityKey, contactKey): the counters never
 * keep who asked. Counting and admitting happen atomically, so two processes cannot both take the
 * last place.
 */
export interface QuestionIntake {
  /**
   * Counts one more question if it fits the limits of the day starting at `dayStart`; otherwise the limit it went over.
   * `contact` undefined: the contact is neither checked nor counted (a channel-identified sender).
   */
  admit(identity: string, contact: string | undefined, address: string | undefined, dayStart: number, now: number, limits: IntakeLimits): Promise<AdmitDecision>;
  /** Puts a question in the held queue (once per inbound event `body.source`); returns its id. */
  hold(body: HeldBody, reason: HoldReason, now: number): Promise<number>;
  /** Held questions still waiting, oldest first. */
  waiting(limit?: number): Promise<HeldQuestion[]>;
  get(id: number): Promise<HeldQuestion | undefined>;
  /** Records an editor's decision; false when the question was no longer held (someone decided meanwhile). */
  decide(id: number, decision: { status: 'released' | 'discarded'; by: string; q?: string }, now: number): Promise<boolean>;
  /** A release that could not file the question: back to the queue. */
  reopen(id: number): Promise<void>;
  setTicket(id: number, q: string): Promise<void>;
}

// ---- one-time codes that confirm a portal citizen's contact -------------------------------

export interface ContactCodeLimits {
  /** Codes per contact per local day, whoever asked for them (the overall cap). */
  perContact: number;
  /**
   * Codes per contact per local day at the request of one requester (the network address, or no
   * address): a stranger who knows the contact cannot use up the contact's codes for others.
   */
  perContactPerRequester: number;
  /** Codes per network address per local day (portal senders). */
  perAddress: number;
  /** The wait after a code before the same requester gets another to the same contact. */
  resendAfterMs: number;
}

/** A code as stored: only its hash (keyed by its id), the hashed contact and address keys, its expiry and tries. */
export interface NewContactCode {
  id: string;
  contact: string;
  address?: string;
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  tries: number;
}

export type CodeIssue = { ok: true } | { ok: false; reason: 'contact' | 'requester' | 'address' } | { ok: false; reason: 'wait'; retryAt: number };

/** One try of a code: right (confirmed now), wrong (tries left), or not usable any more. */
export type CodeTry = { outcome: 'confirmed' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'expired' | 'exhausted' | 'used' | 'unknown' };

/**
 * The codes sent to confirm a citizen's contact before their question is filed. Counting the
 * day's codes and storing a new one happen atomically (two processes cannot both send the last
 * one); a try uses one of the code's tries atomically, right or wrong, before it is compared.
 */
export interface ContactCodes {
  /** Stores the code if the contact's (overall and from this address) and the address's codes of the day starting at `dayStart` allow it, and this address's resend wait for the contact is over. */
  issue(code: NewContactCode, dayStart: number, limits: ContactCodeLimits): Promise<CodeIssue>;
  /** Tries `codeHash` against code `id` at `now`. */
  attempt(id: string, codeHash: string, now: number): Promise<CodeTry>;
}

// ---- Zalo and Messenger: inbox and outbox ---------------------------------------------------

export type MessagingChannel = 'zalo' | 'facebook';

/** Citizens' notifications by the contact they gave (src/notify): e-mail, brandname SMS, Zalo ZNS template by phone. */
export type NotificationChannel = 'email' | 'sms' | 'zns';

/** Everything the outbox sends: chat replies and notifications share its retries, dead letters and admins' view. */
export type OutboxChannel = MessagingChannel | NotificationChannel;

export interface NewInboundEvent {
  channel: MessagingChannel;
  /** The channel's message id (or a key derived from the event): a replayed delivery has the same. */
  dedupeKey: string;
  /** channel:user: events of one user are handled in order. */
  userKey: string;
  kind: string;
  payload: string;
  receivedAt: number;
  /** Recorded but not handed to the bot (unfollow...). */
  ignored?: boolean;
  /** The user's interaction, which opens the channel's reply window (stored in the same transaction). */
  interaction?: { userId: string; at: number };
}

export interface InboundEvent extends Omit<NewInboundEvent, 'interaction'> {
  id: number;
  attempts: number;
}

export interface OutboundPayload {
  text: string;
  /** Button titles; a click comes back as the title typed. */
  buttons?: string[];
  /** A person (officer) wrote it: Messenger's HUMAN_AGENT tag may apply after 24 hours. */
  human?: boolean;
  /** E-mail: the subject line (`text` is the body). */
  subject?: string;
  /** Zalo ZNS: the approved template and its parameters (`text` is a summary for the admins' view). */
  template?: { id: string; data: Record<string, string> };
  /** The sender's idempotency or correlation key (SMS RequestId, ZNS tracking_id), the same on every attempt. */
  requestId?: string;
  /** ZNS: the SMS to send instead when the number cannot get ZNS (no Zalo account, ZNS refused). */
  fallback?: { channel: 'sms'; text: string };
}

export interface NewOutboundMessage {
  channel: OutboxChannel;
  recipient: string;
  payload: OutboundPayload;
  /** What it answers: the inbox event id, or a question id. */
  source?: string;
}

export interface OutboundMessage extends NewOutboundMessage {
  id: number;
  attempts: number;
  createdAt: number;
}

export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'dead' | 'expired' | 'unknown';

/** Bot state items by key, as botbuilder's Storage reads and writes them (its StoreItems). */
export interface BotStateItems {
  [key: string]: any;
}

export interface TurnResult {
  status: 'done' | 'failed';
  error?: string;
  replies: NewOutboundMessage[];
  /** Bot state written during the turn, committed with the replies. */
  stateWrites: BotStateItems;
  /**
   * Who wrote: their reply window is open again, so officers' answers that expired waiting
   * for it (published after the window closed) go out now, before this turn's replies.
   */
  from?: { channel: MessagingChannel; recipient: string };
}

export type UndeliveredDecision = 'resend' | 'delivered';

/** Counts the store answers from indexes, cheap enough for every /metrics scrape. */
export interface QueueDepths {
  inboxPending(): Promise<number>;
  inboxFailed(): Promise<number>;
  undeliveredByStatus(): Promise<Record<'dead' | 'expired' | 'unknown', number>>;
}

export interface ChannelQueueStore extends QueueDepths {
  /** Stores webhook events durably; returns how many were new (a replayed event changes nothing). */
  enqueueInbound(events: readonly NewInboundEvent[]): Promise<number>;
  /** Claims pending events: per user only the earliest, and none while another of that user is claimed. */
  claimInbound(owner: string, now: number, leaseMs: number, limit: number): Promise<InboundEvent[]>;
  /** Ends a turn: state, replies and the event's status in one transaction. False when the lease was lost. */
  completeInbound(id: number, owner: string, now: number, result: TurnResult): Promise<boolean>;
  /** Gives an event back after a failure, to be tried again (or marked failed after `maxAttempts`). */
  releaseInbound(id: number, owner: string, error: string, maxAttempts: number): Promise<void>;

  enqueueOutbound(messages: readonly NewOutboundMessage[], now: number): Promise<void>;
  /**
   * Enqueues `messages` and records `key` in one transaction, unless `key` was recorded
   * before: then nothing is enqueued and it returns false (the once-only notifications).
   */
  enqueueOnce(key: string, messages: readonly NewOutboundMessage[], now: number): Promise<boolean>;
  /** When `key` was first recorded; records it with `now` the first time. */
  firstRecorded(key: string, now: number): Promise<number>;
  /** Claims due messages (status becomes 'sending'): per recipient only the earliest, so replies keep their order. */
  claimOutbound(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboundMessage[]>;
  finishOutbound(id: number, owner: string, now: number, outcome: { status: 'sent' | 'dead' | 'expired'; providerId?: string; error?: string }): Promise<void>;
  retryOutbound(id: number, owner: string, nextAttemptAt: number, error: string): Promise<void>;
  /**
   * At start-up of the only process using this store (the embedded SQLite file): events it had
   * claimed are free again at once, and sends it had started are marked 'unknown' (never resent
   * automatically: a message is sent at most once; admins decide with settleUndelivered).
   */
  recoverAfterRestart(): Promise<{ inbound: number; interruptedSends: number }>;
  outboundByStatus(): Promise<Record<OutboundStatus, number>>;
  /** Dead, expired and unknown messages, newest first, for admins. */
  undelivered(limit: number): Promise<Array<OutboundMessage & { status: OutboundStatus; lastError?: string }>>;
  /**
   * An admin's decision on an undelivered message: 'resend' puts a dead, expired or unknown
   * one back in the queue with fresh attempts; 'delivered' records that a dead or unknown one
   * did reach the person (seen in the channel's own console, or confirmed by them).
   * Returns the status it had, `undefined` when there is no such message, or
   * `{ conflict }` when its status does not allow the decision.
   */
  settleUndelivered(id: number, decision: UndeliveredDecision, note: string, now: number): Promise<{ was: OutboundStatus } | { conflict: OutboundStatus } | undefined>;

  touchUser(channel: MessagingChannel, userId: string, at: number): Promise<void>;
  lastInbound(channel: MessagingChannel, userId: string): Promise<number | undefined>;
  getSecret(name: string): Promise<string | undefined>;
  setSecret(name: string, value: string, now: number): Promise<void>;
  inboundByStatus(): Promise<Record<string, number>>;
}

// ---- the portal channel: Direct Line conversations ------------------------------------------

/** What `appendActivity` receives: the store gives the id (from the sequence number). */
export interface NewDirectLineActivity {
  type: string;
  timestamp: string;
  channelId: string;
  conversation: { id: string };
  from: { id: string; name?: string; role: 'user' | 'bot' };
  recipient?: { id: string; name?: string; role?: string };
  text?: string;
  replyToId?: string;
  channelData?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An activity as stored and served over Direct Line: plain JSON, ISO timestamp, server id. */
export interface DirectLineActivity extends NewDirectLineActivity {
  id: string;
}

export interface DirectLineConversation {
  id: string;
  userId: string;
  createdAt: number;
  /** When the current token stops being accepted (epoch ms). */
  expiresAt: number;
  lastActivityAt: number;
}

export interface StoredDirectLineActivity {
  seq: number;
  activity: DirectLineActivity;
}

export interface ActivityPage {
  activities: StoredDirectLineActivity[];
  /** The sequence number to give as the next watermark. */
  watermark: number;
}

export type TokenCheck =
  | { ok: true; conversation: DirectLineConversation }
  | { ok: false; reason: 'unknown-conversation' | 'invalid-token' | 'expired-token' };

/**
 * A portal citizen's long-lived identity: the browser keeps a secret the server issued (in localStorage),
 * the server only its hash. Presenting it when a conversation starts gives that conversation this
 * identity's user id, so "câu hỏi của tôi" finds the same questions across tabs and days.
 */
export interface PortalIdentity {
  id: string;
  createdAt: number;
  /** When the secret stops being accepted (epoch ms); each use moves it on. */
  expiresAt: number;
  lastUsedAt: number;
}

export type IdentityCheck = { ok: true; identity: PortalIdentity } | { ok: false; reason: 'unknown-identity' | 'invalid-secret' | 'expired-identity' };

/**
 * Storage of the portal channel. Only a SHA-256 hash of each token is kept, so a copy
 * of the database does not let anyone read or post into citizens' conversations.
 */
export interface DirectLineStore {
  createConversation(input: { id: string; tokenHash: string; userId: string; expiresAt: number; now: number }): Promise<DirectLineConversation>;
  findConversation(id: string): Promise<DirectLineConversation | undefined>;
  /** Whether `token` is the current, unexpired token of conversation `id`. */
  verifyToken(id: string, token: string, now: number): Promise<TokenCheck>;
  /** Replaces the token hash (token rotation) and/or sets a new expiry; false when the conversation does not exist. */
  refreshToken(id: string, update: { expiresAt: number; tokenHash?: string }): Promise<boolean>;
  /** Appends one activity; its id is `${conversationId}|${seq}` (zero-padded). Throws for an unknown conversation. */
  appendActivity(conversationId: string, activity: NewDirectLineActivity, now: number): Promise<StoredDirectLineActivity>;
  /** Activities with a sequence number above `afterSeq`, oldest first, at most `limit`. */
  listActivities(conversationId: string, afterSeq: number, limit: number): Promise<ActivityPage>;
  /** Citizens' activities stored before `before` whose turn never finished (a crash), oldest first, at most `limit`. */
  unhandledActivities(limit: number, before: number): Promise<StoredDirectLineActivity[]>;
  /** The turn of this citizen's activity has finished (whatever its outcome). */
  markHandled(activity: DirectLineActivity): Promise<void>;
  /**
   * Where several instances share the store: resolves once the turns of the conversation's earlier
   * messages that other instances are running have finished, so a conversation's turns stay one at a
   * time and in order whichever instance each message reached. Absent where one process owns the store.
   */
  awaitEarlierTurns?(activity: DirectLineActivity): Promise<void>;
  /** Records a new portal identity by the hash of its secret. */
  createIdentity(input: { id: string; secretHash: string; expiresAt: number; now: number }): Promise<PortalIdentity>;
  /**
   * Whether `secretHash` is the hash of identity `id`'s secret (compared in constant time) and the identity
   * has not expired; if so, its use is recorded and its expiry moved on to `expiresAt` (never back).
   */
  useIdentity(id: string, secretHash: string, now: number, expiresAt: number): Promise<IdentityCheck>;
}

// ---- bot state ------------------------------------------------------------------------------

/**
 * botbuilder's Storage (conversation and user state, dialog stacks), declared here so the use
 * cases need not import botbuilder; its Storage has exactly this shape. eTags as MemoryStorage:
 * a write carrying a stale eTag fails, "*" or none overwrites.
 */
export interface BotStateStorage {
  read(keys: string[]): Promise<BotStateItems>;
  write(changes: BotStateItems): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

// ---- jobs: retention and the deadline sweeper -----------------------------------------------

/** What the retention job purges, each with its own age limit. */
/** expiredIdentities: portal identities whose expiry (not their age) is before the cutoff. */
export type RetentionKind = 'webhookEvents' | 'sentMessages' | 'portalConversations' | 'abandonedDialogs' | 'expiredIdentities';

/** Deletions of old channel traffic, in bounded batches (src/jobs/retention.ts). */
export interface Retention {
  /** Deletes at most `limit` items of `kind` last touched before `cutoff`; returns how many. */
  purgeBatch(kind: RetentionKind, cutoff: number, limit: number): Promise<number>;
}

/** An open case with its position in the question's cases (the sweeper's notification keys name it). */
export type IndexedCase = CaseRecord & { idx: number };

/** The deadline sweeper's case source (its notification keys are NotificationKeys). */
export interface OpenCases {
  /** Cases of every agency still open (not answered, deleted or forwarded away) that started by `at`. */
  openCases(at: number): Promise<IndexedCase[]>;
}

// ---- photos sent with questions ---------------------------------------------------------------

/** A photo's facts, without its bytes (lists). */
export interface PhotoInfo {
  /** 1, 2, ... in the order the photos were filed with the question. */
  n: number;
  type: string;
  size: number;
  /** The channel it came on: portal, zalo, facebook. */
  channel: string;
  receivedAt: number;
}

export interface NewPhoto {
  /** Unique; the same id twice (a turn run again after a crash) keeps the first. */
  id: string;
  /** The chat identity that sent it ("zalo:123", "directline:u-..."): only it can file the photo with a question. */
  owner: string;
  channel: string;
  type: string;
  bytes: Uint8Array;
  receivedAt: number;
}

/**
 * Photos citizens send while asking (src/bot/photos.ts): kept apart from the question until it is filed
 * (the dialog keeps their ids), then attached to it. Never published; read by officers through the API.
 */
export interface PhotoStore {
  /**
   * Keeps a photo not yet filed; an id already stored is left as it is. With `keep`, the owner keeps at most
   * that many photos not yet filed: the oldest beyond it are deleted (a new photo replaces the oldest).
   */
  savePending(photo: NewPhoto, keep?: number): Promise<void>;
  /** Files the owner's pending photos of these ids with question q, numbered after those it has; returns how many the question has. */
  attach(q: string, owner: string, ids: readonly string[]): Promise<number>;
  /** The question's photos, in order, without their bytes. */
  list(q: string): Promise<PhotoInfo[]>;
  /** One photo with its bytes. */
  get(q: string, n: number): Promise<(PhotoInfo & { bytes: Buffer }) | undefined>;
  /** Deletes at most `limit` photos: pending ones received before `pendingCutoff`, filed ones of questions ended before `filedCutoff`. */
  purge(pendingCutoff: number, filedCutoff: number, limit: number): Promise<number>;
}

// ---- the web console's sessions -------------------------------------------------------------

export interface ConsoleSession {
  accountId: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

/** How a console session was opened: with an API token, or with the account's one-time link code. */
export type SignInMethod = 'token' | 'link_code';

/** A live session as an admin sees it: never its id, only a handle naming it (a prefix of the id's hash). */
export interface SessionSummary {
  handle: string;
  method: SignInMethod;
  userAgent?: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * Server-side sessions of the web console /quan-tri: the cookie carries a random id, the store
 * only its SHA-256 (a copy of the database opens no session).
 */
export interface ConsoleSessionStore {
  /** A new session valid `ttlMs`; returns the id for the cookie (never stored in clear). `opened` is kept for the admins' list. */
  create(accountId: string, now: number, ttlMs: number, opened?: { method?: SignInMethod; userAgent?: string }): Promise<{ id: string; session: ConsoleSession }>;
  /** The live session with that id: unknown, expired and revoked ones are refused alike. */
  get(id: string | undefined, now: number): Promise<ConsoleSession | undefined>;
  /** The handle an admin's list shows for the session with this cookie id. */
  handleOf(id: string): string;
  revoke(id: string, now: number): Promise<void>;
  /** An account's live sessions, newest first. */
  live(accountId: string, now: number): Promise<SessionSummary[]>;
  /** Ends one live session of the account, named by its handle; false when there is none (already ended, or not this account's). */
  revokeHandle(accountId: string, handle: string, now: number): Promise<boolean>;
  /** Ends every session of an account; returns how many were live. */
  revokeAccount(accountId: string, now: number): Promise<number>;
  /** How many live sessions each account has. */
  liveCounts(now: number): Promise<Map<string, number>>;
}

// ---- the bundle -----------------------------------------------------------------------------

/**
 * Every store of one location (src/store/open.ts openStores): all on one SQLite file, or all in
 * one PostgreSQL schema. The composition root builds the service from this and nothing else.
 */
export interface Stores {
  /** 'sqlite' or 'postgres' (logs, readiness). */
  readonly kind: string;
  /**
   * Whether one process owns the store (the embedded file): at start-up, its claims and sends
   * left by a crash can be recovered at once. False when other instances share it.
   */
  readonly singleProcess: boolean;
  ledger: LedgerStore;
  queries: QuestionQueries;
  backoffice: BackofficeStore;
  intake: QuestionIntake;
  channels: ChannelQueueStore;
  directLine: DirectLineStore;
  botState: BotStateStorage;
  retention: Retention;
  openCases: OpenCases;
  consoleSessions: ConsoleSessionStore;
  notificationKeys: NotificationKeys;
  contactCodes: ContactCodes;
  photos: PhotoStore;
  /**
   * A consistent copy of the whole store into a new file, checked, safe while the server runs
   * (SQLite: VACUUM INTO; PostgreSQL: pg_dump of the schema). Absent where an adapter has none.
   */
  backup?(target: string): Promise<{ bytes: number; summary: string }>;
  /** Closes every store (the ledger last). */
  close(): Promise<void>;
}
