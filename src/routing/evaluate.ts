import type { AgencyDirectory } from '../domain/agencies';
import type { LabeledQuestion, RouteContext, RouteResult } from './router';

/** A labelled question of an evaluation file; writers' files carry an id ("w4-0012") and a style. */
export interface EvaluationItem extends LabeledQuestion {
  id?: string;
  style?: string;
  /** The file it came from. */
  file?: string;
}

export interface RouterLike {
  route(text: string, context?: RouteContext): RouteResult;
  /** The agencies the places of a text name on a day (see Router.placesOn). */
  placesOn?(text: string, day: number, given?: string): string[];
}

/**
 * A labelled set's labels as they read on a day: each agency replaced by the one doing
 * its work then (so-tnmt → so-nnmt from 2025-03-01). A district's question goes, from
 * 2025-07-01, to the commune-level unit its text names; when the text names none of the
 * district's units (only the district, or nothing), the label stays the district, which no
 * router can route to on that day: those questions count as wrong.
 */
export function labelsOnDay<T extends EvaluationItem>(set: readonly T[], day: number, directory: AgencyDirectory, router: RouterLike): T[] {
  return set.map((item) => {
    const now = directory.successorsOn(item.agency, day);
    if (now.length === 1) return now[0] === item.agency ? item : { ...item, agency: now[0] };
    if (now.length === 0 || !router.placesOn) return item;
    const named = router.placesOn(item.text, day, item.givenPlace).filter((a) => now.includes(a));
    return named.length === 1 ? { ...item, agency: named[0] } : item;
  });
}

export interface GroupFigures {
  group: string;
  n: number;
  top1: number;
  top3: number;
  unaccentedTop1: number;
  triageRate: number;
  /** Routed with confidence (not triaged) to a wrong agency, over all questions of the group. */
  wrongAgencyRate: number;
  /** Accuracy of the questions that were not triaged. */
  confidentAccuracy: number;
}

export interface CalibrationBand {
  from: number;
  to: number;
  n: number;
  /** How often the best candidate was right, for questions whose confidence fell in the band. */
  accuracy: number;
  meanConfidence: number;
}

export interface RoutingEvaluation extends GroupFigures {
  unaccentedTop3: number;
  /** Mean negative log-probability of the right agency (lower is better calibrated and sharper). */
  logLoss: number;
  perAgency: Array<{ agency: string; support: number; precision: number; recall: number }>;
  confusions: Array<{ expected: string; got: string; count: number }>;
  files: GroupFigures[];
  writers: GroupFigures[];
  styles: GroupFigures[];
  calibration: CalibrationBand[];
}

/** Removes every diacritic (đ→d) but keeps case and punctuation: how many citizens type. */
export function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/** The writer of an item: its id's prefix ("w4-0012" → "w4"). */
export function writerOf(item: EvaluationItem): string {
  return item.id?.match(/^(.*?)-[^-]*$/)?.[1] ?? '(no id)';
}

/** The item's style as its writer gave it, or for sets without one, what it looks like. */
export function styleOf(item: EvaluationItem): string {
  if (item.style) return item.style;
  if (!/[^\x00-\x7F]/.test(item.text)) return 'unaccented';
  return item.text.length <= 120 ? 'short' : item.text.length >= 250 ? 'long' : 'medium';
}

export const BANDS = [0, 0.3, 0.5, 0.7, 0.9, 1.0001];

interface Outcome {
  item: EvaluationItem;
  best: string;
  inTop3: boolean;
  triage: boolean;
  routed: string;
  confidence: number;
  trueScore: number;
  plainBest: string;
  plainInTop3: boolean;
}

/** Routes every item, with and without its diacritics. */
export function routeAll(router: RouterLike, set: readonly EvaluationItem[], day?: number): Outcome[] {
  return set.map((item) => {
    const context = { ...(item.givenPlace ? { place: item.givenPlace } : {}), ...(day !== undefined ? { day } : {}) };
    const r = router.route(item.text, context);
    const plain = router.route(stripDiacritics(item.text), context);
    return {
      item,
      best: r.candidates[0]?.agency,
      inTop3: r.candidates.slice(0, 3).some((c) => c.agency === item.agency),
      triage: r.triage,
      routed: r.agency,
      confidence: r.confidence,
      trueScore: r.candidates.find((c) => c.agency === item.agency)?.score ?? 0,
      plainBest: plain.candidates[0]?.agency,
      plainInTop3: plain.candidates.slice(0, 3).some((c) => c.agency === item.agency),
    };
  });
}

function figures(group: string, outcomes: readonly Outcome[]): GroupFigures {
  const n = outcomes.length || 1;
  const triaged = outcomes.filter((o) => o.triage).length;
  const wrong = outcomes.filter((o) => !o.triage && o.routed !== o.item.agency).length;
  const confident = outcomes.length - triaged;
  return {
    group,
    n: outcomes.length,
    top1: outcomes.filter((o) => o.best === o.item.agency).length / n,
    top3: outcomes.filter((o) => o.inTop3).length / n,
    unaccentedTop1: outcomes.filter((o) => o.plainBest === o.item.agency).length / n,
    triageRate: triaged / n,
    wrongAgencyRate: wrong / n,
    confidentAccuracy: confident > 0 ? (confident - wrong) / confident : 0,
  };
}

