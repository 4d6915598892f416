import { z } from 'zod';
import { CHANNELS } from '../../domain/events';
import type { CaseState, QuestionState } from '../../domain/lifecycle';
import { WorkflowError } from '../errors';
import type { AppDeps } from '../use-case-ports';

/**
 * A citizen's question enters the ledger: a ticket is allocated, then `submitted` (by the
 * citizen) and `assigned` (by the bot, to the routed agency or the triage desk) are recorded
 * through the lifecycle, which computes the deadlines. A channel event filed before a crash
 * (same `source`) is not filed twice: its ticket is returned.
 */
export const FileQuestionInput = z
  .object({
    source: z.string().min(1).optional(),
    channel: z.enum(CHANNELS),
    text: z.string().refine((t) => t.trim() !== '', 'text must not be empty'),
    asker: z.object({ name: z.string(), contact: z.string(), locality: z.string().optional() }),
    lang: z.string().min(1),
    flags: z.array(z.string()).optional(),
    agency: z.string().min(1),
    confidence: z.number(),
    triage: z.boolean(),
    suggested: z.string().optional(),
  });
export type FileQuestionInput = z.infer<typeof FileQuestionInput>;

export interface FiledQuestion {
  q: string;
  state: QuestionState;
  /** The case at the agency it went to: its acceptance and answer deadlines. */
  current: CaseState;
  /** False when this source was filed before (the same ticket again). */
  created: boolean;
}

export async function fileQuestion(deps: Pick<AppDeps, 'facts' | 'ledger' | 'writer'>, input: FileQuestionInput, now: number): Promise<FiledQuestion> {
  const parsed = FileQuestionInput.safeParse(input);
  if (!parsed.success) throw new WorkflowError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const filing = parsed.data;
  if (!deps.facts.agencies.has(filing.agency)) throw new WorkflowError('invalid_input', `agency: no agency ${filing.agency}`);
  if (filing.source) {
    const already = await deps.ledger.questionFromSource(filing.source);
    const state = already ? (await deps.ledger.loadQuestions([already])).get(already) : undefined;
    const current = state?.cases[state.cases.length - 1];
    if (already && state && current) return { q: already, state, current, created: false };
  }
  const at = deps.facts.clock.format(now);
  const q = await deps.ledger.allocateQuestionId(Number(at.slice(0, 4)));
  await deps.writer.record({
    ...(filing.source ? { source: filing.source } : {}),
    q,
    type: 'submitted',
    at,
    by: 'citizen',
    channel: filing.channel,
    text: filing.text,
    asker: filing.asker,
    lang: filing.lang,
    ...(filing.flags?.length ? { flags: filing.flags } : {}),
  });
  const state = await deps.writer.record({
    q,
    type: 'assigned',
    at,
    agency: filing.agency,
    by: 'bot',
    confidence: filing.confidence,
    ...(filing.triage ? { triage: true, suggested: filing.suggested } : {}),
  });
  return { q, state, current: state.cases[state.cases.length - 1], created: true };
}
