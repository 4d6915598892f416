import { z } from 'zod';
import { loadQuestion, parseInput, QuestionId, recordEvent, requiredText, requireOpen, resolveAgency, submittedText, type ActionResult } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, RouterPort } from '../use-case-ports';
import { suggestionFor } from './suggest-forward';

/** Chuyển: the agency passes the question to another one, with a reason; without an agency, where the router suggests. */
export const ForwardInput = z
  .object({
    q: QuestionId,
    agency: requiredText('agency', 'an agency code such as so-yte, or a name')
      .optional()
      .meta({ description: 'code or name; when absent, the router’s suggestion (see `suggestion` in the question’s detail)' }),
    reason: requiredText('reason', 'why it belongs to the other agency'),
  })
  .strict();
export type ForwardInput = z.infer<typeof ForwardInput>;

export async function forwardQuestion(deps: AppDeps, input: ForwardInput, actor: StaffActor, options: { router?: RouterPort } = {}): Promise<ActionResult> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'forward', state);
  const current = requireOpen(state, 'forward');
  // The agency first: an unknown one is the mistake to report before a missing reason.
  if (input.agency !== undefined) resolveAgency(deps, input.agency);
  const { agency, reason } = parseInput(ForwardInput, input);
  let code: string;
  if (agency === undefined) {
    // No agency: the router's suggestion, which the caller saw in the question's detail.
    const suggestion = suggestionFor(deps, state, await submittedText(deps, state.id), options.router ?? deps.router);
    if (!suggestion) throw new WorkflowError('invalid_input', 'agency is required (no routing suggestion is available for this question)');
    code = suggestion.agency;
  } else code = resolveAgency(deps, agency).code;
  if (code === current.agency) throw new WorkflowError('invalid_state', `question ${state.id} is already at ${code}; forward it to another agency`);
  return recordEvent(deps, state, { type: 'forwarded', from: current.agency, agency: code, reason }, actor);
}
