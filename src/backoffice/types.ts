import type { Channel } from '../domain/events';

/** Back office: who officers, approvers, editors and admins are, and what the workflow stores beside the ledger. */

export const ROLES = ['officer', 'approver', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Account {
  id: string;
  name: string;
  role: Role;
  /** The agency an officer or approver works for; editors and admins work for all. */
  agency?: string;
  active: boolean;
  createdAt: number;
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
}

export type LinkOutcome =
  | { ok: true; account: Account }
  /**
   * wrong: no such live code (recorded), `alertOverall` set when this failure brought the window's count to the alert threshold;
   * blocked: the identity or address must wait `retryAfterMs` (backoff), the code was not even looked at.
   */
  | { ok: false; reason: 'wrong'; voided?: boolean; alertOverall?: number }
  | { ok: false; reason: 'blocked'; limit: 'identity' | 'address'; retryAfterMs: number };

/** A question as the ask-an-agency dialog files it (src/backoffice/held.ts): the `submitted` and `assigned` events. */
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
  createAccount(input: { name: string; role: Role; agency?: string }, now: number): Promise<Account>;
  getAccount(id: string): Promise<Account | undefined>;
  listAccounts(filter?: { agency?: string; role?: Role }): Promise<Account[]>;
  setAccountActive(id: string, active: boolean): Promise<void>;
  /** A new API token for the account, returned once in clear; only its hash is stored. */
  issueApiToken(accountId: string, now: number): Promise<string>;
  accountByApiToken(token: string): Promise<Account | undefined>;
  /** A one-time code (valid `ttlMs`) the person sends to the bot to link a chat identity; it replaces the account's unused one. */
  createLinkCode(accountId: string, now: number, ttlMs: number): Promise<string>;
  /**
   * Links the identity if the code is valid, unused, unexpired and not void, and no failure limit
   * is reached; a wrong code is recorded (persisted) against the identity, the address and,
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
  decideDraft(id: number, decision: { status: 'approved' | 'returned'; by: string; comment?: string }, now: number): Promise<void>;
  pendingDrafts(agency?: string): Promise<Draft[]>;

  /** Records a notification key; true the first time only (the once-only guarantee for reminders, digests and answer hand-overs). */
  claimNotification(key: string, now: number): Promise<boolean>;
}

/** The notification key that records that a question's answer was handed to the citizen's channel. */
export const answerHandOverKey = (q: string): string => `answer-hand-over:${q}`;
