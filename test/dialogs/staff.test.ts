import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Workflow } from '../../src/backoffice/actions';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { unclaimedAnswersSince } from '../../src/store/sqlite-queries';
import { hoidap } from '../helpers/cli';
import { instant, province } from '../helpers/province';
import { staffRig } from '../helpers/staff';
import { fileQuestion, importDemo, textOf } from '../helpers/bot';
import { TestFlow, type Activity, type TestAdapter } from 'botbuilder';

/** A flow that first reads what the bot already sent to this person (notifications, answers). */
const flow = (adapter: TestAdapter) => new TestFlow(Promise.resolve(), adapter);

const NOW = instant('2026-11-30T09:00:00+07:00');
const buttons = (a: Partial<Activity>) => (a.suggestedActions?.actions ?? []).map((x) => String(x.title));

/** A citizen files BAO_THANG_QUESTION (→ x-xuanquang) and returns the ticket. */
async function citizenFiles(rig: Awaited<ReturnType<typeof staffRig>>, name = 'citizen') {
  const citizen = rig.person(name);
  let ticket = '';
  await fileQuestion(citizen.adapter, (a) => void (ticket = /HD-\d{4}-\d{6}/.exec(textOf(a))?.[0] ?? '')).startTest();
  return { citizen, ticket };
}

