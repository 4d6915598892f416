import type { CaseRecord } from '../domain/cases';
import type { EventType } from '../domain/events';
import type { QuestionState } from '../domain/lifecycle';

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
