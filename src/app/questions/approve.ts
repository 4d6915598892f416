import { z } from 'zod';
import { agencyName, loadQuestion, parseInput, QuestionId, recordEvent, requiredText, requireOpen, tell, type ActionResult } from '../common';
import { WorkflowError } from '../errors';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, DraftRecord } from '../use-case-ports';
import { ActionResultView, SavedDraftView } from '../views';

/** The notification key that records that a question's answer was handed to the citizen's channel. */
export const answerHandOverKey = (q: string): string => `answer-hand-over:${q}`;

/**
 * Publishes the answer: the latest pending draft, or a text the approver writes (which then
 * stands for that draft, edited). Recorded `answered` with `authorized: true`, then delivered
 * to the citizen on their channel; the draft's author is told.
 */
export const ApproveInput = z
  .object({ q: QuestionId, text: requiredText('text', 'the answer to publish: the pending draft as the approver edited it, or an answer without a draft').optional() })
  .strict();
export type ApproveInput = z.infer<typeof ApproveInput>;

/** The answer of POST /questions/{q}/approve. */
export const ApproveOutput = ActionResultView.extend({
  delivered: z.boolean().meta({ description: 'handed to the citizen’s chat channel' }),
  edited: z.boolean().meta({ description: 'the published text differs from the pending draft' }),
  draft: SavedDraftView.optional().meta({ description: 'the draft approved, when there was one' }),
});

export async function approveAnswer(deps: AppDeps, input: ApproveInput, actor: StaffActor): Promise<ActionResult & { delivered: boolean; draft?: DraftRecord; edited: boolean }> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'approve', state);
  const current = requireOpen(state, 'approve');
  const { text: own } = parseInput(ApproveInput, input);
  const q = state.id;
  const latest = await deps.backoffice.latestDraft(q);
  const pending = latest?.status === 'pending' ? latest : undefined;
  if (own === undefined && !pending)
    throw new WorkflowError('invalid_state', `question ${q} has no draft waiting for approval; send the answer text to publish it directly`);
  const text = own ?? (pending as DraftRecord).text;
  const edited = pending !== undefined && own !== undefined && own !== pending.text;
  const now = deps.now();

  const result = await recordEvent(deps, state, { type: 'answered', agency: current.agency, authorized: true, text }, actor, now);
  let decided: DraftRecord | undefined;
  if (pending) {
    await deps.backoffice
      .decideDraft(pending.id, { status: 'approved', by: actor.id, ...(edited ? { comment: deps.notices.approvedWithEdits } : {}) }, now)
      .catch((err: unknown) => deps.log.warn('answer published but the draft could not be marked approved', { q, draft: pending.id, error: (err as Error).message }));
    decided = await deps.backoffice.latestDraft(q);
  }
  const delivered = await handOverAnswer(deps, q, text, current.agency, now);
  if (pending && pending.author !== actor.id) {
    const author = await deps.backoffice.getAccount(pending.author);
    if (author?.active) await tell(deps, author, { text: deps.notices.approvedToAuthor(q, edited) }, q);
  }
  return { ...result, delivered, edited, ...(decided ? { draft: decided } : {}) };
}

/**
 * Hands a published answer to the citizen's channel, at most once: the hand-over is
 * claimed first (a key in the store). An answer recorded but never claimed, because the
 * server died in between, is handed over by `handOverUnclaimedAnswers` at the next start.
 */
export async function handOverAnswer(deps: AppDeps, q: string, text: string, agency: string, now: number): Promise<boolean> {
  if (!(await deps.backoffice.claimNotification(answerHandOverKey(q), now))) return false;
  try {
    return await deps.notifier.answerToCitizen(q, text, agencyName(deps, agency));
  } catch (err) {
    deps.log.error('answer published but not handed to the citizen channel', { q, error: (err as Error).message });
    return false;
  }
}

/** After a restart: answers published but never handed over; returns how many were. */
export async function handOverUnclaimedAnswers(deps: AppDeps, answers: ReadonlyArray<{ q: string; text: string; agency: string }>): Promise<number> {
  let handed = 0;
  for (const a of answers) if (await handOverAnswer(deps, a.q, a.text, a.agency, deps.now())) handed += 1;
  if (handed > 0) deps.log.warn('answers handed to citizens after a restart', { handed });
  return handed;
}
