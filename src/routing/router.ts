import type { Agency } from '../domain/agencies';
import { AddresseeDetector, type AddresseeRules } from './addressee';
import type { Gazetteer } from './gazetteer';
import { SoftmaxRegression, TfIdf, type TrainingOptions } from './linear';
import { features, type Normalizer } from './normalize';

export interface RoutingRules extends AddresseeRules {
  /** Softmax temperature of the model's scores, fitted by cross-validation over writers (eval-routing --cross-validate). */
  temperature: number;
  /** The least confidence an agency the question is put to gets. */
  namedAgencyConfidence: number;
  /**
   * `writerWeight`: how many times a writer's example (intents/writers/) counts against one of
   * intents/agencies/, which are short and all in one voice (measured: 2 against 1 gains
   * about half a point on held-out writers).
   */
  model: TrainingOptions & { minDocuments: number; writerWeight: number };
  /** Phrases of the local topics of LABELING.md rule 1, by the department that has them when no place is named. */
  localTopics: Record<string, string[]>;
  placeNamesNeedingKind: string[];
  /** Names that read as common words once folded ("văn bản", "văn hóa"): matched alone only with their diacritics. */
  placeNamesNeedingDiacritics: string[];
  /** Agencies a question is never sent to because it names them (the triage desk). */
  agenciesNotMentionable: string[];
  /** Function words left out of the classifier's features (folded). */
  stopwords: string[];
  /**
   * Words (one syllable each) after which a body's name is where the story happened, not
   * the topic ("ở", "tại", "tự xưng"): measured neutral on the sets, right on the cases.
   */
  namedInPassingAfter: string[];
}

export interface LabeledQuestion {
  text: string;
  agency: string;
  /** The writer's id of an example ("w1-0042"): cross-validation holds out whole writers. */
  id?: string;
  /** The writer's style ("short", "long-story", "petition"...), for figures per style. */
  style?: string;
  /** The place the citizen gave at the dialog's place step, if any. */
  givenPlace?: string;
}

export type RouteReason = 'classifier' | 'named_agency' | 'local_topic' | 'correction';

export interface RouteResult {
  /** The agency the question goes to: the triage agency when the router is unsure. */
  agency: string;
  confidence: number;
  /** Ranked agencies with their probabilities (the best guess first, even when triaged). */
  candidates: Array<{ agency: string; score: number }>;
  triage: boolean;
  reason: RouteReason;
  /** The district the question's place belongs to, when a place was named. */
  place?: string;
}

/** What the dialog knows besides the question. */
export interface RouteContext {
  /** The place the citizen gave at the place step ("phường Kim Tân, thành phố Lào Cai"). */
  place?: string;
}

export interface RouterOptions {
  agencies: readonly Agency[];
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  rules: RoutingRules;
  triageAgency: string;
  threshold: number;
}

const CANDIDATES = 5;
/**
 * The model does not learn nine districts: a district's questions are local topics
 * that name a place of it (LABELING.md rule 1), so the model learns one "local topic
 * with a place" label and the gazetteer says which district.
 */
const DISTRICT = '@district';
/** Tokens standing for a place of the province and for one of another province. */
const HERE = '__place__';
const ELSEWHERE = '__outside__';
const LOCAL_PHRASE = '__local_topic__';
const AGENCY = '__agency__';

/** Turns a citizen's text into an agency with a confidence, and says when it is unsure. */
export class Router {
  private readonly districts: Set<string>;
  private readonly stopwords: Set<string>;
  private readonly passingBefore: Set<string>;
  private readonly localPhrases: string[];
  private readonly tfidf = new TfIdf();
  private readonly model: SoftmaxRegression;
  private readonly addressees: AddresseeDetector;
  /** Officers' corrections, by folded text: the same question never goes wrong twice. */
  private readonly corrected = new Map<string, string>();
  private readonly buffer: Float64Array;
  /** The model's softmax temperature (from the rules; cross-validation tries others). */
  temperature: number;

  constructor(private readonly options: RouterOptions, training: readonly LabeledQuestion[], corrections: readonly LabeledQuestion[] = []) {
    const { rules, normalizer, agencies } = options;
    this.districts = new Set(agencies.filter((a) => a.kind === 'district').map((a) => a.code));
    this.stopwords = new Set(rules.stopwords);
    this.passingBefore = new Set(rules.namedInPassingAfter.map((w) => normalizer.fold(w)));
    this.localPhrases = [...new Set(Object.values(rules.localTopics).flat())].map((p) => ` ${normalizer.fold(p)} `);
    this.addressees = new AddresseeDetector(agencies, normalizer, rules, rules.agenciesNotMentionable);

    const labelOf = (agency: string) => (this.districts.has(agency) ? DISTRICT : agency);
    const labels = [...new Set([...training, ...corrections].map((t) => labelOf(t.agency)))].sort();
    const docs = [
      ...training.map((t) => ({ f: this.featuresOf(t.text, t.givenPlace), y: labelOf(t.agency), weight: t.id ? rules.model.writerWeight : 1 })),
      // Officers' forwards weigh more than one example: they are the province's own questions.
      ...corrections.map((c) => ({ f: this.featuresOf(c.text, c.givenPlace), y: labelOf(c.agency), weight: 3 })),
    ];
    for (const c of corrections) this.corrected.set(normalizer.fold(c.text), c.agency);
    this.tfidf.fit(
      docs.map((d) => d.f),
      rules.model.minDocuments,
    );
    this.model = new SoftmaxRegression(labels, this.tfidf.size);
    const index = new Map(labels.map((l, i) => [l, i]));
    this.model.train(
      docs.map((d) => ({ x: this.tfidf.transform(d.f), y: index.get(d.y) as number, weight: d.weight })),
      rules.model,
    );
    this.buffer = new Float64Array(labels.length);
    this.temperature = rules.temperature;
  }

