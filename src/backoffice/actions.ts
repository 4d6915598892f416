import { ACTION_VERBS, roleMay, type StaffActor } from '../app/permissions';
import { MAX_TEXT_LENGTH, resolveAgency, type ActionResult } from '../app/common';
import { WorkflowError } from '../app/errors';
import { acceptQuestion } from '../app/questions/accept';
import { approveAnswer, handOverUnclaimedAnswers } from '../app/questions/approve';
import { assignQuestion } from '../app/questions/assign';
import { deleteQuestion } from '../app/questions/delete';
import { initials, questionDetail } from '../app/questions/detail';
import { draftAnswer, type DraftResult } from '../app/questions/draft';
import { extendDeadline } from '../app/questions/extend';
import { forwardQuestion } from '../app/questions/forward';
import { DEFAULT_PAGE, listQuestions, MAX_PAGE, type ListQuestionsInput, type QuestionList } from '../app/questions/list';
import { overdueQuestions, type OverdueList } from '../app/questions/overdue';
import { returnDraft } from '../app/questions/return-draft';
import { suggestForward } from '../app/questions/suggest-forward';
import type { AppDeps, QuestionQueries, RouterPort, StaffMailer } from '../app/use-case-ports';
import type { ForwardSuggestion, QuestionDetail } from '../app/views';
import type { ProvinceData } from '../config/data';
import type { Agency } from '../domain/agencies';
import type { QuestionState } from '../domain/lifecycle';
import { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { STAFF_NOTICES } from '../bot/texts';
import type { LedgerStore } from '../store/types';
import type { Notifier } from './notifier';
import type { Account, BackofficeStore, Draft } from './types';

/**
 * The back office's actions and reads, as one object for the adapters that hold one (chat,
 * REST, console, CLI): each method is a use case of src/app, wired here to the store, the
 * ledger, the notifier and the logger. The rules, permissions and wording live in src/app.
 */

export { WorkflowError, roleMay, initials, MAX_TEXT_LENGTH, DEFAULT_PAGE, MAX_PAGE, ACTION_VERBS };
export type { WorkflowErrorCode } from '../app/errors';
export type { ActionResult, ForwardSuggestion, QuestionDetail, QuestionList, OverdueList, QuestionQueries };
export type { DraftView, DeadlineView, OverdueView, QuestionSummary, DraftChanges } from '../app/views';

/** Who acts: an account (only id, role and agency matter; a deactivated account may do nothing). */
export type WorkflowActor = StaffActor;

export type QuestionListQuery = ListQuestionsInput;

export type RouterLike = RouterPort;

export interface WorkflowDeps {
  data: ProvinceData;
  store: LedgerStore;
  backoffice: BackofficeStore;
  notifier: Notifier;
  /** E-mail to staff without a linked chat (approvers told of a new draft). */
  mailer?: StaffMailer;
  /** Defaults to a Ledger over `store`. */
  ledger?: Ledger;
  /** The question lists (Stores.queries); without them, listing questions fails. */
  queries?: QuestionQueries;
  /** The router, to suggest where a question should be forwarded. */
  router?: RouterLike;
  now?: () => number;
  /** Called after each event is recorded (e.g. to tell a new agency's officers); errors are logged, never thrown. */
  onRecorded?: (event: Readonly<Record<string, unknown>>, state: QuestionState) => void | Promise<void>;
}

export class Workflow {
  readonly data: ProvinceData;
  readonly store: LedgerStore;
  readonly backoffice: BackofficeStore;
  readonly ledger: Ledger;
  readonly now: () => number;
  /** The use cases' ports, as wired here. */
  readonly deps: AppDeps;

  constructor(deps: WorkflowDeps) {
    this.data = deps.data;
    this.store = deps.store;
    this.backoffice = deps.backoffice;
    this.ledger = deps.ledger ?? new Ledger(deps.store, deps.data);
    this.now = deps.now ?? Date.now;
    const queries = deps.queries;
    this.deps = {
      facts: deps.data,
      ledger: deps.store,
      writer: this.ledger,
      backoffice: deps.backoffice,
      notifier: deps.notifier,
      ...(deps.mailer ? { mailer: deps.mailer } : {}),
      ...(queries ? { queries } : {}),
      ...(deps.router ? { router: deps.router } : {}),
      now: this.now,
      log: logger,
      notices: STAFF_NOTICES,
      ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
    };
  }

  accept(actor: WorkflowActor, q: string): Promise<ActionResult> {
    return acceptQuestion(this.deps, { q }, actor);
  }

  forward(actor: WorkflowActor, q: string, input: { agency?: string; reason: string }, router?: RouterLike): Promise<ActionResult> {
    return forwardQuestion(this.deps, { ...input, q }, actor, router ? { router } : {});
  }

  suggestForward(actor: WorkflowActor, q: string, router?: RouterLike): Promise<ForwardSuggestion | undefined> {
    return suggestForward(this.deps, { q, ...(router ? { router } : {}) }, actor);
  }

  delete(actor: WorkflowActor, q: string, input: { reason: string }): Promise<ActionResult> {
    return deleteQuestion(this.deps, { ...input, q } as Parameters<typeof deleteQuestion>[1], actor);
  }

  extend(actor: WorkflowActor, q: string, input: { days: number; reason: string }): Promise<ActionResult & { answerDue: string }> {
    return extendDeadline(this.deps, { ...input, q }, actor);
  }

  draft(actor: WorkflowActor, q: string, input: { text: string }): Promise<DraftResult & { draft: Draft }> {
    return draftAnswer(this.deps, { ...input, q }, actor);
  }

  approve(actor: WorkflowActor, q: string, input: { text?: string } = {}): Promise<ActionResult & { delivered: boolean; draft?: Draft; edited: boolean }> {
    return approveAnswer(this.deps, { ...input, q }, actor);
  }

  /** After a restart: answers published but never handed over; returns how many were. */
  handOverUnclaimedAnswers(answers: ReadonlyArray<{ q: string; text: string; agency: string }>): Promise<number> {
    return handOverUnclaimedAnswers(this.deps, answers);
  }

  returnDraft(actor: WorkflowActor, q: string, input: { comment: string }): Promise<{ draft: Draft; notified: number }> {
    return returnDraft(this.deps, { ...input, q }, actor);
  }

  assign(actor: WorkflowActor, q: string, input: { agency: string; reason?: string }): Promise<ActionResult> {
    return assignQuestion(this.deps, { ...input, q }, actor);
  }

  listQuestions(actor: WorkflowActor, query: QuestionListQuery = {}): Promise<QuestionList> {
    return listQuestions(this.deps, query, actor);
  }

  questionDetail(actor: WorkflowActor, q: string, options: { router?: RouterLike } = {}): Promise<QuestionDetail> {
    return questionDetail(this.deps, { q }, actor, options);
  }

  overdue(actor: WorkflowActor, query: { agency?: string; at?: number } = {}): Promise<OverdueList> {
    return overdueQuestions(this.deps, query, actor);
  }

  /** An agency from a code or a name typed with or without diacritics. */
  resolveAgency(input: string, field = 'agency'): Agency {
    return resolveAgency(this.deps, input, field);
  }
}

/** A notifier for a server with no chat channel wired for the back office: says so in the log and delivers nothing. */
export class UnwiredNotifier implements Notifier {
  async toAccount(account: Account): Promise<number> {
    logger.warn('back-office notification not sent: no notifier is configured', { account: account.id });
    return 0;
  }

  async answerToCitizen(q: string): Promise<boolean> {
    logger.warn('answer not pushed to the citizen: no notifier is configured; it stays readable on the portal', { q });
    return false;
  }
}
