import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import { PROJECT_ROOT } from '../config/paths';
import type { Agency, AgencyDirectory } from '../domain/agencies';
import type { Period } from '../domain/report';
import { foldVietnamese } from '../domain/text';
import { formatDay, parseDay, type LocalClock } from '../domain/time';
import type { Gazetteer } from '../routing/gazetteer';
import { canonicalTonePlacement, type Normalizer } from '../routing/normalize';
import type { StructuredQuery } from './evaluate';
import { foldForPeriods, scanTime } from './period';

/** What an administrator may ask in chat (issue 6): overdue questions, pending counts, scores, the Phụ biểu 02 file. */
export const ADMIN_INTENTS = ['overdue', 'pending', 'scores', 'export'] as const;
export type AdminIntent = (typeof ADMIN_INTENTS)[number];

export const PENDING_STATUSES = ['awaiting_acceptance', 'awaiting_answer'] as const;
export type PendingStatus = (typeof PENDING_STATUSES)[number];

/**
 * Everything a message said besides its intent (issue 13: no part of a request is
 * dropped). What the parser could not read is kept too, as typed, to be named in the reply.
 */
export interface Qualifiers {
  /** The agency asked about; null: every agency. */
  agency: Agency | null;
  /** Questions received in this period (scores and exports: the report period). */
  period: Period | null;
  /** The local day the query is judged at the end of; null: now. */
  atDay: number | null;
  /** Pending questions of one kind only; null: both. */
  status: PendingStatus | null;
  /** The requester's own agency ("em ở Sở TT&TT, ..."), or the one a report is for: named, but not what is asked about. */
  requester: Agency | null;
  /** Parts of the message not understood, as typed, in order. */
  notUnderstood: string[];
}

export type AdminQuery =
  | ({ kind: 'overdue' | 'pending' } & Qualifiers)
  | ({ kind: 'scores' | 'export' } & Qualifiers & { period: Period })
  /** The agency named may be several: the candidates to choose from, for the query understood. */
  | ({ kind: 'ambiguous'; intent: AdminIntent; candidates: Agency[]; named: string } & Qualifiers)
  /** A score or export query without its period. */
  | ({ kind: 'incomplete'; intent: 'scores' | 'export'; missing: 'period' } & Qualifiers)
  | { kind: 'exit' }
  /** Not a query; `unsupported`: what was asked that the bot cannot do ("nhắc nhở"), as typed. */
  | ({ kind: 'unknown'; unsupported: string[] } & Qualifiers);

const ExampleSchema = z.object({ title: z.string().min(1), text: z.string().min(1) }).strict();
const Phrase = z.string().regex(/[\p{L}\p{N}]/u, 'a phrase needs at least one letter or digit');

