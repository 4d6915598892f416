import { z } from 'zod';
import { buildAppendix02, periodBounds, SCORE_BASES, summaryParagraph, type Appendix02, type Period } from '../../domain/report';
import { parseInput, queryDay, queryEnum, queryText } from '../common';
import { WorkflowError } from '../errors';
import { authorizeRole, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';

/** Phụ biểu 02 for a period, for editors and admins (agencies' scores are not public before the province publishes them). */
export const ReportInput = z
  .object({
    fromDay: z.number({ error: 'from and to are required: dates written YYYY-MM-DD' }).int(),
    toDay: z.number({ error: 'from and to are required: dates written YYYY-MM-DD' }).int(),
  })
  .strict();
export type ReportInput = z.infer<typeof ReportInput>;

/** GET /reports/appendix02: the query as the URL carries it (`format` and `headers` are the adapters': src/reports/appendix02.ts). */
export function reportQuery<const F extends readonly [string, ...string[]], const H extends readonly [string, ...string[]]>(formats: F, headers: H) {
  return z.object({
    from: queryDay('from', 'the first day of the period'),
    to: queryDay('to', 'the last day of the period'),
    format: queryEnum('format', formats, 'json by default'),
    headers: queryEnum('headers', headers, 'CSV header row: machine codes (default), or Vietnamese column names'),
    reportNumber: queryText('docx/xlsx: the number of the report the annex is attached to (blank if absent)'),
    reportDate: queryDay('reportDate', 'docx/xlsx: the date of that report (blank if absent)'),
  });
}

const Count = z.number().int().min(0);

/** Phụ biểu 02 as JSON (format=json): the rows in the province's order, the totals and the summary paragraph. */
export const Appendix02Json = z.object({
  from: z.string().meta({ format: 'date' }),
  to: z.string().meta({ format: 'date' }),
  rows: z.array(
    z.object({
      row: z.number().int(),
      agency: z.string(),
      name: z.string(),
      total: Count,
      answered: Count,
      awaitingAnswer: Count,
      awaitingAcceptance: Count,
      deleted: Count,
      eligible: Count,
      late: Count,
      unauthorizedAnswers: Count,
      maxAnswersInAMonth: Count,
      score: z.number(),
      basis: z.enum(SCORE_BASES).meta({ description: 'which rule of the scoring policy gave the score' }),
    }),
  ),
  totals: z.object({ total: Count, answered: Count, awaitingAnswer: Count, awaitingAcceptance: Count, deleted: Count, eligible: Count }),
  summary: z.string().meta({ description: 'the summary paragraph, in Vietnamese' }),
});

export interface Appendix02Result {
  table: Appendix02;
  summary: string;
  period: Period;
}

export async function appendix02(deps: AppDeps, input: ReportInput, actor: StaffActor): Promise<Appendix02Result> {
  authorizeRole(actor, 'report');
  const period = parseInput(ReportInput, input);
  if (period.toDay < period.fromDay) throw new WorkflowError('invalid_input', 'to must not be before from');
  const { clock, agencies, rules } = deps.facts;
  const { start, cutoff } = periodBounds(period, clock);
  const table = buildAppendix02(await deps.ledger.casesStartingBetween(start, cutoff), period, agencies, clock, rules);
  return { table, summary: summaryParagraph(table, period), period };
}
