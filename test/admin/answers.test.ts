import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { answerDeps, bodyOf, understoodOf } from './helpers';
import { answerOverdue, answerQuery, answerScores, appendix02Attachment, pendingByAgency, pendingCounts, requestText, XLSX_CONTENT_TYPE, type AdminDeps } from '../../src/admin/answers';
import { citizenExcerpt, escapeMarkdown, excerpt } from '../../src/admin/format';
import { parseAdminQuery, structuredQuery, type AdminQuery } from '../../src/admin/query';
import { PROJECT_ROOT } from '../../src/config/paths';
import type { Agency } from '../../src/domain/agencies';
import { Ledger } from '../../src/ledger/ledger';
import { overdueQuestions } from '../../src/queries/overdue';
import { appendix02Report } from '../../src/reports/appendix02';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { answerAdminQuery } from '../../dialogs/admin/adminDialog';
import { hoidap } from '../helpers/cli';
import { day, instant, province } from '../helpers/province';

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
const AT_ISO = '2023-09-25T17:00:00+07:00';
const AT = instant(AT_ISO);
const data = province();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-admin-'));
const db = path.join(dir, 'demo.sqlite');

let deps: AdminDeps;

function query(text: string): AdminQuery {
  return parseAdminQuery(text, { agencies: data.agencies, normalizer: deps.normalizer, gazetteer: deps.gazetteer, clock: data.clock, now: deps.now() });
}

function agency(code: string): Agency {
  const a = data.agencies.get(code);
  if (!a) throw new Error(`no agency ${code}`);
  return a;
}

interface CliOverdue {
  agency: string;
  overdue: Array<{ q: string; deadline: 'accept' | 'answer'; due: string; workingDaysOverdue: number; accepted: boolean }>;
}

async function cliOverdue(agencyArg: string): Promise<CliOverdue> {
  const run = await hoidap(['overdue', '--db', db, '--agency', agencyArg, '--at', AT_ISO, '--format', 'json']);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as CliOverdue;
}

beforeAll(async () => {
  // The CLI reads a database file; the chat answers read an in-memory store with the same ledger.
  expect(await hoidap(['import', '--db', db, DEMO])).toMatchObject({ code: 0, stderr: '' });
  const store = new SqliteLedgerStore(':memory:');
  const result = await new Ledger(store, data).importLines(fs.readFileSync(DEMO, 'utf8').split('\n'));
  expect(result.errors).toEqual([]);
  deps = answerDeps(store, AT);
});

