/**
 * Which knowledge-base entry a citizen's question asks for, learned from paraphrases
 * that separate writers wrote for each entry (intents/faq/*.jsonl), with "none" as a
 * class of its own (near misses and questions no entry answers).
 *
 * Why a model rather than keyword overlap alone: people describe their situation
 * ("bố tôi mất tuần trước", "my visa runs out") instead of naming the procedure, in
 * Vietnamese with or without diacritics, in chat abbreviations and in English. The
 * same TF-IDF logistic regression that routes questions to agencies learns which
 * words separate one procedure from its neighbours; the keyword matcher stays as the
 * fallback and for entries added without examples yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile, readJsonLinesWith } from '../config/data';
import { SoftmaxRegression, TfIdf, type SparseVector } from './linear';
import { features, type Normalizer } from './normalize';

/** The label of examples that no entry answers. */
export const NO_ENTRY = 'none';

export const FaqModelSchema = z
  .object({
    notes: z.string().optional(),
    /** Softmax temperature: below 1 sharpens the probabilities (fitted on held-out writers). */
    temperature: z.number().positive(),
    /** An entry is offered when its probability is at least this, and it beats "none". */
    threshold: z.number().min(0).max(1),
    /** Offer the model's best entry below the threshold when the keyword matcher's best is the same entry. */
    keywordAgreement: z.object({ minProbability: z.number().min(0).max(1), minKeywordScore: z.number().min(0).max(1) }).strict().optional(),
    /**
     * What the model reads: "syllables", the router's folded syllables and pairs; "faq-words", the knowledge
     * base's reading (its abbreviations, English words reduced to their family); "faq-words-english-content",
     * the same, and in English questions only the words that say something (stopwords out, synonyms in place).
     */
    features: z.enum(['syllables', 'faq-words', 'faq-words-english-content']).default('syllables'),
    /** Weight of an entry's own title, keywords and sample questions against one writer's paraphrase. */
    entryTextWeight: z.number().positive(),
    epochs: z.number().int().min(1).max(200),
    rate: z.number().positive(),
    l2: z.number().min(0),
    seed: z.number().int(),
  })
  .strict();

export type FaqModelSettings = z.infer<typeof FaqModelSchema>;

/** The knowledge base's reading of a text (FaqVocabulary in faq.ts), for the "faq-words" features. */
export interface FaqTokenizer {
  /** Folded words, FAQ abbreviations expanded, English words stemmed, as one string. */
  fold(text: string): string;
  /** The words that say something: stopwords out, synonyms in place of what they stand for ("replace"). */
  words(text: string, synonyms: 'add' | 'replace'): string[];
  looksEnglish(text: string): boolean;
}

export interface FaqTrainingExample {
  text: string;
  /** An entry id, or NO_ENTRY. */
  entry: string;
}

/** What an entry contributes by itself: its names and the sample questions it carries. */
export interface FaqEntryText {
  id: string;
  texts: readonly string[];
}

export interface FaqPrediction {
  /** The most likely entry, or undefined when "none" wins or nothing reaches the threshold. */
  entry?: string;
  /** Probability of the most likely entry (not of "none"). */
  probability: number;
  /** The entry with the highest probability, offered or not (for logs and evaluation). */
  best: string;
}

export class FaqModel {
  private readonly tfidf = new TfIdf();
  private readonly model: SoftmaxRegression;
  private readonly buffer: Float64Array;
  private readonly noneIndex: number;

