import path from 'node:path';
import { z } from 'zod';
import { DataError, parseWith, readJsonFile, type ProvinceData } from '../config/data';
import { foldVietnamese } from '../domain/text';
import type { Normalizer } from './normalize';
import { loadFaqModel, type FaqEntryText, type FaqModel, type FaqTokenizer } from './faq-model';
import { DEFAULT_INTENTS_DIR } from './load';

// natural's Lancaster stemmer folds English word families together ("registration", "register" → "reg"); the deep import avoids loading all of natural.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lancaster = require('natural/lib/natural/stemmers/lancaster_stemmer') as { stem(token: string): string };

const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');

const FaqSchema = z
  .object({
    notes: z.string().optional(),
    /** The national public-service portal, where each entry's link points. */
    portalUrl: z.string().url(),
    /** Scores of at least this are offered as the answer (chosen on the development set; see README). */
    threshold: z.number().min(0).max(1),
    entries: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9-]+$/),
            title: z.string().min(1),
            titleEn: z.string().min(1),
            agency: z.string().min(1),
            /** Words and short phrases that name this procedure (Vietnamese and English, any spelling). */
            keywords: z.array(z.string().min(1)).min(1),
            /** Ways people ask it. */
            questions: z.array(z.string().min(1)).min(1),
            /** How English speakers ask it. */
            questionsEn: z.array(z.string().min(1)).min(1),
            /** Phrases that mean another matter this entry does not answer (divorce is not marriage registration). */
            notFor: z.array(z.string().min(1)).default([]),
            /** The answer as a short list of steps. */
            steps: z.array(z.string().min(1).max(300)).min(2).max(6),
            stepsEn: z.array(z.string().min(1).max(300)).min(2).max(6),
            legalBasis: z.string().min(1),
            /** The procedure on the national public-service portal. */
            link: z.string().url(),
            /** When the entry was last checked against the law in force. */
            updated: DateSchema,
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type FaqEntry = z.infer<typeof FaqSchema>['entries'][number];

