import { z } from 'zod';
import { DELETE_REASONS } from '../../domain/events';
import { loadQuestion, parseInput, QuestionId, recordEvent, requireOpen, type ActionResult } from '../common';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps } from '../use-case-ports';

/** Xóa: removes the question from the agency's queue for one of the rule-based reasons. */
export const DeleteInput = z
  .object({
    q: QuestionId,
    reason: z.enum(DELETE_REASONS, {
      error: (issue) => `reason must be one of ${DELETE_REASONS.join(', ')}${issue.input === undefined ? '' : `; got ${JSON.stringify(issue.input)}`}`,
    }).meta({ description: 'duplicate (trùng lặp), violation (vi phạm quy chế), invalid_identity (sai thông tin người hỏi), out_of_scope (không thuộc phạm vi)' }),
  })
  .strict();
export type DeleteInput = z.infer<typeof DeleteInput>;

export async function deleteQuestion(deps: AppDeps, input: DeleteInput, actor: StaffActor): Promise<ActionResult> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'delete', state);
  const current = requireOpen(state, 'delete');
  const { reason } = parseInput(DeleteInput, input);
  return recordEvent(deps, state, { type: 'deleted', agency: current.agency, reason }, actor);
}
