import type { ProvinceData } from '../config/data';
import { can, visibleAgency, type Action } from '../domain/access';
import type { Agency } from '../domain/agencies';
import { overdueAt, type Overdue } from '../domain/cases';
import { DELETE_REASONS, type DeleteReason } from '../domain/events';
import { isClosed, openCase, type CaseState, type QuestionState, type QuestionStatus } from '../domain/lifecycle';
import { Ledger, LedgerRejection } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { overdueQuestions } from '../queries/overdue';
import type { RouteResult } from '../routing/router';
import type { QuestionListFilter, QuestionListRow } from '../app/ports';
import { ConflictError, type LedgerStore } from '../store/types';
import type { ChatMessage, Notifier } from './notifier';
import { answerHandOverKey, type Account, type BackofficeStore, type Draft, type Role } from './types';

/**
 * The back office's actions on questions (officers, approvers, editors, admins) and
 * its read views. Every action is checked with `can` against the question's current
 * agency, validated completely before anything is written, and recorded as one
 * ledger event `by: "<role>:<accountId>"`; notifications follow the write.
 */

export type WorkflowErrorCode = 'forbidden' | 'not_found' | 'invalid_state' | 'invalid_input';

export class WorkflowError extends Error {
  constructor(readonly code: WorkflowErrorCode, message: string) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** Who acts: an account (only id, role and agency matter; a deactivated account may do nothing). */
export type WorkflowActor = Pick<Account, 'id' | 'role'> & { agency?: string; name?: string; active?: boolean };

/** Back-office reads that need more than the ledger store's interface (SQL on the SQLite file). */
export interface QuestionQueries {
  listQuestions(filter: QuestionListFilter): Promise<{ total: number; rows: QuestionListRow[] }>;
}

export type RouterLike = { route(text: string): RouteResult };

export interface WorkflowDeps {
  data: ProvinceData;
  store: LedgerStore;
  backoffice: BackofficeStore;
  notifier: Notifier;
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

export interface ActionResult {
  q: string;
  /** The ledger event as recorded. */
  event: Record<string, unknown>;
  state: QuestionState;
}

export interface ForwardSuggestion {
  agency: string;
  name: string;
  confidence: number;
  /** Other agencies the router considered, best first (never the question's current agency). */
  alternatives: Array<{ agency: string; name: string; score: number }>;
}

export interface DraftView {
  id: number;
  text: string;
  author: string;
  authorName?: string;
  status: Draft['status'];
  comment?: string;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
}

export interface DeadlineView {
  agency: string;
  agencyName: string;
  start: string;
  acceptDue: string;
  answerDue: string;
  baseAnswerDue: string;
  accepted?: string;
  extension?: { at: string; days: number; appliedDays: number };
  answered?: string;
  authorized?: boolean;
  ended?: string;
  endReason?: string;
}

export interface OverdueView {
  deadline: Overdue['deadline'];
  due: string;
  workingDaysOverdue: number;
}

export interface QuestionSummary {
  q: string;
  status: QuestionStatus;
  agency?: string;
  agencyName?: string;
  channel: string;
  lang?: string;
  submittedAt: string;
  lastEventAt: string;
  /** The question as the citizen wrote it (plain text: escape it wherever it is shown). */
  text: string;
  current?: DeadlineView;
  overdue?: OverdueView;
  rating?: number;
}

export interface QuestionDetail extends QuestionSummary {
  /** Only for actors with 'view' on the question's agency. */
  asker?: { name?: string; contact?: string; locality?: string };
  askerInitials?: string;
  cases: DeadlineView[];
  /** The ledger events of the question, in order (the asker's contact removed for actors without 'view'). */
  events: Array<Record<string, unknown>>;
  latestDraft?: DraftView;
  /** Where the router would send it, for actors who may forward it (absent without a router). */
  suggestion?: ForwardSuggestion;
}

export interface QuestionListQuery {
  /** A code or a name; ignored for officers and approvers, who always see their own agency. */
  agency?: string;
  status?: readonly QuestionStatus[];
  /** Only questions past a deadline now. */
  overdue?: boolean;
  /** Submitted from this local day (day number, see domain/time) ... */
  fromDay?: number;
  /** ... to this local day, inclusive. */
  toDay?: number;
  limit?: number;
  offset?: number;
}

export interface QuestionList {
  /** The agency the list is limited to (undefined: all). */
  agency?: string;
  total: number;
  limit: number;
  offset: number;
  items: QuestionSummary[];
}

export interface OverdueList {
  at: string;
  agencies: Array<{
    agency: string;
    name: string;
    items: Array<{ q: string; deadline: Overdue['deadline']; due: string; workingDaysOverdue: number; caseStart: string; accepted: boolean; text: string }>;
  }>;
}

export const MAX_TEXT_LENGTH = 20_000;
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

const VERBS: Record<Action, string> = {
  view: 'view questions',
  accept: 'accept questions',
  forward: 'forward questions',
  delete: 'delete questions',
  extend: 'extend answer deadlines',
  draft: 'draft answers',
  approve: 'approve or return answers',
  assign: 'assign questions',
  report: 'read reports',
  review_held: 'release or discard held questions',
  manage_accounts: 'manage accounts',
};

function article(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/** Whether the role may ever do the action (on some agency): the check made before reading a request. */
export function roleMay(role: Role, action: Action): boolean {
  return can({ role, agency: '\u0000' }, action, '\u0000');
}

/** "Nguyễn Văn An" → "N.V.A.": the only form of an asker's name shown in public. */
export function initials(name: string | undefined): string | undefined {
  const words = (name ?? '').normalize('NFC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return undefined;
  return words.map((w) => `${[...w][0].toLocaleUpperCase('vi')}.`).join('');
}

function cleanText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new WorkflowError('invalid_input', `${field} must be a non-empty text`);
  const text = value.trim();
  if (text.length > MAX_TEXT_LENGTH) throw new WorkflowError('invalid_input', `${field} is too long (${text.length} characters; at most ${MAX_TEXT_LENGTH})`);
  return text;
}

export class Workflow {
  readonly data: ProvinceData;
  readonly store: LedgerStore;
  readonly backoffice: BackofficeStore;
  readonly ledger: Ledger;
  readonly now: () => number;
  private readonly notifier: Notifier;
  private readonly queries?: QuestionQueries;
  private readonly router?: RouterLike;
  private readonly onRecorded?: WorkflowDeps['onRecorded'];

  constructor(deps: WorkflowDeps) {
    this.data = deps.data;
    this.store = deps.store;
    this.backoffice = deps.backoffice;
    this.notifier = deps.notifier;
    this.ledger = deps.ledger ?? new Ledger(deps.store, deps.data);
    this.queries = deps.queries;
    this.router = deps.router;
    this.now = deps.now ?? Date.now;
    this.onRecorded = deps.onRecorded;
  }

  // ---- actions ---------------------------------------------------------------------------

  /** Tiếp nhận: the question's agency takes it in. */
  async accept(actor: WorkflowActor, q: string): Promise<ActionResult> {
    const state = await this.load(q);
    this.authorize(actor, 'accept', state);
    const current = this.requireOpen(state, 'accept');
    if (current.accepted !== undefined)
      throw new WorkflowError('invalid_state', `question ${q} was already accepted by ${current.agency} on ${this.data.clock.formatDateTimeVi(current.accepted)}`);
    return this.record(state, { type: 'accepted', agency: current.agency }, actor);
  }

  /** Chuyển: the agency passes the question to another one, with a reason (the router's suggestion or the officer's choice). */
  async forward(actor: WorkflowActor, q: string, input: { agency: string; reason: string }): Promise<ActionResult> {
    const state = await this.load(q);
    this.authorize(actor, 'forward', state);
    const current = this.requireOpen(state, 'forward');
    const target = this.resolveAgency(input.agency, 'agency');
    const reason = cleanText(input.reason, 'reason');
    if (target.code === current.agency) throw new WorkflowError('invalid_state', `question ${q} is already at ${target.code}; forward it to another agency`);
    return this.record(state, { type: 'forwarded', from: current.agency, agency: target.code, reason }, actor);
  }

  /** Where the router would send the question, its current agency left out. */
  async suggestForward(actor: WorkflowActor, q: string, router = this.router): Promise<ForwardSuggestion | undefined> {
    const state = await this.load(q);
    this.authorize(actor, 'forward', state);
    return this.suggestionFor(state, await this.submittedText(q), router);
  }

  /** Xóa: removes the question from the agency's queue for one of the rule-based reasons. */
  async delete(actor: WorkflowActor, q: string, input: { reason: string }): Promise<ActionResult> {
    const state = await this.load(q);
    this.authorize(actor, 'delete', state);
    const current = this.requireOpen(state, 'delete');
    if (!(DELETE_REASONS as readonly string[]).includes(input.reason))
      throw new WorkflowError('invalid_input', `reason must be one of ${DELETE_REASONS.join(', ')}; got "${String(input.reason)}"`);
    return this.record(state, { type: 'deleted', agency: current.agency, reason: input.reason as DeleteReason }, actor);
  }

  /**
   * Gia hạn: once per case, at most the policy's working days, asked before the answer
   * deadline passes (an extension recorded later would move nothing and use up the only one).
   */
  async extend(actor: WorkflowActor, q: string, input: { days: number; reason: string }): Promise<ActionResult & { answerDue: string }> {
    const state = await this.load(q);
    this.authorize(actor, 'extend', state);
    const current = this.requireOpen(state, 'extend');
    // The cap in force when the case started (data/policy.json versions), as the ledger applies it.
    const max = this.data.rules.at(current.start).deadlines.extension.maxWorkingDays;
    if (!Number.isInteger(input.days) || input.days < 1 || input.days > max)
      throw new WorkflowError('invalid_input', `days must be a whole number of working days from 1 to ${max}; got ${String(input.days)}`);
    const reason = cleanText(input.reason, 'reason');
    const { clock } = this.data;
    if (current.extension)
      throw new WorkflowError(
        'invalid_state',
        `question ${q} was already extended by ${current.extension.days} working day(s) on ${clock.formatDateVi(current.extension.at)}; a case is extended at most once`,
      );
    const now = this.now();
    if (now > current.baseAnswerDue)
      throw new WorkflowError('invalid_state', `the answer deadline of question ${q} passed on ${clock.formatDateTimeVi(current.baseAnswerDue)}; an extension must be granted before it`);
    const result = await this.record(state, { type: 'extended', agency: current.agency, days: input.days, reason }, actor, now);
    const after = openCase(result.state) as CaseState;
    return { ...result, answerDue: clock.format(after.answerDue) };
  }

  /** An officer's draft answer: kept pending and sent to the agency's approvers with "Duyệt"/"Trả lại" buttons. */
  async draft(actor: WorkflowActor, q: string, input: { text: string }): Promise<{ draft: Draft; notified: number }> {
    const state = await this.load(q);
    this.authorize(actor, 'draft', state);
    const current = this.requireOpen(state, 'draft');
    const text = cleanText(input.text, 'text');
    const previous = await this.backoffice.latestDraft(q);
    const now = this.now();
    const saved = await this.backoffice.saveDraft({ q, agency: current.agency, text, author: actor.id }, now);
    // A new draft replaces one still waiting: approvers only ever see the latest.
    if (previous?.status === 'pending')
      await this.backoffice.decideDraft(previous.id, { status: 'returned', by: actor.id, comment: 'Đã thay bằng dự thảo mới' }, now).catch((err: unknown) =>
        logger.warn('could not retire a replaced draft', { q, draft: previous.id, error: (err as Error).message }),
      );
    logger.info('draft saved', { q, draft: saved.id, account: actor.id, agency: current.agency });

    const approvers = (await this.backoffice.accountsFor(current.agency, ['approver'])).filter((a) => a.id !== actor.id);
    const author = actor.name ?? (await this.backoffice.getAccount(actor.id))?.name ?? actor.id;
    const message: ChatMessage = {
      text: [
        `Dự thảo trả lời câu hỏi ${q} (${this.agencyName(current.agency)}) đang chờ duyệt.`,
        `Người soạn: ${author}`,
        `Câu hỏi: ${excerpt(await this.submittedText(q), 300)}`,
        `Dự thảo: ${text}`,
      ].join('\n'),
      buttons: [`Duyệt ${q}`, `Trả lại ${q}`],
    };
    let notified = 0;
    for (const approver of approvers) notified += await this.tell(approver, message, q);
    if (approvers.length === 0) logger.warn('draft waiting but the agency has no approver account', { q, agency: current.agency });
    return { draft: saved, notified };
  }

  /**
   * Publishes the answer: the latest pending draft, or a text the approver writes (which then
   * stands for that draft, edited). Recorded `answered` with `authorized: true`, then delivered
   * to the citizen on their channel; the draft's author is told.
   */
  async approve(actor: WorkflowActor, q: string, input: { text?: string } = {}): Promise<ActionResult & { delivered: boolean; draft?: Draft }> {
    const state = await this.load(q);
    this.authorize(actor, 'approve', state);
    const current = this.requireOpen(state, 'approve');
    const own = input.text === undefined ? undefined : cleanText(input.text, 'text');
    const latest = await this.backoffice.latestDraft(q);
    const pending = latest?.status === 'pending' ? latest : undefined;
    if (own === undefined && !pending)
      throw new WorkflowError('invalid_state', `question ${q} has no draft waiting for approval; send the answer text to publish it directly`);
    const text = own ?? (pending as Draft).text;
    const now = this.now();

    const result = await this.record(state, { type: 'answered', agency: current.agency, authorized: true, text }, actor, now);
    let decided: Draft | undefined;
    if (pending) {
      await this.backoffice
        .decideDraft(pending.id, { status: 'approved', by: actor.id, ...(own !== undefined && own !== pending.text ? { comment: 'Duyệt có chỉnh sửa' } : {}) }, now)
        .catch((err: unknown) => logger.warn('answer published but the draft could not be marked approved', { q, draft: pending.id, error: (err as Error).message }));
      decided = await this.backoffice.latestDraft(q);
    }
    const delivered = await this.handOverAnswer(q, text, current.agency, now);
    if (pending && pending.author !== actor.id) {
      const author = await this.backoffice.getAccount(pending.author);
      if (author?.active)
        await this.tell(author, { text: `Câu trả lời câu hỏi ${q} đã được duyệt và đăng${own !== undefined && own !== pending.text ? ' (có chỉnh sửa)' : ''}.` }, q);
    }
    return { ...result, delivered, ...(decided ? { draft: decided } : {}) };
  }

  /**
   * Hands a published answer to the citizen's channel, at most once: the hand-over is
   * claimed first (a key in the store). An answer recorded but never claimed, because the
   * server died in between, is handed over by `handOverUnclaimedAnswers` at the next start.
   */
  private async handOverAnswer(q: string, text: string, agency: string, now: number): Promise<boolean> {
    if (!(await this.backoffice.claimNotification(answerHandOverKey(q), now))) return false;
    try {
      return await this.notifier.answerToCitizen(q, text, this.agencyName(agency));
    } catch (err) {
      logger.error('answer published but not handed to the citizen channel', { q, error: (err as Error).message });
      return false;
    }
  }

  /** After a restart: answers published but never handed over (see handOverAnswer); returns how many were. */
  async handOverUnclaimedAnswers(answers: ReadonlyArray<{ q: string; text: string; agency: string }>): Promise<number> {
    let handed = 0;
    for (const a of answers) if (await this.handOverAnswer(a.q, a.text, a.agency, this.now())) handed += 1;
    if (handed > 0) logger.warn('answers handed to citizens after a restart', { handed });
    return handed;
  }

  /** Trả lại: the approver sends the pending draft back to its author with a comment. */
  async returnDraft(actor: WorkflowActor, q: string, input: { comment: string }): Promise<{ draft: Draft; notified: number }> {
    const state = await this.load(q);
    this.authorize(actor, 'approve', state);
    this.requireOpen(state, 'return a draft of');
    const comment = cleanText(input.comment, 'comment');
    const latest = await this.backoffice.latestDraft(q);
    if (!latest || latest.status !== 'pending') throw new WorkflowError('invalid_state', `question ${q} has no draft waiting for approval to return`);
    const now = this.now();
    await this.backoffice.decideDraft(latest.id, { status: 'returned', by: actor.id, comment }, now).catch((err: unknown) => {
      throw new WorkflowError('invalid_state', `the draft of question ${q} was decided meanwhile (${(err as Error).message})`);
    });
    logger.info('draft returned', { q, draft: latest.id, account: actor.id });
    const draft = (await this.backoffice.latestDraft(q)) as Draft;
    let notified = 0;
    const author = await this.backoffice.getAccount(latest.author);
    if (author?.active && author.id !== actor.id) {
      const by = actor.name ?? (await this.backoffice.getAccount(actor.id))?.name ?? actor.id;
      notified = await this.tell(
        author,
        { text: `Dự thảo trả lời câu hỏi ${q} đã bị trả lại (${by}).\nGóp ý: ${comment}\nVui lòng soạn lại và gửi dự thảo mới.`, buttons: [`Soạn trả lời ${q}`] },
        q,
      );
    }
    return { draft, notified };
  }

  /**
   * Giao / giao lại by the editors: a question not yet assigned gets `assigned`; a question at
   * an agency (the triage desk or any other) is `forwarded` from that agency.
   */
  async assign(actor: WorkflowActor, q: string, input: { agency: string; reason?: string }): Promise<ActionResult> {
    const state = await this.load(q);
    this.authorize(actor, 'assign', state);
    const target = this.resolveAgency(input.agency, 'agency');
    const reason = input.reason === undefined ? undefined : cleanText(input.reason, 'reason');
    if (state.status === 'submitted') return this.record(state, { type: 'assigned', agency: target.code }, actor);
    const current = this.requireOpen(state, 'assign');
    if (target.code === current.agency) throw new WorkflowError('invalid_state', `question ${q} is already at ${target.code}`);
    return this.record(state, { type: 'forwarded', from: current.agency, agency: target.code, ...(reason ? { reason } : {}) }, actor);
  }

  // ---- reads -----------------------------------------------------------------------------

  /** Questions by agency, status, overdue and period; officers and approvers only ever see their own agency's. */
  async listQuestions(actor: WorkflowActor, query: QuestionListQuery = {}): Promise<QuestionList> {
    this.requireActive(actor);
    if (!roleMay(actor.role, 'view')) throw new WorkflowError('forbidden', `${article(actor.role)} may not ${VERBS.view}`);
    const own = visibleAgency(actor);
    if ((actor.role === 'officer' || actor.role === 'approver') && !own)
      throw new WorkflowError('forbidden', `${article(actor.role)} account without an agency sees no questions`);
    const agency = own ?? (query.agency ? this.resolveAgency(query.agency, 'agency').code : undefined);
    if (!can(actor, 'view', agency)) throw new WorkflowError('forbidden', `${article(actor.role)} may not view ${agency}'s questions`);
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE)), MAX_PAGE);
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const { clock } = this.data;
    const filter: QuestionListFilter = {
      ...(agency ? { agency } : {}),
      ...(query.status && query.status.length > 0 ? { statuses: query.status } : {}),
      ...(query.fromDay !== undefined ? { submittedFrom: clock.startOfDay(query.fromDay) } : {}),
      ...(query.toDay !== undefined ? { submittedTo: clock.endOfDay(query.toDay) } : {}),
    };
    const queries = this.requireQueries();
    const now = this.now();
    if (!query.overdue) {
      const { total, rows } = await queries.listQuestions({ ...filter, limit, offset });
      return { ...(agency ? { agency } : {}), total, limit, offset, items: rows.map((r) => this.summary(r.state, r.submitted, now)) };
    }
    const ids: string[] = [];
    for (const a of agency ? [this.data.agencies.get(agency) as Agency] : this.data.agencies.inReportOrder())
      for (const o of await overdueQuestions(this.store, this.data, a, now)) ids.push(o.q);
    const { rows } = await queries.listQuestions({ ...filter, ids });
    const items = rows.map((r) => this.summary(r.state, r.submitted, now)).filter((s) => s.overdue !== undefined);
    return { ...(agency ? { agency } : {}), total: items.length, limit, offset, items: items.slice(offset, offset + limit) };
  }

