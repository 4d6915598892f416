import { z } from 'zod';
import { loadQuestion, parseInput, QuestionId, recordEvent, requireOpen, type ActionResult } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';

/** Tiếp nhận: the question's agency takes it in. */
export const AcceptInput = z.object({ q: QuestionId }).strict();
export type AcceptInput = z.infer<typeof AcceptInput>;

export async function acceptQuestion(deps: AppDeps, input: AcceptInput, actor: StaffActor): Promise<ActionResult> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'accept', state);
  parseInput(AcceptInput, input);
  const current = requireOpen(state, 'accept');
  if (current.accepted !== undefined)
    throw new WorkflowError('invalid_state', `question ${state.id} was already accepted by ${current.agency} on ${deps.facts.clock.formatDateTimeVi(current.accepted)}`);
  return recordEvent(deps, state, { type: 'accepted', agency: current.agency }, actor);
}
