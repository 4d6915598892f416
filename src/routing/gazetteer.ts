import { z } from 'zod';
import { checkDated, DayTextSchema, describeLifetime, inForceOn, lifetimeDays, lifetimeFields } from '../domain/dated';
import { foldVietnamese } from '../domain/text';
import { parseDay } from '../domain/time';
import { canonicalTonePlacement, type Normalizer } from './normalize';

/** Lower case, NFC, tone marks in one placement, words only: to compare names with their diacritics. */
function accentedKey(text: string): string {
  return canonicalTonePlacement(text.normalize('NFC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A former unit: its district, kind and name with its diacritics ("thị trấn Trạm Tấu" is not "xã Trạm Tấu", "Sa Pả" not "Sa Pa"). */
function unitKey(district: string, kind: string, name: string): string {
  return `${district}|${kind}|${accentedKey(name)}`;
}

/** The bookkeeping of a dated place: the decision that created or ended it, and what could not be confirmed. */
const datedPlaceFields = {
  ...lifetimeFields,
  document: z.string().min(1).optional(),
  note: z.string().optional(),
  unconfirmed: z.string().min(1).optional(),
};

const communeKind = z.enum(['xã', 'phường', 'thị trấn']);

export const PlacesSchema = z
  .object({
    notes: z.string().optional(),
    province: z.string().min(1),
    /** The province's district-level units (until 2025-07-01) with their communes. */
    districts: z
      .array(
        z
          .object({
            agency: z.string().min(1),
            name: z.string().min(1),
            kind: z.string().min(1),
            aliases: z.array(z.string().min(1)),
            ...datedPlaceFields,
            communes: z.array(z.object({ name: z.string().min(1), kind: communeKind, ...datedPlaceFields }).strict()),
          })
          .strict(),
      )
      .min(1),
    /** Districts of a province merged into ours, named by `units[].predecessors` (Yên Bái's, until 2025-07-01). */
    formerDistricts: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
            name: z.string().min(1),
            kind: z.string().min(1),
            province: z.string().min(1),
            aliases: z.array(z.string().min(1)).optional(),
            ...datedPlaceFields,
          })
          .strict(),
      )
      .optional(),
    /**
     * Commune-level units answering to the province directly (from 2025-07-01), each with
     * its People's Committee (`agency`) and the former units it was formed from.
     */
    units: z
      .array(
        z
          .object({
            /** The statistics office's code of the unit. */
            code: z.string().regex(/^\d{5}$/, 'a 5-digit unit code'),
            name: z.string().min(1),
            kind: z.enum(['xã', 'phường']),
            agency: z.string().min(1),
            aliases: z.array(z.string().min(1)).optional(),
            ...datedPlaceFields,
            from: DayTextSchema,
            predecessors: z
              .array(
                z
                  .object({
                    name: z.string().min(1),
                    kind: communeKind,
                    /** A district of `districts` (its agency) or of `formerDistricts` (its id). */
                    district: z.string().min(1),
                    aliases: z.array(z.string().min(1)).optional(),
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      )
      .optional(),
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
            ...datedPlaceFields,
          })
          .strict(),
      )
      .optional(),
  })
  .strict()
  .superRefine((places, ctx) => {
    places.districts.forEach((d, i) => {
      checkDated(d, ctx, ['districts', i]);
      d.communes.forEach((c, j) => checkDated(c, ctx, ['districts', i, 'communes', j]));
    });
    places.formerDistricts?.forEach((d, i) => checkDated(d, ctx, ['formerDistricts', i]));
    places.outside?.forEach((o, i) => checkDated(o, ctx, ['outside', i]));
    const districtIds = new Map<string, { until?: string }>([...places.districts.map((d) => [d.agency, d] as const), ...(places.formerDistricts ?? []).map((d) => [d.id, d] as const)]);
    const communes = new Map(places.districts.flatMap((d) => d.communes.map((c) => [unitKey(d.agency, c.kind, c.name), c] as const)));
    const takenBy = new Map<string, number>();
    const codes = new Map<string, number>();
    const agencies = new Map<string, number>();
    places.units?.forEach((u, i) => {
      checkDated(u, ctx, ['units', i]);
      if (codes.has(u.code)) ctx.addIssue({ code: 'custom', path: ['units', i, 'code'], message: `duplicate unit code ${u.code} (also units[${codes.get(u.code)}])` });
      codes.set(u.code, i);
      if (agencies.has(u.agency)) ctx.addIssue({ code: 'custom', path: ['units', i, 'agency'], message: `${u.agency} is already the agency of units[${agencies.get(u.agency)}]` });
      agencies.set(u.agency, i);
      u.predecessors.forEach((p, j) => {
        const path = ['units', i, 'predecessors', j];
        const district = districtIds.get(p.district);
        if (!district) return void ctx.addIssue({ code: 'custom', path: [...path, 'district'], message: `"${p.district}" is neither a district's agency nor a formerDistricts id` });
        const until = district.until === undefined ? undefined : parseDay(district.until);
        if (until === undefined || until > (parseDay(u.from) as number))
          ctx.addIssue({ code: 'custom', path: [...path, 'district'], message: `${p.district} must end by ${u.from}, the day ${u.kind} ${u.name} begins (it exists ${describeLifetime(district)})` });
        const k = unitKey(p.district, p.kind, p.name);
        if (places.districts.some((d) => d.agency === p.district) && !communes.has(k))
          ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `${p.kind} ${p.name} is not a commune of ${p.district} in districts` });
        if (takenBy.has(k)) ctx.addIssue({ code: 'custom', path, message: `${p.kind} ${p.name} (${p.district}) is already a predecessor of units[${takenBy.get(k)}]` });
        takenBy.set(k, i);
      });
    });
    // Every commune of a district that ends goes to a unit: no address is left without one.
    if (places.units)
      places.districts.forEach((d, i) => {
        if (d.until === undefined) return;
        d.communes.forEach((c, j) => {
          if (!takenBy.has(unitKey(d.agency, c.kind, c.name)))
            ctx.addIssue({ code: 'custom', path: ['districts', i, 'communes', j], message: `${c.kind} ${c.name} (${d.agency}, which ends ${d.until}) is no unit's predecessor` });
        });
      });
  });

