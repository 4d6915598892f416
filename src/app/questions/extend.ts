import { z } from 'zod';
import { openCase, type CaseState } from '../../domain/lifecycle';
import { loadQuestion, parseInput, QuestionId, recordEvent, requiredText, requireOpen, type ActionResult } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';
import { ActionResultView, Instant } from '../views';

/**
 * Gia hạn: once per case, at most the policy's working days, asked before the answer
 * deadline passes (an extension recorded later would move nothing and use up the only one).
 */
export const ExtendInput = z
  .object({
    q: QuestionId,
    days: z.number({ error: (i) => (i.input === undefined ? 'days is required (working days, a whole number)' : 'days must be a number') }).int('days must be a whole number of working days')
      .meta({ description: 'working days, from 1 to the policy’s maximum (data/policy.json deadlines.extension.maxWorkingDays, 5 by default)' }),
    reason: requiredText('reason', 'why more time is needed'),
  })
  .strict();
export type ExtendInput = z.infer<typeof ExtendInput>;

/** The answer of POST /questions/{q}/extend. */
export const ExtendOutput = ActionResultView.extend({ answerDue: Instant.meta({ description: 'the answer deadline after the extension' }) });

export async function extendDeadline(deps: AppDeps, input: ExtendInput, actor: StaffActor): Promise<ActionResult & { answerDue: string }> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'extend', state);
  const current = requireOpen(state, 'extend');
  // The cap in force when the case started (data/policy.json versions), as the ledger applies it.
  const max = deps.facts.rules.at(current.start).deadlines.extension.maxWorkingDays;
  const days = input.days;
  if (typeof days === 'number' && (!Number.isInteger(days) || days < 1 || days > max))
    throw new WorkflowError('invalid_input', `days must be a whole number of working days from 1 to ${max}; got ${String(days)}`);
  const { reason } = parseInput(ExtendInput, input);
  const { clock } = deps.facts;
  if (current.extension)
    throw new WorkflowError(
      'invalid_state',
      `question ${state.id} was already extended by ${current.extension.days} working day(s) on ${clock.formatDateVi(current.extension.at)}; a case is extended at most once`,
    );
  const now = deps.now();
  if (now > current.baseAnswerDue)
    throw new WorkflowError('invalid_state', `the answer deadline of question ${state.id} passed on ${clock.formatDateTimeVi(current.baseAnswerDue)}; an extension must be granted before it`);
  const result = await recordEvent(deps, state, { type: 'extended', agency: current.agency, days, reason }, actor, now);
  const after = openCase(result.state) as CaseState;
  return { ...result, answerDue: clock.format(after.answerDue) };
}