  /** One question with its events, deadlines and latest draft; the asker's contact only for actors with 'view' on its agency. */
  async questionDetail(actor: WorkflowActor, q: string, options: { router?: RouterLike } = {}): Promise<QuestionDetail> {
    const state = await this.load(q);
    this.authorize(actor, 'view', state);
    const seeContact = can(actor, 'view', state.agency);
    const events = (await this.store.questionEvents(q)).map((e) => JSON.parse(e.body) as Record<string, unknown>);
    const submitted = events.find((e) => e.type === 'submitted') ?? {};
    const now = this.now();
    const asker = (submitted.asker ?? undefined) as { name?: string; contact?: string; locality?: string } | undefined;
    const latest = await this.backoffice.latestDraft(q);
    const suggestion = can(actor, 'forward', state.agency) && openCase(state) ? this.suggestionFor(state, String(submitted.text ?? ''), options.router ?? this.router) : undefined;
    const detail: QuestionDetail = {
      ...this.summary(state, submitted, now),
      ...(seeContact && asker ? { asker: pick(asker, ['name', 'contact', 'locality']) } : {}),
      ...(initials(asker?.name) ? { askerInitials: initials(asker?.name) } : {}),
      cases: state.cases.map((c) => this.deadlines(c)),
      events: seeContact ? events : events.map((e) => (e.type === 'submitted' && e.asker ? { ...e, asker: { ...(e.asker as object), contact: undefined } } : e)),
      ...(latest ? { latestDraft: await this.draftView(latest) } : {}),
      ...(suggestion ? { suggestion } : {}),
    };
    return detail;
  }

