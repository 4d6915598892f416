import { z } from 'zod';
import { overdueAt } from '../domain/cases';
import { isClosed, openCase, type CaseState, type QuestionState, type QuestionStatus } from '../domain/lifecycle';
import { wordDiff, type WordDiff } from '../domain/word-diff';
import { agencyName } from './common';
import type { ActionResult } from './common';
import type { AppDeps, DraftRecord } from './use-case-ports';

/**
 * What the reads return: plain JSON-ready views (instants as ISO text with the province's offset).
 * Each view is a zod schema, its type inferred from it: the OpenAPI document's response schemas
 * are generated from these (src/http/openapi.ts), and test/http/openapi.test.ts checks real
 * responses against them. Field names are camelCase, as everywhere in the API and the CLI's JSON.
 */

export const QUESTION_STATUSES = ['submitted', 'assigned', 'accepted', 'answered', 'deleted'] as const satisfies readonly QuestionStatus[];

/** An instant as the API writes it: ISO 8601 with the province's offset. */
export const Instant = z.string().meta({ format: 'date-time' });

/** A ledger event as recorded (shared/reference/ledger-format.md): its JSON object as is. */
export const LedgerEventView = z.record(z.string(), z.unknown()).meta({ description: 'a ledger event as recorded (shared/reference/ledger-format.md)' });

export const DraftView = z.object({
  id: z.number().int(),
  text: z.string(),
  author: z.string().meta({ description: 'the account id of the officer who wrote it' }),
  authorName: z.string().optional(),
  status: z.enum(['pending', 'approved', 'returned']),
  comment: z.string().optional(),
  createdAt: Instant,
  decidedAt: Instant.optional(),
  decidedBy: z.string().optional(),
});
export type DraftView = z.infer<typeof DraftView>;

/** A draft as an action saved or decided it (the action's answer): with its question and agency. */
export const SavedDraftView = DraftView.omit({ authorName: true }).extend({ q: z.string(), agency: z.string() });
export type SavedDraftView = z.infer<typeof SavedDraftView>;

/** The pending draft beside the last version an approver returned: what changed, word by word. */
export const DraftChanges = z
  .object({ returned: DraftView, added: z.array(z.string()), removed: z.array(z.string()) })
  .meta({ description: 'when the latest draft is pending and an approver returned an earlier version: that version, and the words added and removed since' });
export type DraftChanges = z.infer<typeof DraftChanges>;

export const DeadlineView = z.object({
  agency: z.string(),
  agencyName: z.string(),
  start: Instant,
  acceptDue: Instant,
  answerDue: Instant,
  baseAnswerDue: Instant,
  accepted: Instant.optional(),
  extension: z.object({ at: Instant, days: z.number().int(), appliedDays: z.number().int() }).optional(),
  answered: Instant.optional(),
  authorized: z.boolean().optional(),
  ended: Instant.optional(),
  endReason: z.string().optional(),
});
export type DeadlineView = z.infer<typeof DeadlineView>;

export const OverdueView = z.object({ deadline: z.enum(['accept', 'answer']), due: Instant, workingDaysOverdue: z.number().int() });
export type OverdueView = z.infer<typeof OverdueView>;

export const QuestionSummary = z.object({
  q: z.string().meta({ description: 'the ticket, e.g. HD-2023-000123' }),
  status: z.enum(QUESTION_STATUSES),
  agency: z.string().optional(),
  agencyName: z.string().optional(),
  channel: z.string(),
  lang: z.string().optional(),
  submittedAt: Instant,
  lastEventAt: Instant,
  /** The question as the citizen wrote it (plain text: escape it wherever it is shown). */
  text: z.string().meta({ description: 'the citizen’s question, plain text: escape it wherever it is displayed' }),
  current: DeadlineView.optional(),
  overdue: OverdueView.optional(),
  rating: z.number().int().min(1).max(5).optional(),
});
export type QuestionSummary = z.infer<typeof QuestionSummary>;

export const ForwardSuggestion = z.object({
  agency: z.string(),
  name: z.string(),
  confidence: z.number(),
  /** Other agencies the router considered, best first (never the question's current agency). */
  alternatives: z.array(z.object({ agency: z.string(), name: z.string(), score: z.number() })),
});
export type ForwardSuggestion = z.infer<typeof ForwardSuggestion>;

export const QuestionDetail = QuestionSummary.extend({
  /** Only for actors with 'view' on the question's agency. */
  asker: z.object({ name: z.string().optional(), contact: z.string().optional(), locality: z.string().optional() }).optional()
    .meta({ description: 'only for those who may view the question’s agency' }),
  askerInitials: z.string().optional(),
  cases: z.array(DeadlineView),
  /** The ledger events of the question, in order (the asker's contact removed for actors without 'view'). */
  events: z.array(LedgerEventView),
  latestDraft: DraftView.optional(),
  /** When the latest draft is pending and an earlier version was returned: what changed since. */
  draftChanges: DraftChanges.optional(),
  /** Where the router would send it, for actors who may forward it (absent without a router). */
  suggestion: ForwardSuggestion.optional(),
});
export type QuestionDetail = z.infer<typeof QuestionDetail>;

/** A question action's answer: the event recorded and where the question stands (the domain state stays internal). */
export const ActionResultView = z.object({
  q: z.string(),
  event: LedgerEventView,
  status: z.enum(QUESTION_STATUSES).meta({ description: 'the question’s status after it' }),
  agency: z.string().optional().meta({ description: 'the question’s agency after it' }),
});
export type ActionResultView = z.infer<typeof ActionResultView>;

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

/** A draft as an action's answer shows it. */
export function savedDraftView(deps: Pick<AppDeps, 'facts'>, d: DraftRecord): SavedDraftView {
  const f = (ms: number) => deps.facts.clock.format(ms);
  return {
    id: d.id,
    q: d.q,
    agency: d.agency,
    text: d.text,
    author: d.author,
    status: d.status,
    ...(d.comment !== undefined ? { comment: d.comment } : {}),
    createdAt: f(d.createdAt),
    ...(d.decidedAt !== undefined ? { decidedAt: f(d.decidedAt) } : {}),
    ...(d.decidedBy !== undefined ? { decidedBy: d.decidedBy } : {}),
  };
}

/**
 * An action's outcome as its answer: the state becomes `status` and `agency`, a saved draft
 * its view; the other fields (notified, reached, delivered, edited, answerDue) as they are.
 */
export function actionResultView(deps: Pick<AppDeps, 'facts'>, result: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) {
    if (key === 'state') {
      const state = value as ActionResult['state'];
      out.status = state.status;
      if (state.agency) out.agency = state.agency;
    } else if (key === 'draft') out.draft = savedDraftView(deps, value as DraftRecord);
    else out[key] = value;
  }
  return out;
}
