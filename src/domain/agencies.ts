import { z } from 'zod';
import { checkDated, DayTextSchema, describeLifetime, inForceOn, lifetimeDays, lifetimeFields, mergeOverride } from './dated';
import { foldVietnamese } from './text';
import { formatDay, parseDay } from './time';

const codeSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'agency codes are lower-case letters, digits and dashes');
/** A department (or central branch), a district-level People's Committee (until 2025-07-01), or a commune/ward People's Committee. */
const kindSchema = z.enum(['department', 'district', 'commune']);

/** A dated change of an agency: new name, kind or row in Phụ biểu 02 from a day (src/domain/dated.ts). */
const AgencyVersionSchema = z
  .object({
    from: DayTextSchema,
    document: z.string().min(1).optional(),
    note: z.string().optional(),
    unconfirmed: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    shortName: z.string().min(1).optional(),
    kind: kindSchema.optional(),
    appendix02Row: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const AgencySchema = z
  .object({
    code: codeSchema,
    name: z.string().min(1),
    shortName: z.string().min(1),
    kind: kindSchema,
    /** Row in Phụ biểu 02; null when the agency is routable but not in the scored list. */
    appendix02Row: z.number().int().positive().nullable(),
    aliases: z.array(z.string().min(1)),
    /** First day the agency exists (absent: always has); `until`: first day it no longer does. */
    ...lifetimeFields,
    /** The agency that takes over its work from `until`. */
    successor: codeSchema.optional(),
    /**
     * Several agencies that take over its work from `until`, each for part of its territory
     * (a district's commune-level units): which one depends on the question's place.
     */
    successors: z.array(codeSchema).min(2).optional(),
    /** The document that created, renamed or ended it (number and date). */
    document: z.string().min(1).optional(),
    note: z.string().optional(),
    /** What about this entry could not be confirmed from the sources (listed by `hoidap reorganise --dry-run`). */
    unconfirmed: z.string().min(1).optional(),
    /** Later names, kinds and Phụ biểu 02 rows, each from a day. */
    versions: z.array(AgencyVersionSchema).optional(),
  })
  .strict();

export type Agency = z.infer<typeof AgencySchema>;

/** One stretch of an agency's life with the same fields: [fromDay, untilDay) in local days. */
export interface AgencySegment {
  fromDay: number;
  untilDay: number;
  /** The agency as it is during the segment (its versions applied). */
  view: Agency;
  /** -1: the entry's own fields; otherwise the index of the version in force. */
  version: number;
  /** Where the segment's appendix02Row is written: -1 the entry's own field, else that version's. */
  rowVersion: number;
}

/** The agency's life cut where its versions change it. */
export function agencySegments(a: Agency): AgencySegment[] {
  const { fromDay, untilDay } = lifetimeDays(a);
  const segments: AgencySegment[] = [];
  let view: Agency = a;
  let start = fromDay;
  let version = -1;
  let rowVersion = -1;
  for (const [j, v] of (a.versions ?? []).entries()) {
    const { from: _from, document: _document, note: _note, unconfirmed: _unconfirmed, ...fields } = v;
    // A version that only records a document (a merger that kept the name and row) changes nothing here.
    if (Object.keys(fields).length === 0) continue;
    const day = parseDay(v.from) as number;
    if (day > start) segments.push({ fromDay: start, untilDay: Math.min(day, untilDay), view, version, rowVersion });
    view = mergeOverride(view, fields);
    start = Math.max(start, day);
    version = j;
    if (v.appendix02Row !== undefined) rowVersion = j;
  }
  if (start < untilDay) segments.push({ fromDay: start, untilDay, view, version, rowVersion });
  return segments;
}

function describeDays(fromDay: number, untilDay: number): string {
  return describeLifetime({
    from: Number.isFinite(fromDay) ? formatDay(fromDay) : undefined,
    until: Number.isFinite(untilDay) ? formatDay(untilDay) : undefined,
  });
}

export const AgencyListSchema = z
  .object({ agencies: z.array(AgencySchema).min(1) })
  .strict()
  .superRefine((list, ctx) => {
    const codes = new Map<string, Agency>();
    list.agencies.forEach((a, i) => {
      if (codes.has(a.code)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'code'], message: `duplicate agency code ${a.code}` });
      codes.set(a.code, a);
      checkDated(a, ctx, ['agencies', i]);
    });
    list.agencies.forEach((a, i) => {
      if (a.successor !== undefined && a.successors !== undefined)
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'successors'], message: 'give "successor" (one agency takes over) or "successors" (several, by place), not both' });
      const next: Array<[string, PropertyKey[]]> = [
        ...(a.successor !== undefined ? [[a.successor, ['agencies', i, 'successor']] as [string, PropertyKey[]]] : []),
        ...(a.successors ?? []).map((code, j) => [code, ['agencies', i, 'successors', j]] as [string, PropertyKey[]]),
      ];
      for (const [code, path] of next) {
        const successor = codes.get(code);
        if (!successor) {
          ctx.addIssue({ code: 'custom', path, message: `"${code}" is not an agency code in this file` });
          continue;
        }
        if (successor.code === a.code) {
          ctx.addIssue({ code: 'custom', path, message: 'an agency cannot be its own successor' });
          continue;
        }
        if (a.until === undefined) {
          ctx.addIssue({ code: 'custom', path, message: 'a successor takes over from the day the agency ends: give "until" too' });
          continue;
        }
        const handover = parseDay(a.until);
        if (handover !== undefined && !inForceOn(successor, handover))
          ctx.addIssue({ code: 'custom', path, message: `${code} must exist on ${a.until}, the day ${a.code} ends; it exists ${describeLifetime(successor)}` });
      }
    });
    // A row of Phụ biểu 02 belongs to one agency at a time.
    const rows: Array<{ i: number; a: Agency; s: AgencySegment }> = [];
    list.agencies.forEach((a, i) => {
      if (lifetimeDays(a).fromDay >= lifetimeDays(a).untilDay) return;
      for (const s of agencySegments(a)) if (s.view.appendix02Row !== null) rows.push({ i, a, s });
    });
    rows.forEach((x, k) => {
      for (const y of rows.slice(0, k)) {
        if (x.a.code === y.a.code || x.s.view.appendix02Row !== y.s.view.appendix02Row) continue;
        if (x.s.fromDay >= y.s.untilDay || y.s.fromDay >= x.s.untilDay) continue;
        const path = x.s.rowVersion < 0 ? ['agencies', x.i, 'appendix02Row'] : ['agencies', x.i, 'versions', x.s.rowVersion, 'appendix02Row'];
        ctx.addIssue({
          code: 'custom',
          path,
          message: `duplicate appendix02Row ${x.s.view.appendix02Row}: ${y.a.code} has that row ${describeDays(y.s.fromDay, y.s.untilDay)}, ${x.a.code} ${describeDays(x.s.fromDay, x.s.untilDay)}`,
        });
      }
    });
  });

