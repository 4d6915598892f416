import type { QuestionState } from '../../domain/lifecycle';
import { agencyName, loadQuestion, submittedText } from '../common';
import { authorize, type StaffActor } from '../permissions';
import type { AppDeps, RouterPort } from '../use-case-ports';
import type { ForwardSuggestion } from '../views';

/** Where the router would send a question, its current agency left out (the triage desk only as a last resort). */
export function suggestionFor(deps: Pick<AppDeps, 'facts'>, state: QuestionState, text: string, router: RouterPort | undefined): ForwardSuggestion | undefined {
  if (!router || !text) return undefined;
  const routed = router.route(text);
  const triage = deps.facts.policy.routing.triageAgency;
  const ranked = routed.candidates.filter((c) => c.agency !== state.agency && deps.facts.agencies.has(c.agency));
  // A confident route elsewhere comes first; otherwise the best other candidate.
  const first = !routed.triage && routed.agency !== state.agency ? routed.agency : (ranked[0]?.agency ?? (state.agency !== triage ? triage : undefined));
  if (!first) return undefined;
  return {
    agency: first,
    name: agencyName(deps, first),
    confidence: routed.candidates.find((c) => c.agency === first)?.score ?? 0,
    alternatives: ranked.filter((c) => c.agency !== first).map((c) => ({ agency: c.agency, name: agencyName(deps, c.agency), score: c.score })),
  };
}

export async function suggestForward(deps: AppDeps, input: { q: string; router?: RouterPort }, actor: StaffActor): Promise<ForwardSuggestion | undefined> {
  const state = await loadQuestion(deps, input.q);
  authorize(actor, 'forward', state);
  return suggestionFor(deps, state, await submittedText(deps, state.id), input.router ?? deps.router);
}
