import { z } from 'zod';
import { foldVietnamese } from './text';

export const AgencySchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9-]*$/, 'agency codes are lower-case letters, digits and dashes'),
    name: z.string().min(1),
    shortName: z.string().min(1),
    kind: z.enum(['department', 'district']),
    /** Row in Phụ biểu 02; null when the agency is routable but not in the scored list. */
    appendix02Row: z.number().int().positive().nullable(),
    aliases: z.array(z.string().min(1)),
  })
  .strict();

export const AgencyListSchema = z
  .object({ agencies: z.array(AgencySchema).min(1) })
  .strict()
  .superRefine((list, ctx) => {
    const codes = new Set<string>();
    const rows = new Set<number>();
    list.agencies.forEach((a, i) => {
      if (codes.has(a.code)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'code'], message: `duplicate agency code ${a.code}` });
      codes.add(a.code);
      if (a.appendix02Row !== null) {
        if (rows.has(a.appendix02Row))
          ctx.addIssue({ code: 'custom', path: ['agencies', i, 'appendix02Row'], message: `duplicate appendix02Row ${a.appendix02Row}` });
        rows.add(a.appendix02Row);
      }
    });
  });

export type Agency = z.infer<typeof AgencySchema>;

export type AgencyMatch =
  | { kind: 'found'; agency: Agency }
  | { kind: 'ambiguous'; candidates: Agency[] }
  | { kind: 'unknown' };

/** The agencies, looked up by code or by any name a person types, with or without diacritics. */
export class AgencyDirectory {
  private readonly byCode = new Map<string, Agency>();
  private readonly byFoldedName = new Map<string, Agency[]>();

  constructor(readonly all: readonly Agency[]) {
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