afterAll(async () => {
  await deps.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('overdue questions: the same as `hoidap overdue`', () => {
  test('"cau hoi qua han bao thang" at 25/09/2023 17:00 lists exactly the CLI\'s questions, deadlines and working days overdue', async () => {
    const q = query('cau hoi qua han bao thang');
    expect(q).toMatchObject({ kind: 'overdue', agency: { code: 'h-baothang' } });
    if (q.kind !== 'overdue') return;
    const cli = await cliOverdue('Bảo Thắng');
    expect(cli.agency).toBe('h-baothang');
    expect(cli.overdue).toHaveLength(5);

    const answer = await answerOverdue(deps.store, data, agency('h-baothang'), AT);
    expect(answer.questions.map((o) => o.q)).toEqual(cli.overdue.map((o) => o.q));
    expect(answer.questions.map((o) => ({ q: o.q, deadline: o.overdue.deadline, due: data.clock.format(o.overdue.due), workingDaysOverdue: o.overdue.workingDaysOverdue }))).toEqual(
      cli.overdue.map((o) => ({ q: o.q, deadline: o.deadline, due: o.due, workingDaysOverdue: o.workingDaysOverdue })),
    );

    // What the admin reads: the same tickets in the same order, each with its deadline and days overdue.
    const [reply] = await answerAdminQuery('cau hoi qua han bao thang', deps);
    const text = bodyOf(reply.text);
    expect(understoodOf(reply.text)).toBe('_Đang hiểu là: câu hỏi quá hạn của UBND huyện Bảo Thắng, tính đến bây giờ (25/09/2023 17:00)._');
    expect(text).toMatch(/^\*\*UBND huyện Bảo Thắng\*\*: 5 câu hỏi quá hạn \(lúc 25\/09\/2023 17:00\)/);
    expect(text.match(/HD-\d{4}-\d{6}/g)).toEqual(cli.overdue.map((o) => o.q));
    for (const o of cli.overdue) {
      const line = text.split('\n').find((l) => l.includes(o.q)) ?? '';
      const due = `${o.due.slice(8, 10)}/${o.due.slice(5, 7)}/${o.due.slice(0, 4)}`;
      expect(line).toContain(`quá hạn ${o.deadline === 'accept' ? 'tiếp nhận' : 'trả lời'} ${o.workingDaysOverdue} ngày làm việc (hạn ${due})`);
      expect(line).toContain(o.accepted ? 'đã tiếp nhận, chưa trả lời' : 'chưa tiếp nhận');
    }
    expect(text).toContain('**HD-2023-000156** · nhận 19/04/2023 · chưa tiếp nhận · quá hạn trả lời 98 ngày làm việc (hạn 08/05/2023)');
  });

  test('the CLI text output names the same questions with the same days overdue', async () => {
    const run = await hoidap(['overdue', '--db', db, '--agency', 'bao thang', '--at', AT_ISO]);
    const cliLines = run.stdout.trim().split('\n').slice(1);
    const [reply] = await answerAdminQuery('câu hỏi quá hạn của Bảo Thắng', deps);
    const lines = (reply.text ?? '').split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toHaveLength(cliLines.length);
    cliLines.forEach((cliLine, i) => {
      const [q] = cliLine.split('  ');
      const late = /quá hạn (tiếp nhận|trả lời) \d+ ngày làm việc/.exec(cliLine)?.[0];
      expect(lines[i]).toContain(q);
      expect(lines[i]).toContain(late);
    });
  });

  test('for every agency, the chat list is the CLI list', async () => {
    for (const a of data.agencies.all) {
      const cli = await cliOverdue(a.code);
      const answer = await answerOverdue(deps.store, data, a, AT);
      expect({ agency: a.code, ids: answer.questions.map((o) => o.q) }).toEqual({ agency: a.code, ids: cli.overdue.map((o) => o.q) });
    }
  });

  test('an agency with nothing overdue says so', async () => {
    const [reply] = await answerAdminQuery('quá hạn sở y tế', deps);
    expect(bodyOf(reply.text)).toBe('**Sở Y tế** không có câu hỏi nào quá hạn (lúc 25/09/2023 17:00).');
  });

  test('"câu hỏi quá hạn" without an agency lists the agencies that have some, as buttons', async () => {
    const [reply] = await answerAdminQuery('cau hoi qua han', deps);
    expect(reply.text).toContain('UBND huyện Bảo Thắng (5); UBND huyện Văn Bàn (2)');
    const values = (reply.suggestedActions?.actions ?? []).map((a) => String(a.value));
    expect(values.slice(0, 2)).toEqual(['Câu hỏi quá hạn của UBND huyện Bảo Thắng', 'Câu hỏi quá hạn của UBND huyện Văn Bàn']);
    expect(query(values[1])).toMatchObject({ kind: 'overdue', agency: { code: 'h-vanban' } });
  });
});

describe('pending counts', () => {
  test('awaiting acceptance and awaiting answer, with the overdue among them', async () => {
    const baoThang = await pendingCounts(deps.store, data, agency('h-baothang'), AT);
    expect(baoThang).toMatchObject({ awaitingAcceptance: 5, awaitingAcceptanceOverdue: 5, awaitingAnswer: 0, awaitingAnswerOverdue: 0 });
    const [reply] = await answerAdminQuery('Bảo Thắng còn bao nhiêu câu chưa trả lời', deps);
    expect(bodyOf(reply.text)).toBe(
      '**UBND huyện Bảo Thắng** còn 5 câu hỏi chưa trả lời (lúc 25/09/2023 17:00):\n- chờ tiếp nhận: 5, trong đó 5 câu quá hạn;\n- đã tiếp nhận, chờ trả lời: 0.',
    );
    expect(reply.suggestedActions?.actions.map((a) => a.value)).toEqual(['Câu hỏi quá hạn của UBND huyện Bảo Thắng']);
  });

  test('"so y te con bao nhieu cau chua tra loi" counts both kinds; "còn bao nhiêu câu chờ tiếp nhận ở Văn Bàn" only those awaiting acceptance', async () => {
    const [yte] = await answerAdminQuery('so y te con bao nhieu cau chua tra loi', deps);
    expect(bodyOf(yte.text)).toMatch(/^\*\*Sở Y tế\*\* (không còn câu hỏi nào|còn \d+ câu hỏi)/);
    const [vanBan] = await answerAdminQuery('còn bao nhiêu câu chờ tiếp nhận ở Văn Bàn', deps);
    // Asked about those awaiting acceptance, it counts only those.
    expect(bodyOf(vanBan.text)).toBe('**UBND huyện Văn Bàn** có 2 câu hỏi chờ tiếp nhận, trong đó 2 câu quá hạn (lúc 25/09/2023 17:00).');
  });

  test('the overdue among the pending are exactly the overdue list, for every agency; the totals are Phụ biểu 02\'s', async () => {
    let acceptance = 0;
    let answer = 0;
    for (const a of data.agencies.all) {
      const counts = await pendingCounts(deps.store, data, a, AT);
      const overdue = await overdueQuestions(deps.store, data, a, AT);
      expect({ agency: a.code, overdue: counts.awaitingAcceptanceOverdue + counts.awaitingAnswerOverdue }).toEqual({ agency: a.code, overdue: overdue.length });
      acceptance += counts.awaitingAcceptance;
      answer += counts.awaitingAnswer;
    }
    // The demo ledger starts on 01/01/2023 and has no event after 17:00 on 25/09.
    const report = await appendix02Report(deps.store, data, { fromDay: day('2023-01-01'), toDay: day('2023-09-25') });
    expect({ acceptance, answer }).toEqual({ acceptance: report.table.totals.awaitingAcceptance, answer: report.table.totals.awaitingAnswer });
  });
});

function tableRows(text: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

describe('the score table', () => {
  test('"từ 01/01/2023 đến 25/09/2023" (the published period): Sở GD&ĐT 18, Bảo Thắng 0, totals 371/300', async () => {
    const replies = await answerAdminQuery('điểm từ 01/01/2023 đến 25/09/2023', deps);
    expect(replies).toHaveLength(2);
    const [table, summary] = replies;
    expect(bodyOf(table.text)).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/01\/2023 đến 25\/09\/2023\*\*\n\n\| Cơ quan, đơn vị \| Tổng \| Đã trả lời \| Điểm \|/);
    const rows = tableRows(table.text ?? '');
    expect(rows.get('Sở GD&ĐT')).toEqual(['78', '73', '18']);
    expect(rows.get('Huyện Bảo Thắng')).toEqual(['9', '1', '0']);
    expect(rows.get('**Tổng số**')).toEqual(['**371**', '**300**', '']);
    expect(rows.size).toBe(1 + 37 + 1);
    expect(summary.text).toContain('Trong 9 tháng năm 2023 (từ ngày 01/01/2023 đến ngày 25/09/2023), chuyên mục Hỏi - Đáp đã nhận được 371 câu hỏi');
    expect(summary.text).toContain('01/37 cơ quan, đơn vị đạt 0 điểm: UBND huyện Bảo Thắng');
    expect(summary.suggestedActions?.actions.map((a) => a.value)).toEqual(['Xuất phụ biểu 02 từ 01/01/2023 đến 25/09/2023']);
  });

  test('the table is the report: every row\'s total, answered and score', async () => {
    const period = { fromDay: day('2023-01-01'), toDay: day('2023-09-25') };
    const answer = await answerScores(deps.store, data, period);
    const rows = tableRows(answer.table);
    for (const r of answer.report.table.rows) expect(rows.get(agency(r.agency).shortName)).toEqual([String(r.total), String(r.answered), String(r.score)]);
  });

  test('"9 tháng đầu năm 2023" is 01/01–30/09; "điểm hỏi đáp quý 3 năm 2023" and "tháng 8/2023" too answer with a table', async () => {
    const [nine] = await answerAdminQuery('9 tháng đầu năm 2023', deps);
    expect(bodyOf(nine.text)).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/01\/2023 đến 30\/09\/2023\*\*/);
    expect(tableRows(nine.text ?? '').get('Sở GD&ĐT')?.[2]).toBe('18');
    const [q3] = await answerAdminQuery('điểm hỏi đáp quý 3 năm 2023', deps);
    expect(bodyOf(q3.text)).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/07\/2023 đến 30\/09\/2023\*\*/);
    const [august] = await answerAdminQuery('tháng 8/2023', deps);
    expect(bodyOf(august.text)).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/08\/2023 đến 31\/08\/2023\*\*/);
  });
});

