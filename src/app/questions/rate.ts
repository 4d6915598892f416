import { z } from 'zod';
import { loadQuestion, parseInput, QuestionId } from '../common';
import { WorkflowError } from '../errors';
import type { AppDeps } from '../use-case-ports';

/** Đánh giá sự hài lòng: the citizen's 1..5 rating of a published answer. */
export const RateInput = z
  .object({
    q: QuestionId,
    rating: z.number({ error: 'rating must be a whole number from 1 to 5' }).int('rating must be a whole number from 1 to 5').min(1, 'rating must be a whole number from 1 to 5').max(5, 'rating must be a whole number from 1 to 5'),
  })
  .strict();
export type RateInput = z.infer<typeof RateInput>;

/**
 * Records `rated` by the citizen (the lifecycle refuses it before an answer). Events of a question are in time order: a server clock a
 * little behind the answer's must not lose the rating, so it is dated no earlier than the last event.
 */
export async function rateAnswer(deps: Pick<AppDeps, 'facts' | 'ledger' | 'writer' | 'now' | 'log'>, input: RateInput): Promise<{ q: string; rating: number }> {
  const state = await loadQuestion(deps, input?.q);
  const { rating } = parseInput(RateInput, input);
  try {
    await deps.writer.record({ q: state.id, type: 'rated', at: deps.facts.clock.format(Math.max(deps.now(), state.lastEventAt)), by: 'citizen', rating });
  } catch (err) {
    if ((err as Error | undefined)?.name !== 'LedgerRejection') throw err;
    throw new WorkflowError('invalid_state', `question ${state.id}: ${(err as { reason?: string }).reason ?? (err as Error).message}`);
  }
  return { q: state.id, rating };
}
