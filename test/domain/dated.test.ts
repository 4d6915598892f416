import fs from 'node:fs';
import path from 'node:path';
import { DataError, loadProvinceData } from '../../src/config/data';
import { AgencyDirectory, AgencyListSchema, type Agency } from '../../src/domain/agencies';
import { mergeOverride } from '../../src/domain/dated';
import { PolicySchema, RuleBook } from '../../src/domain/policy';
import { dataCopy, stricterRulesFrom } from '../helpers/data-copy';
import { day, instant, province } from '../helpers/province';

/** Dated data (issue 15): rules and agencies with periods, validated with the period named. */

function loadError(dir: string): DataError {
  try {
    loadProvinceData(dir);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('the data loaded');
}

const base = JSON.parse(fs.readFileSync(path.join(__dirname, '../../data/policy.json'), 'utf8'));

describe('rules over time (policy.json versions)', () => {
  test('policy.json without versions is the rule set of all time', () => {
    const { rules, policy } = province();
    expect(rules.periods).toHaveLength(1);
    expect(rules.onDay(day('1990-01-01'))).toEqual({ deadlines: policy.deadlines, scoring: policy.scoring });
    expect(rules.onDay(day('2099-12-31'))).toEqual({ deadlines: policy.deadlines, scoring: policy.scoring });
  });

  test('each version is in force from its day (local) until the next; what it does not give carries over', () => {
    const policy = PolicySchema.parse({
      ...base,
      versions: [
        { from: '2025-01-01', document: 'QĐ A', deadlines: { answerWorkingDays: 7 } },
        { from: '2026-01-01', document: 'QĐ B', scoring: { highVolume: { score: 20 } } },
      ],
    });
    const book = new RuleBook(policy);
    expect(book.onDay(day('2024-12-31')).deadlines.answerWorkingDays).toBe(10);
    expect(book.onDay(day('2025-01-01')).deadlines).toEqual({ acceptWorkingDays: 2, answerWorkingDays: 7, extension: { maxWorkingDays: 5 } });
    expect(book.onDay(day('2026-03-01'))).toEqual({
      deadlines: { acceptWorkingDays: 2, answerWorkingDays: 7, extension: { maxWorkingDays: 5 } },
      scoring: { ...base.scoring, highVolume: { score: 20, answersInAMonthMoreThan: 10 } },
    });
    // The local day decides: 31/12/2024 23:30 in Hà Nội is 16:30 UTC, still the old rules.
    expect(book.at(instant('2024-12-31T23:30:00+07:00')).deadlines.answerWorkingDays).toBe(10);
    expect(book.at(instant('2024-12-31T17:30:00Z')).deadlines.answerWorkingDays).toBe(7);
    expect(book.periods.map((p) => [p.from, p.until, p.document])).toEqual([
      [undefined, '2025-01-01', undefined],
      ['2025-01-01', '2026-01-01', 'QĐ A'],
      ['2026-01-01', undefined, 'QĐ B'],
    ]);
  });

  test('a wrong version is reported with the period it belongs to', () => {
    const err = loadError(
      dataCopy({
        policy: (p) => {
          p.versions = [
            { ...stricterRulesFrom('2025-01-01') },
            { from: '2025-06-01', document: 'QĐ C', scoring: { bonus: 3 } },
            { from: '2027-02-30', deadlines: { answerWorkingDays: 0 } },
          ];
        },
      }),
    );
    expect(err.problems).toEqual([
      'versions[1].scoring (the rules in force from 2025-06-01): Unrecognized key: "bonus"',
      'versions[2].from (the rules in force from 2027-02-30): must be a real date written YYYY-MM-DD',
      'versions[2].document (the rules in force from 2027-02-30): Invalid input: expected string, received undefined',
      'versions[2].deadlines.answerWorkingDays (the rules in force from 2027-02-30): Too small: expected number to be >=1',
    ]);
  });

  test('each version is checked as the rule set it makes, merged over the one before; versions are in date order', () => {
    const err = loadError(
      dataCopy({
        policy: (p) => {
          p.versions = [
            stricterRulesFrom('2025-01-01'),
            // over the 2025 rules (answer 7 working days), acceptance in 9 is longer than the answer
            { from: '2026-01-01', document: 'QĐ B', deadlines: { acceptWorkingDays: 9 } },
            { from: '2025-06-01', document: 'QĐ C', scoring: { otherwise: 14 } },
          ];
        },
      }),
    );
    expect(err.problems).toEqual([
      'versions[2].from (the rules in force from 2025-06-01): must be after 2026-01-01 (the entry\'s from or the previous version\'s): versions are in date order',
      'versions[1].deadlines.acceptWorkingDays (the rules in force from 2026-01-01): deadlines.acceptWorkingDays must not exceed deadlines.answerWorkingDays (with what this version does not change carried over from the rules before it)',
    ]);
  });

  test('an error in the base rules says they are the rules before the first version', () => {
    const err = loadError(
      dataCopy({
        policy: (p) => {
          p.deadlines.answerWorkingDays = 1;
          p.versions = [stricterRulesFrom('2025-01-01')];
        },
      }),
    );
    expect(err.problems).toContain('deadlines.acceptWorkingDays (the rules in force until 2025-01-01): deadlines.acceptWorkingDays must not exceed deadlines.answerWorkingDays');
  });

  test('an override merges deeply and replaces lists', () => {
    expect(mergeOverride({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });
});

describe('agencies over time', () => {
  const tnmt = (extra: Partial<Agency>): Agency => ({
    code: 'so-tnmt',
    name: 'Sở Tài nguyên và Môi trường',
    shortName: 'Sở TN&MT',
    kind: 'department',
    appendix02Row: 2,
    aliases: [],
    ...extra,
  });
  const nnmt = (extra: Partial<Agency>): Agency => ({
    code: 'so-nnmt',
    name: 'Sở Nông nghiệp và Môi trường',
    shortName: 'Sở NN&MT',
    kind: 'department',
    appendix02Row: 2,
    aliases: [],
    ...extra,
  });

  test('from/until, a successor and dated versions: the agency as it is on a day', () => {
    const list = AgencyListSchema.parse({
      agencies: [
        tnmt({ until: '2025-03-01', successor: 'so-nnmt', versions: [{ from: '2024-01-01', appendix02Row: 5, name: 'Sở TN và MT' }] }),
        nnmt({ from: '2025-03-01', versions: [{ from: '2025-07-01', name: 'Sở Nông nghiệp và Môi trường tỉnh Lào Cai', appendix02Row: 1 }] }),
      ],
    });
    const dir = new AgencyDirectory(list.agencies);
    expect(dir.onDay('so-tnmt', day('2023-06-01'))).toMatchObject({ name: 'Sở Tài nguyên và Môi trường', appendix02Row: 2 });
    expect(dir.onDay('so-tnmt', day('2024-06-01'))).toMatchObject({ name: 'Sở TN và MT', appendix02Row: 5 });
    expect(dir.onDay('so-tnmt', day('2025-03-01'))).toBeUndefined();
    expect(dir.onDay('so-nnmt', day('2025-02-28'))).toBeUndefined();
    expect(dir.onDay('so-nnmt', day('2025-07-01'))).toMatchObject({ appendix02Row: 1 });
    expect(dir.cannotStartCaseOn('so-tnmt', day('2025-03-01'))).toBe('"so-tnmt" on 2025-03-01, but that agency exists from the beginning until 2025-03-01; its successor is "so-nnmt"');
    expect(dir.cannotStartCaseOn('so-nnmt', day('2025-03-01'))).toBeUndefined();
    // the rows of a period: as they were on each agency's last day in it
    expect(dir.forReport(day('2023-01-01'), day('2023-12-31'), new Set()).map((a) => [a.code, a.appendix02Row])).toEqual([['so-tnmt', 2]]);
    expect(dir.forReport(day('2025-01-01'), day('2025-12-31'), new Set()).map((a) => [a.code, a.appendix02Row, a.name])).toEqual([
      ['so-nnmt', 1, 'Sở Nông nghiệp và Môi trường tỉnh Lào Cai'],
      ['so-tnmt', 5, 'Sở TN và MT'],
    ]);
  });

  test('errors name the agency and the period: overlapping rows, a successor that does not exist then, versions out of order', () => {
    const result = AgencyListSchema.safeParse({
      agencies: [
        tnmt({ until: '2025-07-01', successor: 'so-nnmt' }),
        nnmt({ from: '2025-03-01', versions: [{ from: '2025-02-01', name: 'X' }] }),
        nnmt({ code: 'so-x', from: '2025-01-01', until: '2024-01-01', successor: 'so-y' }),
      ],
    });
    expect(result.success).toBe(false);
    const problems = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems).toContain('agencies.1.appendix02Row: duplicate appendix02Row 2: so-tnmt has that row from the beginning until 2025-07-01, so-nnmt from 2025-03-01');
    expect(problems).toContain('agencies.1.versions.0.from: must be after 2025-03-01 (the entry\'s from or the previous version\'s): versions are in date order');
    expect(problems).toContain('agencies.2.until: must be after from (2025-01-01)');
    expect(problems).toContain('agencies.2.successor: "so-y" is not an agency code in this file');
  });

  test('in agencies.json, the message says which agency and which of its periods', () => {
    const err = loadError(
      dataCopy({
        agencies: (list) => {
          list.push({ code: 'so-moi', name: 'Sở Mới', shortName: 'Sở Mới', kind: 'department', appendix02Row: 38, aliases: [], from: '2025-03-01', versions: [{ from: '2025-07-01', appendix02Row: 1 }] });
        },
      }),
    );
    expect(err.problems).toEqual([
      `agencies[${province().agencies.all.length}].versions[0].appendix02Row (so-moi, its version from 2025-07-01): duplicate appendix02Row 1: so-gddt has that row from the beginning, so-moi from 2025-07-01`,
    ]);
  });

  test('a successor must exist on the day its predecessor ends', () => {
    const result = AgencyListSchema.safeParse({ agencies: [tnmt({ until: '2025-03-01', successor: 'so-nnmt' }), nnmt({ from: '2025-07-01', appendix02Row: 3 })] });
    expect(result.error?.issues.map((i) => i.message)).toEqual(['so-nnmt must exist on 2025-03-01, the day so-tnmt ends; it exists from 2025-07-01']);
  });
});

describe('a case keeps the rules of the day it started', () => {
  test('deadlines and the extension cap: a case started before the change keeps the old ones, even when extended after it', async () => {
    const { Ledger } = await import('../../src/ledger/ledger');
    const { SqliteLedgerStore } = await import('../../src/store/sqlite');
    const dir = dataCopy({ policy: (p) => (p.versions = [stricterRulesFrom('2025-01-01')]) });
    const data = loadProvinceData(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const store = new SqliteLedgerStore(':memory:');
    try {
      const ledger = new Ledger(store, data);
      const e = (q: string, type: string, at: string, extra: Record<string, unknown> = {}) => JSON.stringify({ q, type, at, ...extra });
      const result = await ledger.importLines([
        e('HD-2024-000001', 'submitted', '2024-12-31T09:00:00+07:00', { channel: 'portal', text: 'trước' }),
        e('HD-2024-000001', 'assigned', '2024-12-31T10:00:00+07:00', { agency: 'so-yte' }),
        e('HD-2024-000001', 'extended', '2025-01-03T10:00:00+07:00', { agency: 'so-yte', days: 5, reason: 'xác minh' }),
        e('HD-2025-000002', 'submitted', '2025-01-02T09:00:00+07:00', { channel: 'portal', text: 'sau' }),
        e('HD-2025-000002', 'assigned', '2025-01-02T10:00:00+07:00', { agency: 'so-yte' }),
        e('HD-2025-000002', 'extended', '2025-01-03T10:00:00+07:00', { agency: 'so-yte', days: 5, reason: 'xác minh' }),
      ]);
      expect(result.errors).toEqual([]);
      const states = await store.loadQuestions(['HD-2024-000001', 'HD-2025-000002']);
      const before = states.get('HD-2024-000001')?.cases[0];
      const after = states.get('HD-2025-000002')?.cases[0];
      const { calendar } = data;
      // 31/12/2024: accept in 2 working days, answer in 10, extension up to 5
      expect(before).toMatchObject({
        acceptDue: calendar.deadline(instant('2024-12-31T10:00:00+07:00'), 2),
        baseAnswerDue: calendar.deadline(instant('2024-12-31T10:00:00+07:00'), 10),
        extension: { days: 5, appliedDays: 5 },
      });
      // 02/01/2025: accept in 1, answer in 7, extension capped at 2
      expect(after).toMatchObject({
        acceptDue: calendar.deadline(instant('2025-01-02T10:00:00+07:00'), 1),
        baseAnswerDue: calendar.deadline(instant('2025-01-02T10:00:00+07:00'), 7),
        extension: { days: 5, appliedDays: 2 },
      });
      expect(after?.answerDue).toBe(calendar.extendDeadline(after?.baseAnswerDue as number, 2));
    } finally {
      await store.close();
    }
  });
});
