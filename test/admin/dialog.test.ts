import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XLSX_CONTENT_TYPE, type AdminDeps } from '../../src/admin/answers';
import { PROJECT_ROOT } from '../../src/config/paths';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { ADMIN_DIALOG_ID, AdminDialog } from '../../dialogs/admin/adminDialog';
import { buttonsOf, says, textOf } from '../helpers/bot';
import { hoidap } from '../helpers/cli';
import { instant, province } from '../helpers/province';
import { answerDeps, bodyOf } from './helpers';

const AT = instant('2023-09-25T17:00:00+07:00');
let store: SqliteLedgerStore;
let deps: AdminDeps;

beforeAll(async () => {
  store = new SqliteLedgerStore(':memory:');
  const lines = fs.readFileSync(path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl'), 'utf8').split('\n');
  expect((await new Ledger(store, province()).importLines(lines)).errors).toEqual([]);
  deps = answerDeps(store, AT);
});

afterAll(() => store.close());

/** A bot whose every turn goes to the admin dialog, as the lead wires it for a linked admin account. */
function adminBot() {
  const conversationState = new ConversationState(new MemoryStorage());
  const accessor = conversationState.createProperty<DialogState>('dialogState');
  const dialog = new AdminDialog(deps);
  /** Dialogs on the stack after the last turn: 0 once the dialog has ended. */
  const after = { stack: -1 };
  const adapter = new TestAdapter(async (context) => {
    await dialog.run(context, accessor);
    after.stack = (await accessor.get(context))?.dialogStack?.length ?? 0;
    await conversationState.saveChanges(context);
  });
  return { adapter, after };
}

function ticketsIn(activity: Partial<Activity>): string[] {
  return textOf(activity).match(/HD-\d{4}-\d{6}/g) ?? [];
}

describe('admin dialog: queries in chat', () => {
  test('an overdue query, then a pending count: each message is answered, the dialog stays open', async () => {
    const { adapter } = adminBot();
    await adapter
      .send('cau hoi qua han bao thang')
      .assertReply((a) => {
        expect(bodyOf(textOf(a))).toMatch(/^\*\*UBND huyện Bảo Thắng\*\*: 5 câu hỏi quá hạn/);
        expect(ticketsIn(a)).toEqual(['HD-2023-000156', 'HD-2023-000292', 'HD-2023-000293', 'HD-2023-000333', 'HD-2023-000346']);
        expect(a.textFormat).toBe('markdown');
      })
      .send('Sở Y tế còn bao nhiêu câu chưa trả lời')
      .assertReply((a) => expect(bodyOf(textOf(a))).toMatch(/^\*\*Sở Y tế\*\* /))
      .send('còn bao nhiêu câu chờ tiếp nhận ở Văn Bàn')
      .assertReply((a) => {
        expect(bodyOf(textOf(a))).toBe('**UBND huyện Văn Bàn** có 2 câu hỏi chờ tiếp nhận, trong đó 2 câu quá hạn (lúc 25/09/2023 17:00).');
        expect(buttonsOf(a)).toEqual(['Xem câu quá hạn']);
      })
      .send('Câu hỏi quá hạn của UBND huyện Văn Bàn')
      .assertReply((a) => expect(ticketsIn(a)).toEqual(['HD-2023-000269', 'HD-2023-000365']))
      .startTest();
  });

  test('an unknown query: what the bot can answer, with four examples as buttons; a button works', async () => {
    const { adapter } = adminBot();
    await adapter
      .send('chào bot, hôm nay thế nào?')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Tôi chưa hiểu yêu cầu này\.\nTôi trả lời được:/);
        expect(textOf(a)).toContain('câu hỏi quá hạn của một cơ quan, đơn vị');
        expect(textOf(a)).toContain('số câu hỏi còn chờ tiếp nhận, chờ trả lời');
        expect(textOf(a)).toContain('bảng điểm Hỏi - Đáp');
        expect(buttonsOf(a)).toEqual(['Quá hạn Bảo Thắng', 'Sở Y tế chưa trả lời', 'Điểm quý 3/2023', 'Xuất phụ biểu 02']);
        expect(a.suggestedActions?.actions.map((x) => x.value)).toContain('Câu hỏi quá hạn của Bảo Thắng');
      })
      .send('Câu hỏi quá hạn của Bảo Thắng')
      .assertReply((a) => expect(ticketsIn(a)).toHaveLength(5))
      .startTest();
  });

  test('an export: the Phụ biểu 02 workbook as an attachment; the scores as a table then the summary', async () => {
    const { adapter } = adminBot();
    await adapter
      .send('xuất phụ biểu 02 từ 01/01/2023 đến 25/09/2023')
      .assertReply((a) => {
        expect(bodyOf(textOf(a))).toBe('Phụ biểu 02 từ 01/01/2023 đến 25/09/2023: 371 câu hỏi, 300 đã trả lời, 63 đã xóa.');
        expect(a.attachments).toHaveLength(1);
        const [file] = a.attachments ?? [];
        expect(file).toMatchObject({ contentType: XLSX_CONTENT_TYPE, name: 'phu-bieu-02_2023-01-01_2023-09-25.xlsx' });
        // An xlsx is a zip: "PK" after decoding.
        const bytes = Buffer.from(String(file.contentUrl).split(',')[1], 'base64');
        expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      })
      .send('diem quy 3/2023')
      .assertReply((a) => expect(bodyOf(textOf(a))).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/07\/2023 đến 30\/09\/2023\*\*/))
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Trong kỳ báo cáo \(từ ngày 01\/07\/2023 đến ngày 30\/09\/2023\)/);
        expect(buttonsOf(a)).toEqual(['Xuất Excel']);
      })
      .send('Xuất phụ biểu 02 từ 01/07/2023 đến 30/09/2023')
      .assertReply((a) => expect(a.attachments?.[0]?.name).toBe('phu-bieu-02_2023-07-01_2023-09-30.xlsx'))
      .startTest();
  });

  test('an ambiguous name is asked about, and the choice answered', async () => {
    const { adapter } = adminBot();
    await adapter
      .send('cau hoi qua han cua cuc')
      .assertReply((a) => expect(buttonsOf(a)).toEqual(['Cục Thuế', 'Chi cục Thuế KV VIII', 'Cục Hải quan', 'Chi cục Hải quan KV', 'Cục Thống kê', 'Chi cục Thống kê']))
      .send('Câu hỏi quá hạn của Cục Hải quan tỉnh')
      .assertReply(says('**Cục Hải quan tỉnh** không có câu hỏi nào quá hạn'))
      .startTest();
  });

  test('"thoát" ends the dialog; the next message opens it again', async () => {
    const { adapter, after } = adminBot();
    await adapter.send('quá hạn Bảo Thắng').assertReply(() => undefined).startTest();
    expect(after.stack).toBe(1);
    await adapter.send('thoát').assertReply(says('Đã kết thúc tra cứu.')).startTest();
    expect(after.stack).toBe(0);
    await adapter.send('quá hạn Bảo Thắng').assertReply((a) => expect(ticketsIn(a)).toHaveLength(5)).startTest();
    expect(after.stack).toBe(1);
  });

  test('begun without a message (the lead starts it), the dialog says nothing and answers the next message', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const set = new DialogSet(conversationState.createProperty<DialogState>('dialogState'));
    set.add(new AdminDialog(deps));
    const adapter = new TestAdapter(async (context) => {
      const dc = await set.createContext(context);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) {
        const begun = await dc.beginDialog(ADMIN_DIALOG_ID, {});
        expect(begun.status).toBe(DialogTurnStatus.waiting);
      }
      await conversationState.saveChanges(context);
    });
    await adapter
      .send('đăng nhập')
      .send('tháng 8/2023')
      .assertReply((a) => expect(bodyOf(textOf(a))).toMatch(/^\*\*Điểm Hỏi - Đáp từ 01\/08\/2023 đến 31\/08\/2023\*\*/))
      .assertReply(() => undefined)
      .startTest();
  });
});