  constructor(
    entries: readonly FaqEntryText[],
    examples: readonly FaqTrainingExample[],
    private readonly normalizer: Normalizer,
    readonly settings: FaqModelSettings,
    private readonly tokenizer?: FaqTokenizer,
  ) {
    if (settings.features !== 'syllables' && !tokenizer) throw new Error(`FAQ model features "${settings.features}" need the knowledge base's vocabulary`);
    const labels = [...entries.map((e) => e.id), NO_ENTRY];
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    this.noneIndex = labels.length - 1;
    const training: Array<{ f: string[]; y: number; weight: number }> = [];
    for (const e of entries) for (const text of e.texts) training.push({ f: this.featuresOf(text), y: labelIndex.get(e.id) as number, weight: settings.entryTextWeight });
    for (const x of examples) {
      const y = labelIndex.get(x.entry);
      // The loader has checked every label; an example of a removed entry teaches nothing.
      if (y !== undefined) training.push({ f: this.featuresOf(x.text), y, weight: 1 });
    }
    this.tfidf.fit(training.map((t) => t.f));
    this.model = new SoftmaxRegression(labels, this.tfidf.size);
    this.model.train(
      training.map((t) => ({ x: this.tfidf.transform(t.f), y: t.y, weight: t.weight })),
      { epochs: settings.epochs, rate: settings.rate, l2: settings.l2, seed: settings.seed },
    );
    this.buffer = new Float64Array(labels.length);
  }

  predict(text: string): FaqPrediction {
    const p = this.model.probabilities(this.vector(text), this.buffer, this.settings.temperature);
    let best = 0;
    for (let c = 1; c < this.noneIndex; c += 1) if (p[c] > p[best]) best = c;
    const probability = p[best];
    const offered = probability >= this.settings.threshold && probability > p[this.noneIndex];
    const label = this.model.labels[best];
    return { ...(offered ? { entry: label } : {}), probability, best: label };
  }

  private vector(text: string): SparseVector {
    return this.tfidf.transform(this.featuresOf(text));
  }

  /** Folded syllables (abbreviations expanded) and their pairs; punctuation and emoji carry no meaning here. */
  private featuresOf(text: string): string[] {
    const t = this.tokenizer;
    if (t && this.settings.features === 'faq-words-english-content' && t.looksEnglish(text)) return features(t.words(text, 'replace'));
    if (t && this.settings.features !== 'syllables') return features(t.fold(text).split(' ').filter((w) => w.length > 0));
    const tokens = this.normalizer
      .tokens(text.toLowerCase())
      .map((t) => t.replace(/[^a-z0-9]/g, ''))
      .filter((t) => t.length > 0);
    return features(tokens);
  }
}

const ExampleLineSchema = z
  .object({
    id: z.string().min(1),
    text: z.string().min(1).max(4000),
    entry: z.string().min(1),
    style: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();

/** One writer's file of paraphrases; every problem is reported with its line, and an unknown entry id is one. */
export function readFaqExamples(file: string, entryIds: ReadonlySet<string>): FaqTrainingExample[] {
  return readJsonLinesWith(file, ExampleLineSchema, (l) =>
    l.entry === NO_ENTRY || entryIds.has(l.entry) ? undefined : `(${l.id}): "${l.entry}" is not an entry id in data/faq/faq.json (or "${NO_ENTRY}")`,
  ).map((l) => ({ text: l.text, entry: l.entry }));
}

/**
 * The model's settings (data/faq/model.json) and every writer's paraphrases (intents/faq/*.jsonl);
 * undefined when the province has no settings file (the keyword matcher then works alone).
 */
export function loadFaqModel(
  dataDir: string,
  intentsDir: string,
  entries: readonly FaqEntryText[],
  normalizer: Normalizer,
  tokenizer?: FaqTokenizer,
): FaqModel | undefined {
  const settingsFile = path.join(dataDir, 'faq', 'model.json');
  if (!fs.existsSync(settingsFile)) return undefined;
  const settings = parseWith(FaqModelSchema, readJsonFile(settingsFile), settingsFile);
  const dir = path.join(intentsDir, 'faq');
  const ids = new Set(entries.map((e) => e.id));
  const examples = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .flatMap((f) => readFaqExamples(path.join(dir, f), ids))
    : [];
  return new FaqModel(entries, examples, normalizer, settings, tokenizer);
}