export type Places = z.infer<typeof PlacesSchema>;

export interface PlaceMatch {
  /**
   * The agency the place belongs to on the day scanned: its district before 2025-07-01;
   * since then the commune-level unit's committee, or for a former district its old
   * agency (Yên Bái's former districts: their id).
   */
  agency: string;
  /** From 2025-07-01: the committees of the commune-level units the place may mean (one for a commune, several for a former district). */
  units?: string[];
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
  /** The agency the place belongs to (see PlaceMatch), or undefined for a place of another province. */
  agency?: string;
  units?: string[];
  province?: string;
  level: 'district' | 'commune' | 'province';
  /** A name written without its kind word ("Bảo Yên", not "huyện Bảo Yên"). */
  bare: boolean;
  /** Counts only when the text has the name with its diacritics ("Văn Bàn", not "văn bản"). */
  accented?: string;
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

/** One place of ours as the table of a period sees it. */
interface Named {
  names: string[];
  kind: string;
  agency: string;
  units?: string[];
  level: 'district' | 'commune';
  /** Who the name belongs to, to tell when a bare name is ambiguous. */
  owner: string;
  /**
   * Names never tuned on citizens' questions (the units of 2025, the merged province's
   * places): alone, they count only with their diacritics ("hỏng cả" is not Hồng Ca).
   */
  strict?: boolean;
}

/**
 * Finds the province's places, and other provinces' places, in folded token sequences.
 * Places have periods (`from`/`until` in data/places.json): each scan is for a day, and
 * the names are those in force that day plus former names that a unit in force took over.
 * Without a day, the places of the first period (the 2023 organisation) are used.
 */
export class Gazetteer {
  /** The pattern table of each period, built when first asked for. */
  private readonly tables = new Map<number, Map<string, Pattern[]>>();
  /** The days the places change, in order: period k is [boundaries[k-1], boundaries[k]). */
  private readonly boundaries: number[];
  private readonly needDiacritics: Map<string, string>;
  private readonly needKind: Set<string>;