function groupBy(outcomes: readonly Outcome[], key: (o: Outcome) => string): GroupFigures[] {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(key(o), [...(groups.get(key(o)) ?? []), o]);
  return [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([g, os]) => figures(g, os));
}

export function summarize(outcomes: readonly Outcome[]): RoutingEvaluation {
  const predicted = new Map<string, number>();
  const correct = new Map<string, number>();
  const support = new Map<string, number>();
  const confusions = new Map<string, number>();
  let logLoss = 0;
  for (const o of outcomes) {
    const expected = o.item.agency;
    support.set(expected, (support.get(expected) ?? 0) + 1);
    predicted.set(o.best, (predicted.get(o.best) ?? 0) + 1);
    if (o.best === expected) correct.set(expected, (correct.get(expected) ?? 0) + 1);
    else confusions.set(`${expected}→${o.best}`, (confusions.get(`${expected}→${o.best}`) ?? 0) + 1);
    logLoss -= Math.log(Math.max(o.trueScore, 1e-4));
  }
  const calibration: CalibrationBand[] = [];
  for (let b = 0; b + 1 < BANDS.length; b += 1) {
    const inBand = outcomes.filter((o) => o.confidence >= BANDS[b] && o.confidence < BANDS[b + 1]);
    calibration.push({
      from: BANDS[b],
      to: Math.min(1, BANDS[b + 1]),
      n: inBand.length,
      accuracy: inBand.length ? inBand.filter((o) => o.best === o.item.agency).length / inBand.length : 0,
      meanConfidence: inBand.length ? inBand.reduce((s, o) => s + o.confidence, 0) / inBand.length : 0,
    });
  }
  const n = outcomes.length || 1;
  return {
    ...figures('all', outcomes),
    unaccentedTop3: outcomes.filter((o) => o.plainInTop3).length / n,
    logLoss: logLoss / n,
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
    files: groupBy(outcomes, (o) => o.item.file ?? '(set)'),
    writers: groupBy(outcomes, (o) => writerOf(o.item)),
    styles: groupBy(outcomes, (o) => styleOf(o.item)),
    calibration,
  };
}

/** The router's figures on a labelled set; with a day, routed on that day against the labels as they read then (labelsOnDay). */
export function evaluateRouter(router: RouterLike, set: readonly EvaluationItem[], on?: { day: number; directory: AgencyDirectory }): RoutingEvaluation {
  if (!on) return summarize(routeAll(router, set));
  return summarize(routeAll(router, labelsOnDay(set, on.day, on.directory, router), on.day));
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** One table: the whole set, then per file, per writer and per style; then the calibration bands. */
export function renderEvaluation(e: RoutingEvaluation, options: { threshold: number; triageAgency: string; title?: string }): string {
  const labels = ['all', ...e.files.map((g) => `file ${g.group}`), ...e.writers.map((g) => `writer ${g.group}`), ...e.styles.map((g) => `style ${g.group}`)];
  const width = Math.max(34, ...labels.map((l) => l.length + 1));
  const header = `${'group'.padEnd(width)}${'n'.padStart(6)}${'top-1'.padStart(8)}${'top-3'.padStart(8)}${'unacc.'.padStart(8)}${'triage'.padStart(8)}${'conf.wrong'.padStart(11)}`;
  const row = (label: string, g: GroupFigures) =>
    `${label.padEnd(width)}${String(g.n).padStart(6)}${pct(g.top1).padStart(8)}${pct(g.top3).padStart(8)}${pct(g.unaccentedTop1).padStart(8)}${pct(g.triageRate).padStart(8)}${pct(g.wrongAgencyRate).padStart(11)}`;
  const section = (name: string, groups: GroupFigures[]) => (groups.length > 1 ? groups.map((g) => row(`${name} ${g.group}`, g)) : []);
  return [
    ...(options.title ? [options.title] : []),
    header,
    row('all', e),
    ...section('file', e.files),
    ...section('writer', e.writers),
    ...section('style', e.styles),
    '',
    `top-1: best candidate right (even when triaged); unacc.: top-1 on the same questions without diacritics; triage: confidence below ${options.threshold}, sent to ${options.triageAgency}; conf.wrong: routed with confidence to a wrong agency.`,
    `log loss ${e.logLoss.toFixed(3)}; accuracy of the confident ones ${pct(e.confidentAccuracy)}; top-3 unaccented ${pct(e.unaccentedTop3)}`,
    '',
    'calibration: confidence band     n   accuracy  mean confidence',
    ...e.calibration.map((b) => `  ${b.from.toFixed(1)}–${b.to.toFixed(1)}${String(b.n).padStart(24)}${pct(b.accuracy).padStart(11)}${b.meanConfidence.toFixed(2).padStart(17)}`),
  ].join('\n');
}
