import { z } from 'zod';
import { foldVietnamese } from '../domain/text';
import { canonicalTonePlacement, type Normalizer } from './normalize';

export const PlacesSchema = z
  .object({
    notes: z.string().optional(),
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
    /**
     * Places of other provinces: each province's name, and those of its cities and
     * districts a citizen may write that look like ours or that writers of
     * questions use most. Each place is written with its kind ("thành phố Việt Trì").
     */
    outside: z
      .array(
        z
          .object({
            province: z.string().min(1),
            aliases: z.array(z.string().min(1)).optional(),
            places: z.array(z.string().min(1)),
          })
          .strict(),
      )
      .optional(),
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

/** A place of another province found in the text. */
export interface OutsideMatch {
  province: string;
  matched: string;
  at: number;
  length: number;
}

interface Pattern {
  tokens: string[];
  /** The district-level agency, or undefined for a place of another province. */
  agency?: string;
  province?: string;
  level: 'district' | 'commune' | 'province';
  /** A name written without its kind word ("Bảo Yên", not "huyện Bảo Yên"). */
  bare: boolean;
  /** Counts only when the text has the name with its diacritics ("Văn Bàn", not "văn bản"). */
  accented?: string;
}

/** Lower case, NFC, tone marks in one placement, words only: to compare names with their diacritics. */
function accentedKey(text: string): string {
  return canonicalTonePlacement(text.normalize('NFC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** How citizens write each kind word (folded); "h." and "tt" are chat shorthand. */
const KIND_FORMS: Record<string, string[]> = {
  xã: ['xa'],
  phường: ['phuong', 'p'],
  'thị trấn': ['thi tran', 'tt'],
  huyện: ['huyen', 'h'],
  'thị xã': ['thi xa', 'tx'],
  'thành phố': ['thanh pho', 'tp'],
  quận: ['quan'],
  tỉnh: ['tinh'],
};

/**
 * Kind words (folded, one or two tokens). A bare name right after one of them is
 * not that name: "huyện Yên Sơn" is not our commune Yên Sơn, "quận Phú Nhuận" not our
 * commune Phú Nhuận (had they been ours, the name with its kind would have matched).
 */
const KIND_WORDS = new Set(['xa', 'phuong', 'p', 'thi tran', 'tt', 'huyen', 'h', 'thi xa', 'tx', 'thanh pho', 'tp', 'quan', 'tinh']);

/** Finds the province's places, and other provinces' places, in folded token sequences. */
export class Gazetteer {
  private readonly patterns = new Map<string, Pattern[]>();

  constructor(
    places: Places,
    private readonly normalizer: Normalizer,
    options: { placeNamesNeedingKind: readonly string[]; placeNamesNeedingDiacritics: readonly string[] },
  ) {
    const needDiacritics = new Map(options.placeNamesNeedingDiacritics.map((n) => [this.key(n), accentedKey(n)]));
    // A name counts alone only when it is unambiguous: not listed as needing its kind
    // (common words, the province's own name), not the name of two of our units in two
    // districts, not the name of a place of another province.
    const bareOwners = new Map<string, Set<string>>();
    const own = (name: string, owner: string) => bareOwners.set(this.key(name), (bareOwners.get(this.key(name)) ?? new Set()).add(owner));
    for (const d of places.districts) {
      for (const name of [d.name, ...d.aliases]) if (!this.hasKind(name)) own(name, d.agency);
      for (const c of d.communes) own(c.name, d.agency);
    }
    for (const o of places.outside ?? []) {
      for (const name of [o.province, ...(o.aliases ?? [])]) own(name, `outside:${o.province}`);
      for (const p of o.places) own(this.withoutKind(p), `outside:${o.province}`);
    }
    const needKind = new Set(options.placeNamesNeedingKind.map((n) => this.key(n)));
    const bareAllowed = (name: string) => !needKind.has(this.key(name)) && (bareOwners.get(this.key(name))?.size ?? 0) <= 1;

    for (const d of places.districts) {
      const level = 'district';
      for (const name of new Set([d.name, ...d.aliases])) {
        const bare = !this.hasKind(name);
        if (!bare || bareAllowed(name)) this.add(this.patterns, name, { agency: d.agency, level, bare, accented: needDiacritics.get(this.key(name)) });
      }
      for (const form of KIND_FORMS[d.kind] ?? [d.kind]) this.add(this.patterns, `${form} ${d.name}`, { agency: d.agency, level, bare: false });
      for (const c of d.communes) {
        for (const form of KIND_FORMS[c.kind]) this.add(this.patterns, `${form} ${c.name}`, { agency: d.agency, level: 'commune', bare: false });
        if (bareAllowed(c.name)) this.add(this.patterns, c.name, { agency: d.agency, level: 'commune', bare: true, accented: needDiacritics.get(this.key(c.name)) });
      }
    }
    for (const o of places.outside ?? []) {
      const province = o.province;
      for (const name of [province, ...(o.aliases ?? [])]) {
        // Five provinces are cities ("thành phố Hà Nội", "tp HCM"), and a province's capital often shares its name.
        for (const form of [...KIND_FORMS['tỉnh'], ...KIND_FORMS['thành phố']]) this.add(this.patterns, `${form} ${name}`, { province, level: 'province', bare: false });
        if (bareAllowed(name)) this.add(this.patterns, name, { province, level: 'province', bare: true });
      }
      for (const place of o.places) {
        const name = this.withoutKind(place);
        const kind = place.slice(0, place.length - name.length).trim();
        for (const form of KIND_FORMS[kind] ?? [foldVietnamese(kind)]) this.add(this.patterns, `${form} ${name}`, { province, level: 'district', bare: false });
        if (bareAllowed(name)) this.add(this.patterns, name, { province, level: 'district', bare: true });
      }
    }
  }

  private key(name: string): string {
    return this.normalizer.tokens(name).join(' ');
  }

  /** The name without a leading kind word ("thành phố Việt Trì" → "Việt Trì"). */
  private withoutKind(name: string): string {
    const words = name.trim().split(/\s+/);
    for (const n of [2, 1]) if (words.length > n && KIND_WORDS.has(foldVietnamese(words.slice(0, n).join(' ')))) return words.slice(n).join(' ');
    return name.trim();
  }

  private hasKind(name: string): boolean {
    return this.withoutKind(name) !== name.trim();
  }

  private add(table: Map<string, Pattern[]>, name: string, pattern: Omit<Pattern, 'tokens'>): void {
    const tokens = this.normalizer.tokens(name);
    if (tokens.length === 0) return;
    const list = table.get(tokens[0]) ?? [];
    const clean = Object.fromEntries(Object.entries(pattern).filter(([, v]) => v !== undefined)) as Omit<Pattern, 'tokens'>;
    if (!list.some((p) => p.agency === pattern.agency && p.province === pattern.province && p.tokens.join(' ') === tokens.join(' '))) list.push({ tokens, ...clean });
    table.set(tokens[0], list);
  }

  private afterKindWord(tokens: readonly string[], i: number): boolean {
    return (i >= 1 && KIND_WORDS.has(tokens[i - 1])) || (i >= 2 && KIND_WORDS.has(`${tokens[i - 2]} ${tokens[i - 1]}`));
  }

  private scan(table: Map<string, Pattern[]>, tokens: readonly string[], text?: string): Array<Pattern & { at: number; length: number }> {
    const found: Array<Pattern & { at: number; length: number }> = [];
    // Computed only when a name that needs its diacritics is met: most questions have none.
    let accentedText: string | undefined;
    const accented = () => (accentedText ??= text === undefined ? '' : ` ${accentedKey(text)} `);
    for (let i = 0; i < tokens.length; ) {
      let best: Pattern[] = [];
      let bestLength = 0;
      for (const p of table.get(tokens[i]) ?? []) {
        if (p.accented !== undefined && !accented().includes(` ${p.accented} `)) continue;
        if (p.tokens.length < bestLength || i + p.tokens.length > tokens.length) continue;
        if (!p.tokens.every((t, j) => tokens[i + j] === t)) continue;
        if (p.bare && this.afterKindWord(tokens, i)) continue;
        if (p.tokens.length > bestLength) (best = [p]), (bestLength = p.tokens.length);
        else best.push(p);
      }
      if (bestLength === 0) {
        i += 1;
        continue;
      }
      for (const p of best) found.push({ ...p, at: i, length: bestLength });
      i += bestLength;
    }
    return found;
  }

  /**
   * The province's places and other provinces' places named in the text (a commune
   * name shared by two districts yields both). `text` is the original, for names that
   * need their diacritics.
   */
  scanPlaces(tokens: readonly string[], text?: string): { inside: PlaceMatch[]; outside: OutsideMatch[] } {
    const all = this.scan(this.patterns, tokens, text);
    const outside = all.filter((m) => m.agency === undefined);
    const inside: PlaceMatch[] = [];
    for (const m of all) {
      if (m.agency === undefined) continue;
      // An address goes from small to large: "xã Thanh Bình, huyện Thanh Bình, Đồng Tháp".
      // One of our names followed closely by another province's place is that province's.
      const end = m.at + m.length;
      if (outside.some((o) => o.at >= end && o.at - end <= 3)) continue;
      inside.push({ agency: m.agency, matched: m.tokens.join(' '), level: m.level === 'commune' ? 'commune' : 'district', at: m.at, length: m.length });
    }
    return { inside, outside: outside.map((o) => ({ province: o.province as string, matched: o.tokens.join(' '), at: o.at, length: o.length })) };
  }

  /** The province's places named in the text. */
  placesIn(tokens: readonly string[], text?: string): PlaceMatch[] {
    return this.scanPlaces(tokens, text).inside;
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