  constructor(
    private readonly places: Places,
    private readonly normalizer: Normalizer,
    options: { placeNamesNeedingKind: readonly string[]; placeNamesNeedingDiacritics: readonly string[] },
  ) {
    this.needDiacritics = new Map(options.placeNamesNeedingDiacritics.map((n) => [this.key(n), accentedKey(n)]));
    this.needKind = new Set(options.placeNamesNeedingKind.map((n) => this.key(n)));
    const days = new Set<number>();
    const note = (l: { from?: string; until?: string }) => {
      const { fromDay, untilDay } = lifetimeDays(l);
      if (Number.isFinite(fromDay)) days.add(fromDay);
      if (Number.isFinite(untilDay)) days.add(untilDay);
    };
    for (const d of places.districts) [d, ...d.communes].forEach(note);
    (places.formerDistricts ?? []).forEach(note);
    (places.units ?? []).forEach(note);
    (places.outside ?? []).forEach(note);
    this.boundaries = [...days].sort((a, b) => a - b);
  }

  /** The days the places change (for tests and messages). */
  get changeDays(): readonly number[] {
    return this.boundaries;
  }

  private table(day: number): Map<string, Pattern[]> {
    let period = 0;
    while (period < this.boundaries.length && this.boundaries[period] <= day) period += 1;
    let table = this.tables.get(period);
    if (!table) {
      // Any day of the period builds the same table: its first day, or the beginning of time.
      table = this.build(period === 0 ? Number.NEGATIVE_INFINITY : this.boundaries[period - 1]);
      this.tables.set(period, table);
    }
    return table;
  }

  /** Our places on a day: those in force, and former ones with the unit or district that took them over. */
  private ours(day: number): Named[] {
    const { places } = this;
    const out: Named[] = [];
    const units = (places.units ?? []).filter((u) => inForceOn(u, day));
    const unitOf = new Map<string, string>();
    const unitsOfDistrict = new Map<string, string[]>();
    for (const u of units)
      for (const p of u.predecessors) {
        unitOf.set(unitKey(p.district, p.kind, p.name), u.agency);
        const list = unitsOfDistrict.get(p.district) ?? [];
        if (!list.includes(u.agency)) list.push(u.agency);
        unitsOfDistrict.set(p.district, list);
      }
    for (const d of places.districts) {
      const districtNames = [d.name, ...d.aliases];
      if (inForceOn(d, day)) {
        out.push({ names: districtNames, kind: d.kind, agency: d.agency, level: 'district', owner: d.agency });
        // A commune merged into another of the same district still names the district.
        for (const c of d.communes) out.push({ names: [c.name], kind: c.kind, agency: d.agency, level: 'commune', owner: d.agency });
        continue;
      }
      const successors = unitsOfDistrict.get(d.agency);
      if (!successors) continue;
      out.push({ names: districtNames, kind: d.kind, agency: d.agency, units: successors, level: 'district', owner: `d:${d.agency}` });
      for (const c of d.communes) {
        const unit = unitOf.get(unitKey(d.agency, c.kind, c.name));
        if (unit) out.push({ names: [c.name], kind: c.kind, agency: unit, units: [unit], level: 'commune', owner: `u:${unit}` });
      }
    }
    for (const d of places.formerDistricts ?? []) {
      const successors = unitsOfDistrict.get(d.id);
      if (inForceOn(d, day) || !successors) continue;
      out.push({ names: [d.name, ...(d.aliases ?? [])], kind: d.kind, agency: d.id, units: successors, level: 'district', owner: `d:${d.id}`, strict: true });
    }
    for (const u of units) {
      out.push({ names: [u.name, ...(u.aliases ?? [])], kind: u.kind, agency: u.agency, units: [u.agency], level: 'commune', owner: `u:${u.agency}`, strict: true });
      for (const p of u.predecessors) {
        // Predecessors of ours are listed with their district above; those of a merged province only here.
        if (places.districts.some((d) => d.agency === p.district)) continue;
        out.push({ names: [p.name, ...(p.aliases ?? [])], kind: p.kind, agency: u.agency, units: [u.agency], level: 'commune', owner: `u:${u.agency}`, strict: true });
      }
    }
    return out;
  }

