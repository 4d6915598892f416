import path from 'node:path';
import { z } from 'zod';
import { DataError, parseWith, readJsonFile, type ProvinceData } from '../config/data';
import type { Normalizer } from './normalize';
import { TextIndex } from './similarity';

const FaqSchema = z
  .object({
    portalUrl: z.string().url(),
    entries: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9-]+$/),
            title: z.string().min(1),
            agency: z.string().min(1),
            questions: z.array(z.string().min(1)).min(1),
            /** How English speakers ask it. */
            questionsEn: z.array(z.string().min(1)).optional(),
            answer: z.string().min(1).max(1500),
            answerEn: z.string().min(1).max(1500),
            link: z.string().url(),
            legalBasis: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type FaqEntry = z.infer<typeof FaqSchema>['entries'][number];

export interface FaqMatch {
  entry: FaqEntry;
  score: number;
}

/** The knowledge base of common procedures (data/faq/faq.json) and a matcher over the ways people ask. */
export class FaqBase {
  private readonly index: TextIndex<FaqEntry>;

  constructor(
    readonly portalUrl: string,
    readonly entries: readonly FaqEntry[],
    normalizer: Normalizer,
    /** A match at least this close is offered as the answer. */
    readonly threshold = 0.5,
  ) {
    this.index = new TextIndex(normalizer);
    for (const e of entries) for (const q of [e.title, ...e.questions, ...(e.questionsEn ?? [])]) this.index.add(e, q);
  }

  static load(province: ProvinceData, normalizer: Normalizer): FaqBase {
    const file = path.join(province.dataDir, 'faq', 'faq.json');
    const data = parseWith(FaqSchema, readJsonFile(file), file);
    const ids = new Set<string>();
    for (const e of data.entries) {
      if (ids.has(e.id)) throw new DataError(file, [`entry "${e.id}": duplicate id`]);
      ids.add(e.id);
      if (!province.agencies.has(e.agency)) throw new DataError(file, [`entry "${e.id}": "${e.agency}" is not an agency code in agencies.json`]);
    }
    return new FaqBase(data.portalUrl, data.entries, normalizer);
  }

  /** The best entry for a text, if it is close enough. */
  match(text: string): FaqMatch | undefined {
    const best = this.candidates(text, 1)[0];
    return best && best.score >= this.threshold ? best : undefined;
  }

  /** Distinct entries by closeness. */
  candidates(text: string, limit = 3): FaqMatch[] {
    const seen = new Set<string>();
    const out: FaqMatch[] = [];
    for (const r of this.index.search(text, limit * 6, 0.15)) {
      if (seen.has(r.item.id)) continue;
      seen.add(r.item.id);
      out.push({ entry: r.item, score: r.score });
      if (out.length === limit) break;
    }
    return out;
  }

  byId(id: string): FaqEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }
}
