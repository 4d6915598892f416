import { z } from 'zod';
import { requiredText } from './common';
import { AcceptInput } from './questions/accept';
import { ApproveInput, ApproveOutput } from './questions/approve';
import { AssignInput } from './questions/assign';
import { DeleteInput } from './questions/delete';
import { DraftInput, DraftOutput } from './questions/draft';
import { ExtendInput, ExtendOutput } from './questions/extend';
import { ForwardInput } from './questions/forward';
import { ReturnInput, ReturnOutput } from './questions/return-draft';
import { ActionResultView } from './views';

/**
 * The question use cases' inputs as request bodies: the same schemas without the question id
 * (it is in the URL, /questions/{q}/...). The REST API validates with these and the OpenAPI
 * document is generated from them.
 */
export const QUESTION_ACTION_BODIES = {
  accept: AcceptInput.omit({ q: true }),
  forward: ForwardInput.omit({ q: true }),
  delete: DeleteInput.omit({ q: true }),
  extend: ExtendInput.omit({ q: true }),
  draft: DraftInput.omit({ q: true }),
  approve: ApproveInput.omit({ q: true }),
  return: ReturnInput.omit({ q: true }),
  assign: AssignInput.omit({ q: true }),
} as const;

export type QuestionActionName = keyof typeof QUESTION_ACTION_BODIES;

/** What each action answers (200), as the REST API sends it: the OpenAPI document's responses are generated from these. */
export const QUESTION_ACTION_RESULTS = {
  accept: ActionResultView,
  forward: ActionResultView,
  delete: ActionResultView,
  extend: ExtendOutput,
  draft: DraftOutput,
  approve: ApproveOutput,
  return: ReturnOutput,
  assign: ActionResultView,
} as const satisfies Record<QuestionActionName, z.ZodType>;

/** An empty body (`{}` or none). */
export const EmptyBody = z.object({}).strict();

export { requiredText };