  /** Overdue questions at `at` (default now): the actor's own agency for officers and approvers, else one agency or all. */
  async overdue(actor: WorkflowActor, query: { agency?: string; at?: number } = {}): Promise<OverdueList> {
    this.requireActive(actor);
    const own = visibleAgency(actor);
    if ((actor.role === 'officer' || actor.role === 'approver') && !own)
      throw new WorkflowError('forbidden', `${article(actor.role)} account without an agency sees no questions`);
    const code = own ?? (query.agency ? this.resolveAgency(query.agency, 'agency').code : undefined);
    if (!can(actor, 'view', code)) throw new WorkflowError('forbidden', `${article(actor.role)} may not view ${code}'s questions`);
    const at = query.at ?? this.now();
    const { clock } = this.data;
    const agencies = code ? [this.data.agencies.get(code) as Agency] : this.data.agencies.inReportOrder();
    const out: OverdueList = { at: clock.format(at), agencies: [] };
    for (const agency of agencies) {
      const list = await overdueQuestions(this.store, this.data, agency, at);
      if (list.length === 0 && !code) continue;
      out.agencies.push({
        agency: agency.code,
        name: agency.name,
        items: list.map((o) => ({
          q: o.q,
          deadline: o.overdue.deadline,
          due: clock.format(o.overdue.due),
          workingDaysOverdue: o.overdue.workingDaysOverdue,
          caseStart: clock.format(o.case.start),
          accepted: o.case.accepted !== undefined && o.case.accepted <= at,
          text: o.text,
        })),
      });
    }
    return out;
  }