export type AgencyMatch =
  | { kind: 'found'; agency: Agency }
  | { kind: 'ambiguous'; candidates: Agency[] }
  | { kind: 'unknown' };

/** The agencies, looked up by code or by any name a person types, with or without diacritics. */
export class AgencyDirectory {
  private readonly byCode = new Map<string, Agency>();
  private readonly byFoldedName = new Map<string, Agency[]>();

  /** The agencies each one took over from (the reverse of `successor` / `successors`). */
  private readonly predecessors = new Map<string, string[]>();

  constructor(readonly all: readonly Agency[]) {
    for (const agency of all)
      for (const next of agency.successor !== undefined ? [agency.successor] : (agency.successors ?? []))
        this.predecessors.set(next, [...(this.predecessors.get(next) ?? []), agency.code]);
    for (const agency of all) {
      this.byCode.set(agency.code, agency);
      for (const name of [agency.code, agency.name, agency.shortName, ...agency.aliases]) {
        const key = foldVietnamese(name);
        const list = this.byFoldedName.get(key) ?? [];
        if (!list.includes(agency)) list.push(agency);
        this.byFoldedName.set(key, list);
      }
    }
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  get(code: string): Agency | undefined {
    return this.byCode.get(code);
  }

  /** The agency as it is on a local day (its dated versions applied), or undefined when it does not exist then. */
  onDay(code: string, day: number): Agency | undefined {
    const agency = this.byCode.get(code);
    if (!agency) return undefined;
    return agencySegments(agency).find((s) => s.fromDay <= day && day < s.untilDay)?.view;
  }

  /** Why no case may start at the agency on this day (it did not exist then); undefined when one may. */
  cannotStartCaseOn(code: string, day: number): string | undefined {
    const agency = this.byCode.get(code);
    if (!agency || inForceOn(agency, day)) return undefined;
    const next = agency.successor
      ? `; its successor is "${agency.successor}"`
      : agency.successors
        ? `; its successors, each for part of its territory, are ${agency.successors.map((c) => `"${c}"`).join(', ')}`
        : '';
    return `"${code}" on ${formatDay(day)}, but that agency exists ${describeLifetime(agency)}${next}`;
  }

  /**
   * Who does the agency's work on a day: itself while it exists; after it ended, its
   * successors followed link by link (so-tnmt on 2025-08-01 → so-nnmt; cuc-thue →
   * thue-kv8 → thue-laocai), several when its work was split by place (a district);
   * before it began, the agencies it took over from (so-nnmt in 2023 → so-tnmt and
   * so-nnptnt). None when nobody did.
   */
  successorsOn(code: string, day: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (c: string) => {
      if (seen.has(c)) return;
      seen.add(c);
      const agency = this.byCode.get(c);
      if (!agency) return;
      if (inForceOn(agency, day)) return void out.push(c);
      const next = day < lifetimeDays(agency).fromDay ? (this.predecessors.get(c) ?? []) : agency.successor !== undefined ? [agency.successor] : (agency.successors ?? []);
      for (const n of next) visit(n);
    };
    visit(code);
    return out;
  }

  /**
   * The agencies in force on a day that no labeled work reaches: neither a label of their own
   * nor one whose work they do that day (`successorsOn`: a merged department's, a former
   * district's). What `hoidap train` lists as agencies the router can never pick.
   */
  withoutWorkOn(labels: Iterable<string>, day: number): Agency[] {
    const reached = new Set<string>();
    for (const label of new Set(labels)) for (const code of this.successorsOn(label, day)) reached.add(code);
    return this.inForceOnDay(day).filter((a) => !reached.has(a.code));
  }

  /** The agencies that exist on a day, as they are then (for lists of today's agencies). */
  inForceOnDay(day: number): Agency[] {
    const rank = (a: Agency) => a.appendix02Row ?? Number.MAX_SAFE_INTEGER;
    return this.all
      .map((a) => this.onDay(a.code, day))
      .filter((a): a is Agency => a !== undefined)
      .sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
  }

  /**
   * The rows of Phụ biểu 02 for the period [fromDay, toDay]: the agencies that existed
   * during it and had a row then, and any other agency with a case in the period (so that
   * no case is left out of the totals). Each as it was on its last day in the period
   * (name, row); ordered by that row, an agency that ended first before one that took its
   * row, then the unscored by code.
   */
  forReport(fromDay: number, toDay: number, withCases: ReadonlySet<string>): Agency[] {
    const listed: Array<{ view: Agency; rank: number; until: number }> = [];
    for (const agency of this.all) {
      const inPeriod = agencySegments(agency).filter((s) => s.fromDay <= toDay && fromDay < s.untilDay);
      const scored = inPeriod.filter((s) => s.view.appendix02Row !== null);
      if (scored.length === 0 && !withCases.has(agency.code)) continue;
      const last = inPeriod[inPeriod.length - 1] ?? agencySegments(agency).at(-1);
      const view = last?.view ?? agency;
      const row = scored.at(-1)?.view.appendix02Row ?? null;
      listed.push({ view: { ...view, appendix02Row: row }, rank: row ?? Number.MAX_SAFE_INTEGER, until: lifetimeDays(agency).untilDay });
    }
    return listed.sort((a, b) => a.rank - b.rank || a.until - b.until || a.view.code.localeCompare(b.view.code)).map((x) => x.view);
  }

  /** Agencies in Phụ biểu 02 order: the scored list first, then the others. */
  inReportOrder(): Agency[] {
    const rank = (a: Agency) => a.appendix02Row ?? Number.MAX_SAFE_INTEGER;
    return [...this.all].sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
  }

  /** Finds an agency from a code, its name, short name or an alias; partial names match when unambiguous. */
  resolve(input: string): AgencyMatch {
    const exact = this.byCode.get(input.trim());
    if (exact) return { kind: 'found', agency: exact };
    const key = foldVietnamese(input);
    if (!key) return { kind: 'unknown' };
    const named = this.byFoldedName.get(key);
    if (named?.length === 1) return { kind: 'found', agency: named[0] };
    if (named && named.length > 1) return { kind: 'ambiguous', candidates: named };
    const words = key.split(' ');
    const partial = new Set<Agency>();
    for (const [name, agencies] of this.byFoldedName) {
      const nameWords = name.split(' ');
      if (containsSequence(nameWords, words) || containsSequence(words, nameWords)) agencies.forEach((a) => partial.add(a));
    }
    if (partial.size === 1) return { kind: 'found', agency: [...partial][0] };
    if (partial.size > 1) return { kind: 'ambiguous', candidates: [...partial] };
    return { kind: 'unknown' };
  }
}

function containsSequence(haystack: string[], needle: string[]): boolean {
  if (needle.length === 0 || needle.length > haystack.length) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i += 1) {
    for (let j = 0; j < needle.length; j += 1) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
