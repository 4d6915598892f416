import { z } from 'zod';
import { buildAppendix02, periodBounds, summaryParagraph, type Appendix02, type Period } from '../../domain/report';
import { parseInput } from '../common';
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