  /** An agency from a code or a name typed with or without diacritics. */
  resolveAgency(input: string, field = 'agency'): Agency {
    if (typeof input !== 'string' || input.trim() === '') throw new WorkflowError('invalid_input', `${field} must be an agency code such as so-yte or a name such as "Sở Y tế"`);
    const match = this.data.agencies.resolve(input);
    if (match.kind === 'found') return match.agency;
    if (match.kind === 'ambiguous')
      throw new WorkflowError('invalid_input', `${field} "${input}" may mean ${match.candidates.map((a) => `${a.code} (${a.name})`).join(', ')}; use a code`);
    throw new WorkflowError('invalid_input', `${field}: no agency is called "${input}"; use a code from data/agencies.json such as so-yte`);
  }

  // ---- internals -------------------------------------------------------------------------

  private requireQueries(): QuestionQueries {
    if (!this.queries) throw new Error('listing questions needs the SQLite store (or WorkflowDeps.queries)');
    return this.queries;
  }

  private async load(q: string): Promise<QuestionState> {
    if (typeof q !== 'string' || q === '') throw new WorkflowError('invalid_input', 'a question id such as HD-2023-000123 is required');
    const state = (await this.store.loadQuestions([q])).get(q);
    if (!state) throw new WorkflowError('not_found', `no question ${q}`);
    return state;
  }

