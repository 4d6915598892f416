import { z } from 'zod';
import { actorName, loadQuestion, parseInput, QuestionId, requiredText, requireOpen, tell } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, DraftRecord } from '../use-case-ports';
import { SavedDraftView } from '../views';

/** Trả lại: the approver sends the pending draft back to its author with a comment. */
export const ReturnInput = z.object({ q: QuestionId, comment: requiredText('comment', 'what to change in the draft') }).strict();
export type ReturnInput = z.infer<typeof ReturnInput>;

/** The answer of POST /questions/{q}/return. */
export const ReturnOutput = z.object({ draft: SavedDraftView, notified: z.number().int().meta({ description: 'chat identities of the draft’s author told' }) });

export async function returnDraft(deps: AppDeps, input: ReturnInput, actor: StaffActor): Promise<{ draft: DraftRecord; notified: number }> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'approve', state);
  requireOpen(state, 'return a draft of');
  const { comment } = parseInput(ReturnInput, input);
  const q = state.id;
  const latest = await deps.backoffice.latestDraft(q);
  if (!latest || latest.status !== 'pending') throw new WorkflowError('invalid_state', `question ${q} has no draft waiting for approval to return`);
  const now = deps.now();
  await deps.backoffice.decideDraft(latest.id, { status: 'returned', by: actor.id, comment }, now).catch((err: unknown) => {
    throw new WorkflowError('invalid_state', `the draft of question ${q} was decided meanwhile (${(err as Error).message})`);
  });
  deps.log.info('draft returned', { q, draft: latest.id, account: actor.id });
  const draft = (await deps.backoffice.latestDraft(q)) as DraftRecord;
  let notified = 0;
  const author = await deps.backoffice.getAccount(latest.author);
  if (author?.active && author.id !== actor.id)
    notified = await tell(deps, author, { text: deps.notices.returnedToAuthor({ q, by: await actorName(deps, actor), comment }), buttons: deps.notices.returnedButtons(q) }, q);
  return { draft, notified };
}
