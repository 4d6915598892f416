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
    const best = faq.candidates(item.text, 1)[0];
    const got = best && best.score >= faq.threshold ? best.entry.id : 'none';
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
