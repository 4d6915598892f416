import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvinceData } from '../../src/config/data';
import { PROJECT_ROOT } from '../../src/config/paths';
import type { Rules } from '../../src/domain/policy';
import { scoreAgency } from '../../src/domain/report';
import { dataCopy, stricterRulesFrom } from '../helpers/data-copy';
import { hoidap } from '../helpers/cli';
import { instant } from '../helpers/province';

/**
 * History that does not move (issue 15): a report over a past period is the same
 * whatever the data files say about later days, and export → import keeps it bit for bit.
 */

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-history-'));
const dirs: string[] = [];
let dbCount = 0;

const savedDataDir = process.env.HOIDAP_DATA_DIR;
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.HOIDAP_DATA_DIR;
  else process.env.HOIDAP_DATA_DIR = savedDataDir;
  for (const dir of [tmp, ...dirs]) fs.rmSync(dir, { recursive: true, force: true });
});

function data(edit: Parameters<typeof dataCopy>[0]): string {
  const dir = dataCopy(edit);
  dirs.push(dir);
  return dir;
}

/** Runs hoidap with the given data directory (undefined: the project's data/). */
async function run(dataDir: string | undefined, args: string[]): Promise<string> {
  if (dataDir === undefined) delete process.env.HOIDAP_DATA_DIR;
  else process.env.HOIDAP_DATA_DIR = dataDir;
  const result = await hoidap(args);
  if (result.code !== 0) throw new Error(`hoidap ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function importInto(dataDir: string | undefined, file: string): Promise<string> {
  const db = path.join(tmp, `db-${(dbCount += 1)}.sqlite`);
  await run(dataDir, ['import', '--db', db, file]);
  return db;
}

/** Phụ biểu 02 of the period in every text format, CSV with both headers. */
async function reports(dataDir: string | undefined, db: string, from: string, to: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const format of ['csv', 'json', 'md']) out[format] = await run(dataDir, ['report', '--db', db, '--from', from, '--to', to, '--format', format]);
  out['csv-vi'] = await run(dataDir, ['report', '--db', db, '--from', from, '--to', to, '--format', 'csv', '--headers', 'vi']);
  return out;
}

const demoReport = (dataDir: string | undefined, db: string) => reports(dataDir, db, '2023-01-01', '2023-09-25');

let before: Record<string, string>;
let demoDb: string;
beforeAll(async () => {
  demoDb = await importInto(undefined, DEMO);
  before = await demoReport(undefined, demoDb);
  expect(before.csv.split('\r\n').filter(Boolean)).toHaveLength(38); // header + 37 agencies
}, 120_000);

describe('(a) a rule change from 2025 leaves the 2023 table as it was', () => {
  test('policy version from 2025-01-01 (answer in 7 working days, other scores): the demo 2023 Phụ biểu 02 is byte-identical', async () => {
    const later = data({ policy: (p) => (p.versions = [stricterRulesFrom('2025-01-01')]) });
    const db = await importInto(later, DEMO);
    expect(await demoReport(later, db)).toEqual(before);
    // the database imported before the change, reported after it: the same
    expect(await demoReport(later, demoDb)).toEqual(before);
  }, 120_000);

  test('control: the same change dated inside the period does move the table', async () => {
    const inside = data({ policy: (p) => (p.versions = [stricterRulesFrom('2023-06-01')]) });
    const db = await importInto(inside, DEMO);
    const after = await demoReport(inside, db);
    expect(after.csv).not.toEqual(before.csv);
  }, 120_000);
});

describe('(b) an agency from 2025 is not in the 2023 table', () => {
  test('a new scored agency, and the end and successor of another, from 2025: the 2023 table still has the same 37 rows', async () => {
    // data/agencies.json has the 2025 organisation (so-tnmt → so-nnmt on 2025-03-01, the merged departments, the
    // districts ending on 2025-07-01); the test adds a scored agency from 2025-01-01 and a new row for so-gddt.
    const reorganised = data({
      agencies: (list) => {
        list.push({ code: 'so-moi', name: 'Sở Mới', shortName: 'Sở Mới', kind: 'department', appendix02Row: 38, aliases: [], from: '2025-01-01' });
        const gddt = list.find((a) => a.code === 'so-gddt');
        Object.assign(gddt ?? {}, { versions: [{ from: '2025-07-01', name: 'Sở Giáo dục và Đào tạo tỉnh Lào Cai', appendix02Row: 40 }] });
      },
    });
    const db = await importInto(reorganised, DEMO);
    const after = await demoReport(reorganised, db);
    expect(after).toEqual(before);
    expect(after.csv.split('\r\n').filter(Boolean)).toHaveLength(38);
    // and 2025 is reported with the organisation of 2025
    const year2025 = (await run(reorganised, ['report', '--db', db, '--from', '2025-01-01', '--to', '2025-12-31', '--format', 'json'])) as string;
    const rows = (JSON.parse(year2025) as { rows: Array<{ agency: string; name: string }> }).rows;
    // The 37 rows of 2023, and in the same rows the agencies that took over during 2025 (so-nnmt after so-tnmt in
    // row 2; thue-kv8 then thue-laocai after cuc-thue in row 6; hq-khuvuc, so-vhttdl, so-dttg, thongke-laocai,
    // kbnn-khuvuc), and so-moi: 46.
    expect(rows).toHaveLength(46);
    expect(rows.slice(0, 3).map((r) => r.agency)).toEqual(['so-tnmt', 'so-nnmt', 'cong-an']);
    expect(rows.find((r) => r.agency === 'so-gddt')?.name).toBe('Sở Giáo dục và Đào tạo tỉnh Lào Cai');
    const july = JSON.parse(await run(reorganised, ['report', '--db', db, '--from', '2025-07-01', '--to', '2025-09-30', '--format', 'json'])) as { rows: Array<{ agency: string }> };
    expect(july.rows.map((r) => r.agency)).not.toContain('so-tnmt');
    expect(july.rows.at(-1)?.agency).toBe('so-gddt'); // row 40 from July 2025
  }, 120_000);
});

/** A small made-up ledger whose cases start on both sides of 1 January 2025. */
interface GeneratedCase {
  agency: string;
  start: number;
  accepted?: number;
  extension?: { at: number; days: number };
  answered?: number;
  authorized?: boolean;
  deleted?: number;
}

function generateLedger(): { lines: string[]; cases: GeneratedCase[] } {
  let seed = 20250101;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const agencies = ['so-yte', 'so-tuphap', 'h-baothang', 'so-gddt', 'cuc-thue', 'so-noivu'];
  const HOUR = 3_600_000;
  const iso = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 19) + '+07:00';
  const lines: string[] = [];
  const cases: GeneratedCase[] = [];
  const first = instant('2024-12-02T08:00:00+07:00');
  for (let i = 1; i <= 90; i += 1) {
    const q = `HD-2024-${String(900000 + i)}`;
    const submitted = first + Math.floor(random() * 56) * 24 * HOUR + Math.floor(random() * 9) * HOUR;
    const event = (type: string, at: number, fields: Record<string, unknown> = {}) => lines.push(JSON.stringify({ q, type, at: iso(at), ...fields }));
    event('submitted', submitted, { channel: 'portal', text: `Câu hỏi thử số ${i}` });
    let agency = pick(agencies);
    let at = submitted + HOUR;
    event('assigned', at, { agency, by: 'bot' });
    if (random() < 0.15) {
      const to = pick(agencies.filter((a) => a !== agency));
      cases.push({ agency, start: at, deleted: at + 20 * HOUR });
      at += 20 * HOUR;
      event('forwarded', at, { from: agency, agency: to, reason: 'đúng thẩm quyền' });
      agency = to;
    }
    const c: GeneratedCase = { agency, start: at };
    cases.push(c);
    if (random() < 0.85) {
      c.accepted = at + Math.floor(random() * 5) * 24 * HOUR + 2 * HOUR;
      event('accepted', c.accepted, { agency });
    }
    const last = c.accepted ?? at;
    if (random() < 0.3) {
      c.extension = { at: last + 30 * 60_000, days: 1 + Math.floor(random() * 5) };
      event('extended', c.extension.at, { agency, days: c.extension.days, reason: 'cần xác minh' });
    }
    const outcome = random();
    const after = (c.extension?.at ?? last) + HOUR;
    if (outcome < 0.8) {
      c.answered = after + Math.floor(random() * 18) * 24 * HOUR;
      c.authorized = random() < 0.9;
      event('answered', c.answered, { agency, authorized: c.authorized, text: 'Trả lời' });
    } else if (outcome < 0.88) {
      c.deleted = after;
      event('deleted', c.deleted, { agency, reason: 'duplicate' });
    }
  }
  return { lines, cases };
}

/** The late cases per agency, judged as scoring-policy.md says, each case under the rules given for its start. */
function oracle(cases: GeneratedCase[], rulesFor: (start: number) => Rules, cutoff: number, from: number) {
  const { calendar } = loadProvinceData();
  const tally = new Map<string, { total: number; late: number; answered: number; eligible: number }>();
  for (const c of cases) {
    if (c.start < from || c.start > cutoff) continue;
    const { deadlines } = rulesFor(c.start);
    const t = tally.get(c.agency) ?? { total: 0, late: 0, answered: 0, eligible: 0 };
    tally.set(c.agency, t);
    t.total += 1;
    const answered = c.answered !== undefined && c.answered <= cutoff ? c.answered : undefined;
    const deleted = answered === undefined && c.deleted !== undefined && c.deleted <= cutoff;
    if (deleted) continue;
    t.eligible += 1;
    if (answered !== undefined) t.answered += 1;
    const accepted = c.accepted !== undefined && c.accepted <= cutoff ? c.accepted : answered;
    const acceptDue = calendar.deadline(c.start, deadlines.acceptWorkingDays);
    let answerDue = calendar.deadline(c.start, deadlines.answerWorkingDays);
    if (c.extension && c.extension.at <= cutoff && c.extension.at <= answerDue)
      answerDue = calendar.extendDeadline(answerDue, Math.min(c.extension.days, deadlines.extension.maxWorkingDays));
    const acceptLate = accepted !== undefined ? accepted > acceptDue : acceptDue < cutoff;
    const answerLate = answered !== undefined ? answered > answerDue : answerDue < cutoff;
    if (acceptLate || answerLate) t.late += 1;
  }
  return tally;
}

describe('(c) a ledger crossing a rule change: each case under its own rules', () => {
  const generated = generateLedger();
  const file = path.join(tmp, 'crossing.jsonl');
  const change = instant('2025-01-01T00:00:00+07:00');
  const from = instant('2024-12-01T00:00:00+07:00');
  const cutoff = instant('2025-01-31T23:59:59.999+07:00');
  let changed: string;
  let db: string;

  beforeAll(async () => {
    fs.writeFileSync(file, `${generated.lines.join('\n')}\n`);
    changed = data({ policy: (p) => (p.versions = [stricterRulesFrom('2025-01-01')]) });
    db = await importInto(changed, file);
  }, 60_000);

  test('late cases per agency are those of each case judged under the rules in force when it started; the score uses the rules of the period\'s last day', async () => {
    const province = loadProvinceData(changed);
    const base = province.rules.onDay(0);
    const strict = province.rules.at(change);
    expect(strict.deadlines.answerWorkingDays).toBe(7);
    const own = oracle(generated.cases, (start) => (start < change ? base : strict), cutoff, from);
    const allBase = oracle(generated.cases, () => base, cutoff, from);
    const allStrict = oracle(generated.cases, () => strict, cutoff, from);
    const sum = (t: typeof own) => [...t.values()].reduce((n, x) => n + x.late, 0);
    // the change matters for this ledger: neither rule set alone gives the same judgement
    expect(sum(own)).not.toBe(sum(allBase));
    expect(sum(own)).not.toBe(sum(allStrict));
    // and some extensions are capped at 2 working days after the change, not before it
    expect(generated.cases.some((c) => c.start >= change && c.extension && c.extension.days > 2)).toBe(true);
    expect(generated.cases.some((c) => c.start < change && c.extension && c.extension.days > 2)).toBe(true);

    const json = JSON.parse(await run(changed, ['report', '--db', db, '--from', '2024-12-01', '--to', '2025-01-31', '--format', 'json'])) as {
      rows: Array<{ agency: string; total: number; answered: number; eligible: number; late: number; unauthorizedAnswers: number; maxAnswersInAMonth: number; score: number; basis: string }>;
    };
    const got = new Map(json.rows.filter((r) => r.total > 0).map((r) => [r.agency, { total: r.total, late: r.late, answered: r.answered, eligible: r.eligible }]));
    expect(got).toEqual(own);
    for (const r of json.rows) {
      const expected = scoreAgency(
        { ...r, awaitingAnswer: 0, awaitingAcceptance: 0, deleted: r.total - r.eligible, deletedByReason: {} },
        strict.scoring,
      );
      expect({ agency: r.agency, score: r.score, basis: r.basis }).toEqual({ agency: r.agency, ...expected });
    }
    // a period wholly before the change is scored with the rules of before
    const december = JSON.parse(await run(changed, ['report', '--db', db, '--from', '2024-12-01', '--to', '2024-12-31', '--format', 'json'])) as { rows: Array<{ total: number; score: number }> };
    expect(new Set(december.rows.filter((r) => r.total === 0).map((r) => r.score))).toEqual(new Set([base.scoring.noEligibleCases]));
  }, 60_000);

  test('(d) export → import on a fresh database, with data that says more about later dates: the same report, bit for bit', async () => {
    const first = await reports(changed, db, '2024-12-01', '2025-01-31');
    const exported = path.join(tmp, 'exported.jsonl');
    await run(changed, ['export', '--db', db, '--out', exported]);
    expect(fs.readFileSync(exported, 'utf8').trim().split('\n')).toEqual(generated.lines);
    const moreLater = data({
      policy: (p) => {
        p.versions = [
          stricterRulesFrom('2025-01-01'),
          { from: '2025-02-01', document: 'test', deadlines: { answerWorkingDays: 3, acceptWorkingDays: 1, extension: { maxWorkingDays: 0 } }, scoring: { otherwise: 1, onTimeAuthorized: 2 } },
        ];
      },
      agencies: (list) => {
        list.push({ code: 'so-sau', name: 'Sở Sau', shortName: 'Sở Sau', kind: 'department', appendix02Row: 1, aliases: [], from: '2025-02-01' });
        const gddt = list.find((a) => a.code === 'so-gddt');
        Object.assign(gddt ?? {}, { versions: [{ from: '2025-02-01', appendix02Row: 39, name: 'Tên sau' }] });
      },
    });
    const fresh = await importInto(moreLater, exported);
    expect(await reports(moreLater, fresh, '2024-12-01', '2025-01-31')).toEqual(first);
    // the demo ledger too
    const demoExport = path.join(tmp, 'demo-exported.jsonl');
    await run(undefined, ['export', '--db', demoDb, '--out', demoExport]);
    expect(await demoReport(moreLater, await importInto(moreLater, demoExport))).toEqual(before);
  }, 120_000);
});

describe('the ledger is checked against the organisation of its dates', () => {
  test('a case may not start at an agency before it exists or after it ended: the line and the period are named', async () => {
    // data/agencies.json: so-tnmt ends on 2025-03-01, so-nnmt takes over.
    const reorganised = data({});
    const file = path.join(tmp, 'wrong-dates.jsonl');
    const e = (q: string, type: string, at: string, extra: Record<string, unknown>) => JSON.stringify({ q, type, at, ...extra });
    fs.writeFileSync(
      file,
      [
        e('HD-2024-000001', 'submitted', '2024-05-02T09:00:00+07:00', { channel: 'portal', text: 'x' }),
        e('HD-2024-000001', 'assigned', '2024-05-02T10:00:00+07:00', { agency: 'so-nnmt' }),
        e('HD-2025-000002', 'submitted', '2025-03-02T09:00:00+07:00', { channel: 'portal', text: 'y' }),
        e('HD-2025-000002', 'assigned', '2025-03-02T10:00:00+07:00', { agency: 'so-tnmt' }),
        e('HD-2025-000003', 'submitted', '2025-02-27T09:00:00+07:00', { channel: 'portal', text: 'z' }),
        e('HD-2025-000003', 'assigned', '2025-02-27T10:00:00+07:00', { agency: 'so-tnmt' }),
        e('HD-2025-000003', 'forwarded', '2025-03-01T08:00:00+07:00', { from: 'so-tnmt', agency: 'so-nnmt', reason: 'hợp nhất' }),
      ].join('\n'),
    );
    process.env.HOIDAP_DATA_DIR = reorganised;
    const result = await hoidap(['import', '--db', path.join(tmp, 'wrong.sqlite'), file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('wrong-dates.jsonl:2: "assigned" to "so-nnmt" on 2024-05-02, but that agency exists from 2025-03-01');
    expect(result.stderr).toContain('wrong-dates.jsonl:4: "assigned" to "so-tnmt" on 2025-03-02, but that agency exists from the beginning until 2025-03-01; its successor is "so-nnmt"');
    expect(result.stderr).not.toContain('jsonl:7');
  });
});
