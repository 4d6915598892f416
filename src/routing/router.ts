import type { Agency } from '../domain/agencies';
import { foldVietnamese } from '../domain/text';
import { SyllableBayes } from './classifier';
import type { Gazetteer } from './gazetteer';
import { features, type Normalizer } from './normalize';

export interface RoutingRules {
  temperature: number;
  namedAgencyConfidence: number;
  localTopics: Record<string, string[]>;
  placeNamesNeedingKind: string[];
  /** Names that read as common words once folded ("văn bản", "văn hóa"): matched alone only with their diacritics. */
  placeNamesNeedingDiacritics: string[];
  agenciesNotMentionable: string[];
  /** For an agency mention starting with a word: the words that, just before it, mean it is not a mention. */
  mentionNotAfter: Record<string, string[]>;
  /** Words that make a topic local when they come right before a place name ("chợ Bắc Hà": a market). */
  localWordsBeforePlace: string[];
  /** Function words left out of the classifier's features (folded). */
  stopwords: string[];
}

export interface LabeledQuestion {
  text: string;
  agency: string;
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

export interface RouterOptions {
  agencies: readonly Agency[];
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  rules: RoutingRules;
  triageAgency: string;
  threshold: number;
}

const CANDIDATES = 5;

/** Turns a citizen's text into an agency with a confidence, and says when it is unsure. */
export class Router {
  private readonly classifier: SyllableBayes;
  private readonly districts: Set<string>;
  private readonly stopwords: Set<string>;
  private readonly localTopics = new Map<string, string[]>();
  /** Officers' corrections, by folded text: the same question never goes wrong twice. */
  private readonly corrected = new Map<string, string>();

  constructor(private readonly options: RouterOptions, training: readonly LabeledQuestion[], corrections: readonly LabeledQuestion[] = []) {
    this.districts = new Set(options.agencies.filter((a) => a.kind === 'district').map((a) => a.code));
    for (const [agency, phrases] of Object.entries(options.rules.localTopics)) this.localTopics.set(agency, phrases.map((p) => ` ${foldVietnamese(p)} `));
    this.classifier = new SyllableBayes(options.rules.temperature);
    this.stopwords = new Set(options.rules.stopwords);
    const examples = training.map((t) => ({ tokens: this.featuresOf(options.normalizer.tokens(t.text)), label: t.agency }));
    for (const c of corrections) {
      examples.push({ tokens: this.featuresOf(options.normalizer.tokens(c.text)), label: c.agency, weight: 3 } as (typeof examples)[number]);
      this.corrected.set(options.normalizer.fold(c.text), c.agency);
    }
    this.classifier.train(examples);
  }

  private featuresOf(tokens: readonly string[]): string[] {
    return features(tokens.filter((t) => !this.stopwords.has(t)));
  }

  get vocabularySize(): number {
    return this.classifier.vocabularySize;
  }

  route(text: string): RouteResult {
    const { normalizer, gazetteer, rules } = this.options;
    const tokens = normalizer.tokens(text);
    const folded = ` ${tokens.join(' ')} `;
    const places = gazetteer.placesIn(tokens, text);
    const place = gazetteer.districtOf(places);

    const remembered = this.corrected.get(tokens.join(' '));
    if (remembered) return this.result([{ agency: remembered, score: 1 }], 'correction', place);

    const dist = this.classifier.distribution(this.featuresOf(tokens));
    const scores = new Map(dist.map((d) => [d.label, d.p]));
    let reason: RouteReason = 'classifier';

    const named = gazetteer.agenciesNamedIn(tokens, rules.mentionNotAfter);
    if (named.length === 1) {
      const target = named[0];
      const current = scores.get(target) ?? 0;
      const boosted = Math.max(current, rules.namedAgencyConfidence);
      const rest = 1 - current;
      for (const [agency, p] of scores) scores.set(agency, agency === target ? boosted : rest > 0 ? (p * (1 - boosted)) / rest : 0);
      reason = 'named_agency';
    } else if (place) {
      // Area and topic apart: the topic is judged on the words without the place names,
      // so that a place given only as the asker's address does not pull a department topic to a district.
      const topic = this.classifier.distribution(this.featuresOf(gazetteer.withoutPlaces(tokens, places)));
      const top = topic[0].label;
      const topicIsLocal =
        this.districts.has(top) ||
        (this.localTopics.has(top) &&
          ([...this.localTopics.values()].some((phrases) => phrases.some((phrase) => folded.includes(phrase))) ||
            places.some((p) => rules.localWordsBeforePlace.includes(tokens[p.at - 1]))));
      scores.clear();
      for (const d of topic) scores.set(d.label, d.p);
      if (topicIsLocal) {
        // The local topic goes to the place's district, with the districts' share and the local department's.
        const districtShare = topic.filter((d) => this.districts.has(d.label)).reduce((n, d) => n + d.p, 0);
        const moved = districtShare + (this.districts.has(top) ? 0 : (scores.get(top) ?? 0));
        for (const d of this.districts) scores.set(d, 0);
        if (!this.districts.has(top)) scores.set(top, 0);
        scores.set(place, moved);
        reason = 'local_topic';
      } else {
        // A department topic: the districts' share stays an alternative, at the place's district only.
        const districtShare = topic.filter((d) => this.districts.has(d.label)).reduce((n, d) => n + d.p, 0);
        for (const d of this.districts) scores.set(d, 0);
        scores.set(place, districtShare);
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
