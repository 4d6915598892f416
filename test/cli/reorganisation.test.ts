import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError, loadProvinceData } from '../../src/config/data';
import { PROJECT_ROOT } from '../../src/config/paths';
import { loadRoutingResources } from '../../src/routing/load';
import { hoidap } from '../helpers/cli';
import { dataCopy } from '../helpers/data-copy';
import { day, province } from '../helpers/province';

/**
 * The province as it is since 2025 (issue 15): the organisation of 2025 in data/, routing
 * on a day, `hoidap reorganise`, and reports on each side of 1 July 2025.
 */

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
const PLAN = path.join(PROJECT_ROOT, 'data/plans/2025.json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-reorg-'));
const savedDataDir = process.env.HOIDAP_DATA_DIR;
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.HOIDAP_DATA_DIR;
  else process.env.HOIDAP_DATA_DIR = savedDataDir;
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => delete process.env.HOIDAP_DATA_DIR);

async function ok(args: string[], stdin = ''): Promise<string> {
  const run = await hoidap(args, stdin);
  if (run.code !== 0) throw new Error(`hoidap ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

let dbs = 0;
async function demoCopy(): Promise<string> {
  const db = path.join(tmp, `demo-${(dbs += 1)}.sqlite`);
  await ok(['import', '--db', db, DEMO]);
  return db;
}

const route = async (text: string, at?: string) => JSON.parse(await ok(['route', ...(at ? ['--at', at] : [])], `${JSON.stringify({ id: 1, text })}\n`)) as { agency: string; candidates: Array<{ agency: string }> };

describe('a local topic goes to the committee in force on the routing day', () => {
  test('household land in a ward of the new province: that ward’s committee today, the 2023 district with --at 2023-09-01', async () => {
    const ward = 'Gia đình tôi ở phường Kim Tân, thành phố Lào Cai, xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất ở cho hộ gia đình';
    expect((await route(ward)).agency).toBe('p-laocai'); // phường Kim Tân is part of phường Lào Cai since 2025-07-01
    expect((await route(ward, '2023-09-01')).agency).toBe('tp-laocai');
    // A citizen still writes the former commune and district.
    const former = 'Tôi ở xã Phong Niên, huyện Bảo Thắng, muốn làm sổ đỏ cho đất ở của hộ gia đình';
    expect((await route(former)).agency).toBe('x-xuanquang');
    expect((await route(former, '2023-09-01')).agency).toBe('h-baothang');
    // Yên Bái was another province in 2023 (the department then); its wards are ours now.
    const yenBai = 'Hộ gia đình tôi ở phường Nguyễn Thái Học, thành phố Yên Bái, xin cấp giấy chứng nhận quyền sử dụng đất ở';
    expect((await route(yenBai)).agency).toBe('p-yenbai');
    expect((await route(yenBai, '2023-09-01')).agency).toBe('so-tnmt');
    // A department topic goes to the department doing that work on the day.
    expect((await route('quyết toán thuế thu nhập cá nhân năm nay làm thế nào', '2025-05-01')).agency).toBe('thue-kv8');
    expect((await route('quyết toán thuế thu nhập cá nhân năm nay làm thế nào')).agency).toBe('thue-laocai');
  }, 60_000);

  test('no question is routed, even as a candidate, to an agency that has ended on the routing day', async () => {
    const texts = fs
      .readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/routing-dev-w4.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => JSON.stringify({ id: i, text: (JSON.parse(l) as { text: string }).text }));
    const { agencies } = province();
    for (const at of ['2025-08-01', '2024-06-01']) {
      const lines = (await ok(['route', '--at', at], `${texts.join('\n')}\n`)).trim().split('\n').map((l) => JSON.parse(l) as { agency: string; candidates: Array<{ agency: string }> });
      const routedTo = new Set(lines.flatMap((l) => [l.agency, ...l.candidates.map((c) => c.agency)]));
      const ended = [...routedTo].filter((code) => agencies.onDay(code, day(at)) === undefined);
      expect(ended).toEqual([]);
    }
  }, 60_000);
});

describe('the 2025 organisation in data/', () => {
  test('99 commune-level units (89 xã, 10 phường); every 2023 commune goes to one of them; each district ends on 2025-07-01 with the units formed from it as successors', () => {
    const data = province();
    const { places } = loadRoutingResources(data);
    const units = places.units ?? [];
    expect(units).toHaveLength(99);
    expect(units.filter((u) => u.kind === 'xã')).toHaveLength(89);
    expect(units.filter((u) => u.kind === 'phường')).toHaveLength(10);
    const lcCommunes = places.districts.reduce((n, d) => n + d.communes.length, 0);
    const lcPredecessors = units.flatMap((u) => u.predecessors).filter((p) => places.districts.some((d) => d.agency === p.district));
    expect(lcPredecessors).toHaveLength(lcCommunes);
    for (const d of places.districts) {
      const agency = data.agencies.get(d.agency);
      expect(agency?.until).toBe('2025-07-01');
      expect(new Set(agency?.successors)).toEqual(new Set(units.filter((u) => u.predecessors.some((p) => p.district === d.agency)).map((u) => u.agency)));
    }
    // Merged departments and renamed branches, each change with its document.
    expect(data.agencies.successorsOn('so-tnmt', day('2025-08-01'))).toEqual(['so-nnmt']);
    expect(data.agencies.successorsOn('cuc-thue', day('2025-08-01'))).toEqual(['thue-laocai']);
    expect(data.agencies.successorsOn('so-ldtbxh', day('2025-08-01'))).toEqual(['so-noivu']);
    for (const a of data.agencies.all) if (a.until) expect(a.document).toBeTruthy();
    expect(data.agencies.onDay('so-gtvt-xd', day('2025-08-01'))?.name).toBe('Sở Xây dựng');
  });

  test('lists show today’s agencies, as they are named today', () => {
    const today = province().agencies.inForceOnDay(day('2026-12-04'));
    const codes = today.map((a) => a.code);
    expect(codes).toEqual(expect.arrayContaining(['so-nnmt', 'thue-laocai', 'x-xuanquang', 'p-laocai', 'vp-ubnd']));
    for (const ended of ['so-tnmt', 'cuc-thue', 'h-baothang', 'tp-laocai', 'thue-kv8']) expect(codes).not.toContain(ended);
    expect(today.find((a) => a.code === 'bhxh-khuvuc')?.name).toBe('Bảo hiểm xã hội tỉnh Lào Cai');
  });

  test('a district whose successors disagree with the units of places.json is refused at start-up, naming the file, the entry and its period', () => {
    const dir = dataCopy({
      agencies: (list) => {
        const d = list.find((a) => a.code === 'h-baothang') ?? {};
        d.successors = (d.successors as string[]).filter((s) => s !== 'x-xuanquang');
      },
    });
    try {
      let error: unknown;
      try {
        loadRoutingResources(loadProvinceData(dir));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).file).toBe(path.join(dir, 'places.json'));
      expect((error as DataError).problems).toEqual([
        'districts[6] (huyện Bảo Thắng, until 2025-07-01): the successors of h-baothang in agencies.json must be the committees of the units formed from it; missing x-xuanquang',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hoidap reorganise', () => {
  test('the dry run prints what would happen agency by agency, lists the unconfirmed facts, and changes nothing', async () => {
    const db = await demoCopy();
    await ok(['account', 'create', '--db', db, '--name', 'Cán bộ Bảo Thắng', '--role', 'officer', '--agency', 'h-baothang']);
    const before = await ok(['export', '--db', db]);
    const out = await ok(['reorganise', '--db', db, '--plan', PLAN, '--dry-run']);
    expect(out).toContain('dry run: nothing is changed');
    expect(out).toMatch(/so-tnmt \(Sở Tài nguyên và Môi trường\) → so-nnmt \(Sở Nông nghiệp và Môi trường\)\n {4}no open question/);
    // Bảo Thắng's five questions never accepted (report 410/BC-UBND) go to the units of their places.
    expect(out).toMatch(/h-baothang \(UBND huyện Bảo Thắng\) → 6 units by the question's place[^\n]*\n {4}5 open question\(s\) would be forwarded/);
    expect(out).toMatch(/HD-2023-\d+ → x-[a-z]+ \(địa bàn: UBND xã [^)]+\) at 2025-07-01T00:00:00/);
    expect(out).toMatch(/officers and approvers for an admin to re-attach \(to the unit each works for\):\n {6}account \S+ Cán bộ Bảo Thắng \(officer\)/);
    expect(out).toMatch(/Unconfirmed \(\d+; check them before relying on them\):/);
    expect(out).toContain('hq-khuvuc (Chi cục Hải quan khu vực): the number of the regional customs branch');
    expect(out).toContain('vqg-hoanglien (Vườn quốc gia Hoàng Liên): no source after 2025 was found');
    expect(await ok(['export', '--db', db])).toBe(before);
  }, 60_000);

  test('applied to a copy of the demo database: the 2023 Phụ biểu 02 is unchanged, the open questions are forwarded with the reason, a second run adds nothing', async () => {
    const db = await demoCopy();
    const report = async () => {
      const out: string[] = [];
      for (const format of ['csv', 'json', 'md']) out.push(await ok(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', format]));
      return out;
    };
    const before = await report();
    const applied = await ok(['reorganise', '--db', db, '--plan', PLAN]);
    expect(applied).toMatch(/8 forward\(s\) were recorded/);
    expect(await report()).toEqual(before);
    // and it is the published table (report 410/BC-UBND)
    const table = (csv: string) => {
      const [head, ...lines] = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      const columns = head.split(',');
      return lines.map((l) => {
        const cells = l.match(/("[^"]*"|[^,]+)/g) ?? [];
        return Object.fromEntries(columns.map((c, i) => [c, cells[i]]).filter(([c]) => ['row', 'agency', 'total', 'answered', 'awaiting_answer', 'awaiting_acceptance', 'deleted', 'score'].includes(c as string)));
      });
    };
    expect(table(before[0])).toEqual(table(fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/appendix02-2023.csv'), 'utf8')));
    const forwards = (await ok(['export', '--db', db]))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>)
      .filter((e) => e.by === 'system:reorganise');
    expect(forwards).toHaveLength(8);
    for (const f of forwards) {
      expect(f).toMatchObject({ type: 'forwarded', at: '2025-07-01T00:00:00.000+07:00' });
      expect(f.reason).toMatch(/^Chính quyền địa phương hai cấp .* \(UBND (huyện|thành phố) [^→]+ → [^;]+; .*Nghị quyết số 1673\/NQ-UBTVQH15/);
    }
    expect(forwards.filter((f) => f.from === 'h-baothang').every((f) => /^x-/.test(f.agency))).toBe(true);
    expect(await ok(['reorganise', '--db', db, '--plan', PLAN])).toMatch(/0 forward\(s\) were recorded/);
  }, 120_000);

  test('a plan that disagrees with data/ is refused, naming the file, the step, the entry and its day; nothing changes', async () => {
    const db = await demoCopy();
    const plan = JSON.parse(fs.readFileSync(PLAN, 'utf8'));
    plan.steps[0].agencies[0].to = 'so-taichinh';
    plan.steps[2].on = '2025-02-01';
    const file = path.join(tmp, 'wrong-plan.json');
    fs.writeFileSync(file, JSON.stringify(plan));
    const before = await ok(['export', '--db', db]);
    const run = await hoidap(['reorganise', '--db', db, '--plan', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: steps[2].on (on 2025-02-01): must be after 2025-03-15: steps are in date order`);
    const fixed = { ...plan, steps: plan.steps.map((s: { on: string }, i: number) => (i === 2 ? { ...s, on: '2025-07-01' } : s)) };
    fs.writeFileSync(file, JSON.stringify(fixed));
    const second = await hoidap(['reorganise', '--db', db, '--plan', file]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('steps[0].agencies[0] (so-tnmt, on 2025-03-01): agencies.json gives so-tnmt the successor(s) so-nnmt; the plan says so-taichinh');
    expect(await ok(['export', '--db', db])).toBe(before);
    expect((await hoidap(['reorganise', '--db', db])).code).toBe(2);
  }, 60_000);
});