describe('admin dialog: a dated query answers as of that day, exactly as `hoidap overdue --at`', () => {
  // Years after the demo ledger: answered "as of now", these questions would be hundreds of working days overdue.
  const LATER = instant('2026-12-04T10:00:00+07:00');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-admin-dated-'));
  const db = path.join(dir, 'demo.sqlite');

  beforeAll(async () => {
    expect(await hoidap(['import', '--db', db, path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl')])).toMatchObject({ code: 0 });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(agency: string, atIso: string): Promise<Array<{ q: string; deadline: string; workingDaysOverdue: number }>> {
    const run = await hoidap(['overdue', '--db', db, '--agency', agency, '--at', atIso, '--format', 'json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return (JSON.parse(run.stdout) as { overdue: Array<{ q: string; deadline: string; workingDaysOverdue: number }> }).overdue;
  }

  /** The numbered lines of an overdue list: ticket, which deadline, working days overdue. */
  function listed(text: string): Array<{ q: string; deadline: string; workingDaysOverdue: number }> {
    return text
      .split('\n')
      .filter((l) => /^\d+\. /.test(l))
      .map((l) => {
        const m = /(HD-\d{4}-\d{6}).*quá hạn (tiếp nhận|trả lời) (\d+) ngày làm việc/.exec(l);
        return { q: m?.[1] ?? l, deadline: m?.[2] === 'tiếp nhận' ? 'accept' : 'answer', workingDaysOverdue: Number(m?.[3]) };
      });
  }

  test.each([
    ['câu hỏi quá hạn của Bảo Thắng tính đến 25/9/2023', 'h-baothang', '2023-09-25T23:59:59.999+07:00', '25/09/2023'],
    ['bao thang qua han den cuoi quy 2 nam 2023', 'h-baothang', '2023-06-30T23:59:59.999+07:00', '30/06/2023'],
    ['Văn Bàn, quá hạn, ngày 31 tháng 8 năm 2023', 'h-vanban', '2023-08-31T23:59:59.999+07:00', '31/08/2023'],
  ])('"%s"', async (text, agency, atIso, dayVi) => {
    const expected = await cli(agency, atIso);
    expect(expected.length).toBeGreaterThan(0);
    const conversationState = new ConversationState(new MemoryStorage());
    const accessor = conversationState.createProperty<DialogState>('dialogState');
    const dialog = new AdminDialog({ ...deps, now: () => LATER });
    const adapter = new TestAdapter(async (context) => {
      await dialog.run(context, accessor);
      await conversationState.saveChanges(context);
    });
    await adapter
      .send(text)
      .assertReply((a) => {
        const reply = textOf(a);
        expect(reply.split('\n')[0]).toContain(`tính đến hết ngày ${dayVi}`);
        expect(bodyOf(reply)).toContain(`câu hỏi quá hạn (lúc ${dayVi} 23:59)`);
        expect(listed(reply)).toEqual(expected.map((o) => ({ q: o.q, deadline: o.deadline, workingDaysOverdue: o.workingDaysOverdue })));
      })
      .startTest();
  });
});
