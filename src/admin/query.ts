import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import { PROJECT_ROOT } from '../config/paths';
import type { Agency, AgencyDirectory } from '../domain/agencies';
import type { Period } from '../domain/report';
import { formatDay, type LocalClock } from '../domain/time';
import type { Gazetteer } from '../routing/gazetteer';
import type { Normalizer } from '../routing/normalize';
import type { StructuredQuery } from './evaluate';
import { parsePeriod } from './period';

/** What an administrator may ask in chat (issue 6): overdue questions, pending counts, scores, the Phụ biểu 02 file. */
export const ADMIN_INTENTS = ['overdue', 'pending', 'scores', 'export'] as const;
export type AdminIntent = (typeof ADMIN_INTENTS)[number];

export type AdminQuery =
  | { kind: 'overdue'; agency: Agency }
  | { kind: 'pending'; agency: Agency }
  | { kind: 'scores'; period: Period }
  | { kind: 'export'; period: Period }
  /** The agency named may be several: the candidates to choose from, for the query understood. */
  | { kind: 'ambiguous'; intent: 'overdue' | 'pending'; candidates: Agency[]; named: string }
  /** The query is understood but lacks its agency or its period. */
  | { kind: 'incomplete'; intent: AdminIntent; missing: 'agency' | 'period' }
  | { kind: 'exit' }
  | { kind: 'unknown' };

const ExampleSchema = z.object({ title: z.string().min(1), text: z.string().min(1) }).strict();

export const AdminPhrasesSchema = z
  .object({
    notes: z.string().optional(),
    rules: z.array(z.object({ kind: z.enum(ADMIN_INTENTS), phrases: z.array(z.string().min(1)).min(1) }).strict()).min(1),
    fillers: z.array(z.string().min(1)),
    exit: z.array(z.string().min(1)),
    examples: z.array(ExampleSchema).min(1),
    periodExamples: z.array(z.string().min(1)).min(1),
  })
  .strict();

export type AdminPhrases = z.infer<typeof AdminPhrasesSchema>;

let defaultPhrases: AdminPhrases | undefined;

/** intents/admin.json, validated (errors name the file and the entry). */
export function loadAdminPhrases(intentsDir?: string): AdminPhrases {
  if (intentsDir === undefined && defaultPhrases) return defaultPhrases;
  const file = path.join(intentsDir ?? path.join(PROJECT_ROOT, 'intents'), 'admin.json');
  const phrases = parseWith(AdminPhrasesSchema, readJsonFile(file), file);
  if (intentsDir === undefined) defaultPhrases = phrases;
  return phrases;
}

export interface AdminQueryContext {
  agencies: AgencyDirectory;
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  clock: LocalClock;
  /** Epoch ms: a quarter or a month without a year is in this instant's year. */
  now: number;
  phrases?: AdminPhrases;
}

/** Whole-word token sequences, compared on folded tokens. */
function findAt(tokens: readonly string[], phrase: readonly string[], from = 0): number {
  outer: for (let i = from; i + phrase.length <= tokens.length; i += 1) {
    for (let j = 0; j < phrase.length; j += 1) if (tokens[i + j] !== phrase[j]) continue outer;
    return i;
  }
  return -1;
}

/** Removes every occurrence of the phrases, longest first. */
function without(tokens: readonly string[], phrases: ReadonlyArray<readonly string[]>): string[] {
  let out = [...tokens];
  for (const p of [...phrases].sort((a, b) => b.length - a.length)) {
    if (p.length === 0) continue;
    for (let at = findAt(out, p); at >= 0; at = findAt(out, p, at)) out = [...out.slice(0, at), ...out.slice(at + p.length)];
  }
  return out;
}

type AgencyFound = { kind: 'found'; agency: Agency } | { kind: 'ambiguous'; candidates: Agency[]; named: string } | { kind: 'none' };

/** Agency names (code, name, short name, aliases) as folded token sequences, built once per directory and normalizer. */
const nameIndexes = new WeakMap<AgencyDirectory, WeakMap<Normalizer, Map<string, Array<{ tokens: string[]; agency: Agency }>>>>();

function nameIndex(agencies: AgencyDirectory, normalizer: Normalizer): Map<string, Array<{ tokens: string[]; agency: Agency }>> {
  let byNormalizer = nameIndexes.get(agencies);
  if (!byNormalizer) nameIndexes.set(agencies, (byNormalizer = new WeakMap()));
  let index = byNormalizer.get(normalizer);
  if (index) return index;
  index = new Map();
  for (const agency of agencies.all)
    for (const name of new Set([agency.code, agency.name, agency.shortName, ...agency.aliases])) {
      const tokens = normalizer.tokens(name);
      if (tokens.length === 0) continue;
      const list = index.get(tokens[0]) ?? [];
      if (!list.some((e) => e.agency === agency && e.tokens.join(' ') === tokens.join(' '))) list.push({ tokens, agency });
      index.set(tokens[0], list);
    }
  byNormalizer.set(normalizer, index);
  return index;
}

