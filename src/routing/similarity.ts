import { features, type Normalizer } from './normalize';

/** A TF-IDF index over folded syllables and bigrams: finds the documents closest to a text (cosine). */
export class TextIndex<T> {
  private readonly docs: Array<{ item: T; vector: Map<string, number>; norm: number }> = [];
  private readonly df = new Map<string, number>();
  private dirty = true;
  private weighted: Array<{ item: T; vector: Map<string, number>; norm: number }> = [];

  constructor(private readonly normalizer: Normalizer) {}

  get size(): number {
    return this.docs.length;
  }

  add(item: T, text: string): void {
    const vector = termCounts(features(this.normalizer.tokens(text)));
    for (const term of vector.keys()) this.df.set(term, (this.df.get(term) ?? 0) + 1);
    this.docs.push({ item, vector, norm: 0 });
    this.dirty = true;
  }

  /** Documents by similarity to `text`, best first, at least `minScore`. */
  search(text: string, limit = 3, minScore = 0): Array<{ item: T; score: number }> {
    if (this.dirty) this.reweigh();
    const query = this.weigh(termCounts(features(this.normalizer.tokens(text))));
    const qNorm = norm(query);
    if (qNorm === 0) return [];
    const results: Array<{ item: T; score: number }> = [];
    for (const doc of this.weighted) {
      let dot = 0;
      for (const [term, w] of query) {
        const d = doc.vector.get(term);
        if (d) dot += w * d;
      }
      const score = dot / (qNorm * doc.norm || 1);
      if (score >= minScore) results.push({ item: doc.item, score });
    }
    return results.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  private idf(term: string): number {
    return Math.log((1 + this.docs.length) / (1 + (this.df.get(term) ?? 0))) + 1;
  }

  private weigh(counts: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    for (const [term, n] of counts) if (this.df.has(term)) out.set(term, (1 + Math.log(n)) * this.idf(term));
    return out;
  }

  private reweigh(): void {
    this.weighted = this.docs.map((d) => {
      const vector = this.weigh(d.vector);
      return { item: d.item, vector, norm: norm(vector) };
    });
    this.dirty = false;
  }
}

function termCounts(terms: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

function norm(v: Map<string, number>): number {
  let s = 0;
  for (const w of v.values()) s += w * w;
  return Math.sqrt(s);
}
