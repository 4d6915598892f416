import type { Agency, AgencyDirectory } from '../domain/agencies';
import { lifetimeDays } from '../domain/dated';
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
  /** The district (before 2025-07-01) or commune-level unit the question's place belongs to, when a place was named. */
  place?: string;
}

/** What the dialog knows besides the question. */
export interface RouteContext {
  /** The place the citizen gave at the place step ("phường Kim Tân, thành phố Lào Cai"). */
  place?: string;
  /** The local day to route on: the organisation and places in force then (default: the router's today). */
  day?: number;
}

export interface RouterOptions {
  agencies: readonly Agency[];
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  rules: RoutingRules;
  triageAgency: string;
  threshold: number;
  /**
   * The agencies over time: the model's labels are the agencies of its training data
   * (2023 codes), mapped on the routing day to the agencies doing their work then. Without
   * it, labels are routed as they are.
   */
  directory?: AgencyDirectory;
  /** Today's local day, the routing day when the caller gives none. */
  today?: () => number;
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
  /** The bodies a question may be put to, as the training data knows them (the agencies there from the beginning). */
  private readonly addressees: AddresseeDetector;
  /** Per routing period, the bodies that had begun by then (a former name still names its successor). */
  private readonly addresseesSince = new Map<number, AddresseeDetector>();
  /** Officers' corrections, by folded text: the same question never goes wrong twice. */
  private readonly corrected = new Map<string, string>();
  private readonly buffer: Float64Array;
  /** The model's softmax temperature (from the rules; cross-validation tries others). */
  temperature: number;

  constructor(private readonly options: RouterOptions, training: readonly LabeledQuestion[], corrections: readonly LabeledQuestion[] = []) {
    const { rules, normalizer, agencies } = options;
    // District and commune committees alike are "a local topic with a place": the gazetteer says which one.
    this.districts = new Set(agencies.filter((a) => a.kind === 'district' || a.kind === 'commune').map((a) => a.code));
    this.stopwords = new Set(rules.stopwords);
    this.passingBefore = new Set(rules.namedInPassingAfter.map((w) => normalizer.fold(w)));
    this.localPhrases = [...new Set(Object.values(rules.localTopics).flat())].map((p) => ` ${normalizer.fold(p)} `);
    this.addressees = new AddresseeDetector(
      agencies.filter((a) => a.from === undefined),
      normalizer,
      rules,
      rules.agenciesNotMentionable,
    );

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

  /**
   * The places in the text and at the dialog's place step on the routing day, and the
   * agencies they name: the district before 2025-07-01; since then the commune-level unit,
   * or every unit formed from a former district when only the district is named.
   */
  private placesOf(text: string, given: string | undefined, day: number) {
    const { normalizer, gazetteer } = this.options;
    const tokens = normalizer.tokens(text);
    const found = gazetteer.scanPlaces(tokens, text, day);
    let places = this.targetsOf(found.inside);
    let givenKind: 'here' | 'elsewhere' | undefined;
    if (given !== undefined && given.trim() !== '') {
      const g = gazetteer.scanPlaces(normalizer.tokens(given), given, day);
      const targets = this.targetsOf(g.inside);
      // The question's own place is more precise than the asker's address; the address fills in when the question has none.
      if (targets.length > 0) givenKind = 'here';
      else if (g.outside.length > 0) givenKind = 'elsewhere';
      if (places.length === 0 && targets.length > 0 && found.outside.length === 0) places = targets;
    }
    return { tokens, found, places, place: places.length === 1 ? places[0] : undefined, givenKind };
  }

  private targetsOf(matches: ReturnType<Gazetteer['placesIn']>): string[] {
    const { gazetteer } = this.options;
    if (matches.some((m) => m.units)) return gazetteer.unitsOf(matches);
    const district = gazetteer.districtOf(matches);
    return district ? [district] : [];
  }

  /** The detector of the bodies that had begun by the day: those of the beginning, and later ones from their first day. */
  private addresseesOn(day: number): AddresseeDetector {
    const { agencies, normalizer, rules } = this.options;
    const begun = agencies.filter((a) => a.from === undefined || lifetimeDays(a).fromDay <= day);
    if (begun.length === agencies.filter((a) => a.from === undefined).length) return this.addressees;
    let detector = this.addresseesSince.get(begun.length);
    if (!detector) {
      detector = new AddresseeDetector(begun, normalizer, rules, rules.agenciesNotMentionable);
      this.addresseesSince.set(begun.length, detector);
    }
    return detector;
  }

  /** The agencies the places of a text (and of the place step) name on a day: a district before 2025-07-01, since then the unit(s). */
  placesOn(text: string, day: number, given?: string): string[] {
    return this.placesOf(text, given, day).places;
  }

  /** The agencies doing a label's work on the day (itself, its successor, or for a district those of the places named). */
  private onDay(code: string, day: number, places: readonly string[]): string[] {
    const { directory } = this.options;
    if (!directory || !directory.has(code)) return [code];
    const now = directory.successorsOn(code, day);
    if (now.length <= 1) return now;
    const here = now.filter((a) => places.includes(a));
    return here.length > 0 ? here : now;
  }

  /** The model's features: syllables and bigrams, places replaced by what they are (ours or elsewhere). */
  private featuresOf(text: string, given?: string, seen = this.placesOf(text, given, Number.NEGATIVE_INFINITY)): string[] {
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
    const day = context.day ?? this.options.today?.() ?? Number.NEGATIVE_INFINITY;
    const seen = this.placesOf(text, context.place, day);
    const { place, places } = seen;

    const remembered = this.corrected.get(seen.tokens.join(' '));
    if (remembered) {
      const now = this.onDay(remembered, day, places);
      if (now.length === 1) return this.result([{ agency: now[0], score: 1 }], 'correction', place);
    }

    const p = this.model.probabilities(this.tfidf.transform(this.featuresOf(text, context.place, seen)), this.buffer, this.temperature);
    const scores = new Map<string, number>();
    const add = (agency: string, score: number) => scores.set(agency, (scores.get(agency) ?? 0) + score);
    // Without a place of ours a local topic belongs to its department (LABELING.md rule 1):
    // the districts' label is impossible, and the others share its probability.
    const impossible = places.length > 0 ? 0 : p[this.model.labels.indexOf(DISTRICT)] ?? 0;
    this.model.labels.forEach((label, i) => {
      if (label === DISTRICT) {
        // A former district named alone: each unit formed from part of it is as likely.
        for (const unit of places) add(unit, p[i] / places.length);
        return;
      }
      // A label the organisation of the day no longer has goes to whoever does its work then.
      const now = this.onDay(label, day, places);
      for (const agency of now) add(agency, (impossible < 1 ? p[i] / (1 - impossible) : 0) / now.length);
    });
    const lost = 1 - [...scores.values()].reduce((n, x) => n + x, 0);
    // Labels with nobody doing their work on the day (before they began): the others share their probability.
    if (lost > 1e-9 && lost < 1) for (const [a, x] of scores) scores.set(a, x / (1 - lost));
    let reason: RouteReason = place && (scores.get(place) ?? 0) >= Math.max(...scores.values()) ? 'local_topic' : 'classifier';

    // A question put to one body goes to it (to the one of its sector the topic picks, for a ministry).
    const addressed = this.addresseesOn(day).addressed(text, seen.tokens).map((g) => [...new Set(g.flatMap((a) => this.onDay(a, day, places)))]);
    const groups = [...new Map(addressed.filter((g) => g.length > 0).map((g) => [g.join(' '), g])).values()];
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
