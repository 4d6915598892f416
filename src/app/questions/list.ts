import { z } from 'zod';
import { overdueAt } from '../../domain/cases';
import { parseInput, queryDay, queryEnum, queryInt, queryText, resolveAgency } from '../common';
import { WorkflowError } from '../errors';
import { readScope, type StaffActor } from '../permissions';
import type { AppDeps, QuestionListFilter } from '../use-case-ports';
import { QUESTION_STATUSES, QuestionSummary, summaryView } from '../views';

export { QUESTION_STATUSES };
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** GET /questions: the query as the URL carries it (turned into ListQuestionsInput by the route). */
export const ListQuestionsQuery = z.object({
  agency: queryText('agency code or name (editors and admins; all agencies when absent; officers and approvers always get their own)'),
  status: queryText(`comma-separated: ${QUESTION_STATUSES.join(', ')}`),
  overdue: queryEnum('overdue', ['true', 'false'], 'only questions past a deadline now'),
  from: queryDay('from', 'submitted on or after this day (YYYY-MM-DD)'),
  to: queryDay('to', 'submitted on or before this day (YYYY-MM-DD)'),
  limit: queryInt('limit', 1, MAX_PAGE, 'page size', DEFAULT_PAGE),
  offset: queryInt('offset', 0, 1_000_000_000, 'questions skipped', 0),
});

/** Questions by agency, status, overdue and period; officers and approvers only ever see their own agency's. */
export const ListQuestionsInput = z
  .object({
    /** A code or a name; ignored for officers and approvers, who always see their own agency. */
    agency: z.string().optional(),
    status: z.array(z.enum(QUESTION_STATUSES)).optional(),
    /** Only questions past a deadline now. */
    overdue: z.boolean().optional(),
    /** Submitted from this local day (day number, see domain/time) ... */
    fromDay: z.number().int().optional(),
    /** ... to this local day, inclusive. */
    toDay: z.number().int().optional(),
    limit: z.number().optional(),
    offset: z.number().optional(),
  })
  .strict();
export type ListQuestionsInput = z.infer<typeof ListQuestionsInput>;

export const QuestionList = z.object({
  /** The agency the list is limited to (undefined: all). */
  agency: z.string().optional().meta({ description: 'the agency the list is limited to (absent: all)' }),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  items: z.array(QuestionSummary),
});
export type QuestionList = z.infer<typeof QuestionList>;

export async function listQuestions(deps: AppDeps, input: ListQuestionsInput, actor: StaffActor): Promise<QuestionList> {
  const query = parseInput(ListQuestionsInput, input);
  const agency = readScope(actor, () => (query.agency ? resolveAgency(deps, query.agency).code : undefined));
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE)), MAX_PAGE);
  const offset = Math.max(0, Math.trunc(query.offset ?? 0));
  const { clock } = deps.facts;
  const filter: QuestionListFilter = {
    ...(agency ? { agency } : {}),
    ...(query.status && query.status.length > 0 ? { statuses: query.status } : {}),
    ...(query.fromDay !== undefined ? { submittedFrom: clock.startOfDay(query.fromDay) } : {}),
    ...(query.toDay !== undefined ? { submittedTo: clock.endOfDay(query.toDay) } : {}),
  };
  if (!deps.queries) throw new Error('listing questions needs the SQLite store (AppDeps.queries)');
  const now = deps.now();
  if (!query.overdue) {
    const { total, rows } = await deps.queries.listQuestions({ ...filter, limit, offset });
    return { ...(agency ? { agency } : {}), total, limit, offset, items: rows.map((r) => summaryView(deps, r.state, r.submitted, now)) };
  }
  const ids: string[] = [];
  for (const code of agency ? [agency] : deps.facts.agencies.inReportOrder().map((a) => a.code))
    for (const c of await deps.ledger.overdueCandidates(code, now)) if (overdueAt(c, now, deps.facts.calendar)) ids.push(c.q);
  const { rows } = await deps.queries.listQuestions({ ...filter, ids });
  const items = rows.map((r) => summaryView(deps, r.state, r.submitted, now)).filter((s) => s.overdue !== undefined);
  return { ...(agency ? { agency } : {}), total: items.length, limit, offset, items: items.slice(offset, offset + limit) };
}

/** A from/to pair checked together. */
export function checkPeriod(fromDay: number | undefined, toDay: number | undefined): void {
  if (fromDay !== undefined && toDay !== undefined && toDay < fromDay) throw new WorkflowError('invalid_input', 'to must not be before from');
}
