import type { LabeledQuestion, Router } from './router';

export interface RoutingEvaluation {
  n: number;
  top1: number;
  top3: number;
  unaccentedTop1: number;
  unaccentedTop3: number;
  triageRate: number;
  /** Routed with confidence (not triaged) to a wrong agency. */
  wrongAgencyRate: number;
  /** Accuracy of the questions that were not triaged. */
  confidentAccuracy: number;
  perAgency: Array<{ agency: string; support: number; precision: number; recall: number }>;
  confusions: Array<{ expected: string; got: string; count: number }>;
}

/** Removes every diacritic (đ→d) but keeps case and punctuation: how many citizens type. */
export function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

export function evaluateRouter(router: Router, set: readonly LabeledQuestion[]): RoutingEvaluation {
  let top1 = 0;
  let top3 = 0;
  let plainTop1 = 0;
  let plainTop3 = 0;
  let triaged = 0;
  let wrong = 0;
  const predicted = new Map<string, number>();
  const correct = new Map<string, number>();
  const support = new Map<string, number>();
  const confusions = new Map<string, number>();
  for (const item of set) {
    const r = router.route(item.text);
    const best = r.candidates[0]?.agency;
    const inTop3 = r.candidates.slice(0, 3).some((c) => c.agency === item.agency);
    support.set(item.agency, (support.get(item.agency) ?? 0) + 1);
    predicted.set(best, (predicted.get(best) ?? 0) + 1);
    if (best === item.agency) {
      top1 += 1;
      correct.set(item.agency, (correct.get(item.agency) ?? 0) + 1);
    } else {
      const key = `${item.agency}→${best}`;
      confusions.set(key, (confusions.get(key) ?? 0) + 1);
    }
    if (inTop3) top3 += 1;
    if (r.triage) triaged += 1;
    else if (r.agency !== item.agency) wrong += 1;
    const plain = router.route(stripDiacritics(item.text));
    if (plain.candidates[0]?.agency === item.agency) plainTop1 += 1;
    if (plain.candidates.slice(0, 3).some((c) => c.agency === item.agency)) plainTop3 += 1;
  }
  const n = set.length || 1;
  const confident = set.length - triaged;
  return {
    n: set.length,
    top1: top1 / n,
    top3: top3 / n,
    unaccentedTop1: plainTop1 / n,
    unaccentedTop3: plainTop3 / n,
    triageRate: triaged / n,
    wrongAgencyRate: wrong / n,
    confidentAccuracy: confident > 0 ? (confident - wrong) / confident : 0,
    perAgency: [...support.keys()].sort().map((agency) => ({
      agency,
      support: support.get(agency) ?? 0,
      precision: (correct.get(agency) ?? 0) / (predicted.get(agency) || 1),
      recall: (correct.get(agency) ?? 0) / (support.get(agency) || 1),
    })),
    confusions: [...confusions]
      .map(([key, count]) => {
        const [expected, got] = key.split('→');
        return { expected, got, count };
      })
      .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected)),
  };
}