  private requireActive(actor: WorkflowActor): void {
    if (actor.active === false) throw new WorkflowError('forbidden', `account ${actor.id} is deactivated`);
  }

  private authorize(actor: WorkflowActor, action: Action, state: QuestionState): void {
    this.requireActive(actor);
    if (can(actor, action, state.agency)) return;
    if (!roleMay(actor.role, action)) throw new WorkflowError('forbidden', `${article(actor.role)} may not ${VERBS[action]}`);
    if (state.agency === undefined) throw new WorkflowError('forbidden', `question ${state.id} is not at any agency yet; only editors and admins may act on it`);
    // Says nothing of where the question is: another agency's queue is not the actor's business.
    throw new WorkflowError('forbidden', `question ${state.id} is not in ${actor.agency ?? 'your agency'}'s queue; ${article(actor.role)} acts only on their own agency's questions`);
  }

  private requireOpen(state: QuestionState, verb: string): CaseState {
    if (state.status === 'answered' || state.status === 'deleted') throw new WorkflowError('invalid_state', `question ${state.id} is already ${state.status}; cannot ${verb} it`);
    const current = openCase(state);
    if (!current) throw new WorkflowError('invalid_state', `question ${state.id} has not been assigned to an agency yet; cannot ${verb} it`);
    return current;
  }

