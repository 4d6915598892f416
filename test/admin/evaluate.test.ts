import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateAdminParser, formatAdminEvaluation, readLabelledRequests, type AdminEvaluation, type LabelledRequest, type StructuredQuery } from '../../src/admin/evaluate';
import { PROJECT_ROOT } from '../../src/config/paths';
import { hoidap } from '../helpers/cli';

const NONE: StructuredQuery = { intent: 'unknown', agency: null, from: null, to: null, at: null, status: null };

function request(id: string, text: string, expected: Partial<StructuredQuery>, style = 'accented'): LabelledRequest {
  return { id, text, expected: { ...NONE, ...expected }, style };
}

describe('evaluateAdminParser: exact match of the six fields, and each field, intent and style', () => {
  const requests = [
    request('a-1', 'quá hạn Bảo Thắng', { intent: 'overdue', agency: 'h-baothang' }),
    request('a-2', 'qua han bao thang tinh den 25/9', { intent: 'overdue', agency: 'h-baothang', at: '2023-09-25' }, 'unaccented'),
    request('a-3', 'điểm quý 3', { intent: 'scores', from: '2023-07-01', to: '2023-09-30' }),
    request('a-4', 'chào bot', {}),
  ];
  // A parser that forgets every as-of day and reads every score query as quarter 2.
  const answers: Record<string, StructuredQuery> = {
    'quá hạn Bảo Thắng': { ...NONE, intent: 'overdue', agency: 'h-baothang' },
    'qua han bao thang tinh den 25/9': { ...NONE, intent: 'overdue', agency: 'h-baothang' },
    'điểm quý 3': { ...NONE, intent: 'scores', from: '2023-04-01', to: '2023-06-30' },
    'chào bot': NONE,
  };
  let e: AdminEvaluation;
  beforeAll(() => {
    e = evaluateAdminParser(requests, (text) => answers[text]);
  });

  test('overall and per field', () => {
    expect(e.overall).toEqual({ n: 4, correct: 2, accuracy: 0.5 });
    expect(e.perField.intent).toEqual({ n: 4, correct: 4, accuracy: 1 });
    expect(e.perField.at).toEqual({ n: 4, correct: 3, accuracy: 0.75 });
    expect(e.perField.from.correct).toBe(3);
    expect(e.perField.status.correct).toBe(4);
  });

  test('per expected intent and per style', () => {
    expect(e.perIntent).toEqual({
      overdue: { n: 2, correct: 1, accuracy: 0.5 },
      scores: { n: 1, correct: 0, accuracy: 0 },
      unknown: { n: 1, correct: 1, accuracy: 1 },
    });
    expect(e.perStyle).toEqual({ accented: { n: 3, correct: 2, accuracy: 2 / 3 }, unaccented: { n: 1, correct: 0, accuracy: 0 } });
  });

  test('the misses, with the fields that differ, listed in the report', () => {
    expect(e.misses.map((m) => [m.id, m.fields])).toEqual([
      ['a-2', ['at']],
      ['a-3', ['from', 'to']],
    ]);
    const report = formatAdminEvaluation(e, 'set.jsonl');
    expect(report).toContain('4 requests from set.jsonl');
    expect(report).toContain('exact match (all six fields)   50.0%  (2/4)');
    expect(report).toMatch(/ {2}at {8} 75\.0% {2}\(3\/4\)/);
    expect(report).toContain('  a-3 [accented] điểm quý 3\n    expected intent=scores agency=- from=2023-07-01 to=2023-09-30 at=- status=-\n    got      intent=scores agency=- from=2023-04-01 to=2023-06-30');
  });
});

describe('readLabelledRequests', () => {
  test('each bad line is named with its number and what is wrong; blank lines are skipped', () => {
    const good = JSON.stringify(request('x-1', 'quá hạn', { intent: 'overdue' }));
    const lines = [
      good,
      '',
      '{not json',
      JSON.stringify({ ...request('x-2', 'a', {}), expected: { ...NONE, intent: 'late' } }),
      JSON.stringify(request('x-3', 'a', { intent: 'overdue', agency: 'so-khong-co' })),
      JSON.stringify({ ...request('x-4', 'a', {}), expected: { ...NONE, at: '25/9/2023' } }),
    ];
    const { requests, problems } = readLabelledRequests(lines.join('\n'), 'f.jsonl', (code) => code === 'h-baothang');
    expect(requests.map((r) => r.id)).toEqual(['x-1']);
    expect(problems).toEqual([
      'f.jsonl:3: not valid JSON',
      expect.stringMatching(/^f\.jsonl:4: expected\.intent: /),
      'f.jsonl:5: expected.agency: unknown agency code "so-khong-co"',
      'f.jsonl:6: expected.at: a day written YYYY-MM-DD',
    ]);
  });
});

describe('hoidap eval-admin', () => {
  const DEV = path.join(PROJECT_ROOT, 'test/fixtures/admin-requests-dev.jsonl');

  test('on the dev set written by a separate writer (today 2 October 2023): a report with every part', async () => {
    const run = await hoidap(['eval-admin', DEV, '--today', '2023-10-02']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^75 requests from .*admin-requests-dev\.jsonl\nexact match \(all six fields\) +\d+\.\d%/);
    for (const part of ['per field', '  intent', '  agency', '  from', '  to', '  at', '  status', 'per intent (expected)', '  overdue', '  export', 'per style', '  unaccented', '  english', 'misses ('])
      expect(run.stdout).toContain(part);
  });

  test('--format json; the parser stays above 90% on the dev set, every field above 95%', async () => {
    const run = await hoidap(['eval-admin', DEV, '--today', '2023-10-02', '--format', 'json']);
    const e = JSON.parse(run.stdout) as AdminEvaluation;
    expect(e.overall.n).toBe(75);
    expect(e.overall.accuracy).toBeGreaterThanOrEqual(0.9);
    for (const [field, a] of Object.entries(e.perField)) expect({ field, ok: a.accuracy >= 0.95 }).toEqual({ field, ok: true });
  });

  test('"hôm qua" and "quý trước" are read from --today', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-eval-admin-'));
    const file = path.join(dir, 'set.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify(request('t-1', 'quá hạn Bảo Thắng tính đến hôm qua', { intent: 'overdue', agency: 'h-baothang', at: '2024-01-09' })),
        JSON.stringify(request('t-2', 'điểm quý trước', { intent: 'scores', from: '2023-10-01', to: '2023-12-31' })),
      ].join('\n'),
    );
    const run = await hoidap(['eval-admin', file, '--today', '2024-01-10']);
    expect(run.stdout).toContain('exact match (all six fields)  100.0%  (2/2)');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a bad file or a bad --today is a usage error (exit 2) naming the line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-eval-admin-'));
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, '{"id": "b-1", "text": "x"}\n');
    const run = await hoidap(['eval-admin', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:1: expected:`);
    expect((await hoidap(['eval-admin', DEV, '--today', '2/10/2023'])).stderr).toContain('--today must be a date written YYYY-MM-DD');
    expect((await hoidap(['eval-admin'])).code).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
