/**
 * A multinomial logistic regression over TF-IDF vectors of syllables and syllable
 * bigrams, trained by stochastic gradient descent. Written here because natural's
 * LogisticRegressionClassifier is dense and full-batch (about 50 s for 2,000
 * questions); over sparse vectors one epoch costs (non-zero features × labels).
 *
 * Why TF-IDF with a logistic model rather than naive Bayes: a 300-word story adds
 * 300 log-likelihood terms under naive Bayes, so its probabilities saturate (0.99
 * for a wrong department); a length-normalised vector gives a long story and a chat
 * message scores on the same scale, and a discriminative model weighs the words that
 * separate agencies rather than every word that occurs.
 */
import { seededRandom } from '../domain/random';

export interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

export interface TrainingOptions {
  epochs: number;
  /** Initial learning rate. */
  rate: number;
  /** L2 penalty per example. */
  l2: number;
  /** Seed of the shuffling, so that a start-up trains the same model every time. */
  seed: number;
}

/** Vocabulary and inverse document frequencies, fitted on the training texts. */
export class TfIdf {
  private readonly vocabulary = new Map<string, number>();
  private idf = new Float64Array(0);

  fit(documents: ReadonlyArray<readonly string[]>, minDocuments = 1): void {
    const df = new Map<string, number>();
    for (const doc of documents) for (const f of new Set(doc)) df.set(f, (df.get(f) ?? 0) + 1);
    const kept = [...df].filter(([, n]) => n >= minDocuments);
    this.idf = new Float64Array(kept.length);
    kept.forEach(([f, n], i) => {
      this.vocabulary.set(f, i);
      this.idf[i] = Math.log((1 + documents.length) / (1 + n)) + 1;
    });
  }

  get size(): number {
    return this.vocabulary.size;
  }

  /** Sublinear term frequency (1 + log tf) times idf, L2-normalised: a long text weighs no more than a short one. */
  transform(features: readonly string[]): SparseVector {
    const tf = new Map<number, number>();
    for (const f of features) {
      const i = this.vocabulary.get(f);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const index = Int32Array.from(tf.keys()).sort();
    const value = new Float64Array(index.length);
    let norm = 0;
    index.forEach((i, k) => {
      value[k] = (1 + Math.log(tf.get(i) as number)) * this.idf[i];
      norm += value[k] * value[k];
    });
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < value.length; k += 1) value[k] /= norm;
    return { index, value };
  }
}

export class SoftmaxRegression {
  /** Weights by feature then label (a feature's weights are adjacent: updates touch one run). */
  private weights: Float64Array;
  private readonly bias: Float64Array;
  /** The weights are `scale * weights`: L2 decay multiplies one number instead of every weight. */
  private scale = 1;

  constructor(
    readonly labels: readonly string[],
    private readonly features: number,
  ) {
    this.weights = new Float64Array(features * labels.length);
    this.bias = new Float64Array(labels.length);
  }

  train(examples: ReadonlyArray<{ x: SparseVector; y: number; weight?: number }>, options: TrainingOptions): void {
    const k = this.labels.length;
    const order = examples.map((_, i) => i);
    const next = seededRandom(options.seed);
    const p = new Float64Array(k);
    let t = 0;
    for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const n of order) {
        const { x, y, weight = 1 } = examples[n];
        const rate = options.rate / (1 + options.rate * options.l2 * t);
        t += 1;
        this.probabilities(x, p);
        this.scale *= 1 - rate * options.l2;
        if (this.scale < 1e-6) this.rescale();
        const step = (rate * weight) / this.scale;
        for (let c = 0; c < k; c += 1) {
          const g = p[c] - (c === y ? 1 : 0);
          // Most labels get a vanishing probability after the first epochs: skipping their
          // negligible updates halves the training time.
          if (Math.abs(g) < 1e-4) continue;
          this.bias[c] -= rate * weight * g;
          for (let m = 0; m < x.index.length; m += 1) this.weights[x.index[m] * k + c] -= step * g * x.value[m];
        }
      }
    }
    this.rescale();
  }

  private rescale(): void {
    for (let i = 0; i < this.weights.length; i += 1) this.weights[i] *= this.scale;
    this.scale = 1;
  }

  /** Raw scores (logits) of each label. */
  scores(x: SparseVector, out: Float64Array = new Float64Array(this.labels.length)): Float64Array {
    const k = this.labels.length;
    out.set(this.bias);
    for (let m = 0; m < x.index.length; m += 1) {
      const base = x.index[m] * k;
      const v = x.value[m] * this.scale;
      for (let c = 0; c < k; c += 1) out[c] += this.weights[base + c] * v;
    }
    return out;
  }

  probabilities(x: SparseVector, out: Float64Array = new Float64Array(this.labels.length), temperature = 1): Float64Array {
    this.scores(x, out);
    return softmax(out, temperature);
  }

  get size(): number {
    return this.features;
  }
}

/** In place; returns its argument. */
export function softmax(scores: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c += 1) {
    scores[c] = Math.exp((scores[c] - max) / temperature);
    sum += scores[c];
  }
  for (let c = 0; c < scores.length; c += 1) scores[c] /= sum;
  return scores;
}
