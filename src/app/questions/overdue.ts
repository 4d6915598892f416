import { z } from 'zod';
import type { Agency } from '../../domain/agencies';
import { overdueAt } from '../../domain/cases';
import { questionText } from '../../domain/question-text';
import { parseInput, queryInstant, queryText, resolveAgency } from '../common';
import { readScope, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';
import { Instant, OverdueView } from '../views';

export const OverdueList = z.object({
  at: Instant,
  agencies: z.array(
    z.object({
      agency: z.string(),
      name: z.string(),
      items: z.array(
        OverdueView.extend({
          q: z.string(),
          caseStart: Instant,
          accepted: z.boolean(),
          text: z.string().meta({ description: 'the citizen’s question, plain text' }),
        }),
      ),
    }),
  ),
});
export type OverdueList = z.infer<typeof OverdueList>;

/** GET /overdue: the query as the URL carries it. */
export const OverdueQuery = z.object({
  agency: queryText('code or name, e.g. "bao thang" (editors and admins; every agency with overdue questions when absent)'),
  at: queryInstant('at', 'ISO 8601 with an offset; now by default'),
});

/** Overdue questions at `at` (default now): the actor's own agency for officers and approvers, else one agency or all. */
export const OverdueInput = z.object({ agency: z.string().optional(), at: z.number().optional() }).strict();
export type OverdueInput = z.infer<typeof OverdueInput>;

export async function overdueQuestions(deps: AppDeps, input: OverdueInput, actor: StaffActor): Promise<OverdueList> {
  const query = parseInput(OverdueInput, input);
  const code = readScope(actor, () => (query.agency ? resolveAgency(deps, query.agency).code : undefined));
  const at = query.at ?? deps.now();
  const { clock, calendar } = deps.facts;
  const agencies = code ? [deps.facts.agencies.get(code) as Agency] : deps.facts.agencies.inReportOrder();
  const out: OverdueList = { at: clock.format(at), agencies: [] };
  for (const agency of agencies) {
    const found = [];
    for (const c of await deps.ledger.overdueCandidates(agency.code, at)) {
      const late = overdueAt(c, at, calendar);
      if (late) found.push({ c, late, text: questionText(await deps.ledger.questionEvents(c.q)) });
    }
    if (found.length === 0 && !code) continue;
    // The most overdue first.
    found.sort((a, b) => a.late.due - b.late.due || a.c.q.localeCompare(b.c.q));
    out.agencies.push({
      agency: agency.code,
      name: agency.name,
      items: found.map(({ c, late, text }) => ({
        q: c.q,
        deadline: late.deadline,
        due: clock.format(late.due),
        workingDaysOverdue: late.workingDaysOverdue,
        caseStart: clock.format(c.start),
        accepted: c.accepted !== undefined && c.accepted <= at,
        text,
      })),
    });
  }
  return out;
}