describe('officers and approvers in chat', () => {
  test('a new question reaches the agency’s officers; accept, draft, returned by the approver, redrafted, approved; the citizen gets the answer and rates it', async () => {
    const rig = await staffRig({ now: NOW });
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const approver = await rig.linked('lead-bt', 'approver', 'x-xuanquang');
    const { citizen, ticket } = await citizenFiles(rig);
    expect(ticket).toBe('HD-2026-000001');

    // The officer was told, with buttons to act.
    await flow(officer.person.adapter)
      .assertReply((a) => {
        expect(textOf(a)).toContain(`Câu hỏi mới ${ticket} gửi UBND xã Xuân Quang`);
        expect(buttons(a)).toEqual([`Tiếp nhận ${ticket}`, `Xem ${ticket}`, `Chuyển ${ticket}`]);
      })
      .startTest();
    await flow(approver.person.adapter).assertReply((a) => expect(textOf(a)).toContain(`Câu hỏi mới ${ticket}`)).startTest();

    await officer.person.adapter
      .send(`Tiếp nhận ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toMatch(new RegExp(`^Đã tiếp nhận ${ticket}\\. Hạn trả lời: 14/12/2026\\.`)))
      .send(`trả lời ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toContain('dự thảo sẽ gửi lãnh đạo duyệt'))
      .send('Hồ sơ xin cấp phép xây dựng gồm đơn đề nghị và bản vẽ.')
      .assertReply((a) => expect(textOf(a)).toContain(`Đã gửi dự thảo trả lời ${ticket} cho lãnh đạo duyệt`))
      .startTest();

    // The approver returns it with a comment; the officer is told.
    await flow(approver.person.adapter)
      .assertReply((a) => expect(buttons(a)).toContain(`Duyệt ${ticket}`))
      .send(`Trả lại ${ticket} bổ sung căn cứ pháp lý`)
      .assertReply((a) => expect(textOf(a)).toContain(`Đã trả lại dự thảo ${ticket}`))
      .startTest();
    await flow(officer.person.adapter)
      .assertReply((a) => expect(textOf(a)).toContain('bổ sung căn cứ pháp lý'))
      .send(`trả lời ${ticket} Theo Luật Xây dựng 2014, hồ sơ gồm đơn đề nghị cấp phép, giấy tờ về đất và bản vẽ thiết kế.`)
      .assertReply((a) => expect(textOf(a)).toContain('Đã gửi dự thảo'))
      .startTest();
    await flow(approver.person.adapter)
      .assertReply(() => undefined)
      .send(`Duyệt ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toContain(`Đã duyệt và đăng câu trả lời ${ticket}, đã gửi đến người hỏi`))
      .startTest();

    // The citizen receives the answer in their conversation and rates it with one tap.
    await flow(citizen.adapter)
      .assertReply((a) => {
        expect(textOf(a)).toContain(`Câu hỏi ${ticket} đã được UBND xã Xuân Quang trả lời:`);
        expect(textOf(a)).toContain('Theo Luật Xây dựng 2014');
        expect(buttons(a)).toEqual(['1', '2', '3', '4', '5']);
      })
      .send('4')
      .assertReply((a) => expect(textOf(a)).toContain('Cảm ơn bạn đã đánh giá 4/5'))
      .startTest();
    const events = (await rig.store.questionEvents(ticket)).map((e) => JSON.parse(e.body));
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned', 'accepted', 'answered', 'rated']);
    expect(events[2].by).toBe(`officer:${officer.account.id}`);
    expect(events[3]).toMatchObject({ authorized: true, by: `approver:${approver.account.id}` });
  });

  test('an answer recorded but never handed over (the server died in between) reaches the citizen at the next start, once', async () => {
    const rig = await staffRig({ now: NOW });
    const { citizen, ticket } = await citizenFiles(rig);
    const workflow = rig.staff?.workflow as Workflow;
    // The published answer is in the ledger; the process stopped before handing it to the citizen's channel.
    await new Ledger(rig.store, province()).record({ q: ticket, type: 'answered', at: '2026-11-30T10:00:00+07:00', agency: 'x-xuanquang', authorized: true, text: 'Hồ sơ gồm đơn đề nghị và bản vẽ.', by: 'approver:acc_x' });
    const recent = unclaimedAnswersSince(rig.store.db, NOW - 7 * 86_400_000);
    expect(recent).toEqual([{ q: ticket, text: 'Hồ sơ gồm đơn đề nghị và bản vẽ.', agency: 'x-xuanquang' }]);

    expect(await workflow.handOverUnclaimedAnswers(recent)).toBe(1);
    await flow(citizen.adapter)
      .assertReply((a) => expect(textOf(a)).toMatch(new RegExp(`^Câu hỏi ${ticket} đã được UBND xã Xuân Quang trả lời:\nHồ sơ gồm đơn đề nghị và bản vẽ\.`)))
      .startTest();
    // Another restart: nothing again.
    expect(await workflow.handOverUnclaimedAnswers(unclaimedAnswersSince(rig.store.db, NOW - 7 * 86_400_000))).toBe(0);
    expect(citizen.adapter.activeQueue).toHaveLength(0);
  });

  test('answers published before the hand-over was recorded are not sent again after an upgrade', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-upgrade-')), 'hoidap.sqlite');
    // A database at schema version 5 (before migration 6 recorded hand-overs), with the demo's 300 answers.
    const old = new SqliteLedgerStore(file);
    await importDemo(old);
    old.db.prepare("DELETE FROM notifications_sent WHERE key LIKE 'answer-hand-over:%'").run();
    old.db.pragma('user_version = 5');
    await old.close();
    const upgraded = new SqliteLedgerStore(file);
    try {
      const answered = (upgraded.db.prepare("SELECT count(*) AS n FROM questions WHERE status = 'answered'").get() as { n: number }).n;
      expect(answered).toBe(300);
      expect((upgraded.db.prepare("SELECT count(*) AS n FROM notifications_sent WHERE key LIKE 'answer-hand-over:%'").get() as { n: number }).n).toBe(answered);
    } finally {
      await upgraded.close();
    }
  });

  test('a forward the router suggested: the officer picks the suggestion and the new agency is told', async () => {
    const rig = await staffRig({ now: NOW });
    const yte = await rig.linked('officer-yte', 'officer', 'so-yte');
    const tnmt = await rig.linked('officer-tnmt', 'officer', 'so-nnmt');
    const citizen = rig.person('c2');
    // Filed straight to the wrong agency (as an editor's mistake would): a land question at so-yte.
    await rig.services.ledger.record({ q: 'HD-2026-000050', type: 'submitted', at: '2026-11-30T08:00:00+07:00', channel: 'portal', text: 'Xin hỏi thủ tục cấp lại giấy chứng nhận quyền sử dụng đất bị mất cần những giấy tờ gì' });
    await rig.services.ledger.record({ q: 'HD-2026-000050', type: 'assigned', at: '2026-11-30T08:01:00+07:00', agency: 'so-yte' });
    void citizen;
    await yte.person.adapter
      .send('chuyển HD-2026-000050')
      .assertReply((a) => {
        expect(textOf(a)).toContain('Hệ thống gợi ý chuyển HD-2026-000050 đến Sở Nông nghiệp và Môi trường');
        expect(buttons(a)[0]).toBe('Sở Nông nghiệp và Môi trường');
      })
      .send('Sở Nông nghiệp và Môi trường')
      .assertReply((a) => expect(textOf(a)).toBe('Đã chuyển HD-2026-000050 đến Sở Nông nghiệp và Môi trường.'))
      .startTest();
    await flow(tnmt.person.adapter).assertReply((a) => expect(textOf(a)).toContain('Câu hỏi mới HD-2026-000050 gửi Sở Nông nghiệp và Môi trường')).startTest();
    const state = (await rig.store.loadQuestions(['HD-2026-000050'])).get('HD-2026-000050');
    expect(state?.agency).toBe('so-nnmt');
  });

  test('an extension with a reason moves the answer deadline', async () => {
    const rig = await staffRig({ now: NOW });
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const { ticket } = await citizenFiles(rig);
    await flow(officer.person.adapter)
      .assertReply(() => undefined)
      .send(`gia hạn ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toContain('nhập số ngày làm việc'))
      .send('3 cần xác minh thực địa')
      .assertReply((a) => expect(textOf(a)).toBe(`Đã gia hạn ${ticket}: hạn trả lời mới 17/12/2026.`))
      .startTest();
  });
});