/**
 * The agency a query is about: a name, short name, alias or code anywhere in it
 * (the longest match wins); else a district named as a place ("huyện Sa Pa",
 * "Bát Sát"); else what is left once the query's own words are taken out, as
 * AgencyDirectory.resolve reads it ("cục" → the three Cục, ambiguous).
 */
function findAgency(text: string, tokens: readonly string[], context: AdminQueryContext, phrases: AdminPhrases): AgencyFound {
  const index = nameIndex(context.agencies, context.normalizer);
  const named = new Map<Agency, string>();
  for (let i = 0; i < tokens.length; ) {
    let best: Array<{ tokens: string[]; agency: Agency }> = [];
    for (const entry of index.get(tokens[i]) ?? []) {
      if (findAt(tokens.slice(i, i + entry.tokens.length), entry.tokens) !== 0) continue;
      if (best.length === 0 || entry.tokens.length > best[0].tokens.length) best = [entry];
      else if (entry.tokens.length === best[0].tokens.length) best.push(entry);
    }
    if (best.length === 0) {
      i += 1;
      continue;
    }
    for (const e of best) if (!named.has(e.agency)) named.set(e.agency, e.tokens.join(' '));
    i += best[0].tokens.length;
  }
  if (named.size === 1) return { kind: 'found', agency: [...named.keys()][0] };
  if (named.size > 1) return { kind: 'ambiguous', candidates: [...named.keys()], named: [...new Set(named.values())].join(', ') };

  const own = [...phrases.rules.flatMap((r) => r.phrases), ...phrases.fillers].map((p) => context.normalizer.tokens(p));
  const rest = without(tokens, own).filter((t) => !/^\d+$/.test(t));
  if (rest.length === 0) return { kind: 'none' };
  // Only district-level places: a commune would silently widen the query to its whole district.
  const districts = [...new Set(context.gazetteer.placesIn(rest, text).filter((p) => p.level === 'district').map((p) => p.agency))]
    .map((code) => context.agencies.get(code))
    .filter((a): a is Agency => a !== undefined);
  if (districts.length === 1) return { kind: 'found', agency: districts[0] };
  if (districts.length > 1) return { kind: 'ambiguous', candidates: districts, named: rest.join(' ') };
  const match = context.agencies.resolve(rest.join(' '));
  if (match.kind === 'found') return { kind: 'found', agency: match.agency };
  if (match.kind === 'ambiguous') return { kind: 'ambiguous', candidates: context.agencies.inReportOrder().filter((a) => match.candidates.includes(a)), named: rest.join(' ') };
  return { kind: 'none' };
}

/**
 * Reads an administrator's chat message, typed with or without diacritics. Pure:
 * the same text, data and `now` give the same query.
 */
export function parseAdminQuery(text: string, context: AdminQueryContext): AdminQuery {
  const phrases = context.phrases ?? loadAdminPhrases();
  const { normalizer } = context;
  const tokens = normalizer.tokens(text);
  if (tokens.length === 0) return { kind: 'unknown' };
  const folded = tokens.join(' ');
  if (phrases.exit.some((p) => normalizer.fold(p) === folded)) return { kind: 'exit' };

  const today = context.clock.dayOf(context.now);
  let period: Period | undefined | null = null;
  const periodOf = () => (period === null ? (period = parsePeriod(text, today)) : period);
  let agency: AgencyFound | undefined;
  const agencyOf = () => (agency ??= findAgency(text, tokens, context, phrases));

  let incomplete: AdminQuery | undefined;
  for (const rule of phrases.rules) {
    if (!rule.phrases.some((p) => findAt(tokens, normalizer.tokens(p)) >= 0)) continue;
    if (rule.kind === 'scores' || rule.kind === 'export') {
      const p = periodOf();
      if (p) return { kind: rule.kind, period: p };
      incomplete ??= { kind: 'incomplete', intent: rule.kind, missing: 'period' };
      continue;
    }
    const found = agencyOf();
    if (found.kind === 'found') return { kind: rule.kind, agency: found.agency };
    if (found.kind === 'ambiguous') return { kind: 'ambiguous', intent: rule.kind, candidates: found.candidates, named: found.named };
    incomplete ??= { kind: 'incomplete', intent: rule.kind, missing: 'agency' };
  }
  if (incomplete) return incomplete;
  // A period alone ("9 tháng đầu năm 2023", "tháng 8/2023") asks for the scores.
  const p = periodOf();
  return p ? { kind: 'scores', period: p } : { kind: 'unknown' };
}

/** The query in the evaluation sets' shape (BRIEF.md): codes and YYYY-MM-DD days, null for "every agency", "no period", "now". */
export function structuredQuery(query: AdminQuery): StructuredQuery {
  const none: StructuredQuery = { intent: 'unknown', agency: null, from: null, to: null, at: null, status: null };
  switch (query.kind) {
    case 'overdue':
    case 'pending':
      return { ...none, intent: query.kind, agency: query.agency.code };
    case 'scores':
    case 'export':
      return { ...none, intent: query.kind, from: formatDay(query.period.fromDay), to: formatDay(query.period.toDay) };
    case 'ambiguous':
    case 'incomplete':
      return { ...none, intent: query.intent };
    default:
      return none;
  }
}
