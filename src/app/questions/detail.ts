import { z } from 'zod';
import { can } from '../../domain/access';
import { openCase } from '../../domain/lifecycle';
import { loadQuestion, QuestionId } from '../common';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, RouterPort } from '../use-case-ports';
import { changesSinceReturned, deadlineView, draftView, summaryView, type QuestionDetail } from '../views';
import { suggestionFor } from './suggest-forward';

/** "Nguyễn Văn An" → "N.V.A.": the only form of an asker's name shown in public. */
export function initials(name: string | undefined): string | undefined {
  const words = (name ?? '').normalize('NFC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return undefined;
  return words.map((w) => `${[...w][0].toLocaleUpperCase('vi')}.`).join('');
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
}

export const QuestionDetailInput = z.object({ q: QuestionId }).strict();
export type QuestionDetailInput = z.infer<typeof QuestionDetailInput>;

/**
 * One question with its events, deadlines, latest draft (and what changed since the version an
 * approver returned); the asker's contact only for actors with 'view' on its agency.
 */
export async function questionDetail(deps: AppDeps, input: QuestionDetailInput, actor: StaffActor, options: { router?: RouterPort } = {}): Promise<QuestionDetail> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'view', state);
  const q = state.id;
  const seeContact = can(actor, 'view', state.agency);
  const events = (await deps.ledger.questionEvents(q)).map((e) => JSON.parse(e.body) as Record<string, unknown>);
  const submitted = events.find((e) => e.type === 'submitted') ?? {};
  const now = deps.now();
  const asker = (submitted.asker ?? undefined) as { name?: string; contact?: string; locality?: string } | undefined;
  const drafts = await deps.backoffice.draftsOf(q);
  const latest = drafts[drafts.length - 1];
  const changes = changesSinceReturned(drafts, deps.notices.replacedDraft);
  const text = typeof submitted.text === 'string' ? submitted.text : '';
  const suggestion = can(actor, 'forward', state.agency) && openCase(state) ? suggestionFor(deps, state, text, options.router ?? deps.router) : undefined;
  return {
    ...summaryView(deps, state, submitted, now),
    ...(seeContact && asker ? { asker: pick(asker, ['name', 'contact', 'locality']) } : {}),
    ...(initials(asker?.name) ? { askerInitials: initials(asker?.name) } : {}),
    cases: state.cases.map((c) => deadlineView(deps, c)),
    events: seeContact ? events : events.map((e) => (e.type === 'submitted' && e.asker ? { ...e, asker: { ...(e.asker as object), contact: undefined } } : e)),
    ...(latest ? { latestDraft: await draftView(deps, latest) } : {}),
    ...(changes ? { draftChanges: { returned: await draftView(deps, changes.returned), added: changes.diff.added, removed: changes.diff.removed } } : {}),
    ...(suggestion ? { suggestion } : {}),
  };
}
