import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile, type ProvinceData } from '../config/data';
import type { Normalizer } from './normalize';

const WordsSchema = z.object({ blocked: z.array(z.string().min(1)).min(1), notes: z.string().optional() }).strict();

/** Catches abusive or rule-breaking language (data/moderation/words.json), typed with or without diacritics. */
export class Moderation {
  private readonly phrases: string[];

  constructor(blocked: readonly string[], private readonly normalizer: Normalizer) {
    this.phrases = [...new Set(blocked.map((w) => ` ${normalizer.fold(w)} `))].filter((p) => p.trim() !== '');
  }

  static load(province: ProvinceData, normalizer: Normalizer): Moderation {
    const file = path.join(province.dataDir, 'moderation', 'words.json');
    return new Moderation(parseWith(WordsSchema, readJsonFile(file), file).blocked, normalizer);
  }

  /** The blocked phrases found in the text (folded), empty when it is clean. */
  check(text: string): string[] {
    const folded = ` ${this.normalizer.fold(text)} `;
    return this.phrases.filter((p) => folded.includes(p)).map((p) => p.trim());
  }
}
