import { z } from 'zod';
import { actorName, agencyName, excerpt, loadQuestion, parseInput, QuestionId, requiredText, requireOpen, submittedText, tell } from '../common';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, DraftRecord, StaffAccount } from '../use-case-ports';
import { changesSinceReturned, SavedDraftView } from '../views';

/**
 * An officer's draft answer: kept pending, and every approver of the agency is told, in chat
 * where they linked one, otherwise by e-mail when their account has an address.
 */
export const DraftInput = z.object({ q: QuestionId, text: requiredText('text', 'the draft answer') }).strict();
export type DraftInput = z.infer<typeof DraftInput>;

/** The answer of POST /questions/{q}/draft. */
export const DraftOutput = z.object({
  draft: SavedDraftView,
  notified: z.number().int().meta({ description: 'approvers told: in chat where they linked one, otherwise by e-mail' }),
  reached: z.array(z.object({ account: z.string(), by: z.enum(['chat', 'email']) })).meta({ description: 'how each approver was reached; the ones left out could not be' }),
});

export interface DraftResult {
  draft: DraftRecord;
  /** Approvers reached (in chat or by e-mail). */
  notified: number;
  /** How each approver was reached; the ones left out could not be. */
  reached: Array<{ account: string; by: 'chat' | 'email' }>;
}

export async function draftAnswer(deps: AppDeps, input: DraftInput, actor: StaffActor): Promise<DraftResult> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'draft', state);
  const current = requireOpen(state, 'draft');
  const { text } = parseInput(DraftInput, input);
  const q = state.id;
  const previous = await deps.backoffice.latestDraft(q);
  const now = deps.now();
  const saved = await deps.backoffice.saveDraft({ q, agency: current.agency, text, author: actor.id }, now);
  // A new draft replaces one still waiting: approvers only ever see the latest.
  if (previous?.status === 'pending')
    await deps.backoffice
      .decideDraft(previous.id, { status: 'returned', by: actor.id, comment: deps.notices.replacedDraft }, now)
      .catch((err: unknown) => deps.log.warn('could not retire a replaced draft', { q, draft: previous.id, error: (err as Error).message }));
  deps.log.info('draft saved', { q, draft: saved.id, account: actor.id, agency: current.agency });

  const changes = changesSinceReturned(await deps.backoffice.draftsOf(q), deps.notices.replacedDraft);
  const body = deps.notices.draftWaiting({
    q,
    agency: agencyName(deps, current.agency),
    author: await actorName(deps, actor),
    question: excerpt(await submittedText(deps, q), 300),
    draft: text,
    ...(changes ? { changes: deps.notices.changesSinceReturned(changes.diff.added, changes.diff.removed) } : {}),
  });
  const approvers = (await deps.backoffice.accountsFor(current.agency, ['approver'])).filter((a) => a.id !== actor.id);
  const reached: DraftResult['reached'] = [];
  for (const approver of approvers) {
    const by = await reachApprover(deps, approver, body, q, saved.id);
    if (by) reached.push({ account: approver.id, by });
  }
  if (approvers.length === 0) deps.log.warn('draft waiting but the agency has no approver account', { q, agency: current.agency });
  else if (reached.length < approvers.length) deps.log.warn('some approvers could not be told of a draft: no linked chat and no e-mail', { q, agency: current.agency, unreached: approvers.length - reached.length });
  return { draft: saved, notified: reached.length, reached };
}

/** Chat first; e-mail when no linked chat took the message. */
async function reachApprover(deps: AppDeps, approver: StaffAccount, body: string, q: string, draftId: number): Promise<'chat' | 'email' | undefined> {
  if ((await tell(deps, approver, { text: body, buttons: deps.notices.draftButtons(q) }, q)) > 0) return 'chat';
  if (!approver.email || !deps.mailer) return undefined;
  try {
    const queued = await deps.mailer.mailAccount(
      { ...approver, email: approver.email },
      { subject: deps.notices.draftWaitingSubject(q), text: `${body}\n\n${deps.notices.draftWaitingMailFooter(q)}` },
      `draft-waiting:${draftId}:${approver.id}`,
    );
    return queued ? 'email' : undefined;
  } catch (err) {
    deps.log.warn('draft e-mail to an approver not queued', { q, account: approver.id, error: (err as Error).message });
    return undefined;
  }
}