export const AdminPhrasesSchema = z
  .object({
    notes: z.string().optional(),
    rules: z.array(z.object({ kind: z.enum(ADMIN_INTENTS), phrases: z.array(Phrase).min(1) }).strict()).min(1),
    /** Phrases that say which pending questions; "any" says both kinds (plain "chưa trả lời", "tồn"). */
    statuses: z.object({ awaiting_acceptance: z.array(Phrase).min(1), awaiting_answer: z.array(Phrase).min(1), any: z.array(Phrase) }).strict(),
    /** "tất cả", "toàn tỉnh": every agency, said outright. */
    allAgencies: z.array(Phrase),
    /** Words that introduce the requester's own agency ("em ở", "mình bên") or the one a report is for ("để báo cáo"), or name it ("Ban biên tập"). */
    requester: z.array(Phrase),
    /** "đơn vị em", "sở mình": the requester's own agency is the one asked about. */
    ownAgency: z.array(Phrase),
    /** What the bot cannot do from these queries ("nhắc nhở", "gia hạn"): a message asking it is not a query. */
    unsupported: z.array(Phrase),
    /** One written word → what it stands for ("pb02" → "phụ biểu 02"), replaced before anything is read. */
    abbreviations: z.record(z.string(), Phrase).superRefine((record, ctx) => {
      for (const key of Object.keys(record))
        if (!/^[\p{L}\p{N}]+$/u.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}": an abbreviation is one word of letters and digits` });
    }),
    fillers: z.array(Phrase),
    exit: z.array(Phrase),
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

/** One name of an agency: its folded tokens and, where each token is one written word, how those words are spelled (to compare diacritics). */
interface NameEntry {
  tokens: string[];
  agency: Agency;
  /** The spellings of the names that fold to these tokens ("Sở TTTT"); none: not checked (a code, an abbreviation expanded). */
  written: string[][];
}

/** Agency names (code, name, short name, aliases) as folded token sequences, built once per directory and normalizer. */
interface NameIndex {
  byFirst: Map<string, NameEntry[]>;
  /** Every token of every name of an agency: a name typed longer than its alias ("Sở Lao động thương binh xã hội") is still that agency. */
  words: Map<Agency, Set<string>>;
}

const nameIndexes = new WeakMap<AgencyDirectory, WeakMap<Normalizer, NameIndex>>();

function nameIndex(agencies: AgencyDirectory, normalizer: Normalizer): NameIndex {
  let byNormalizer = nameIndexes.get(agencies);
  if (!byNormalizer) nameIndexes.set(agencies, (byNormalizer = new WeakMap()));
  let index = byNormalizer.get(normalizer);
  if (index) return index;
  index = { byFirst: new Map(), words: new Map() };
  for (const agency of agencies.all) {
    const words = new Set<string>();
    for (const name of new Set([agency.code, agency.name, agency.shortName, ...agency.aliases])) {
      const tokens = normalizer.tokens(name);
      if (tokens.length === 0) continue;
      tokens.forEach((t) => words.add(t));
      const list = index.byFirst.get(tokens[0]) ?? [];
      const spelled = name === agency.code ? null : writtenWords(name, tokens);
      const written = spelled ? [spelled] : [];
      const same = list.find((e) => e.agency === agency && e.tokens.join(' ') === tokens.join(' '));
      if (same) same.written.push(...written);
      else list.push({ tokens, agency, written });
      index.byFirst.set(tokens[0], list);
    }
    index.words.set(agency, words);
  }
  byNormalizer.set(normalizer, index);
  return index;
}

/** A folded token of the message, with the word it came from. */
interface Token {
  text: string;
  word: number;
  used: boolean;
  /** The word as typed (accentKey), when it is this token alone, carries diacritics and is a known word (knownSpellings). */
  spelling?: string;
}

/** A word compared with its diacritics: lower case, one tone-mark placement ("hoà" = "hòa"). */
function accentKey(word: string): string {
  return canonicalTonePlacement(word.normalize('NFC').toLowerCase()).normalize('NFC');
}

/** Start positions of every occurrence of each phrase in `tokens`, longest phrases first, occurrences not overlapping. */
function occurrences(tokens: readonly Token[], phrases: readonly PhraseTokens[]): Array<{ at: number; length: number; tag: string }> {
  const taken = new Set<number>();
  const found: Array<{ at: number; length: number; tag: string }> = [];
  for (const p of [...phrases].sort((a, b) => b.tokens.length - a.tokens.length)) {
    if (p.tokens.length === 0) continue;
    outer: for (let i = 0; i + p.tokens.length <= tokens.length; i += 1) {
      for (let j = 0; j < p.tokens.length; j += 1) if (taken.has(i + j) || tokens[i + j].text !== p.tokens[j] || clashes(tokens[i + j], p.written?.[j])) continue outer;
      for (let j = 0; j < p.tokens.length; j += 1) taken.add(i + j);
      found.push({ at: i, length: p.tokens.length, tag: p.tag });
    }
  }
  return found.sort((a, b) => a.at - b.at);
}

/** Whether a word typed with diacritics is another known word than the one expected ("tại" where "tải" is expected). */
function clashes(token: Token, expected: string | undefined): boolean {
  return token.spelling !== undefined && expected !== undefined && token.spelling !== expected;
}

function markUsed(tokens: readonly Token[], at: number, length: number): void {
  for (let i = at; i < at + length; i += 1) tokens[i].used = true;
}

/** A phrase as folded tokens and, when each token is one written word, how those words are spelled. */
interface PhraseTokens {
  tokens: string[];
  tag: string;
  written: string[] | null;
}

/** A name or phrase's words with their diacritics (accentKey), when they are as many as its folded tokens. */
function writtenWords(text: string, tokens: readonly string[]): string[] | null {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  return words.length === tokens.length ? words.map(accentKey) : null;
}

/** A phrase list as token sequences (cached per list and normalizer: the lists are data loaded once). */
const phraseCache = new WeakMap<object, WeakMap<Normalizer, PhraseTokens[]>>();

function phraseTokens(key: object, normalizer: Normalizer, build: () => Array<{ text: string; tag: string }>): PhraseTokens[] {
  let byNormalizer = phraseCache.get(key);
  if (!byNormalizer) phraseCache.set(key, (byNormalizer = new WeakMap()));
  let list = byNormalizer.get(normalizer);
  if (!list)
    byNormalizer.set(
      normalizer,
      (list = build().map((p) => {
        const tokens = normalizer.tokens(p.text);
        return { tokens, tag: p.tag, written: writtenWords(p.text, tokens) };
      })),
    );
  return list;
}

/**
 * Every word of the phrases and agency names, spelled with its diacritics: a word typed
 * with diacritics that is one of them is taken as that word ("tại" is not "tải", "cả" is
 * not "CA"); one that is none of them (a typo, "Bảo Thăng") is read folded.
 */
const spellingCache = new WeakMap<AdminPhrases, WeakMap<AgencyDirectory, Set<string>>>();

function knownSpellings(phrases: AdminPhrases, agencies: AgencyDirectory): Set<string> {
  let byAgencies = spellingCache.get(phrases);
  if (!byAgencies) spellingCache.set(phrases, (byAgencies = new WeakMap()));
  let known = byAgencies.get(agencies);
  if (known) return known;
  const texts = [
    ...phrases.rules.flatMap((r) => r.phrases),
    ...Object.values(phrases.statuses).flat(),
    ...phrases.allAgencies,
    ...phrases.requester,
    ...phrases.ownAgency,
    ...phrases.unsupported,
    ...Object.values(phrases.abbreviations),
    ...phrases.fillers,
    ...agencies.all.flatMap((a) => [a.name, a.shortName, ...a.aliases]),
  ];
  known = new Set(texts.flatMap((t) => t.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0).map(accentKey)));
  byAgencies.set(agencies, known);
  return known;
}

interface AgencyMention {
  at: number;
  length: number;
  agencies: Agency[];
  requester: boolean;
}

/**
 * Agencies named in the message by a name, short name, alias or code (the longest
 * match wins; one typed longer than its alias takes the adjacent words of its full
 * name too). A mention right after "em ở", "mình bên"... is the requester's own agency.
 */
function agencyMentions(tokens: Token[], context: AdminQueryContext, phrases: AdminPhrases): AgencyMention[] {
  const index = nameIndex(context.agencies, context.normalizer);
  const mentions: AgencyMention[] = [];
  for (let i = 0; i < tokens.length; ) {
    let best: NameEntry[] = [];
    const entries = tokens[i].used ? [] : (index.byFirst.get(tokens[i].text) ?? []);
    for (const entry of entries) {
      if (i + entry.tokens.length > tokens.length || entry.tokens.some((t, j) => tokens[i + j].text !== t || tokens[i + j].used)) continue;
      // A known word typed with diacritics is that word: "văn bản" is not "Văn Bàn".
      if (entry.written.length > 0 && !entry.written.some((w) => entry.tokens.every((_, j) => !clashes(tokens[i + j], w[j])))) continue;
      if (best.length === 0 || entry.tokens.length > best[0].tokens.length) best = [entry];
      else if (entry.tokens.length === best[0].tokens.length && !best.some((b) => b.agency === entry.agency)) best.push(entry);
    }
    let length = best[0]?.tokens.length ?? 0;
    // No name in full: the start of one agency's names ("sở gd" for Sở GD&ĐT), two words at least.
    for (let k = Math.min(4, tokens.length - i); best.length === 0 && k >= 2; k -= 1) {
      const seq = tokens.slice(i, i + k);
      if (seq.some((t) => t.used)) continue;
      const starting = entries.filter((e) => e.tokens.length > k && seq.every((t, j) => e.tokens[j] === t.text));
      // Only when no other agency's name has these words anywhere ("Lào Cai" is in several).
      const elsewhere = [...index.byFirst.values()].flat().some((e) => e.agency !== starting[0]?.agency && e.tokens.some((_, at) => seq.every((t, j) => e.tokens[at + j] === t.text)));
      if (starting.length > 0 && !elsewhere && starting.every((e) => e.agency === starting[0].agency)) [best, length] = [[starting[0]], k];
    }
    if (best.length === 0) {
      i += 1;
      continue;
    }
    let start = i;
    let end = i + length;
    if (best.length === 1) {
      const words = index.words.get(best[0].agency) ?? new Set();
      while (end < tokens.length && !tokens[end].used && words.has(tokens[end].text)) end += 1;
      // Backwards only over the start of one of its names ("vp" before "Đoàn ĐBQH", "UBND" before "h. Bảo Thắng"): "chưa tiếp nhận Bảo Thắng" keeps its "nhận".
      let back = 0;
      for (const e of [...index.byFirst.values()].flat().filter((x) => x.agency === best[0].agency))
        for (let k = Math.min(start, e.tokens.length - 1); k > back; k -= 1)
          if (e.tokens.slice(0, k).every((t, j) => tokens[start - k + j].text === t && !tokens[start - k + j].used)) back = k;
      start -= back;
    }
    markUsed(tokens, start, end - start);
    mentions.push({ at: start, length: end - start, agencies: best.map((b) => b.agency), requester: false });
    i = end;
  }
  const markers = phraseTokens(phrases.requester, context.normalizer, () => phrases.requester.map((text) => ({ text, tag: 'requester' })));
  for (const m of occurrences(tokens, markers)) {
    // The agency right after the marker ("em ở Sở TT&TT", a word or two between: "em ở bên Sở TT&TT"), or the marker itself
    // ("Ban biên tập"); a one-word marker inside a name is part of the name ("trình" in "xã Trịnh Tường" typed without accents).
    const own = mentions.find((a) => (a.at >= m.at + m.length && a.at <= m.at + m.length + 2) || (m.length >= 2 && a.at <= m.at && a.at + a.length >= m.at + m.length));
    if (!own) continue;
    own.requester = true;
    markUsed(tokens, m.at, Math.max(m.length, own.at - m.at));
  }
  return mentions;
}

/** What may close a word: quotes, brackets, punctuation. */
const CLOSING_PUNCTUATION = new Set([...'"\'“”‘’)]}»>,;:!?….']);

/**
 * The text without the given characters at its end. A loop, not /[…]+$/: that pattern retries
 * from every position of a long run that does not reach the end, which is quadratic.
 */
function trimTrailing(text: string, chars: ReadonlySet<string>): string {
  let end = text.length;
  while (end > 0 && chars.has(text[end - 1])) end -= 1;
  return text.slice(0, end);
}

/** The message as words (as typed, outer punctuation off), abbreviations of intents/admin.json expanded. */
function wordsOf(text: string, phrases: AdminPhrases): Word[] {
  // Compared as typed (lower case), not folded: "qúa" (a typo for "quá") must not swallow "quả".
  const abbreviations = new Map(Object.entries(phrases.abbreviations).map(([k, v]) => [k.normalize('NFC').toLowerCase(), v]));
  return text
    .split(/\s+/)
    // "h.Bảo Thắng", "tp.Lào Cai": an abbreviation with its full stop is a word of its own.
    .flatMap((w) => {
      const m = /^(\p{L}{1,3})\.(\p{L}.*)$/u.exec(w);
      return m ? [m[1], m[2]] : [w];
    })
    .map((w) => ({ typed: trimTrailing(w.replace(/^[\s"'“”‘’(\[{«<]+/, ''), CLOSING_PUNCTUATION), pause: /[,;:!?….)]$/.test(w) }))
    .filter((w) => w.typed.length > 0)
    .map(({ typed, pause }) => ({ typed, read: abbreviations.get(typed.normalize('NFC').toLowerCase()) ?? typed, pause }));
}

interface Word {
  /** As typed, outer punctuation off. */
  typed: string;
  /** With an abbreviation of intents/admin.json expanded. */
  read: string;
  /** Followed by a comma, a full stop...: words on either side are not one phrase. */
  pause: boolean;
}

/** Consecutive word indexes as the words typed ("abc xyz", "foo"), a comma or a full stop ending a run. */
function spans(indexes: Iterable<number>, words: readonly Word[]): string[] {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  let run: number[] = [];
  for (const i of sorted) {
    const last = run[run.length - 1];
    if (run.length > 0 && (i !== last + 1 || words[last].pause)) (out.push(run.map((j) => words[j].typed).join(' ')), (run = []));
    run.push(i);
  }
  if (run.length > 0) out.push(run.map((j) => words[j].typed).join(' '));
  return out;
}

/**
 * Reads an administrator's chat message, typed with or without diacritics, keeping
 * every part of it: the intent, the agency (or every agency), the as-of day, the
 * period, the status, and the words it could not read. Dates and periods are read
 * first (so "tính đến 25/9" never looks like a name), then agencies, then the
 * phrases of intents/admin.json. Pure: the same text, data and `now` give the same query.
 */
/**
 * An administrator's request is a sentence or two. Anything longer is not read as a query: the
 * parser's cost grows with every word it places (about 30 µs a character), and a pasted page
 * would hold a chat turn for seconds.
 */
export const MAX_ADMIN_QUERY_LENGTH = 500;

export function parseAdminQuery(text: string, context: AdminQueryContext): AdminQuery {
  const phrases = context.phrases ?? loadAdminPhrases();
  const { normalizer } = context;
  const none: Qualifiers = { agency: null, period: null, atDay: null, status: null, requester: null, notUnderstood: [] };
  if (text.length > MAX_ADMIN_QUERY_LENGTH) return { kind: 'unknown', unsupported: [], ...none, notUnderstood: [`${text.slice(0, 40).trim()}…`] };
  if (normalizer.tokens(text).length === 0) return { kind: 'unknown', unsupported: [], ...none };
  const whole = normalizer.fold(text);
  if (phrases.exit.some((p) => normalizer.fold(p) === whole)) return { kind: 'exit' };

  // The folded words side by side, each word's place kept: time expressions found in the
  // joined text are traced back to the words they were written with.
  const words = wordsOf(text, phrases);
  const places: Array<{ start: number; end: number }> = [];
  let joined = '';
  for (const w of words) {
    const folded = foldForPeriods(w.read);
    if (joined) joined += ' ';
    places.push({ start: joined.length, end: joined.length + folded.length });
    joined += folded;
  }
  const today = context.clock.dayOf(context.now);
  const time = scanTime(joined, today);
  const wordsIn = (start: number, end: number) => places.flatMap((p, i) => (p.start < end && p.end > start ? [i] : []));

  const known = knownSpellings(phrases, context.agencies);
  const tokens: Token[] = [];
  places.forEach((p, word) => {
    const own = normalizer.tokens(time.rest.slice(p.start, p.end));
    const typed = words[word].read;
    const key = accentKey(typed);
    const spelling = own.length === 1 && own[0] === normalizer.fold(typed) && foldVietnamese(typed) !== typed.toLowerCase() && known.has(key) ? key : undefined;
    for (const t of own) tokens.push({ text: t, word, used: false, ...(spelling === undefined ? {} : { spelling }) });
  });

  // "cả tỉnh" before the names: folded, it is also "CA tỉnh" (the police). Typed with
  // diacritics, a phrase must be written as it is; typed without, it is read folded.
  const typedWithDiacritics = /[\u0300-\u036f]/.test(text.normalize('NFD')) || /[đĐ]/.test(text);
  const plain = (s: string) => s.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  let everyAgency = false;
  for (const f of occurrences(tokens, phraseTokens(phrases.allAgencies, normalizer, () => phrases.allAgencies.map((p) => ({ text: p, tag: p }))))) {
    const typed = [...new Set(tokens.slice(f.at, f.at + f.length).map((t) => t.word))].map((w) => words[w].read).join('');
    if (typedWithDiacritics && plain(typed) !== plain(f.tag)) continue;
    markUsed(tokens, f.at, f.length);
    // "tất cả các đơn vị", "toàn tỉnh" name the agencies; a bare "tất cả" may be "all the questions".
    if (/don vi|co quan|tinh|agenc/.test(normalizer.fold(f.tag))) everyAgency = true;
  }
  const mentions = agencyMentions(tokens, context, phrases);
  // Every agency said outright and one named besides: the one named is who asks ("Sở TT&TT cần điểm quý 3 của tất cả các đơn vị").
  const named1 = mentions.filter((m) => !m.requester);
  if (everyAgency && named1.length === 1 && named1[0].agencies.length === 1 && !mentions.some((m) => m.requester)) named1[0].requester = true;
  // Intents, statuses, "every agency" and fillers are read on the words that are not agency names ("Sở Y tế" has no "y tế" of its own).
  const free = tokens.filter((t) => !t.used);
  const find = (key: object, build: () => Array<{ text: string; tag: string }>) => {
    const found = occurrences(free, phraseTokens(key, normalizer, build));
    for (const f of found) markUsed(free, f.at, f.length);
    return found;
  };
  const ownAgency = find(phrases.ownAgency, () => phrases.ownAgency.map((text) => ({ text, tag: 'own' }))).length > 0;
  const unsupported = find(phrases.unsupported, () => phrases.unsupported.map((text) => ({ text, tag: 'unsupported' })));
  const intents = find(phrases.rules, () => phrases.rules.flatMap((r, i) => r.phrases.map((text) => ({ text, tag: String(i) }))));
  const ruleIndex = intents.length > 0 ? Math.min(...intents.map((f) => Number(f.tag))) : undefined;
  const statusFound = new Set(
    find(phrases.statuses, () => Object.entries(phrases.statuses).flatMap(([tag, list]) => list.map((text) => ({ text, tag })))).map((f) => f.tag),
  );
  const specific = PENDING_STATUSES.filter((s) => statusFound.has(s));
  const status: PendingStatus | null = specific.length === 1 ? specific[0] : null;
  find(phrases.allAgencies, () => phrases.allAgencies.map((text) => ({ text, tag: 'all' })));
  find(phrases.fillers, () => phrases.fillers.map((text) => ({ text, tag: 'filler' })));

  let intent: AdminIntent | 'unknown' = unsupported.length > 0 ? 'unknown' : ruleIndex !== undefined ? phrases.rules[ruleIndex].kind : statusFound.size > 0 ? 'pending' : 'unknown';
  if (intent === 'unknown' && unsupported.length === 0 && time.findings.some((f) => f.kind === 'period')) intent = 'scores';

  const index = nameIndex(context.agencies, normalizer);
  const spellings = (agency: Agency) => new Set([...index.byFirst.values()].flat().filter((e) => e.agency === agency).flatMap((e) => e.written.flat()));
  // The agency: the one named (not as the requester's); else a district named as a place
  // ("huyện Sa Pa"); else what AgencyDirectory.resolve reads in a run of words left ("cục").
  const requester = mentions.find((m) => m.requester && m.agencies.length === 1)?.agencies[0] ?? null;
  const subject = [...new Set(mentions.filter((m) => !m.requester).flatMap((m) => m.agencies))];
  // "em ở Sở Y tế, đơn vị em còn bao nhiêu câu": asked about their own agency.
  if (ownAgency && requester && subject.length === 0) subject.push(requester);
  let candidates = subject;
  let named = mentions.filter((m) => !m.requester).map((m) => tokens.slice(m.at, m.at + m.length).map((t) => t.text).join(' '));
  if (candidates.length === 0 && intent !== 'unknown') {
    const left = tokens.map((t, i) => ({ t, i })).filter(({ t }) => !t.used && !/^\d+$/.test(t.text));
    const places = context.gazetteer.placesIn(left.map(({ t }) => t.text), text).filter((p) => p.level === 'district');
    const districts = [...new Set(places.map((p) => p.agency))].map((code) => context.agencies.get(code)).filter((a): a is Agency => a !== undefined);
    if (districts.length > 0) {
      for (const p of places) for (let k = p.at; k < p.at + p.length; k += 1) left[k].t.used = true;
      candidates = districts;
      named = [places.map((p) => left.slice(p.at, p.at + p.length).map(({ t }) => t.text).join(' ')).join(', ')];
    } else {
      // Runs of consecutive words left over, each read as a (partial) agency name.
      const runs: Array<typeof left> = [];
      for (const x of left) {
        const last = runs[runs.length - 1];
        if (last && last[last.length - 1].i === x.i - 1) last.push(x);
        else runs.push([x]);
      }
      for (const run of runs) {
        const match = context.agencies.resolve(run.map(({ t }) => t.text).join(' '));
        if (match.kind === 'unknown') continue;
        // A known word typed with diacritics must be one of the agency's ("bản" names no agency; "ban" several).
        const fits = (a: Agency) => run.every(({ t }) => t.spelling === undefined || spellings(a).has(t.spelling));
        const found = (match.kind === 'found' ? [match.agency] : context.agencies.inReportOrder().filter((a) => match.candidates.includes(a))).filter(fits);
        if (found.length === 0) continue;
        run.forEach(({ t }) => (t.used = true));
        candidates = found;
        named = [run.map(({ t }) => t.text).join(' ')];
        break;
      }
    }
  }

  // The time: for overdue and pending a lone date is the as-of day; for scores and exports
  // it is a one-day period, and an as-of day alone is the year up to it.
  const notUnderstood = new Set<number>(tokens.filter((t) => !t.used).map((t) => t.word));
  let period: Period | null = null;
  let atDay: number | null = null;
  const judged = intent === 'overdue' || intent === 'pending';
  for (const f of time.findings) {
    let used = false;
    if (f.kind === 'period' && period === null) [period, used] = [f.period, true];
    else if (f.kind === 'now' && atDay === null) used = true;
    else if ((f.kind === 'at' || f.kind === 'day') && judged && atDay === null) [atDay, used] = [f.day, true];
    else if (f.kind === 'day' && !judged && period === null) [period, used] = [{ fromDay: f.day, toDay: f.day }, true];
    else if (f.kind === 'at' && !judged && period === null) [period, used] = [{ fromDay: parseDay(`${formatDay(f.day).slice(0, 4)}-01-01`) ?? f.day, toDay: f.day }, true];
    if (!used) wordsIn(f.start, f.end).forEach((w) => notUnderstood.add(w));
  }

  const qualifiers: Qualifiers = {
    agency: candidates.length === 1 ? candidates[0] : null,
    period,
    atDay,
    status: intent === 'pending' ? status : null,
    requester: requester && !candidates.includes(requester) ? requester : null,
    notUnderstood: spans(notUnderstood, words),
  };
  if (intent === 'unknown') return { kind: 'unknown', ...qualifiers, unsupported: spans(unsupported.flatMap((u) => free.slice(u.at, u.at + u.length).map((t) => t.word)), words) };
  if (candidates.length > 1) return { kind: 'ambiguous', intent, candidates, named: named.join(', '), ...qualifiers };
  if (intent === 'scores' || intent === 'export') {
    if (period === null) return { kind: 'incomplete', intent, missing: 'period', ...qualifiers };
    return { kind: intent, ...qualifiers, period };
  }
  return { kind: intent, ...qualifiers };
}

/** The query in the evaluation sets' shape (BRIEF.md): codes and YYYY-MM-DD days, null for "every agency", "no period", "now", "both statuses". */
export function structuredQuery(query: AdminQuery): StructuredQuery {
  if (query.kind === 'exit' || query.kind === 'unknown') return { intent: 'unknown', agency: null, from: null, to: null, at: null, status: null };
  const intent = query.kind === 'ambiguous' || query.kind === 'incomplete' ? query.intent : query.kind;
  return {
    intent,
    agency: query.agency?.code ?? null,
    from: query.period ? formatDay(query.period.fromDay) : null,
    to: query.period ? formatDay(query.period.toDay) : null,
    at: query.atDay === null ? null : formatDay(query.atDay),
    status: intent === 'pending' ? query.status : null,
  };
}