  private build(day: number): Map<string, Pattern[]> {
    const table = new Map<string, Pattern[]>();
    const ours = this.ours(day);
    const outside = (this.places.outside ?? []).filter((o) => inForceOn(o, day));
    // A name counts alone only when it is unambiguous: not listed as needing its kind
    // (common words, the province's own name), not the name of two of our units in two
    // districts, not the name of a place of another province. A former district and a
    // unit formed from part of it ("Bảo Thắng") are one owner: the name means the district.
    const bareOwners = new Map<string, Set<string>>();
    const own = (name: string, owner: string) => bareOwners.set(this.key(name), (bareOwners.get(this.key(name)) ?? new Set()).add(owner));
    for (const n of ours) for (const name of n.names) if (n.level === 'commune' || !this.hasKind(name)) own(name, n.owner);
    for (const o of outside) {
      for (const name of [o.province, ...(o.aliases ?? [])]) own(name, `outside:${o.province}`);
      for (const p of o.places) own(this.withoutKind(p), `outside:${o.province}`);
    }
    const unitsOfOwner = new Map(ours.filter((n) => n.level === 'district' && n.units).map((n) => [n.owner, n.units as string[]]));
    const bareAllowed = (name: string) => {
      if (this.needKind.has(this.key(name))) return false;
      const owners = [...(bareOwners.get(this.key(name)) ?? [])];
      const covered = (o: string) => o.startsWith('u:') && owners.some((d) => unitsOfOwner.get(d)?.includes(o.slice(2)));
      return owners.filter((o) => !covered(o)).length <= 1;
    };
    for (const n of ours) {
      const accented = (name: string) => this.needDiacritics.get(this.key(name)) ?? (n.strict ? accentedKey(name) : undefined);
      const target = { agency: n.agency, ...(n.units ? { units: n.units } : {}), level: n.level };
      if (n.level === 'district') {
        for (const name of new Set(n.names)) {
          const bare = !this.hasKind(name);
          if (!bare || bareAllowed(name)) this.add(table, name, { ...target, bare, accented: accented(name) });
        }
        for (const form of KIND_FORMS[n.kind] ?? [n.kind]) this.add(table, `${form} ${n.names[0]}`, { ...target, bare: false });
      } else {
        for (const name of n.names) {
          for (const form of KIND_FORMS[n.kind]) this.add(table, `${form} ${name}`, { ...target, bare: false });
          if (bareAllowed(name)) this.add(table, name, { ...target, bare: true, accented: accented(name) });
        }
      }
    }
    for (const o of outside) {
      const province = o.province;
      for (const name of [province, ...(o.aliases ?? [])]) {
        // Five provinces are cities ("thành phố Hà Nội", "tp HCM"), and a province's capital often shares its name.
        for (const form of [...KIND_FORMS['tỉnh'], ...KIND_FORMS['thành phố']]) this.add(table, `${form} ${name}`, { province, level: 'province', bare: false });
        if (bareAllowed(name)) this.add(table, name, { province, level: 'province', bare: true });
      }
      for (const place of o.places) {
        const name = this.withoutKind(place);
        const kind = place.slice(0, place.length - name.length).trim();
        for (const form of KIND_FORMS[kind] ?? [foldVietnamese(kind)]) this.add(table, `${form} ${name}`, { province, level: 'district', bare: false });
        if (bareAllowed(name)) this.add(table, name, { province, level: 'district', bare: true });
      }
    }
    return table;
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
   * The province's places and other provinces' places named in the text on a day (a
   * commune name shared by two districts yields both). `text` is the original, for names
   * that need their diacritics.
   */
  scanPlaces(tokens: readonly string[], text?: string, day: number = Number.NEGATIVE_INFINITY): { inside: PlaceMatch[]; outside: OutsideMatch[] } {
    const all = this.scan(this.table(day), tokens, text);
    const outside = all.filter((m) => m.agency === undefined);
    const inside: PlaceMatch[] = [];
    for (const m of all) {
      if (m.agency === undefined) continue;
      // An address goes from small to large: "xã Thanh Bình, huyện Thanh Bình, Đồng Tháp".
      // One of our names followed closely by another province's place is that province's.
      const end = m.at + m.length;
      if (outside.some((o) => o.at >= end && o.at - end <= 3)) continue;
      inside.push({ agency: m.agency, ...(m.units ? { units: m.units } : {}), matched: m.tokens.join(' '), level: m.level === 'commune' ? 'commune' : 'district', at: m.at, length: m.length });
    }
    return { inside, outside: outside.map((o) => ({ province: o.province as string, matched: o.tokens.join(' '), at: o.at, length: o.length })) };
  }

  /** The province's places named in the text (on a day; without one, in the first period). */
  placesIn(tokens: readonly string[], text?: string, day?: number): PlaceMatch[] {
    return this.scanPlaces(tokens, text, day).inside;
  }

  /**
   * The one district the places point to, if they agree: the district named most
   * often, the later mention breaking a tie (the asker's address tends to come first).
   */
  districtOf(matches: readonly PlaceMatch[]): string | undefined {
    return mostNamed(matches.map((m) => ({ key: m.agency, at: m.at })));
  }

  /**
   * From 2025-07-01: the commune-level units the places mean. A commune (former or
   * current) names one unit: the one named most often wins, as in `districtOf`. With only
   * a former district named, every unit formed from part of it (the router splits the
   * local topic among them). Empty before 2025-07-01 or without a place.
   */
  unitsOf(matches: readonly PlaceMatch[]): string[] {
    const districts = matches.filter((m) => m.level === 'district' && m.units);
    // "xã Thanh Bình, huyện Mường Khương": of two communes of that name, the one in the district named.
    const inDistricts = new Set(districts.flatMap((m) => m.units as string[]));
    let communes = matches.filter((m) => m.level === 'commune' && m.units?.length === 1);
    if (communes.some((m) => inDistricts.has((m.units as string[])[0]))) communes = communes.filter((m) => inDistricts.has((m.units as string[])[0]));
    const unit = mostNamed(communes.map((m) => ({ key: (m.units as string[])[0], at: m.at })));
    if (unit) return [unit];
    const district = mostNamed(districts.map((m) => ({ key: m.agency, at: m.at })));
    return districts.find((m) => m.agency === district)?.units ?? [];
  }
}

/** The key named most often, the later mention breaking a tie. */
function mostNamed(mentions: ReadonlyArray<{ key: string; at: number }>): string | undefined {
  if (mentions.length === 0) return undefined;
  const score = new Map<string, { n: number; last: number }>();
  for (const m of mentions) {
    const s = score.get(m.key) ?? { n: 0, last: -1 };
    s.n += 1;
    s.last = Math.max(s.last, m.at);
    score.set(m.key, s);
  }
  return [...score].sort((a, b) => b[1].n - a[1].n || b[1].last - a[1].last)[0][0];
}