  private async record(state: QuestionState, fields: Record<string, unknown>, actor: WorkflowActor, now = this.now()): Promise<ActionResult> {
    const at = this.data.clock.format(now).replace(/\.000(?=[+-]|Z)/, '');
    const event: Record<string, unknown> = { q: state.id, type: fields.type, at, ...fields, by: `${actor.role}:${actor.id}` };
    let next: QuestionState;
    try {
      next = await this.ledger.record(event);
    } catch (err) {
      if (err instanceof LedgerRejection) throw new WorkflowError('invalid_state', `question ${state.id}: ${err.reason}`);
      if (err instanceof ConflictError) throw new WorkflowError('invalid_state', `question ${state.id} changed meanwhile; reload it and try again`);
      throw err;
    }
    logger.info('back office action', { q: state.id, type: event.type, account: actor.id, role: actor.role, agency: next.agency });
    if (this.onRecorded) {
      try {
        await this.onRecorded(event, next);
      } catch (err) {
        logger.warn('onRecorded hook failed', { q: state.id, type: event.type, error: (err as Error).message });
      }
    }
    return { q: state.id, event, state: next };
  }

  private async tell(account: Account, message: ChatMessage, q: string): Promise<number> {
    try {
      return await this.notifier.toAccount(account, message);
    } catch (err) {
      logger.warn('notification not sent', { q, account: account.id, error: (err as Error).message });
      return 0;
    }
  }