describe('a ledger crossing 1 July 2025', () => {
  const e = (q: string, type: string, at: string, extra: Record<string, unknown> = {}) => JSON.stringify({ q, type, at: `${at}+07:00`, ...extra });
  const land = (place: string) => `Gia đình tôi ở ${place} xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất ở`;
  const beforeJuly = [
    // Answered in June by the district.
    e('HD-2025-000001', 'submitted', '2025-06-10T09:00:00', { channel: 'portal', text: land('xã Phong Niên, huyện Bảo Thắng') }),
    e('HD-2025-000001', 'assigned', '2025-06-10T09:05:00', { agency: 'h-baothang', by: 'bot' }),
    e('HD-2025-000001', 'accepted', '2025-06-11T09:00:00', { agency: 'h-baothang' }),
    e('HD-2025-000001', 'answered', '2025-06-16T09:00:00', { agency: 'h-baothang', authorized: true, text: 'Trả lời' }),
    // Accepted by the district, still open on 1 July: forwarded to xã Gia Phú (xã Xuân Giao's unit).
    e('HD-2025-000002', 'submitted', '2025-06-20T09:00:00', { channel: 'portal', text: land('xã Xuân Giao, huyện Bảo Thắng') }),
    e('HD-2025-000002', 'assigned', '2025-06-20T09:05:00', { agency: 'h-baothang', by: 'bot' }),
    e('HD-2025-000002', 'accepted', '2025-06-23T09:00:00', { agency: 'h-baothang' }),
    // No commune named: the triage desk chooses the unit.
    e('HD-2025-000003', 'submitted', '2025-06-25T09:00:00', { channel: 'portal', text: 'Tôi muốn hỏi về việc tranh chấp đất đai với hàng xóm' }),
    e('HD-2025-000003', 'assigned', '2025-06-25T09:05:00', { agency: 'h-baothang', by: 'bot' }),
    // The merged department, answered in June.
    e('HD-2025-000004', 'submitted', '2025-06-05T09:00:00', { channel: 'portal', text: 'Khai thác cát sỏi trên sông cần giấy phép gì' }),
    e('HD-2025-000004', 'assigned', '2025-06-05T09:05:00', { agency: 'so-nnmt', by: 'bot' }),
    e('HD-2025-000004', 'answered', '2025-06-09T09:00:00', { agency: 'so-nnmt', authorized: true, text: 'Trả lời' }),
  ];
  const afterJuly = [
    e('HD-2025-000002', 'answered', '2025-07-03T09:00:00', { agency: 'x-giaphu', authorized: true, text: 'Trả lời' }),
    e('HD-2025-000005', 'submitted', '2025-07-10T09:00:00', { channel: 'portal', text: land('xã Xuân Quang') }),
    e('HD-2025-000005', 'assigned', '2025-07-10T09:05:00', { agency: 'x-xuanquang', by: 'bot' }),
    e('HD-2025-000005', 'answered', '2025-07-14T09:00:00', { agency: 'x-xuanquang', authorized: true, text: 'Trả lời' }),
    // Answered long after its deadline (10 working days from 1 August): late.
    e('HD-2025-000006', 'submitted', '2025-08-01T09:00:00', { channel: 'portal', text: land('thôn Cốc Sâm, xã Xuân Quang') }),
    e('HD-2025-000006', 'assigned', '2025-08-01T09:05:00', { agency: 'x-xuanquang', by: 'bot' }),
    e('HD-2025-000006', 'accepted', '2025-08-04T09:00:00', { agency: 'x-xuanquang' }),
    e('HD-2025-000006', 'answered', '2025-09-30T09:00:00', { agency: 'x-xuanquang', authorized: true, text: 'Trả lời' }),
    e('HD-2025-000007', 'submitted', '2025-07-15T09:00:00', { channel: 'portal', text: land('phường Cốc Lếu') }),
    e('HD-2025-000007', 'assigned', '2025-07-15T09:05:00', { agency: 'p-laocai', by: 'bot' }),
    e('HD-2025-000007', 'accepted', '2025-07-16T09:00:00', { agency: 'p-laocai' }),
    e('HD-2025-000007', 'answered', '2025-07-18T09:00:00', { agency: 'p-laocai', authorized: true, text: 'Trả lời' }),
  ];
  type Row = { agency: string; name: string; total: number; answered: number; awaitingAcceptance: number; late: number };
  const rows = async (db: string, from: string, to: string) => (JSON.parse(await ok(['report', '--db', db, '--from', from, '--to', to, '--format', 'json'])) as { rows: Row[] }).rows;

  test('each side of 1 July is scored under its own organisation: districts before, commune-level units after', async () => {
    const db = path.join(tmp, 'crossing.sqlite');
    const first = path.join(tmp, 'before-july.jsonl');
    const second = path.join(tmp, 'after-july.jsonl');
    fs.writeFileSync(first, `${beforeJuly.join('\n')}\n`);
    fs.writeFileSync(second, `${afterJuly.join('\n')}\n`);
    await ok(['import', '--db', db, first]);
    const firstHalf = await rows(db, '2025-01-01', '2025-06-30');
    await ok(['reorganise', '--db', db, '--plan', PLAN]);
    await ok(['import', '--db', db, second]);

    // January to June: the districts and the departments of the time; a unit of July is not in the table.
    expect(await rows(db, '2025-01-01', '2025-06-30')).toEqual(firstHalf);
    const h1 = new Map(firstHalf.map((r) => [r.agency, r]));
    expect(h1.get('h-baothang')).toMatchObject({ name: 'UBND huyện Bảo Thắng', total: 3, answered: 1, awaitingAcceptance: 1 });
    expect(h1.get('so-nnmt')).toMatchObject({ total: 1, answered: 1 });
    expect(h1.has('so-tnmt')).toBe(true); // it kept row 2 until 1 March
    expect(h1.has('x-xuanquang')).toBe(false);

    // July to December: the forwarded questions start new cases at the units (and the triage desk) on 1 July.
    const h2 = new Map((await rows(db, '2025-07-01', '2025-12-31')).map((r) => [r.agency, r]));
    expect(h2.has('h-baothang')).toBe(false);
    expect(h2.get('x-xuanquang')).toMatchObject({ name: 'UBND xã Xuân Quang', total: 2, answered: 2, late: 1 });
    expect(h2.get('x-giaphu')).toMatchObject({ total: 1, answered: 1, late: 0 });
    expect(h2.get('p-laocai')).toMatchObject({ total: 1, answered: 1, late: 0 });
    expect(h2.get('vp-ubnd')).toMatchObject({ total: 1, awaitingAcceptance: 1 });
    expect(h2.get('so-nnmt')).toMatchObject({ total: 0 });

    // And a case may not start at the district after it ended: the import names its successors.
    const late = path.join(tmp, 'late-district.jsonl');
    fs.writeFileSync(late, `${[e('HD-2025-000008', 'submitted', '2025-07-02T09:00:00', { channel: 'portal', text: 'x' }), e('HD-2025-000008', 'assigned', '2025-07-02T09:05:00', { agency: 'h-baothang' })].join('\n')}\n`);
    const refused = await hoidap(['import', '--db', db, late]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/"h-baothang" on 2025-07-02, but that agency exists from the beginning until 2025-07-01; its successors, each for part of its territory, are "x-/);
  }, 120_000);
});
