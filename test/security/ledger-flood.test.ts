import { hoidap } from '../helpers/cli';
import { province } from '../helpers/province';
import { askOverDirectLine, dataWith, DirectLineClient, startLocal } from './helpers';

/**
 * Finding 3: the ask-an-agency dialog, scripted, filed 50 official questions in 0.86 s with any
 * name and contact; they count in Phụ biểu 02 and are never purged. Now data/policy.json
 * `questionsPerDay` limits what is filed per chat identity, per contact and overall each local
 * day; what goes over is not entered in the ledger but held for the editors, who release it
 * (filed then) or discard it, and the citizen is told in Vietnamese.
 */
const HELD = /chưa được ghi nhận chính thức\. Ban biên tập sẽ xem xét và quyết định tiếp nhận \(số tham chiếu: C-(\d+)\)/;

test('a scripted flood over Direct Line: the questions over the limits wait for an editor instead of entering the ledger', async () => {
  // data/policy.json as shipped: 3 a day per chat identity, 3 per contact.
  const { perIdentity, perContact } = province().policy.questionsPerDay;
  expect([perIdentity, perContact]).toEqual([3, 3]);
  const local = await startLocal({ data: province() });
  try {
    const { store: accounts, workflow } = local.server.backoffice!;
    const submitted = async () => (await workflow.ledger.store.counts()).questions;

    // One conversation (one identity) asks four times, with four phone numbers: the fourth goes over perIdentity.
    const a = await DirectLineClient.start(local.base);
    for (const phone of ['0912000001', '0912000002', '0912000003']) expect(await askOverDirectLine(a, phone)).toMatch(/Đã gửi câu hỏi\. Mã câu hỏi của bạn: HD-\d{4}-\d{6}/);
    const overIdentity = await askOverDirectLine(a, '0912000004');
    expect(overIdentity).toMatch(HELD);
    expect(overIdentity).toContain('Bạn đã gửi đủ số câu hỏi cho phép trong một ngày');
    expect(await submitted()).toBe(3);

    // New conversations, one phone number typed three ways: the fourth question for this contact goes over perContact.
    for (const phone of ['0912345678', '+84 912 345 678', '0912.345.678']) expect(await askOverDirectLine(await DirectLineClient.start(local.base), phone)).toMatch(/Đã gửi câu hỏi/);
    const overContact = await askOverDirectLine(await DirectLineClient.start(local.base), '84912345678');
    expect(overContact).toMatch(HELD);
    expect(await submitted()).toBe(6);

    // The editors see the held questions (an officer may not), release one and discard the other.
    const editor = await accounts.createAccount({ name: 'Biên tập', role: 'editor' }, Date.now());
    const officer = await accounts.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, Date.now());
    const editorToken = await accounts.issueApiToken(editor.id, Date.now());
    const officerToken = await accounts.issueApiToken(officer.id, Date.now());
    const api = (method: string, path: string, token: string) =>
      fetch(`${local.base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    expect((await api('GET', '/held-questions', officerToken)).status).toBe(403);
    const list = (await (await api('GET', '/held-questions', editorToken)).json()) as { items: Array<{ id: number; reason: string; asker: { contact: string } }> };
    expect(list.items.map((h) => h.reason)).toEqual(['identity', 'contact']);
    expect(list.items.map((h) => `C-${h.id}`)).toEqual([`C-${HELD.exec(overIdentity)?.[1]}`, `C-${HELD.exec(overContact)?.[1]}`]);

    // The CLI sees the same queue in the same file while the server runs.
    const cli = await hoidap(['held', 'list', '--db', local.dbFile, '--format', 'json']);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id)).toEqual(list.items.map((h) => h.id));
    // Its text output is for an editor: Vietnamese, each reason said in words.
    const text = await hoidap(['held', 'list', '--db', local.dbFile]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const [heading, ...rows] = text.stdout.trim().split('\n');
    expect(heading).toBe('2 câu hỏi vượt giới hạn trong ngày, chờ Ban biên tập xem xét (số, lúc giữ, lý do, cơ quan, nội dung):');
    expect(rows.map((r) => r.split('\t').slice(0, 3))).toEqual([
      [String(list.items[0].id), expect.stringMatching(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/), 'vượt giới hạn câu hỏi trong ngày của một người hỏi'],
      [String(list.items[1].id), expect.stringMatching(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/), 'vượt giới hạn câu hỏi trong ngày của một số điện thoại, email'],
    ]);

    const released = await api('POST', `/held-questions/${list.items[0].id}/release`, editorToken);
    expect(released.status).toBe(200);
    expect(((await released.json()) as { q: string }).q).toMatch(/^HD-\d{4}-\d{6}$/);
    expect(await submitted()).toBe(7);
    expect((await api('POST', `/held-questions/${list.items[0].id}/release`, editorToken)).status).toBe(409);
    const discarded = await hoidap(['held', 'discard', '--db', local.dbFile, '--id', String(list.items[1].id), '--by', editor.id]);
    expect(discarded).toEqual({ code: 0, stdout: `Đã bỏ câu hỏi chờ số ${list.items[1].id}.\n`, stderr: '' });
    expect(await submitted()).toBe(7);
    expect(((await (await api('GET', '/held-questions', editorToken)).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await hoidap(['held', 'list', '--db', local.dbFile])).stdout).toBe('Không có câu hỏi nào đang chờ Ban biên tập xem xét.\n');
  } finally {
    await local.close();
  }
});

test('the overall daily limit holds even questions from new identities and new contacts', async () => {
  const local = await startLocal({ data: dataWith({ policy: { questionsPerDay: { perIdentity: 3, perContact: 3, overall: 2 } } }) });
  try {
    const replies: string[] = [];
    for (const phone of ['0912000001', '0912000002', '0912000003']) replies.push(await askOverDirectLine(await DirectLineClient.start(local.base), phone));
    expect(replies.map((r) => (/Đã gửi câu hỏi/.test(r) ? 'filed' : HELD.test(r) ? 'held' : r))).toEqual(['filed', 'filed', 'held']);
    expect(replies[2]).toContain('Hôm nay hệ thống đã nhận quá nhiều câu hỏi');
    expect((await local.server.backoffice!.workflow.ledger.store.counts()).questions).toBe(2);
  } finally {
    await local.close();
  }
});

test('new conversations from one address with new phone numbers each are held past the per-address limit', async () => {
  const local = await startLocal({ data: dataWith({ policy: { questionsPerDay: { perIdentity: 3, perContact: 3, perAddress: 2, overall: 500 } } }) });
  try {
    const replies: string[] = [];
    for (const phone of ['0912000011', '0912000012', '0912000013']) replies.push(await askOverDirectLine(await DirectLineClient.start(local.base), phone));
    expect(replies.map((r) => (/Đã gửi câu hỏi/.test(r) ? 'filed' : HELD.test(r) ? 'held' : r))).toEqual(['filed', 'filed', 'held']);
    expect((await local.server.backoffice!.workflow.ledger.store.counts()).questions).toBe(2);
  } finally {
    await local.close();
  }
});

test('a mistake in questionsPerDay stops the start, naming the file and the entry', () => {
  expect(() => dataWith({ policy: { questionsPerDay: { perIdentity: 0, perContact: 3, overall: 10 } } })).toThrow(/policy\.json: questionsPerDay\.perIdentity: /);
});
