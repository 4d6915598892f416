import { overdueAt, type Overdue } from '../domain/cases';
import { isClosed, openCase, type CaseState, type QuestionState, type QuestionStatus } from '../domain/lifecycle';
import { wordDiff, type WordDiff } from '../domain/word-diff';
import { agencyName } from './common';
import type { AppDeps, DraftRecord } from './use-case-ports';

/** What the reads return: plain JSON-ready views (instants as ISO text with the province's offset). */

export interface DraftView {
  id: number;
  text: string;
  author: string;
  authorName?: string;
  status: DraftRecord['status'];
  comment?: string;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
}

/** The pending draft beside the last version an approver returned: what changed, word by word. */
export interface DraftChanges {
  returned: DraftView;
  added: string[];
  removed: string[];
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

export interface ForwardSuggestion {
  agency: string;
  name: string;
  confidence: number;
  /** Other agencies the router considered, best first (never the question's current agency). */
  alternatives: Array<{ agency: string; name: string; score: number }>;
}

export interface QuestionDetail extends QuestionSummary {
  /** Only for actors with 'view' on the question's agency. */
  asker?: { name?: string; contact?: string; locality?: string };
  askerInitials?: string;
  cases: DeadlineView[];
  /** The ledger events of the question, in order (the asker's contact removed for actors without 'view'). */
  events: Array<Record<string, unknown>>;
  latestDraft?: DraftView;
  /** When the latest draft is pending and an earlier version was returned: what changed since. */
  draftChanges?: DraftChanges;
  /** Where the router would send it, for actors who may forward it (absent without a router). */
  suggestion?: ForwardSuggestion;
}

export function deadlineView(deps: Pick<AppDeps, 'facts'>, c: CaseState): DeadlineView {
  const f = (ms: number) => deps.facts.clock.format(ms);
  return {
    agency: c.agency,
    agencyName: agencyName(deps, c.agency),
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

export function summaryView(deps: Pick<AppDeps, 'facts'>, state: QuestionState, submitted: Record<string, unknown>, now: number): QuestionSummary {
  const { clock, calendar } = deps.facts;
  const current = openCase(state);
  const late = current ? overdueAt(current, now, calendar) : undefined;
  return {
    q: state.id,
    status: state.status,
    ...(state.agency ? { agency: state.agency, agencyName: agencyName(deps, state.agency) } : {}),
    channel: state.channel,
    ...(typeof submitted.lang === 'string' ? { lang: submitted.lang } : {}),
    submittedAt: clock.format(state.submittedAt),
    lastEventAt: clock.format(state.lastEventAt),
    text: typeof submitted.text === 'string' ? submitted.text : '',
    ...(state.cases.length > 0 && !isClosed(state) && current ? { current: deadlineView(deps, current) } : {}),
    ...(late ? { overdue: { deadline: late.deadline, due: clock.format(late.due), workingDaysOverdue: late.workingDaysOverdue } } : {}),
    ...(state.rating !== undefined ? { rating: state.rating } : {}),
  };
}

export async function draftView(deps: Pick<AppDeps, 'facts' | 'backoffice'>, d: DraftRecord): Promise<DraftView> {
  const f = (ms: number) => deps.facts.clock.format(ms);
  const author = await deps.backoffice.getAccount(d.author);
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

/**
 * The pending draft against the last version an approver sent back (a draft replaced by a
 * newer one before anyone decided it is also marked returned, with its own comment: not an approver's decision).
 */
export function changesSinceReturned(drafts: readonly DraftRecord[], replacedMark: string): { pending: DraftRecord; returned: DraftRecord; diff: WordDiff } | undefined {
  const pending = drafts[drafts.length - 1];
  if (!pending || pending.status !== 'pending') return undefined;
  const returned = [...drafts.slice(0, -1)].reverse().find((d) => d.status === 'returned' && d.comment !== replacedMark);
  if (!returned) return undefined;
  return { pending, returned, diff: wordDiff(returned.text, pending.text) };
}