  get vocabularySize(): number {
    return this.tfidf.size;
  }

  /** The places in the text and at the dialog's place step, and the district they name. */
  private placesOf(text: string, given?: string) {
    const { normalizer, gazetteer } = this.options;
    const tokens = normalizer.tokens(text);
    const found = gazetteer.scanPlaces(tokens, text);
    let place = gazetteer.districtOf(found.inside);
    let givenKind: 'here' | 'elsewhere' | undefined;
    if (given !== undefined && given.trim() !== '') {
      const g = gazetteer.scanPlaces(normalizer.tokens(given), given);
      const district = gazetteer.districtOf(g.inside);
      // The question's own place is more precise than the asker's address; the address fills in when the question has none.
      if (district) givenKind = 'here';
      else if (g.outside.length > 0) givenKind = 'elsewhere';
      if (!place && district && found.outside.length === 0) place = district;
    }
    return { tokens, found, place, givenKind };
  }

  /** The model's features: syllables and bigrams, places replaced by what they are (ours or elsewhere). */
  private featuresOf(text: string, given?: string, seen = this.placesOf(text, given)): string[] {
    const { tokens, found, givenKind } = seen;
    const words = [...tokens];
    for (const m of found.inside) for (let i = m.at; i < m.at + m.length; i += 1) words[i] = i === m.at ? HERE : '';
    for (const m of found.outside) for (let i = m.at; i < m.at + m.length; i += 1) words[i] = i === m.at ? ELSEWHERE : '';
    // A body named as where the story happened ("làm hợp đồng ở Cục Thuế") is not the
    // topic: the model sees one "some agency" token instead of its words.
    for (const m of this.addressees.namedInPassing(tokens, this.passingBefore))
      for (let i = m.at; i < m.at + m.length; i += 1) if (words[i] !== '') words[i] = i === m.at ? AGENCY : '';
    const kept = words.filter((w) => w !== '' && !this.stopwords.has(w));
    if (givenKind === 'here') kept.push(HERE);
    if (givenKind === 'elsewhere') kept.push(ELSEWHERE);
    const folded = ` ${tokens.join(' ')} `;
    const out = features(kept);
    if (this.localPhrases.some((p) => folded.includes(p))) out.push(LOCAL_PHRASE);
    return out;
  }

  route(text: string, context: RouteContext = {}): RouteResult {
    const { rules } = this.options;
    const seen = this.placesOf(text, context.place);
    const { place } = seen;

    const remembered = this.corrected.get(seen.tokens.join(' '));
    if (remembered) return this.result([{ agency: remembered, score: 1 }], 'correction', place);

    const p = this.model.probabilities(this.tfidf.transform(this.featuresOf(text, context.place, seen)), this.buffer, this.temperature);
    const scores = new Map<string, number>();
    // Without a place of ours a local topic belongs to its department (LABELING.md rule 1):
    // the districts' label is impossible, and the others share its probability.
    const impossible = place ? 0 : p[this.model.labels.indexOf(DISTRICT)] ?? 0;
    this.model.labels.forEach((label, i) => {
      if (label === DISTRICT) {
        if (place) scores.set(place, p[i]);
      } else scores.set(label, impossible < 1 ? p[i] / (1 - impossible) : 0);
    });
    let reason: RouteReason = place && (scores.get(place) ?? 0) >= Math.max(...scores.values()) ? 'local_topic' : 'classifier';

    // A question put to one body goes to it (to the one of its sector the topic picks, for a ministry).
    const addressed = this.addressees.addressed(text, seen.tokens);
    const groups = [...new Map(addressed.map((g) => [g.join(' '), g])).values()];
    if (groups.length === 1) {
      const group = groups[0].filter((a) => scores.has(a) || this.districts.has(a));
      if (group.length > 0) {
        const mass = group.reduce((n, a) => n + (scores.get(a) ?? 0), 0);
        const target = Math.max(mass, rules.namedAgencyConfidence);
        const rest = [...scores].filter(([a]) => !group.includes(a)).reduce((n, [, s]) => n + s, 0);
        for (const [a, s] of scores) if (!group.includes(a)) scores.set(a, rest > 0 ? (s * (1 - target)) / rest : 0);
        for (const a of group) scores.set(a, mass > 0 ? ((scores.get(a) ?? 0) * target) / mass : target / group.length);
        reason = 'named_agency';
      }
    }
    const ranked = [...scores].map(([agency, score]) => ({ agency, score })).sort((a, b) => b.score - a.score);
    return this.result(ranked, reason, place);
  }

  private result(ranked: Array<{ agency: string; score: number }>, reason: RouteReason, place: string | undefined): RouteResult {
    const top = ranked[0];
    const confidence = round(top.score);
    const triage = reason !== 'correction' && confidence < this.options.threshold;
    return {
      agency: triage ? this.options.triageAgency : top.agency,
      confidence,
      candidates: ranked.slice(0, CANDIDATES).map((c) => ({ agency: c.agency, score: round(c.score) })),
      triage,
      reason,
      ...(place ? { place } : {}),
    };
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
