import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AgencyDirectory, AgencyListSchema } from '../domain/agencies';
import { WorkingCalendar, type CalendarEntry } from '../domain/calendar';
import { PhotoPolicySchema, type PhotoPolicy } from '../domain/photo';
import { PolicySchema, RuleBook, type Policy } from '../domain/policy';
import { LocalClock, parseDay } from '../domain/time';
import { ReportLayoutSchema, type ReportLayout } from '../reports/annex';
import { DEFAULT_DATA_DIR } from './paths';

/** Reads and validates the policy data in data/ at start-up; every error names the file, the entry and the problem. */


export class DataError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  - ${problems.join('\n  - ')}`}`);
    this.name = 'DataError';
  }
}

export interface ProvinceData {
  dataDir: string;
  agencies: AgencyDirectory;
  /** policy.json as written: its deadlines and scoring are the rules from the beginning of time (see `rules`). */
  policy: Policy;
  /** The deadline and score rules over time: `rules.at(instant)` is the rule set in force then. */
  rules: RuleBook;
  clock: LocalClock;
  calendar: WorkingCalendar;
  /** The wording of Phụ biểu 02 as an annex (data/report.json). */
  reportLayout: ReportLayout;
  /** Photos sent with questions: how many, how large, and the only hosts they are fetched from (data/photos.json). */
  photos: PhotoPolicy;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataError(file, [`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
}

export function readJsonFile(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(file, [`is not valid JSON (${(err as Error).message})`]);
  }
}

/** Describes zod issues with the entry they are about, e.g. `agencies[3] (so-yte).kind: ...`. */
export function describeIssues(issues: z.core.$ZodIssue[], value: unknown, label?: (path: PropertyKey[]) => string | undefined): string[] {
  return issues.map((issue) => {
    const where = issue.path.length === 0 ? '(top level)' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const extra = label?.(issue.path);
    return `${where}${extra ? ` (${extra})` : ''}: ${issue.message}`;
  });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, label?: (path: PropertyKey[]) => string | undefined): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new DataError(file, describeIssues(result.error.issues, value, label));
  return result.data;
}

/**
 * A JSON Lines file of `schema` items (blank lines skipped), each also passed to `check`, which returns
 * a problem or undefined. Every problem is reported at once, with its line number (and id, from `check`).
 */
export function readJsonLinesWith<T>(file: string, schema: z.ZodType<T>, check: (item: T) => string | undefined = () => undefined): T[] {
  const out: T[] = [];
  const problems: string[] = [];
  readText(file)
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return void problems.push(`line ${i + 1}: not valid JSON`);
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) return void problems.push(`line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')}`);
      const problem = check(parsed.data);
      if (problem) return void problems.push(`line ${i + 1} ${problem}`);
      out.push(parsed.data);
    });
  if (problems.length > 0) throw new DataError(file, problems);
  return out;
}

/** Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 1);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

const HolidayRowSchema = z
  .object({
    date: z.string().refine((d) => parseDay(d) !== undefined, 'must be a real date written YYYY-MM-DD'),
    kind: z.enum(['off', 'workday']),
    name: z.string().min(1, 'must not be empty'),
    status: z.enum(['confirmed', 'projected']),
  })
  .strict();

export function loadCalendarEntries(file: string): CalendarEntry[] {
  const rows = parseCsv(readText(file));
  const header = rows.shift()?.map((h) => h.trim());
  const expected = ['date', 'kind', 'name', 'status'];
  if (!header || expected.some((h, i) => header[i] !== h)) throw new DataError(file, [`the header must be ${expected.join(',')}`]);
  const problems: string[] = [];
  const entries: CalendarEntry[] = [];
  const seen = new Map<string, number>();
  rows.forEach((cells, i) => {
    const line = i + 2;
    if (cells.length !== expected.length) return void problems.push(`line ${line}: expected ${expected.length} fields, found ${cells.length}`);
    const result = HolidayRowSchema.safeParse(Object.fromEntries(expected.map((h, j) => [h, cells[j].trim()])));
    if (!result.success) return void problems.push(...describeIssues(result.error.issues, cells).map((p) => `line ${line}: ${p}`));
    const previous = seen.get(result.data.date);
    if (previous) return void problems.push(`line ${line}: ${result.data.date} is already listed on line ${previous}`);
    seen.set(result.data.date, line);
    entries.push(result.data);
  });
  if (problems.length > 0) throw new DataError(file, problems);
  return entries;
}

/** Which period a policy.json entry is about: "the rules in force from 2025-01-01", "the rules until 2025-01-01". */
function ruleVersionLabel(raw: unknown, p: PropertyKey[]): string | undefined {
  const versions = (raw as { versions?: Array<{ from?: unknown }> }).versions;
  const firstFrom = Array.isArray(versions) && typeof versions[0]?.from === 'string' ? versions[0].from : undefined;
  if (p[0] === 'versions' && typeof p[1] === 'number') {
    const from = Array.isArray(versions) ? versions[p[1]]?.from : undefined;
    return typeof from === 'string' ? `the rules in force from ${from}` : undefined;
  }
  if ((p[0] === 'deadlines' || p[0] === 'scoring') && firstFrom) return `the rules in force until ${firstFrom}`;
  return undefined;
}

/** Which agency and period an agencies.json entry is about: "so-tnmt", "so-tnmt, its version from 2025-03-01". */
function agencyLabel(raw: unknown, p: PropertyKey[]): string | undefined {
  if (p[0] !== 'agencies' || typeof p[1] !== 'number') return undefined;
  const entry = (raw as { agencies?: Array<{ code?: unknown; from?: unknown; until?: unknown; versions?: Array<{ from?: unknown }> }> }).agencies?.[p[1]];
  if (typeof entry?.code !== 'string') return undefined;
  if (p[2] === 'versions' && typeof p[3] === 'number') {
    const from = entry.versions?.[p[3]]?.from;
    return typeof from === 'string' ? `${entry.code}, its version from ${from}` : entry.code;
  }
  const life = [typeof entry.from === 'string' ? `from ${entry.from}` : '', typeof entry.until === 'string' ? `until ${entry.until}` : ''].filter(Boolean).join(' ');
  return life ? `${entry.code}, ${life}` : entry.code;
}

export function loadProvinceData(dataDir: string = DEFAULT_DATA_DIR): ProvinceData {
  const agenciesFile = path.join(dataDir, 'agencies.json');
  const agenciesRaw = readJsonFile(agenciesFile);
  const list = parseWith(AgencyListSchema, agenciesRaw, agenciesFile, (p) => agencyLabel(agenciesRaw, p));
  const agencies = new AgencyDirectory(list.agencies);

  const policyFile = path.join(dataDir, 'policy.json');
  const policyRaw = readJsonFile(policyFile);
  const policy = parseWith(PolicySchema, policyRaw, policyFile, (p) => ruleVersionLabel(policyRaw, p));
  if (!agencies.has(policy.routing.triageAgency))
    throw new DataError(policyFile, [`routing.triageAgency: "${policy.routing.triageAgency}" is not an agency code in agencies.json`]);

  const clock = new LocalClock(policy.utcOffsetMinutes);
  const calendar = new WorkingCalendar(loadCalendarEntries(path.join(dataDir, 'holidays-vn.csv')), clock);
  const reportFile = path.join(dataDir, 'report.json');
  const reportLayout = parseWith(ReportLayoutSchema, readJsonFile(reportFile), reportFile);
  const photosFile = path.join(dataDir, 'photos.json');
  const photos = parseWith(PhotoPolicySchema, readJsonFile(photosFile), photosFile);
  return { dataDir, agencies, policy, rules: new RuleBook(policy), clock, calendar, reportLayout, photos };
}