describe('who may do what in chat', () => {
  test('an officer of so-yte cannot act on x-xuanquang’s question; an unlinked person is a citizen and changes nothing', async () => {
    const rig = await staffRig({ now: NOW });
    const yte = await rig.linked('officer-yte', 'officer', 'so-yte');
    const { ticket } = await citizenFiles(rig);
    await yte.person.adapter
      .send(`Tiếp nhận ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`))
      .send(`xem ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`))
      .startTest();
    const stranger = rig.person('stranger');
    await stranger.adapter
      .send(`Tiếp nhận ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toMatch(new RegExp(`^Câu hỏi ${ticket}: đang chờ cơ quan tiếp nhận`)))
      .send('liên kết 000000')
      .assertReply((a) => expect(textOf(a)).toContain('Mã liên kết không đúng hoặc đã hết hạn'))
      .startTest();
    expect((await rig.store.loadQuestions([ticket])).get(ticket)?.status).toBe('assigned');
  });

  test('an officer cannot publish an answer without an approver', async () => {
    const rig = await staffRig({ now: NOW });
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const { ticket } = await citizenFiles(rig);
    await flow(officer.person.adapter)
      .assertReply(() => undefined)
      .send(`duyệt ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`))
      .startTest();
    expect((await rig.store.loadQuestions([ticket])).get(ticket)?.status).toBe('assigned');
  });
});

describe('approving a draft (xem, duyệt with an edited text, approvers told of every draft)', () => {
  /** A citizen's question accepted by the officer, and a first draft sent; the notifications read. */
  async function drafted(rig: Awaited<ReturnType<typeof staffRig>>, draft: string) {
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const approver = await rig.linked('lead-bt', 'approver', 'x-xuanquang');
    const { citizen, ticket } = await citizenFiles(rig);
    await flow(officer.person.adapter).assertReply(() => undefined).startTest();
    await flow(approver.person.adapter).assertReply(() => undefined).startTest();
    await officer.person.adapter
      .send(`Tiếp nhận ${ticket}`)
      .assertReply(() => undefined)
      .send(`trả lời ${ticket} ${draft}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Đã gửi dự thảo trả lời ${ticket} cho lãnh đạo duyệt (1 người được báo).`))
      .startTest();
    return { officer, approver, citizen, ticket };
  }

  test('the approver reads the draft with "xem" before approving; after a return, "xem" shows what changed; "duyệt" publishes it', async () => {
    const rig = await staffRig({ now: NOW });
    const first = 'Hồ sơ gồm đơn đề nghị và hai bản vẽ.';
    const { officer, approver, citizen, ticket } = await drafted(rig, first);
    await flow(approver.person.adapter)
      .assertReply((a) => {
        expect(textOf(a)).toContain(`Dự thảo: ${first}`);
        expect(buttons(a)).toEqual([`Xem ${ticket}`, `Duyệt ${ticket}`, `Trả lại ${ticket}`]);
      })
      .send(`Xem ${ticket}`)
      .assertReply((a) => {
        expect(textOf(a)).toContain('Dự thảo chờ duyệt (officer-bt, 30/11/2026):');
        expect(textOf(a)).toContain(first);
        expect(textOf(a)).not.toContain('So với bản đã trả lại');
        expect(buttons(a)).toEqual([`Duyệt ${ticket}`, `Trả lại ${ticket}`]);
      })
      .send(`Trả lại ${ticket} nêu căn cứ pháp lý`)
      .assertReply((a) => expect(textOf(a)).toContain(`Đã trả lại dự thảo ${ticket}`))
      .startTest();
    const second = 'Hồ sơ gồm đơn đề nghị cấp phép và bản vẽ.';
    await flow(officer.person.adapter)
      .assertReply((a) => expect(textOf(a)).toContain('nêu căn cứ pháp lý'))
      .send(`trả lời ${ticket} ${second}`)
      .assertReply((a) => expect(textOf(a)).toContain('(1 người được báo)'))
      .startTest();
    await flow(approver.person.adapter)
      .assertReply((a) => expect(textOf(a)).toContain('So với bản đã trả lại: thêm «cấp phép»; bỏ «hai».'))
      .send(`xem ${ticket}`)
      .assertReply((a) => {
        expect(textOf(a)).toContain(second);
        expect(textOf(a)).toContain('So với bản đã trả lại ngày 30/11/2026 (góp ý: nêu căn cứ pháp lý):');
        expect(textOf(a)).toContain('+ thêm: cấp phép');
        expect(textOf(a)).toContain('− bỏ: hai');
      })
      .send(`duyệt ${ticket}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Đã duyệt và đăng câu trả lời ${ticket}, đã gửi đến người hỏi.`))
      .startTest();
    await flow(citizen.adapter).assertReply((a) => expect(textOf(a)).toContain(second)).startTest();
    const answered = (await rig.store.questionEvents(ticket)).map((e) => JSON.parse(e.body)).find((e) => e.type === 'answered');
    expect(answered).toMatchObject({ text: second, authorized: true, by: `approver:${approver.account.id}` });
  });

  test('"duyệt HD-... <text>" publishes the approver’s edited text: the citizen gets it, the ledger has it, the author is told it was edited', async () => {
    const rig = await staffRig({ now: NOW });
    const { officer, approver, citizen, ticket } = await drafted(rig, 'Hồ sơ gồm đơn và bản vẽ.');
    const edited = 'Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, giấy tờ về đất và bản vẽ thiết kế.';
    await flow(approver.person.adapter)
      .assertReply(() => undefined)
      // A remark after the ticket is not an answer: nothing is published.
      .send(`duyệt ${ticket} ok nhé`)
      .assertReply((a) => expect(textOf(a)).toContain(`Chưa đăng ${ticket}: "ok nhé" quá ngắn để là câu trả lời.`))
      .send(`duyệt ${ticket} ${edited}`)
      .assertReply((a) => expect(textOf(a)).toBe(`Đã duyệt và đăng câu trả lời ${ticket} (bản đã sửa), đã gửi đến người hỏi.`))
      .startTest();
    await flow(citizen.adapter)
      .assertReply((a) => {
        expect(textOf(a)).toContain(edited);
        expect(textOf(a)).not.toContain('Hồ sơ gồm đơn và bản vẽ.');
      })
      .startTest();
    await flow(officer.person.adapter).assertReply((a) => expect(textOf(a)).toBe(`Câu trả lời câu hỏi ${ticket} đã được duyệt và đăng (có chỉnh sửa).`)).startTest();
    const events = (await rig.store.questionEvents(ticket)).map((e) => JSON.parse(e.body));
    expect(events.filter((e) => e.type === 'answered')).toEqual([expect.objectContaining({ text: edited, authorized: true })]);
    expect(await rig.staff?.backoffice.latestDraft(ticket)).toMatchObject({ status: 'approved', comment: 'Duyệt có chỉnh sửa' });
  });

  test('a draft tells every approver of the agency (count > 0 with one), none of another agency; with no approver the officer hears 0', async () => {
    const rig = await staffRig({ now: NOW });
    const other = await rig.linked('lead-yte', 'approver', 'so-yte');
    const { approver, ticket } = await drafted(rig, 'Hồ sơ gồm đơn đề nghị và bản vẽ.');
    await flow(approver.person.adapter).assertReply((a) => expect(textOf(a)).toContain(`Dự thảo trả lời câu hỏi ${ticket} (UBND xã Xuân Quang) đang chờ duyệt.`)).startTest();
    expect(other.person.adapter.activeQueue).toHaveLength(0);

    const lonely = await staffRig({ now: NOW });
    const officer = await lonely.linked('officer-bt', 'officer', 'x-xuanquang');
    const filed = await citizenFiles(lonely);
    await flow(officer.person.adapter)
      .assertReply(() => undefined)
      .send(`trả lời ${filed.ticket} Hồ sơ gồm đơn đề nghị và bản vẽ.`)
      .assertReply((a) => expect(textOf(a)).toBe(`Đã gửi dự thảo trả lời ${filed.ticket} cho lãnh đạo duyệt (0 người được báo).`))
      .startTest();
  });

  test('an approver with no linked chat but an e-mail address is told by e-mail (queued once); one with a chat is told in chat only; one with neither is not counted', async () => {
    const rig = await staffRig({ now: NOW, staffEmail: true });
    const backoffice = rig.staff?.backoffice as NonNullable<typeof rig.staff>['backoffice'];
    await backoffice.createAccount({ name: 'Phó Chủ tịch', role: 'approver', agency: 'x-xuanquang', email: 'pct.baothang@laocai.gov.vn' }, NOW);
    const mailOnly = await backoffice.createAccount({ name: 'Chánh Văn phòng', role: 'approver', agency: 'x-xuanquang', email: 'cvp.baothang@laocai.gov.vn' }, NOW);
    await backoffice.createAccount({ name: 'Không liên lạc', role: 'approver', agency: 'x-xuanquang' }, NOW);
    const inChat = await rig.linked('lead-bt', 'approver', 'x-xuanquang');
    await backoffice.setAccountEmail(inChat.account.id, 'lead.bt@laocai.gov.vn');
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const { ticket } = await citizenFiles(rig);
    await flow(officer.person.adapter)
      .assertReply(() => undefined)
      .send(`trả lời ${ticket} Hồ sơ gồm đơn đề nghị và bản vẽ.`)
      // The chat approver, the two with an e-mail address; not the one with neither.
      .assertReply((a) => expect(textOf(a)).toBe(`Đã gửi dự thảo trả lời ${ticket} cho lãnh đạo duyệt (3 người được báo).`))
      .startTest();
    const mails = rig.store.db.prepare("SELECT recipient, payload FROM outbox WHERE channel = 'email' ORDER BY id").all() as Array<{ recipient: string; payload: string }>;
    expect(mails.map((m) => m.recipient).sort()).toEqual(['cvp.baothang@laocai.gov.vn', 'pct.baothang@laocai.gov.vn']);
    const mail = JSON.parse(mails[0].payload) as { subject: string; text: string };
    expect(mail.subject).toBe(`[Hỏi - Đáp] Dự thảo trả lời câu hỏi ${ticket} chờ duyệt`);
    expect(mail.text).toContain('Dự thảo: Hồ sơ gồm đơn đề nghị và bản vẽ.');
    expect(mail.text).toContain(`"duyệt ${ticket} <nội dung đã sửa>"`);
    expect(mailOnly.email).toBe('cvp.baothang@laocai.gov.vn');
    await flow(inChat.person.adapter).assertReply(() => undefined).assertReply((a) => expect(textOf(a)).toContain(`Dự thảo trả lời câu hỏi ${ticket}`)).startTest();
  });
});

describe('administrators in chat', () => {
  test('"cau hoi qua han bao thang" returns the same questions as `hoidap overdue --agency "Bảo Thắng"`', async () => {
    const at = instant('2023-09-25T17:00:00+07:00');
    const rig = await staffRig({ demo: true, now: at });
    const admin = await rig.linked('admin', 'admin');
    let said = '';
    await admin.person.adapter.send('cau hoi qua han bao thang').assertReply((a) => void (said = textOf(a))).startTest();
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-admin-')), 'x.sqlite');
    await hoidap(['import', '--db', db, path.join(__dirname, '../../data/demo/ledger-2023.jsonl')]);
    const cli = await hoidap(['overdue', '--db', db, '--agency', 'Bảo Thắng', '--at', '2023-09-25T17:00:00+07:00', '--format', 'json']);
    const expected = (JSON.parse(cli.stdout).overdue as Array<{ q: string }>).map((o) => o.q);
    expect(expected).toHaveLength(5);
    expect(said.match(/HD-\d{4}-\d{6}/g)).toEqual(expected);
  });
});

describe('chat commands: authorization matrix', () => {
  const commands = (t: string) => [`Tiếp nhận ${t}`, `xem ${t}`, `chuyển ${t}`, `chuyển ${t} Sở Y tế`, `xóa ${t}`, `xóa ${t} trùng lặp`, `trả lời ${t}`, `trả lời ${t} Nội dung`, `gia hạn ${t}`, `gia hạn ${t} 3 xác minh`, `duyệt ${t}`, `trả lại ${t}`, `trả lại ${t} bổ sung`];

  test.each([['an officer of so-yte'], ['an approver of so-yte']])('%s is refused every command on an x-xuanquang question, and nothing changes', async (who) => {
    const rig = await staffRig({ now: NOW });
    const { ticket } = await citizenFiles(rig);
    const other = await rig.linked('yte', who.includes('approver') ? 'approver' : 'officer', 'so-yte');
    for (const command of commands(ticket))
      await other.person.adapter.send(command).assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`)).startTest();
    expect((await rig.store.questionEvents(ticket)).map((e) => e.type)).toEqual(['submitted', 'assigned']);
  });

  test('an admin lists the Zalo/Messenger messages that could not be delivered and sends one again; an editor may not', async () => {
    const rig = await staffRig({ now: NOW });
    const admin = await rig.linked('admin', 'admin');
    const editor = await rig.linked('editor', 'editor');
    // Admins are told in chat whenever a chat identity gets linked to an account.
    expect(textOf(admin.person.adapter.activeQueue.shift() as Partial<Activity>)).toMatch(/^Tài khoản editor \(acc_[0-9a-f]+, editor\) vừa được liên kết với khung chat trên cổng thông tin lúc /);
    const say = (who: typeof admin, text: string, expected: string | RegExp) =>
      who.person.adapter.send(text).assertReply((a) => expect(textOf(a)).toMatch(expected)).startTest();
    await say(admin, 'tin nhắn chưa gửi được', /^Không có tin nhắn Zalo, Messenger nào chưa gửi được\.$/);

    const insert = rig.store.db.prepare(`INSERT INTO outbox (channel, recipient, payload, created_ms, next_attempt_ms, attempts, status) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    insert.run('zalo', '7001', JSON.stringify({ text: 'Câu hỏi HD-2026-000007 đã được Sở Y tế trả lời: ...' }), NOW - 3_600_000, 0, 12, 'dead');
    insert.run('facebook', '7002', JSON.stringify({ text: 'Cảm ơn bạn đã đánh giá 5/5.' }), NOW - 60_000, 0, 1, 'unknown');
    insert.run('zalo', '7003', JSON.stringify({ text: 'Xin chào!' }), NOW - 60_000, 0, 1, 'sent');

    await admin.person.adapter
      .send('tin nhan chua gui duoc')
      .assertReply((a) => {
        const text = textOf(a);
        expect(text).toMatch(/^Tin nhắn chưa gửi được \(mới nhất trước\):\n• Số 2 \(Messenger, .+\): không rõ đã đến chưa \(máy chủ dừng khi đang gửi\)\. Cảm ơn bạn đã đánh giá 5\/5\.\n• Số 1 \(Zalo, .+\): gửi lỗi nhiều lần\. Câu hỏi HD-2026-000007/);
        expect(text).not.toContain('Số 3');
        expect(buttons(a)).toEqual(['Gửi lại 2', 'Gửi lại 1']);
      })
      .startTest();
    await say(admin, 'Gửi lại 1', 'Đã đưa tin nhắn số 1 vào hàng gửi lại; hệ thống gửi trong ít phút.');
    expect(rig.store.db.prepare('SELECT status, attempts, last_error FROM outbox WHERE id = 1').get()).toEqual({ status: 'pending', attempts: 0, last_error: `resent by ${admin.account.id} in chat` });
    await say(admin, 'gửi lại 3', 'Tin nhắn số 3 đã gửi: chỉ gửi lại được tin gửi lỗi nhiều lần, quá thời hạn trả lời của kênh, không rõ đã đến chưa.');
    await say(admin, 'gui lai 99', 'Không có tin nhắn số 99.');

    await say(editor, 'tin nhắn chưa gửi được', 'Chỉ quản trị viên xem và gửi lại tin nhắn chưa gửi được.');
    await say(editor, 'gửi lại 2', 'Chỉ quản trị viên xem và gửi lại tin nhắn chưa gửi được.');
    expect(rig.store.db.prepare('SELECT status FROM outbox WHERE id = 2').get()).toEqual({ status: 'unknown' });
  });

  test('a citizen (an identity never linked) typing officer commands gets citizen answers, and nothing changes', async () => {
    const rig = await staffRig({ now: NOW });
    const { ticket } = await citizenFiles(rig);
    const stranger = rig.person('someone');
    for (const command of commands(ticket))
      await stranger.adapter.send(command).assertReply((a) => expect(textOf(a)).toMatch(new RegExp(`^Câu hỏi ${ticket}: `))).startTest();
    expect((await rig.store.questionEvents(ticket)).map((e) => e.type)).toEqual(['submitted', 'assigned']);
  });

  test('an officer of the agency may neither approve nor return a draft (approvers do: see the first test)', async () => {
    const rig = await staffRig({ now: NOW });
    const { ticket } = await citizenFiles(rig);
    const officer = await rig.linked('bt', 'officer', 'x-xuanquang');
    await officer.person.adapter.send(`duyệt ${ticket}`).assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`)).startTest();
    await officer.person.adapter.send(`trả lại ${ticket} sửa lại`).assertReply((a) => expect(textOf(a)).toBe(`Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`)).startTest();
  });
});

test('link codes cannot be guessed: after five wrong codes within the failure window, even the right one waits', async () => {
  const rig = await staffRig({ now: NOW });
  const backoffice = rig.staff?.backoffice;
  const account = await backoffice!.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, NOW);
  const code = await backoffice!.createLinkCode(account.id, NOW, 15 * 60 * 1000);
  const guesser = rig.person('guesser');
  for (let i = 0; i < 5; i += 1) await guesser.adapter.send(`liên kết ${String(100000 + i)}`).assertReply((a) => expect(textOf(a)).toContain('không đúng')).startTest();
  await guesser.adapter.send(`liên kết ${code}`).assertReply((a) => expect(textOf(a)).toContain('quá nhiều lần nhập sai mã liên kết')).startTest();
  expect(await backoffice!.accountByIdentity({ channel: guesser.channelId, userId: guesser.userId })).toBeUndefined();
});
