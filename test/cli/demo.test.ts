import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../../src/config/data';
import { PROJECT_ROOT } from '../../src/config/paths';
import { hoidap } from '../helpers/cli';

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-demo-'));
const db = path.join(dir, 'x.sqlite');

function rowsOf(csv: string): Array<Record<string, string>> {
  const rows = parseCsv(csv);
  const header = rows.shift() as string[];
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

beforeAll(async () => {
  const run = await hoidap(['import', '--db', db, DEMO]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^imported \d+ event\(s\) of 366 question\(s\); 0 already present/);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the demo ledger reproduces Phụ biểu 02 of report 410/BC-UBND', () => {
  test('every one of the 37 agencies has the published counts and score', async () => {
    const run = await hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'csv']);
    expect(run.code).toBe(0);
    const got = new Map(rowsOf(run.stdout).map((r) => [r.agency, r]));
    const published = rowsOf(fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/appendix02-2023.csv'), 'utf8'));
    expect(published).toHaveLength(37);
    for (const want of published) {
      const row = got.get(want.agency);
      const columns = ['total', 'answered', 'awaiting_answer', 'awaiting_acceptance', 'deleted', 'score'];
      expect({ agency: want.agency, ...Object.fromEntries(columns.map((c) => [c, row?.[c]])) }).toEqual({
        agency: want.agency,
        ...Object.fromEntries(columns.map((c) => [c, want[c]])),
      });
    }
    expect(got.size).toBe(37);
  });

  test('the summary paragraph is worded like section II.1 and computed from the rows', async () => {
    const run = await hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'md']);
    expect(run.stdout).toContain('| | **Tổng số** | **371** | **300** | **1** | **7** | **63** | |');
    expect(run.stdout).toContain('Trong 9 tháng năm 2023 (từ ngày 01/01/2023 đến ngày 25/09/2023), chuyên mục Hỏi - Đáp đã nhận được 371 câu hỏi');
    expect(run.stdout).toContain('trả lời được 300/308 câu hỏi đủ điều kiện trả lời, đạt 97%');
    expect(run.stdout).toContain('xóa 63 câu hỏi, chiếm 17%');
    expect(run.stdout).toContain('Có 21/37 cơ quan, đơn vị');
    expect(run.stdout).toContain('đạt 18 điểm: Sở Giáo dục và Đào tạo (78 câu hỏi)');
    expect(run.stdout).toContain('15/37 cơ quan, đơn vị đạt 15 điểm; trong đó có 10 cơ quan, đơn vị không nhận được câu hỏi nào');
    expect(run.stdout).toContain('01/37 cơ quan, đơn vị đạt 0 điểm: UBND huyện Bảo Thắng (6/6 câu hỏi');
  });

  test('json and xlsx carry the same table', async () => {
    const json = JSON.parse((await hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'json'])).stdout);
    expect(json.totals).toMatchObject({ total: 371, answered: 300, deleted: 63 });
    expect(json.rows.find((r: { agency: string }) => r.agency === 'h-baothang')).toMatchObject({ score: 0, awaitingAcceptance: 5 });
    const file = path.join(dir, 'pb02.xlsx');
    expect((await hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'xlsx', '--out', file])).code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Phụ biểu 02');
    const names = sheet?.getColumn(2).values.map(String) ?? [];
    expect(names).toContain('Sở Giáo dục và Đào tạo');
    const totals = sheet?.getRow(sheet.rowCount).values as unknown[];
    expect(totals.slice(2, 8)).toEqual(['Tổng số', 371, 300, 1, 7, 63]);
  });

  test('"bao thang" overdue at 25/09/2023 17:00 lists its five questions never accepted, with deadlines and working days overdue', async () => {
    const run = await hoidap(['overdue', '--db', db, '--agency', 'bao thang', '--at', '2023-09-25T17:00:00+07:00']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('UBND huyện Bảo Thắng (h-baothang): 5 câu hỏi quá hạn lúc 25/09/2023 17:00');
    expect(lines.slice(1).map((l) => l.split('  ')[1])).toEqual(['nhận 19/04/2023', 'nhận 22/07/2023', 'nhận 22/07/2023', 'nhận 13/08/2023', 'nhận 18/08/2023']);
    for (const line of lines.slice(1)) expect(line).toMatch(/chưa tiếp nhận {2}hạn tiếp nhận \d\d\/\d\d\/2023, hạn trả lời \d\d\/\d\d\/2023 {2}quá hạn trả lời \d+ ngày làm việc/);
    // 18/08 (Friday): answer due 10 working days later, 1/9 and 4/9 being National Day holidays.
    expect(lines[5]).toContain('hạn trả lời 05/09/2023  quá hạn trả lời 14 ngày làm việc');
    const json = JSON.parse((await hoidap(['overdue', '--db', db, '--agency', 'UBND huyện Bảo Thắng', '--at', '2023-09-25T17:00:00+07:00', '--format', 'json'])).stdout);
    expect(json.overdue).toHaveLength(5);
  });

  test('import then export gives back the same events', async () => {
    const run = await hoidap(['export', '--db', db]);
    const parse = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l));
    expect(parse(run.stdout)).toEqual(parse(fs.readFileSync(DEMO, 'utf8')));
  });

  test('importing the same file twice adds nothing', async () => {
    const run = await hoidap(['import', '--db', db, DEMO]);
    expect(run.stdout).toMatch(/^imported 0 event\(s\) of 0 question\(s\); \d+ already present/);
  });
});

describe('command-line errors', () => {
  test('an invalid ledger file: every bad line with its number, nothing imported, exit 2', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, ['{"q":"HD-1","type":"submitted","at":"2023-01-02T08:00:00+07:00","channel":"portal","text":"x"}', '{oops', '{"q":"HD-1","type":"assigned","at":"2023-01-02T09:00:00+07:00","agency":"nowhere"}'].join('\n'));
    const fresh = path.join(dir, 'fresh.sqlite');
    const run = await hoidap(['import', '--db', fresh, bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}:2: not valid JSON`);
    expect(run.stderr).toContain(`${bad}:3: unknown agency code "nowhere"`);
    expect(run.stderr).toContain('nothing was imported');
    expect((await hoidap(['export', '--db', fresh])).stdout).toBe('');
  });

  test.each([
    [['report', '--db', db, '--from', '2023-13-01', '--to', '2023-09-25'], /--from must be a date written YYYY-MM-DD/],
    [['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'pdf'], /--format must be one of csv, json, md, xlsx/],
    [['overdue', '--db', db, '--agency', 'Sở Không Có'], /no agency is called "Sở Không Có"/],
    [['overdue', '--db', db, '--agency', 'h-baothang', '--at', '2023-09-25 17:00'], /--at must be an ISO 8601 instant with an offset/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j is refused with a precise message and exit 2', async (args, message) => {
    const run = await hoidap(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('the installed `hoidap` command runs (bin → compiled dist)', () => {
    const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/hoidap.js'), 'overdue', '--db', db, '--agency', 'h-vanban', '--at', '2023-09-25T17:00:00+07:00'], { encoding: 'utf8' });
    expect(out).toMatch(/^UBND huyện Văn Bàn \(h-vanban\): 2 câu hỏi quá hạn/);
  });
});