/** The FAQ's own vocabulary (data/faq/words.json), on top of the routing normaliser's abbreviations. */
const WordsSchema = z
  .object({
    notes: z.string().optional(),
    /** Chat abbreviations people use when asking about procedures: "ks" → "khai sinh". */
    abbreviations: z.record(z.string(), z.string().min(1)),
    /** A phrase that means the same as another: both are looked for ("sổ hồng" → "sổ đỏ"). */
    synonyms: z.record(z.string(), z.string().min(1)),
    /** Words that say nothing about the procedure (Vietnamese and English). */
    stopwords: z.array(z.string().min(1)),
    /**
     * Words that say nothing in an English question but, folded, are Vietnamese syllables that do ("the" is "thẻ",
     * "do" is "đỏ", "to" is "tờ", "can" is "cần"): dropped only from English questions, and kept where they
     * complete a phrase the FAQ knows ("so do", "can cuoc" written in an English question).
     */
    englishStopwords: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type FaqWords = z.infer<typeof WordsSchema>;

export interface FaqMatch {
  entry: FaqEntry;
  /** 0..1: the entry's evidence (rare words and pairs it shares with the question) times the square root of the share of the question it explains. */
  score: number;
}

/** Field weights: a word of the title or keywords says more than one seen in a single paraphrase. */
const FIELD_WEIGHT = { title: 1, keyword: 1, question: 0.6 } as const;
/** Evidence at which the score is one half. */
const HALF_EVIDENCE = 6;
/** The weight of a word no entry knows, as a share of the rarest word's (chosen on the dev sets). */
const UNKNOWN_WEIGHT = 0.75;
const UNKNOWN_WEIGHT_EN = 0.5;
/** How much the share of the question's words that the entry explains counts. */
const COVERAGE_POWER = 0.5;

interface Profile {
  entry: FaqEntry;
  weights: Map<string, number>;
  /** The keywords and title as word sequences, " khai tu ": a question that says one whole gets more evidence. */
  phrases: string[][];
  notFor: string[];
}

/**
 * The knowledge base's way of reading a text: the FAQ's own abbreviations, the routing normaliser's folding,
 * English words reduced to their family, synonyms and stopwords (data/faq/words.json). The keyword matcher
 * reads entries and questions through it, and so can the model (its `features` setting).
 */
export class FaqVocabulary implements FaqTokenizer {
  private readonly expansions = new Map<string, string[]>();
  private readonly synonyms: Array<[string, string]> = [];
  private readonly stopwords: Set<string>;
  private readonly stopPhrases: string[];
  private readonly englishStopwords: Set<string>;
  /** Pairs of words that the FAQ's synonyms and abbreviations stand for ("so do"): an English stopword in one is kept. */
  private readonly knownPairs = new Set<string>();

  constructor(
    private readonly normalizer: Normalizer,
    words: FaqWords = { abbreviations: {}, synonyms: {}, stopwords: [], englishStopwords: [] },
  ) {
    for (const [short, long] of Object.entries(words.abbreviations)) this.expansions.set(foldVietnamese(short), foldVietnamese(long).split(' '));
    for (const [from, to] of Object.entries(words.synonyms)) this.synonyms.push([` ${this.fold(from)} `, this.fold(to)]);
    const stops = words.stopwords.map((w) => this.fold(w));
    this.stopwords = new Set(stops.filter((w) => !w.includes(' ')));
    // Longest first, so that "như thế nào" goes before "thế nào".
    this.stopPhrases = stops.filter((w) => w.includes(' ')).sort((a, b) => b.length - a.length).map((w) => ` ${w} `);
    this.englishStopwords = new Set(words.englishStopwords.map((w) => this.fold(w)));
    for (const phrase of [...Object.values(words.synonyms), ...Object.values(words.abbreviations)]) {
      const t = this.fold(phrase).split(' ');
      for (let i = 0; i + 1 < t.length; i += 1) this.knownPairs.add(`${t[i]} ${t[i + 1]}`);
    }
  }

  /** Folded syllables: the FAQ's own abbreviations first ("sdd" is a "sổ đỏ" here), then the routing normaliser's, then a light English stemming. */
  fold(text: string): string {
    // English contractions: "I'm", "we'll", "it's" say nothing more; "can't", "don't" say "not".
    const expanded = text
      .normalize('NFC')
      .replace(/\bcan[’']t\b/gi, 'cannot')
      .replace(/\bwon[’']t\b/gi, 'will not')
      .replace(/n[’']t\b/gi, ' not')
      .replace(/[’'](s|m|re|ve|ll|d)\b/gi, '');
    const pre = foldVietnamese(expanded)
      .split(' ')
      .map((t) => this.expansions.get(t)?.join(' ') ?? t)
      .join(' ');
    return this.normalizer
      .tokens(pre)
      .map((t) => stem(t))
      .join(' ');
  }

  /**
   * Syllables without stopwords. Synonyms are added (`add`: what the entries are searched for), or put in place of
   * the words they stand for (`replace`: what the question says, so "bìa đỏ" is two words explained by "sổ đỏ").
   */
  words(text: string, synonyms: 'add' | 'replace' = 'add'): string[] {
    let folded = ` ${this.fold(text)} `;
    if (synonyms === 'add') {
      for (const [from, to] of this.synonyms) if (folded.includes(from)) folded += `${to} `;
    } else {
      for (const [from, to] of this.synonyms) while (folded.includes(from)) folded = folded.replace(from, ` ${to} `);
    }
    for (const phrase of this.stopPhrases) while (folded.includes(phrase)) folded = folded.replace(phrase, ' ');
    const tokens = folded.split(' ').filter((t) => t && !this.stopwords.has(t));
    if (this.englishStopwords.size === 0 || !looksEnglish(text)) return tokens;
    return tokens.filter(
      (t, i) => !this.englishStopwords.has(t) || this.knownPairs.has(`${tokens[i - 1]} ${t}`) || this.knownPairs.has(`${t} ${tokens[i + 1]}`),
    );
  }

  looksEnglish(text: string): boolean {
    return looksEnglish(text);
  }
}

/** The knowledge base of common procedures (data/faq/faq.json) and a matcher over the ways people ask. */
export class FaqBase {
  private readonly profiles: Profile[];
  private readonly idf = new Map<string, number>();
  private readonly vocabulary: FaqVocabulary;

  constructor(
    readonly portalUrl: string,
    readonly entries: readonly FaqEntry[],
    normalizer: Normalizer,
    /** A match at least this close is offered as the answer. */
    readonly threshold = 0.5,
    words: FaqWords = { abbreviations: {}, synonyms: {}, stopwords: [], englishStopwords: [] },
    /** The learned model (data/faq/model.json, intents/faq/): when present it decides which entry answers. */
    private readonly model?: FaqModel,
  ) {
    this.vocabulary = new FaqVocabulary(normalizer, words);
    this.profiles = entries.map((entry) => {
      const weights = new Map<string, number>();
      const put = (text: string, w: number): void => {
        for (const f of new Set(this.features(text))) weights.set(f, Math.max(weights.get(f) ?? 0, w));
      };
      for (const q of [...entry.questions, ...entry.questionsEn]) put(q, FIELD_WEIGHT.question);
      for (const t of [entry.title, entry.titleEn]) put(t, FIELD_WEIGHT.title);
      for (const k of entry.keywords) put(k, FIELD_WEIGHT.keyword);
      const phrases = [entry.title, entry.titleEn, ...entry.keywords].map((k) => this.vocabulary.words(k)).filter((w) => w.length > 0);
      return { entry, weights, phrases, notFor: entry.notFor.map((p) => ` ${this.vocabulary.fold(p)} `) };
    });
    const df = new Map<string, number>();
    for (const p of this.profiles) for (const f of p.weights.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const n = this.profiles.length;
    for (const [f, d] of df) this.idf.set(f, Math.log((n + 1) / (d + 0.5)));
  }

  static load(province: ProvinceData, normalizer: Normalizer, intentsDir: string = DEFAULT_INTENTS_DIR): FaqBase {
    const file = path.join(province.dataDir, 'faq', 'faq.json');
    const data = parseWith(FaqSchema, readJsonFile(file), file);
    const wordsFile = path.join(province.dataDir, 'faq', 'words.json');
    const words = parseWith(WordsSchema, readJsonFile(wordsFile), wordsFile);
    const ids = new Set<string>();
    for (const e of data.entries) {
      if (ids.has(e.id)) throw new DataError(file, [`entry "${e.id}": duplicate id`]);
      ids.add(e.id);
      if (!province.agencies.has(e.agency)) throw new DataError(file, [`entry "${e.id}": "${e.agency}" is not an agency code in agencies.json`]);
      if (!e.link.startsWith(data.portalUrl)) throw new DataError(file, [`entry "${e.id}": the link must be on ${data.portalUrl}`]);
    }
    const model = loadFaqModel(province.dataDir, intentsDir, data.entries.map(entryTexts), normalizer, new FaqVocabulary(normalizer, words));
    return new FaqBase(data.portalUrl, data.entries, normalizer, data.threshold, words, model);
  }

  /** Syllables and pairs of consecutive ones. */
  private features(text: string): string[] {
    const tokens = this.vocabulary.words(text);
    const out = [...tokens];
    for (let i = 0; i + 1 < tokens.length; i += 1) out.push(`${tokens[i]}_${tokens[i + 1]}`);
    return out;
  }

  /**
   * The entry that answers a text, if one does. With the learned model, its probability is the
   * score; the keyword matcher decides alone only where the province has no model.
   */
  match(text: string): FaqMatch | undefined {
    if (this.model) {
      const p = this.model.predict(text);
      const entry = p.entry === undefined ? undefined : this.byId(p.entry);
      // One typed word ("ve", "hs 😡") is too little for the model to go on alone: the keyword matcher must
      // find the same entry there too (a scrap is not a question; "khai tử", "BHYT" still are).
      const oneWord = wordCount(text) < 2;
      if (entry && oneWord) {
        const keywords = this.candidates(text, 1)[0];
        return keywords && keywords.entry.id === entry.id && keywords.score >= this.threshold ? keywords : undefined;
      }
      if (entry) return { entry, score: p.probability };
      // Two independent signals that agree are enough where neither alone is: the model's
      // best entry, short of its threshold, is also the keyword matcher's best.
      const agreement = this.model.settings.keywordAgreement;
      if (agreement && p.probability >= agreement.minProbability) {
        const keywords = this.candidates(text, 1)[0];
        // One word gets no easier way in here than above: "xét?" is not a question about poor households.
        const minKeywordScore = oneWord ? Math.max(agreement.minKeywordScore, this.threshold) : agreement.minKeywordScore;
        if (keywords && keywords.entry.id === p.best && keywords.score >= minKeywordScore) return keywords;
      }
      return undefined;
    }
    const best = this.candidates(text, 1)[0];
    return best && best.score >= this.threshold ? best : undefined;
  }

  /** Entries by closeness, best first. */
  candidates(text: string, limit = 3): FaqMatch[] {
    const query = [...new Set(this.features(text))];
    const folded = ` ${this.vocabulary.fold(text)} `;
    const said = ` ${this.vocabulary.words(text).join(' ')} `;
    // The question's own information: each word weighs its rarity among the entries. A word no entry uses weighs less
    // than the rarest known one, and less again in English, where the entries know fewer of the ways to say a thing.
    const unknownIdf = (looksEnglish(text) ? UNKNOWN_WEIGHT_EN : UNKNOWN_WEIGHT) * Math.log((this.profiles.length + 1) / 0.5);
    // Over what the question says: the words synonyms add are evidence, not more question to explain.
    const own = new Set(this.vocabulary.words(text, 'replace'));
    const mass = [...own].reduce((sum, f) => sum + (this.idf.get(f) ?? unknownIdf), 0);
    const out: FaqMatch[] = [];
    for (const p of this.profiles) {
      if (p.notFor.some((phrase) => folded.includes(phrase))) continue;
      let evidence = 0;
      let covered = 0;
      for (const f of query) {
        const w = p.weights.get(f);
        if (!w) continue;
        const idf = this.idf.get(f) ?? 0;
        evidence += w * idf;
        if (own.has(f)) covered += idf;
      }
      if (evidence <= 0) continue;
      // A whole keyword said counts once more (the best one): "passport", "khai tử", "sổ đỏ bị mất".
      let phraseBonus = 0;
      for (const phrase of p.phrases)
        if (said.includes(` ${phrase.join(' ')} `)) phraseBonus = Math.max(phraseBonus, phrase.reduce((sum, w) => sum + (this.idf.get(w) ?? 0), 0));
      evidence += phraseBonus;
      const coverage = mass > 0 ? covered / mass : 0;
      out.push({ entry: p.entry, score: (evidence / (evidence + HALF_EVIDENCE)) * coverage ** COVERAGE_POWER });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  byId(id: string): FaqEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }
}

/** Typed words with at least one letter ("hs 😡" is one). */
function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
}

/** What an entry says of itself, for the model: its names, keywords and sample questions. */
function entryTexts(e: FaqEntry): FaqEntryText {
  return { id: e.id, texts: [e.title, e.titleEn, ...e.keywords, ...e.questions, ...e.questionsEn] };
}


/** A folded Vietnamese syllable: initial consonant, vowels, final consonant. English words that fit ("can", "to") are left as they are. */
const VIETNAMESE_SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;

/** A letter or mark that only Vietnamese has here: đ, and (after NFD) tone marks, circumflex, breve, horn. */
const VIETNAMESE_MARK = /[đ\u0300-\u036f]/i;

/**
 * At least a third of the words could not be Vietnamese syllables ("how", "my", "birth"), and words written with
 * Vietnamese marks are at most half as many: "My father died in Bát Xát" is English with a place name in it,
 * "how nhập hộ khẩu for my wife" is Vietnamese enough to keep its Vietnamese words.
 */
function looksEnglish(text: string): boolean {
  const words = text
    .normalize('NFD')
    .split(/[^\p{L}\u0300-\u036f]+/u)
    .filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return false;
  const marked = words.filter((w) => VIETNAMESE_MARK.test(w)).length;
  const english = words
    .filter((w) => !VIETNAMESE_MARK.test(w))
    .map((w) => foldVietnamese(w.normalize('NFC')))
    .filter((t) => /^[a-z]+$/.test(t) && !VIETNAMESE_SYLLABLE.test(t)).length;
  return marked <= english / 2 && english / words.length >= 1 / 3;
}

/** English words reduced to their family ("certificates", "certify" → "cert"); folded Vietnamese syllables and numbers stay. */
function stem(token: string): string {
  if (token.length < 4 || VIETNAMESE_SYLLABLE.test(token) || !/^[a-z]+$/.test(token)) return token;
  return lancaster.stem(token);
}

/** One line of a FAQ evaluation set: `entry` is an entry id, or "none" when no entry fits. */
export interface FaqLabeled {
  id: string;
  text: string;
  entry: string;
  style: string;
}

export interface FaqEvalCounts {
  /** Lines with an entry. */
  answerable: number;
  /** Answerable lines whose top answer is their entry. */
  correct: number;
  /** Answerable lines answered with another entry. */
  wrong: number;
  /** Answerable lines answered "no match". */
  missed: number;
  /** "none" lines. */
  none: number;
  /** "none" lines answered "no match". */
  noneCorrect: number;
}

export interface FaqEvaluation extends FaqEvalCounts {
  n: number;
  /** Correct answers over answerable lines. */
  top1: number;
  /** "no match" over "none" lines. */
  noMatchRate: number;
  /** Lines answered with an entry that is not theirs (wrong entry, or any entry on a "none" line), over all lines. */
  wrongOfferedRate: number;
  perStyle: Array<{ style: string; n: number; top1: number | null; noMatchRate: number | null; wrongOffered: number }>;
  misses: Array<{ id: string; style: string; text: string; expected: string; got: string; score: number }>;
}

/** Top-1 accuracy, "no match" and wrong answers offered, overall and per style, with the misses. */
export function evaluateFaq(faq: FaqBase, set: readonly FaqLabeled[]): FaqEvaluation {
  const blank = (): FaqEvalCounts => ({ answerable: 0, correct: 0, wrong: 0, missed: 0, none: 0, noneCorrect: 0 });
  const all = blank();
  const byStyle = new Map<string, FaqEvalCounts>();
  const misses: FaqEvaluation['misses'] = [];
  for (const item of set) {
    // What a citizen would be offered (match), and else the closest entry, for the list of misses.
    const offered = faq.match(item.text);
    const best = offered ?? faq.candidates(item.text, 1)[0];
    const got = offered?.entry.id ?? 'none';
    const s = byStyle.get(item.style) ?? blank();
    byStyle.set(item.style, s);
    for (const c of [all, s]) {
      if (item.entry === 'none') {
        c.none += 1;
        if (got === 'none') c.noneCorrect += 1;
      } else {
        c.answerable += 1;
        if (got === item.entry) c.correct += 1;
        else if (got === 'none') c.missed += 1;
        else c.wrong += 1;
      }
    }
    if (got !== item.entry) misses.push({ id: item.id, style: item.style, text: item.text, expected: item.entry, got, score: best?.score ?? 0 });
  }
  const rate = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const wrongOffered = (c: FaqEvalCounts): number => c.wrong + (c.none - c.noneCorrect);
  const n = set.length;
  return {
    n,
    ...all,
    top1: rate(all.correct, all.answerable),
    noMatchRate: rate(all.noneCorrect, all.none),
    wrongOfferedRate: rate(wrongOffered(all), n),
    perStyle: [...byStyle.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([style, c]) => ({
        style,
        n: c.answerable + c.none,
        top1: c.answerable ? c.correct / c.answerable : null,
        noMatchRate: c.none ? c.noneCorrect / c.none : null,
        wrongOffered: rate(wrongOffered(c), c.answerable + c.none),
      })),
    misses,
  };
}

/** "2026-12-04" → "04/12/2026". */
export function vietnameseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** An entry as the citizen reads it: the title, numbered steps, the legal basis, the agency, the portal link and the date it was checked. */
export function formatFaqAnswer(entry: FaqEntry, lang: 'vi' | 'en', agencyName: string): string {
  const steps = (lang === 'en' ? entry.stepsEn : entry.steps).map((s, i) => `${i + 1}. ${s}`);
  const date = vietnameseDate(entry.updated);
  return lang === 'en'
    ? [`[${entry.titleEn}]`, ...steps, `Legal basis: ${entry.legalBasis}`, `Agency: ${agencyName}`, `The procedure on the national public-service portal: ${entry.link}`, `(Updated ${date})`].join('\n')
    : [`[${entry.title}]`, ...steps, `Căn cứ pháp lý: ${entry.legalBasis}`, `Cơ quan phụ trách: ${agencyName}`, `Thủ tục trên Cổng Dịch vụ công quốc gia: ${entry.link}`, `(Cập nhật ngày ${date})`].join('\n');
}
