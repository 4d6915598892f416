import { z } from 'zod';
import type { Agency } from '../domain/agencies';
import { foldVietnamese } from '../domain/text';
import { canonicalTonePlacement, type Normalizer } from './normalize';

export const PlacesSchema = z
  .object({
    province: z.string().min(1),
    districts: z
      .array(
        z
          .object({
            agency: z.string().min(1),
            name: z.string().min(1),
            kind: z.string().min(1),
            aliases: z.array(z.string().min(1)),
            communes: z.array(z.object({ name: z.string().min(1), kind: z.enum(['xã', 'phường', 'thị trấn']) }).strict()),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type Places = z.infer<typeof PlacesSchema>;

export interface PlaceMatch {
  /** The district-level agency the place belongs to. */
  agency: string;
  /** The words matched, folded. */
  matched: string;
  level: 'district' | 'commune';
  /** Position of the match in the tokens, and how many tokens it covers. */
  at: number;
  length: number;
}

interface Pattern {
  tokens: string[];
  agency: string;
  level: 'district' | 'commune';
  /** Counts only when the text has the name with its diacritics ("Văn Bàn", not "văn bản"). */
  accented?: string;
}

/** Lower case, NFC, tone marks in one placement, words only: to compare names with their diacritics. */
function accentedKey(text: string): string {
  return canonicalTonePlacement(text.normalize('NFC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const KIND_FORMS: Record<string, string[]> = {
  xã: ['xa'],
  phường: ['phuong', 'p'],
  'thị trấn': ['thi tran', 'tt'],
};

/** Finds the province's places and the agencies a question names, in folded token sequences. */
export class Gazetteer {
  private readonly places = new Map<string, Pattern[]>();
  private readonly mentions = new Map<string, Pattern[]>();

  constructor(
    places: Places,
    agencies: readonly Agency[],
    private readonly normalizer: Normalizer,
    options: { placeNamesNeedingKind: readonly string[]; placeNamesNeedingDiacritics: readonly string[]; agenciesNotMentionable: readonly string[] },
  ) {
    const needKind = new Set(options.placeNamesNeedingKind.map((n) => foldVietnamese(n)));
    const needDiacritics = new Map(options.placeNamesNeedingDiacritics.map((n) => [foldVietnamese(n), accentedKey(n)]));
    for (const d of places.districts) {
      // "Lào Cai" alone is the province, not the city: such names count only with their kind ("thành phố Lào Cai").
      for (const name of new Set([d.name, ...d.aliases]))
        if (!needKind.has(foldVietnamese(name))) this.add(this.places, name, d.agency, 'district', needDiacritics.get(foldVietnamese(name)));
      for (const kind of [d.kind, ...(d.kind === 'thành phố' ? ['tp'] : d.kind === 'thị xã' ? ['tx'] : [])]) this.add(this.places, `${kind} ${d.name}`, d.agency, 'district');
      for (const c of d.communes) {
        for (const kind of KIND_FORMS[c.kind]) this.add(this.places, `${kind} ${c.name}`, d.agency, 'commune');
        if (!needKind.has(foldVietnamese(c.name))) this.add(this.places, c.name, d.agency, 'commune', needDiacritics.get(foldVietnamese(c.name)));
      }
    }
    const skip = new Set(options.agenciesNotMentionable);
    for (const a of agencies) {
      if (a.kind !== 'department' || skip.has(a.code)) continue;
      for (const name of new Set([a.name, a.shortName, ...a.aliases])) this.add(this.mentions, name, a.code, 'district');
    }
  }

  private add(table: Map<string, Pattern[]>, name: string, agency: string, level: Pattern['level'], accented?: string): void {
    const tokens = this.normalizer.tokens(name);
    if (tokens.length === 0) return;
    const list = table.get(tokens[0]) ?? [];
    if (!list.some((p) => p.agency === agency && p.tokens.join(' ') === tokens.join(' '))) list.push({ tokens, agency, level, ...(accented ? { accented } : {}) });
    table.set(tokens[0], list);
  }

  private scan(table: Map<string, Pattern[]>, tokens: readonly string[], text?: string): PlaceMatch[] {
    const found: PlaceMatch[] = [];
    const accentedText = text === undefined ? '' : ` ${accentedKey(text)} `;
    for (let i = 0; i < tokens.length; ) {
      let best: Pattern[] = [];
      let bestLength = 0;
      for (const p of table.get(tokens[i]) ?? []) {
        if (p.accented !== undefined && !accentedText.includes(` ${p.accented} `)) continue;
        if (p.tokens.length < bestLength || i + p.tokens.length > tokens.length) continue;
        if (!p.tokens.every((t, j) => tokens[i + j] === t)) continue;
        if (p.tokens.length > bestLength) (best = [p]), (bestLength = p.tokens.length);
        else best.push(p);
      }
      if (bestLength === 0) {
        i += 1;
        continue;
      }
      for (const p of best) found.push({ agency: p.agency, matched: p.tokens.join(' '), level: p.level, at: i, length: bestLength });
      i += bestLength;
    }
    return found;
  }

  /** Places named in the text (a commune name shared by two districts yields both). `text` is the original, for names that need their diacritics. */
  placesIn(tokens: readonly string[], text?: string): PlaceMatch[] {
    return this.scan(this.places, tokens, text);
  }

  /**
   * Departments named explicitly ("Sở Y tế cho hỏi..."). Folding makes "cơ sở giáo dục"
   * read "co so giao duc": a mention right after a word listed in `notAfter` for its
   * first word is not one.
   */
  agenciesNamedIn(tokens: readonly string[], notAfter: Record<string, string[]> = {}): string[] {
    const found = this.scan(this.mentions, tokens).filter((m) => !(notAfter[tokens[m.at]] ?? []).includes(tokens[m.at - 1]));
    return [...new Set(found.map((m) => m.agency))];
  }

  /** The tokens with the place names taken out: what the question is about, not where. */
  withoutPlaces(tokens: readonly string[], matches: readonly PlaceMatch[]): string[] {
    const drop = new Set<number>();
    for (const m of matches) for (let i = m.at; i < m.at + m.length; i += 1) drop.add(i);
    return tokens.filter((_, i) => !drop.has(i));
  }

  /**
   * The one district the places point to, if they agree: the district named most
   * often, the later mention breaking a tie (the asker's address tends to come first).
   */
  districtOf(matches: readonly PlaceMatch[]): string | undefined {
    if (matches.length === 0) return undefined;
    const score = new Map<string, { n: number; last: number }>();
    for (const m of matches) {
      const s = score.get(m.agency) ?? { n: 0, last: -1 };
      s.n += 1;
      s.last = Math.max(s.last, m.at);
      score.set(m.agency, s);
    }
    return [...score].sort((a, b) => b[1].n - a[1].n || b[1].last - a[1].last)[0][0];
  }
}