  private async submittedText(q: string): Promise<string> {
    const submitted = (await this.store.questionEvents(q)).find((e) => e.type === 'submitted');
    return submitted ? String((JSON.parse(submitted.body) as { text?: unknown }).text ?? '') : '';
  }

  private suggestionFor(state: QuestionState, text: string, router: RouterLike | undefined): ForwardSuggestion | undefined {
    if (!router || !text) return undefined;
    const routed = router.route(text);
    const triage = this.data.policy.routing.triageAgency;
    const ranked = routed.candidates.filter((c) => c.agency !== state.agency && this.data.agencies.has(c.agency));
    // A confident route elsewhere comes first; otherwise the best other candidate; the triage desk only as a last resort.
    const first = !routed.triage && routed.agency !== state.agency ? routed.agency : (ranked[0]?.agency ?? (state.agency !== triage ? triage : undefined));
    if (!first) return undefined;
    return {
      agency: first,
      name: this.agencyName(first),
      confidence: routed.candidates.find((c) => c.agency === first)?.score ?? 0,
      alternatives: ranked.filter((c) => c.agency !== first).map((c) => ({ agency: c.agency, name: this.agencyName(c.agency), score: c.score })),
    };
  }

  private agencyName(code: string): string {
    return this.data.agencies.get(code)?.name ?? code;
  }