async function workbookOf(activity: Partial<Activity>): Promise<ExcelJS.Workbook> {
  const [attachment] = activity.attachments ?? [];
  const url = String(attachment?.contentUrl ?? '');
  const prefix = `data:${XLSX_CONTENT_TYPE};base64,`;
  expect(url.startsWith(prefix)).toBe(true);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(url.slice(prefix.length), 'base64') as unknown as ArrayBuffer);
  return workbook;
}

describe('Phụ biểu 02 as an xlsx attachment', () => {
  test('"xuất phụ biểu 02 từ 01/01/2023 đến 25/09/2023": the workbook opens and has the totals row 371/300/1/7/63', async () => {
    const [reply] = await answerAdminQuery('xuất phụ biểu 02 từ 01/01/2023 đến 25/09/2023', deps);
    expect(bodyOf(reply.text)).toBe('Phụ biểu 02 từ 01/01/2023 đến 25/09/2023: 371 câu hỏi, 300 đã trả lời, 63 đã xóa.');
    expect(reply.attachments).toHaveLength(1);
    expect(reply.attachments?.[0]).toMatchObject({ contentType: XLSX_CONTENT_TYPE, name: 'phu-bieu-02_2023-01-01_2023-09-25.xlsx' });
    const sheet = (await workbookOf(reply)).getWorksheet('Phụ biểu 02');
    const rows: unknown[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const totals = rows.find((r) => r[1] === 'Tổng số');
    expect(totals?.slice(2, 7)).toEqual([371, 300, 1, 7, 63]);
    expect(rows.find((r) => r[1] === 'UBND huyện Bảo Thắng')?.[7]).toBe(0);
  });

  test('"xuat file excel 9 thang dau nam 2023" is named after its period', async () => {
    const [reply] = await answerAdminQuery('xuat file excel 9 thang dau nam 2023', deps);
    expect(reply.attachments?.[0]).toMatchObject({ contentType: XLSX_CONTENT_TYPE, name: 'phu-bieu-02_2023-01-01_2023-09-30.xlsx' });
    const { attachment } = await appendix02Attachment(deps.store, data, { fromDay: day('2023-01-01'), toDay: day('2023-09-30') });
    expect(attachment.name).toBe('phu-bieu-02_2023-01-01_2023-09-30.xlsx');
  });
});

describe('help, choices and citizen text', () => {
  test('an unknown query gets what the bot can answer and four examples as buttons, each of which is understood', async () => {
    const [reply] = await answerAdminQuery('hôm nay trời đẹp quá', deps);
    expect(bodyOf(reply.text)).toMatch(/^Tôi chưa hiểu yêu cầu này\.\nTôi trả lời được:/);
    expect(reply.text).toContain('xuất Phụ biểu 02 ra tệp Excel');
    const actions = reply.suggestedActions?.actions ?? [];
    expect(actions).toHaveLength(4);
    expect(actions.map((a) => a.value)).toEqual(['Câu hỏi quá hạn của Bảo Thắng', 'Sở Y tế còn bao nhiêu câu chưa trả lời', 'Điểm hỏi đáp quý 3 năm 2023', 'Xuất phụ biểu 02 năm 2023']);
    for (const a of actions) expect(['overdue', 'pending', 'scores', 'export']).toContain(query(String(a.value)).kind);
  });

  test('an ambiguous name offers the candidates; each button resolves to one agency', async () => {
    const [reply] = await answerAdminQuery('câu hỏi quá hạn của cục', deps);
    expect(bodyOf(reply.text)).toBe('Tên này khớp với nhiều cơ quan, đơn vị: Cục Thuế tỉnh; Chi cục Thuế khu vực VIII; Cục Hải quan tỉnh; Chi cục Hải quan khu vực; Cục Thống kê tỉnh; Chi cục Thống kê tỉnh Lào Cai. Anh/chị chọn một:');
    const actions = reply.suggestedActions?.actions ?? [];
    expect(actions.map((a) => a.title)).toEqual(['Cục Thuế', 'Chi cục Thuế KV VIII', 'Cục Hải quan', 'Chi cục Hải quan KV', 'Cục Thống kê', 'Chi cục Thống kê']);
    expect(actions.map((a) => plainAgency(query(String(a.value))))).toEqual(['overdue:cuc-thue', 'overdue:thue-kv8', 'overdue:cuc-haiquan', 'overdue:hq-khuvuc', 'overdue:cuc-thongke', 'overdue:thongke-laocai']);
  });

  test('a period missing is asked for, with periods as buttons', async () => {
    const [reply] = await answerAdminQuery('xuất phụ biểu 02', deps);
    expect(bodyOf(reply.text)).toMatch(/^Anh\/chị cần kỳ nào\? Ví dụ: quý 3 năm 2023; tháng 9\/2023; năm 2023; từ 01\/01\/2023 đến 25\/09\/2023\.$/);
    const values = (reply.suggestedActions?.actions ?? []).map((a) => String(a.value));
    expect(values[0]).toBe('Xuất phụ biểu 02 quý 3 năm 2023');
    for (const v of values) expect(query(v).kind).toBe('export');
  });

  test('markdown and HTML in a citizen\'s question are escaped; long questions are cut to about 80 characters', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const ledger = new Ledger(store, data);
    const text = '**Khẩn** <b>x</b> [bấm](http://a.example) # _gấp_ &lt; `c` | ~x~ ' + 'rất dài '.repeat(20);
    await ledger.record({ q: 'HD-2023-000900', type: 'submitted', at: '2023-09-04T09:00:00+07:00', by: 'citizen', channel: 'portal', text, asker: { name: 'Nguyen Van An', contact: '0912345678' } });
    await ledger.record({ q: 'HD-2023-000900', type: 'assigned', at: '2023-09-04T09:05:00+07:00', agency: 'so-yte', by: 'bot' });
    const mine = { ...deps, store };
    const [reply] = await answerQuery({ kind: 'overdue', agency: agency('so-yte'), period: null, atDay: null, status: null, requester: null, notUnderstood: [] }, mine);
    const quoted = (reply.text ?? '').split('\n').find((l) => l.startsWith('   “')) ?? '';
    expect(quoted).toContain('“\\*\\*Khẩn\\*\\* \\<b\\>x\\</b\\> \\[bấm\\](http://a.example) \\# \\_gấp\\_ \\&lt; \\`c\\` \\| \\~x\\~ rất dài');
    expect(quoted).not.toMatch(/(^|[^\\])[*_[\]<>#`|~]/);
    expect(quoted.endsWith('…”')).toBe(true);
    expect(excerpt(text).length).toBeLessThanOrEqual(80);
    // The asker's contact is never shown in the admin's list.
    expect(reply.text).not.toContain('0912345678');
    await store.close();
  });

  test('escapeMarkdown and excerpt', () => {
    expect(escapeMarkdown('a*b_c[d]e<f>g#h')).toBe('a\\*b\\_c\\[d\\]e\\<f\\>g\\#h');
    expect(escapeMarkdown('Sở GD&ĐT')).toBe('Sở GD&ĐT');
    expect(escapeMarkdown('1. không phải danh sách')).toBe('1\\. không phải danh sách');
    expect(escapeMarkdown('- không phải gạch đầu dòng')).toBe('\\- không phải gạch đầu dòng');
    expect(excerpt('ngắn\n\ngọn')).toBe('ngắn gọn');
    const long = 'Cho tôi hỏi thủ tục cấp lại sổ đỏ ở xã Xuân Quang huyện Bảo Thắng, sổ của tôi bị mất khi chuyển nhà';
    expect(excerpt(long)).toBe('Cho tôi hỏi thủ tục cấp lại sổ đỏ ở xã Xuân Quang huyện Bảo Thắng, sổ của tôi…');
    expect(escapeMarkdown('<script>alert(1)</script> [x](javascript:y) &#60;')).toBe('\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:y) &\\#60;');
    expect(citizenExcerpt('*'.repeat(100))).toBe(`${'\\*'.repeat(79)}…`);
  });
});

function plainAgency(q: AdminQuery): string {
  return q.kind === 'overdue' || q.kind === 'pending' ? `${q.kind}:${q.agency?.code ?? 'all'}` : q.kind;
}

describe('qualifiers in the answers (issue 13)', () => {
  test('"điểm của Sở Y tế năm 2023" answers with Sở Y tế\'s row of Phụ biểu 02, not the 37-agency table', async () => {
    const replies = await answerAdminQuery('điểm của Sở Y tế năm 2023', deps);
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply.text).toMatch(/^_Đang hiểu là: điểm Hỏi - Đáp của Sở Y tế, kỳ từ 01\/01\/2023 đến 31\/12\/2023\._\n/);
    const report = await appendix02Report(deps.store, data, { fromDay: day('2023-01-01'), toDay: day('2023-12-31') });
    const row = report.table.rows.find((r) => r.agency === 'so-yte');
    if (!row) throw new Error('Sở Y tế is in Phụ biểu 02');
    const rank = 1 + report.table.rows.filter((r) => r.score > row.score).length;
    expect(bodyOf(reply.text)).toBe(
      [
        '**Điểm Hỏi - Đáp của Sở Y tế từ 01/01/2023 đến 31/12/2023**',
        `- điểm: **${row.score}** (đứng thứ ${rank}/37 cơ quan, đơn vị);`,
        `- tổng số câu hỏi: ${row.total}; đã trả lời: ${row.answered}; chờ tiếp nhận: ${row.awaitingAcceptance}; chờ trả lời: ${row.awaitingAnswer}; đã xóa: ${row.deleted}.`,
      ].join('\n'),
    );
    expect(reply.text).not.toContain('| ---');
    expect(reply.text).not.toContain('Bảo Thắng');
    // The whole table is one button away, for the same period.
    const whole = (reply.suggestedActions?.actions ?? []).find((a) => a.title === 'Bảng điểm mọi cơ quan');
    expect(structuredQuery(query(String(whole?.value)))).toEqual({ intent: 'scores', agency: null, from: '2023-01-01', to: '2023-12-31', at: null, status: null });
  });

  test('"quá hạn tất cả đơn vị tính đến 30/6/2023" counts each agency\'s list at the end of that day', async () => {
    const [reply] = await answerAdminQuery('quá hạn tất cả đơn vị tính đến 30/6/2023', deps);
    expect(reply.text).toContain('_Đang hiểu là: câu hỏi quá hạn của mọi cơ quan, đơn vị, tính đến hết ngày 30/06/2023._');
    const at = instant('2023-06-30T23:59:59.999+07:00');
    const counts: string[] = [];
    for (const a of data.agencies.inReportOrder()) {
      const n = (await overdueQuestions(deps.store, data, a, at)).length;
      if (n > 0) counts.push(`${a.name} (${n})`);
    }
    expect(counts.length).toBeGreaterThan(0);
    for (const c of counts) expect(reply.text).toContain(c);
    // Each button asks for one agency on the same day.
    const first = reply.suggestedActions?.actions[0];
    expect(structuredQuery(query(String(first?.value)))).toMatchObject({ intent: 'overdue', at: '2023-06-30' });
  });

  test('a pending count for every agency, only those awaiting an answer, is the sum of the agencies\' counts', async () => {
    const [reply] = await answerAdminQuery('cả tỉnh còn bao nhiêu câu đã tiếp nhận nhưng chưa trả lời', deps);
    const all = await pendingByAgency(deps.store, data, AT);
    const total = all.reduce((n, c) => n + c.awaitingAnswer, 0);
    expect(bodyOf(reply.text).split('\n')[0]).toMatch(new RegExp(`^\\*\\*Các cơ quan, đơn vị\\*\\* (có ${total} câu hỏi đã tiếp nhận, chờ trả lời|không có câu hỏi nào đã tiếp nhận, chờ trả lời)`));
    for (const c of all.filter((x) => x.awaitingAnswer > 0)) expect(reply.text).toContain(`${c.agency.name} (${c.awaitingAnswer})`);
  });

  test('a pending count of questions received in a period counts only those', async () => {
    const july = { fromDay: day('2023-07-01'), toDay: day('2023-07-31') };
    const counts = await pendingCounts(deps.store, data, agency('h-baothang'), AT, july);
    expect(counts).toMatchObject({ awaitingAcceptance: 2, awaitingAnswer: 0 });
    const [reply] = await answerAdminQuery('Bảo Thắng chưa trả lời tháng 7/2023', deps);
    expect(bodyOf(reply.text)).toMatch(/^\*\*UBND huyện Bảo Thắng\*\* còn 2 câu hỏi chưa trả lời \(lúc 25\/09\/2023 17:00; câu hỏi nhận từ 01\/07\/2023 đến 31\/07\/2023\)/);
  });

  test('words not understood are named first, with what was understood', async () => {
    const [reply] = await answerAdminQuery('quá hạn Bảo Thắng tính đến 20/9/2023 theo lĩnh vực đất đai', deps);
    expect(reply.text?.split('\n')[0]).toBe("_Tôi chưa hiểu 'theo lĩnh vực đất đai'; đang hiểu là: câu hỏi quá hạn của UBND huyện Bảo Thắng, tính đến hết ngày 20/09/2023._");
  });

  test('an as-of day still to come is judged now, and the reply says so', async () => {
    const [reply] = await answerAdminQuery('quá hạn Bảo Thắng đến cuối năm', deps);
    expect(reply.text?.split('\n')[0]).toBe('_Đang hiểu là: câu hỏi quá hạn của UBND huyện Bảo Thắng, tính đến hết ngày 31/12/2023: ngày này chưa tới, nên tính đến bây giờ (25/09/2023 17:00)._');
    expect(bodyOf(reply.text)).toMatch(/^\*\*UBND huyện Bảo Thắng\*\*: 5 câu hỏi quá hạn \(lúc 25\/09\/2023 17:00\)/);
  });

  test('asked to do something a query cannot, the bot says so and what it can answer', async () => {
    const [reply] = await answerAdminQuery('nhắc nhở Sở Y tế trả lời các câu quá hạn', deps);
    expect(reply.text).toMatch(/^Việc 'nhắc nhở' tôi chưa làm được trong tra cứu này\.\nTôi trả lời được:/);
  });

  test('the requester\'s own agency is said to be set apart', async () => {
    const [reply] = await answerAdminQuery('em ở Sở TT&TT, cho xin điểm quý 3 năm 2023 của tất cả', deps);
    expect(reply.text?.split('\n')[0]).toBe('_Đang hiểu là: điểm Hỏi - Đáp của mọi cơ quan, đơn vị, kỳ từ 01/07/2023 đến 30/09/2023, không tính Sở Thông tin và Truyền thông là nơi được hỏi._');
  });

  test('the messages the buttons send are read back as the same query', () => {
    const day25 = day('2023-09-25');
    const q3 = { fromDay: day('2023-07-01'), toDay: day('2023-09-30') };
    for (const a of [agency('so-yte'), agency('h-baothang'), agency('vp-dbqh-hdnd'), null])
      for (const q of [
        { intent: 'overdue' as const, atDay: day25, period: null, status: null },
        { intent: 'overdue' as const, atDay: null, period: q3, status: null },
        { intent: 'pending' as const, atDay: day25, period: null, status: 'awaiting_acceptance' as const },
        { intent: 'pending' as const, atDay: null, period: q3, status: 'awaiting_answer' as const },
        { intent: 'pending' as const, atDay: null, period: null, status: null },
        { intent: 'scores' as const, atDay: null, period: q3, status: null },
      ]) {
        const text = requestText(q.intent, { ...q, agency: a });
        const back = query(text);
        expect({ text, back: structuredQuery(back), words: back.kind === 'exit' ? [] : back.notUnderstood }).toEqual({
          text,
          back: {
            intent: q.intent,
            agency: a?.code ?? null,
            from: q.period ? '2023-07-01' : null,
            to: q.period ? '2023-09-30' : null,
            at: q.atDay === null ? null : '2023-09-25',
            status: q.status,
          },
          words: [],
        });
      }
  });
});
