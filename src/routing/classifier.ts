// natural's package root loads ESM-only dependencies and its storage back-ends; the classifiers alone do not.
import { BayesClassifier } from 'natural/lib/natural/classifiers';

interface ApparatusBayes {
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  totalExamples: number;
  smoothing: number;
}

export interface LabeledText {
  tokens: string[];
  label: string;
  /** How many times the example counts (officers' corrections weigh more). */
  weight?: number;
}

/**
 * natural's naive Bayes classifier over syllable and bigram features, driven in
 * three ways of our own:
 * - observations are passed sparse (the indices of the features present), because
 *   natural's dense vectors cost O(vocabulary) per document;
 * - scoring reads natural's per-class document counts as a binarized multinomial
 *   model with Laplace smoothing over the whole vocabulary (natural's own
 *   estimate divides by the class size, so an agency with few examples wins every
 *   question full of words it has never seen);
 * - scores are log-probabilities turned into a softmax with a temperature, because
 *   natural's own scores are products that underflow on long questions.
 */
export class SyllableBayes {
  private readonly bayes = new BayesClassifier();
  private index = new Map<string, number>();
  /** Per label: log prior and log of the smoothed denominator. */
  private logPrior = new Map<string, number>();
  private logDenominator = new Map<string, number>();

  constructor(
    private readonly temperature = 1,
    private readonly alpha = 0.5,
  ) {}

  train(examples: readonly LabeledText[]): void {
    for (const ex of examples) for (let i = 0; i < (ex.weight ?? 1); i += 1) this.bayes.addDocument(ex.tokens, ex.label);
    this.rebuildIndex();
    const bayes = this.bayes as unknown as { textToFeatures: (tokens: string[]) => Record<number, number> };
    bayes.textToFeatures = (tokens: string[]) => this.sparse(tokens);
    this.bayes.train();
    // apparatus counts examples only for dense observations; count them for the sparse ones (with its +1 smoothing).
    const m = this.model();
    const docs = (this.bayes as unknown as { docs: Array<{ label: string }> }).docs;
    m.totalExamples = 1 + docs.length;
    for (const label of Object.keys(m.classTotals)) m.classTotals[label] = 1;
    for (const doc of docs) m.classTotals[doc.label] += 1;
    const vocabulary = this.index.size;
    for (const label of Object.keys(m.classTotals)) {
      let features = 0;
      for (const value of Object.values(m.classFeatures[label])) features += value - m.smoothing;
      this.logPrior.set(label, Math.log((m.classTotals[label] - 1) / docs.length));
      this.logDenominator.set(label, Math.log(features + this.alpha * vocabulary));
    }
  }

  get labels(): string[] {
    return Object.keys(this.model().classTotals);
  }

  get vocabularySize(): number {
    return this.index.size;
  }

  /** Probability of each label, most likely first. */
  distribution(tokens: readonly string[], temperature = this.temperature): Array<{ label: string; p: number }> {
    const scores = this.logScores(tokens);
    const max = Math.max(...scores.map((s) => s.log));
    const exp = scores.map((s) => ({ label: s.label, e: Math.exp((s.log - max) / temperature) }));
    const sum = exp.reduce((n, s) => n + s.e, 0);
    return exp.map((s) => ({ label: s.label, p: s.e / sum })).sort((a, b) => b.p - a.p);
  }

  /** Unnormalized log-probability of each label. */
  logScores(tokens: readonly string[]): Array<{ label: string; log: number }> {
    const m = this.model();
    const observed = Object.values(this.sparse(tokens));
    const scores: Array<{ label: string; log: number }> = [];
    for (const label of Object.keys(m.classTotals)) {
      const counts = m.classFeatures[label];
      const denominator = this.logDenominator.get(label) as number;
      let log = this.logPrior.get(label) as number;
      // natural stores a feature's document count plus its smoothing constant.
      for (const f of observed) log += Math.log((counts[f] ? counts[f] - m.smoothing : 0) + this.alpha) - denominator;
      scores.push({ label, log });
    }
    return scores;
  }

  private model(): ApparatusBayes {
    return (this.bayes as unknown as { classifier: ApparatusBayes }).classifier;
  }

  /** Same feature order as natural's for-in over its vocabulary, so indices agree with its counts. */
  private rebuildIndex(): void {
    const features = (this.bayes as unknown as { features: Record<string, number> }).features;
    this.index = new Map();
    let i = 0;
    for (const f in features) this.index.set(f, i++);
  }

  private sparse(tokens: readonly string[]): Record<number, number> {
    const seen = new Set<number>();
    for (const t of tokens) {
      const i = this.index.get(t);
      if (i !== undefined) seen.add(i);
    }
    const out: Record<number, number> = {};
    let k = 0;
    for (const i of seen) out[k++] = i;
    return out;
  }
}