  private deadlines(c: CaseState): DeadlineView {
    const f = (ms: number) => this.data.clock.format(ms);
    return {
      agency: c.agency,
      agencyName: this.agencyName(c.agency),
      start: f(c.start),
      acceptDue: f(c.acceptDue),
      answerDue: f(c.answerDue),
      baseAnswerDue: f(c.baseAnswerDue),
      ...(c.accepted !== undefined ? { accepted: f(c.accepted) } : {}),
      ...(c.extension ? { extension: { at: f(c.extension.at), days: c.extension.days, appliedDays: c.extension.appliedDays } } : {}),
      ...(c.answered !== undefined ? { answered: f(c.answered), authorized: c.authorized === true } : {}),
      ...(c.ended !== undefined ? { ended: f(c.ended) } : {}),
      ...(c.endReason !== undefined ? { endReason: c.endReason } : {}),
    };
  }

  private summary(state: QuestionState, submitted: Record<string, unknown>, now: number): QuestionSummary {
    const { clock, calendar } = this.data;
    const current = openCase(state);
    const late = current ? overdueAt(current, now, calendar) : undefined;
    return {
      q: state.id,
      status: state.status,
      ...(state.agency ? { agency: state.agency, agencyName: this.agencyName(state.agency) } : {}),
      channel: state.channel,
      ...(typeof submitted.lang === 'string' ? { lang: submitted.lang } : {}),
      submittedAt: clock.format(state.submittedAt),
      lastEventAt: clock.format(state.lastEventAt),
      text: String(submitted.text ?? ''),
      ...(state.cases.length > 0 && !isClosed(state) && current ? { current: this.deadlines(current) } : {}),
      ...(late ? { overdue: { deadline: late.deadline, due: clock.format(late.due), workingDaysOverdue: late.workingDaysOverdue } } : {}),
      ...(state.rating !== undefined ? { rating: state.rating } : {}),
    };
  }

  private async draftView(d: Draft): Promise<DraftView> {
    const f = (ms: number) => this.data.clock.format(ms);
    const author = await this.backoffice.getAccount(d.author);
    return {
      id: d.id,
      text: d.text,
      author: d.author,
      ...(author ? { authorName: author.name } : {}),
      status: d.status,
      ...(d.comment !== undefined ? { comment: d.comment } : {}),
      createdAt: f(d.createdAt),
      ...(d.decidedAt !== undefined ? { decidedAt: f(d.decidedAt) } : {}),
      ...(d.decidedBy !== undefined ? { decidedBy: d.decidedBy } : {}),
    };
  }
}

function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
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
