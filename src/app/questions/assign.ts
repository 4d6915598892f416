import { z } from 'zod';
import { loadQuestion, parseInput, QuestionId, recordEvent, requiredText, requireOpen, resolveAgency, type ActionResult } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';

/**
 * Giao / giao lại by the editors: a question not yet assigned gets `assigned`; a question at
 * an agency (the triage desk or any other) is `forwarded` from that agency.
 */
export const AssignInput = z
  .object({ q: QuestionId, agency: requiredText('agency', 'an agency code such as so-yte, or a name'), reason: requiredText('reason', 'a note for the agency').optional() })
  .strict();
export type AssignInput = z.infer<typeof AssignInput>;

export async function assignQuestion(deps: AppDeps, input: AssignInput, actor: StaffActor): Promise<ActionResult> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'assign', state);
  const target = resolveAgency(deps, input.agency);
  const { reason } = parseInput(AssignInput, input);
  if (state.status === 'submitted') return recordEvent(deps, state, { type: 'assigned', agency: target.code }, actor);
  const current = requireOpen(state, 'assign');
  if (target.code === current.agency) throw new WorkflowError('invalid_state', `question ${state.id} is already at ${target.code}`);
  return recordEvent(deps, state, { type: 'forwarded', from: current.agency, agency: target.code, ...(reason ? { reason } : {}) }, actor);
}
