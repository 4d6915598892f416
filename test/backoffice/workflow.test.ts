import { Workflow, WorkflowError, type WorkflowActor } from '../../src/backoffice/actions';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import type { Account } from '../../src/backoffice/types';
import { Ledger } from '../../src/ledger/ledger';
import { buildRouter, loadRoutingResources } from '../../src/routing/load';
import type { Router } from '../../src/routing/router';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqliteQuestionQueries } from '../../src/store/sqlite-queries';
import { captureLogs } from '../fakes/log-capture';
import { instant, local, province } from '../helpers/province';

/** Monday 30/11/2026: a question assigned at 08:05 is due for acceptance on 02/12 and for an answer on 14/12. */
const SUBMITTED = '2026-11-30T08:00:00+07:00';
const ASSIGNED = '2026-11-30T08:05:00+07:00';
const LAND = 'Xin hỏi Sở Tài nguyên, sổ đỏ của tôi bị ghi sai tên đệm của vợ, bây giờ muốn đính chính thì nộp hồ sơ ở đâu?';
const HEALTH = 'Cho tôi hỏi thủ tục cấp chứng chỉ hành nghề khám bệnh, chữa bệnh cho bác sĩ';

let router: Router;
beforeAll(() => {
  const data = province();
  router = buildRouter(data, loadRoutingResources(data));
});

interface Rig {
  store: SqliteLedgerStore;
  backoffice: SqliteBackofficeStore;
  notifier: RecordingNotifier;
  workflow: Workflow;
  ledger: Ledger;
  clock: { now: number };
  officerBT: Account;
  officer2BT: Account;
  approverBT: Account;
  officerYT: Account;
  approverYT: Account;
  editor: Account;
  admin: Account;
  file(q: string, text: string, agency?: string | null, asker?: Record<string, string>): Promise<void>;
  count(q: string): Promise<number>;
}

const rigs: Rig[] = [];

async function rig(): Promise<Rig> {
  const data = province();
  const store = new SqliteLedgerStore(':memory:');
  const backoffice = new SqliteBackofficeStore(store.db);
  const notifier = new RecordingNotifier();
  const clock = { now: instant('2026-11-30T09:00:00+07:00') };
  const ledger = new Ledger(store, data);
  const workflow = new Workflow({ data, store, ledger, backoffice, queries: new SqliteQuestionQueries(store.db), notifier, router, now: () => clock.now });
  const t = instant('2026-11-01T08:00:00+07:00');
  const make = (name: string, role: Account['role'], agency?: string) => backoffice.createAccount({ name, role, ...(agency ? { agency } : {}) }, t);
  const r: Rig = {
    store,
    backoffice,
    notifier,
    workflow,
    ledger,
    clock,
    officerBT: await make('Lò Văn Bình', 'officer', 'x-baothang'),
    officer2BT: await make('Trần Thị Hoa', 'officer', 'x-baothang'),
    approverBT: await make('Phó Chủ tịch huyện', 'approver', 'x-baothang'),
    officerYT: await make('Cán bộ Sở Y tế', 'officer', 'so-yte'),
    approverYT: await make('Giám đốc Sở Y tế', 'approver', 'so-yte'),
    editor: await make('Ban biên tập', 'editor'),
    admin: await make('Quản trị', 'admin'),
    async file(q, text, agency = 'x-baothang', asker = { name: 'Nguyễn Văn An', contact: '0912345678', locality: 'x-baothang' }) {
      await ledger.record({ q, type: 'submitted', at: SUBMITTED, channel: 'zalo', text, asker });
      if (agency) await ledger.record({ q, type: 'assigned', at: ASSIGNED, agency, by: 'bot' });
    },
    async count(q) {
      return (await store.questionEvents(q)).length;
    },
  };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.store.close();
});

async function failure(promise: Promise<unknown>): Promise<WorkflowError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WorkflowError) return err;
    throw err;
  }
  throw new Error('expected a WorkflowError, the action succeeded');
}

describe('accept', () => {
  test('the agency’s officer accepts; the event names the officer; twice is refused', async () => {
    const r = await rig();
    await r.file('HD-2026-000001', LAND);
    const result = await r.workflow.accept(r.officerBT, 'HD-2026-000001');
    expect(result.event).toEqual({ q: 'HD-2026-000001', type: 'accepted', at: '2026-11-30T09:00:00+07:00', agency: 'x-baothang', by: `officer:${r.officerBT.id}` });
    expect(result.state.status).toBe('accepted');
    r.clock.now += 60_000;
    const again = await failure(r.workflow.accept(r.officer2BT, 'HD-2026-000001'));
    expect(again.code).toBe('invalid_state');
    expect(again.message).toBe('question HD-2026-000001 was already accepted by x-baothang on 30/11/2026 09:00');
    expect(await r.count('HD-2026-000001')).toBe(3);
  });

  test('an officer of so-yte can neither accept nor do anything else to x-baothang’s question; nothing is recorded', async () => {
    const r = await rig();
    await r.file('HD-2026-000001', LAND);
    const attempts: Array<Promise<unknown>> = [
      r.workflow.accept(r.officerYT, 'HD-2026-000001'),
      r.workflow.forward(r.officerYT, 'HD-2026-000001', { agency: 'so-yte', reason: 'x' }),
      r.workflow.delete(r.officerYT, 'HD-2026-000001', { reason: 'duplicate' }),
      r.workflow.extend(r.officerYT, 'HD-2026-000001', { days: 2, reason: 'x' }),
      r.workflow.draft(r.officerYT, 'HD-2026-000001', { text: 'x' }),
      r.workflow.approve(r.approverYT, 'HD-2026-000001', { text: 'x' }),
      r.workflow.returnDraft(r.approverYT, 'HD-2026-000001', { comment: 'x' }),
      r.workflow.questionDetail(r.officerYT, 'HD-2026-000001'),
      r.workflow.suggestForward(r.officerYT, 'HD-2026-000001'),
    ];
    for (const attempt of attempts) {
      const err = await failure(attempt);
      expect(err.code).toBe('forbidden');
      expect(err.message).not.toContain('x-baothang');
    }
    expect(await r.count('HD-2026-000001')).toBe(2);
    expect(await r.backoffice.latestDraft('HD-2026-000001')).toBeUndefined();
  });

  test('editors may not accept; an unknown question is not_found; a deactivated account may do nothing', async () => {
    const r = await rig();
    await r.file('HD-2026-000001', LAND);
    expect(await failure(r.workflow.accept(r.editor, 'HD-2026-000001'))).toMatchObject({ code: 'forbidden', message: 'an editor may not accept questions' });
    expect(await failure(r.workflow.accept(r.officerBT, 'HD-2026-009999'))).toMatchObject({ code: 'not_found', message: 'no question HD-2026-009999' });
    const inactive: WorkflowActor = { ...r.officerBT, active: false };
    expect(await failure(r.workflow.accept(inactive, 'HD-2026-000001'))).toMatchObject({ code: 'forbidden' });
  });
});

describe('forward', () => {
  test('with the router’s suggestion: the question moves to so-yte, whose officer may then accept it', async () => {
    const r = await rig();
    await r.file('HD-2026-000002', HEALTH);
    const suggestion = await r.workflow.suggestForward(r.officerBT, 'HD-2026-000002');
    expect(suggestion).toMatchObject({ agency: 'so-yte', name: 'Sở Y tế' });
    expect(suggestion?.alternatives.every((a) => a.agency !== 'x-baothang')).toBe(true);
    const detail = await r.workflow.questionDetail(r.officerBT, 'HD-2026-000002');
    expect(detail.suggestion?.agency).toBe('so-yte');

    const result = await r.workflow.forward(r.officerBT, 'HD-2026-000002', { agency: (suggestion as { agency: string }).agency, reason: 'Thuộc thẩm quyền của ngành y tế' });
    expect(result.event).toMatchObject({ type: 'forwarded', from: 'x-baothang', agency: 'so-yte', reason: 'Thuộc thẩm quyền của ngành y tế', by: `officer:${r.officerBT.id}` });
    expect(result.state).toMatchObject({ status: 'assigned', agency: 'so-yte' });
    expect((await failure(r.workflow.accept(r.officerBT, 'HD-2026-000002'))).code).toBe('forbidden');
    r.clock.now += 60_000;
    expect((await r.workflow.accept(r.officerYT, 'HD-2026-000002')).state.agency).toBe('so-yte');
  });

  test('the officer may choose another agency than the router, by name without diacritics', async () => {
    const r = await rig();
    await r.file('HD-2026-000002', HEALTH);
    const result = await r.workflow.forward(r.officerBT, 'HD-2026-000002', { agency: 'so noi vu', reason: 'Chế độ chính sách' });
    expect(result.event).toMatchObject({ from: 'x-baothang', agency: 'so-noivu' });
  });

  test('refused: to the same agency, to an unknown one, without a reason; nothing is recorded', async () => {
    const r = await rig();
    await r.file('HD-2026-000002', HEALTH);
    expect(await failure(r.workflow.forward(r.officerBT, 'HD-2026-000002', { agency: 'x-baothang', reason: 'x' }))).toMatchObject({
      code: 'invalid_state',
      message: 'question HD-2026-000002 is already at x-baothang; forward it to another agency',
    });
    expect(await failure(r.workflow.forward(r.officerBT, 'HD-2026-000002', { agency: 'bo-y-te-trung-uong', reason: 'x' }))).toMatchObject({ code: 'invalid_input' });
    expect(await failure(r.workflow.forward(r.officerBT, 'HD-2026-000002', { agency: 'so-yte', reason: '  ' }))).toMatchObject({
      code: 'invalid_input',
      message: 'reason must not be empty (why it belongs to the other agency)',
    });
    expect(await r.count('HD-2026-000002')).toBe(2);
  });
});

describe('delete', () => {
  test('one of the four reasons; afterwards nothing but a rating may follow', async () => {
    const r = await rig();
    await r.file('HD-2026-000003', LAND);
    expect(await failure(r.workflow.delete(r.officerBT, 'HD-2026-000003', { reason: 'spam' }))).toMatchObject({
      code: 'invalid_input',
      message: 'reason must be one of duplicate, violation, invalid_identity, out_of_scope; got "spam"',
    });
    const result = await r.workflow.delete(r.officerBT, 'HD-2026-000003', { reason: 'duplicate' });
    expect(result.event).toMatchObject({ type: 'deleted', agency: 'x-baothang', reason: 'duplicate' });
    expect(await failure(r.workflow.accept(r.officerBT, 'HD-2026-000003'))).toMatchObject({
      code: 'invalid_state',
      message: 'question HD-2026-000003 is already deleted; cannot accept it',
    });
  });

  test('editors delete by rule in any agency', async () => {
    const r = await rig();
    await r.file('HD-2026-000003', LAND);
    expect((await r.workflow.delete(r.editor, 'HD-2026-000003', { reason: 'violation' })).event.by).toBe(`editor:${r.editor.id}`);
  });
});

describe('extend', () => {
  test('once, before the deadline, by at most 5 working days: the answer deadline moves', async () => {
    const r = await rig();
    await r.file('HD-2026-000004', LAND);
    for (const days of [0, 6, 1.5]) expect((await failure(r.workflow.extend(r.officerBT, 'HD-2026-000004', { days, reason: 'Cần xác minh' }))).code).toBe('invalid_input');
    expect((await failure(r.workflow.extend(r.officerBT, 'HD-2026-000004', { days: 3, reason: '' }))).code).toBe('invalid_input');
    const result = await r.workflow.extend(r.officerBT, 'HD-2026-000004', { days: 3, reason: 'Cần xác minh hồ sơ địa chính' });
    expect(result.event).toMatchObject({ type: 'extended', agency: 'x-baothang', days: 3, reason: 'Cần xác minh hồ sơ địa chính' });
    // 14/12 + 3 working days = 17/12.
    expect(result.answerDue).toBe('2026-12-17T23:59:59.999+07:00');
    r.clock.now += 60_000;
    expect(await failure(r.workflow.extend(r.approverBT, 'HD-2026-000004', { days: 1, reason: 'Thêm' }))).toMatchObject({
      code: 'invalid_state',
      message: 'question HD-2026-000004 was already extended by 3 working day(s) on 30/11/2026; a case is extended at most once',
    });
    expect(await r.count('HD-2026-000004')).toBe(3);
  });

  test('after the answer deadline has passed it is refused (it would move nothing and use up the only extension)', async () => {
    const r = await rig();
    await r.file('HD-2026-000004', LAND);
    r.clock.now = instant('2026-12-15T08:00:00+07:00');
    const err = await failure(r.workflow.extend(r.officerBT, 'HD-2026-000004', { days: 2, reason: 'Muộn' }));
    expect(err).toMatchObject({ code: 'invalid_state' });
    expect(err.message).toMatch(/^the answer deadline of question HD-2026-000004 passed on 14\/12\/2026 23:59/);
    expect(await r.count('HD-2026-000004')).toBe(2);
  });
});

describe('draft, approve, return', () => {
  test('an officer’s draft goes to the agency’s approvers with Duyệt / Trả lại buttons, and nowhere else', async () => {
    const r = await rig();
    await r.file('HD-2026-000005', LAND);
    const { draft, notified } = await r.workflow.draft(r.officerBT, 'HD-2026-000005', { text: 'Ông/bà liên hệ Văn phòng đăng ký đất đai huyện để đính chính.' });
    expect(draft).toMatchObject({ q: 'HD-2026-000005', agency: 'x-baothang', status: 'pending', author: r.officerBT.id });
    expect(notified).toBe(1);
    expect(r.notifier.toAccounts).toHaveLength(1);
    const [sent] = r.notifier.toAccounts;
    expect(sent.account.id).toBe(r.approverBT.id);
    // "Xem" first: the approver reads the draft (and what changed since a returned version) before deciding.
    expect(sent.message.buttons).toEqual(['Xem HD-2026-000005', 'Duyệt HD-2026-000005', 'Trả lại HD-2026-000005']);
    expect(sent.message.text).toContain('Dự thảo trả lời câu hỏi HD-2026-000005 (UBND xã Bảo Thắng) đang chờ duyệt.');
    expect(sent.message.text).toContain('Người soạn: Lò Văn Bình');
    expect(sent.message.text).toContain('Văn phòng đăng ký đất đai huyện');
    // An officer cannot publish: answers go through an approver.
    expect(await failure(r.workflow.approve(r.officerBT, 'HD-2026-000005'))).toMatchObject({ code: 'forbidden', message: 'an officer may not approve or return answers' });
    expect((await r.store.questionEvents('HD-2026-000005')).some((e) => e.type === 'answered')).toBe(false);
  });

  test('the approver publishes the pending draft: answered, authorized, delivered to the citizen; the author is told', async () => {
    const r = await rig();
    await r.file('HD-2026-000005', LAND);
    await r.workflow.accept(r.officerBT, 'HD-2026-000005');
    r.clock.now += 3_600_000;
    const text = 'Ông/bà liên hệ Văn phòng đăng ký đất đai huyện để đính chính.';
    await r.workflow.draft(r.officerBT, 'HD-2026-000005', { text });
    r.clock.now += 3_600_000;
    const result = await r.workflow.approve(r.approverBT, 'HD-2026-000005');
    expect(result.event).toEqual({
      q: 'HD-2026-000005',
      type: 'answered',
      at: '2026-11-30T11:00:00+07:00',
      agency: 'x-baothang',
      authorized: true,
      text,
      by: `approver:${r.approverBT.id}`,
    });
    expect(result.state.status).toBe('answered');
    expect(result.delivered).toBe(true);
    expect(result.draft).toMatchObject({ status: 'approved', decidedBy: r.approverBT.id });
    expect(r.notifier.toCitizens).toEqual([{ q: 'HD-2026-000005', answerText: text, agencyName: 'UBND xã Bảo Thắng' }]);
    const toAuthor = r.notifier.toAccounts.filter((m) => m.account.id === r.officerBT.id);
    expect(toAuthor.map((m) => m.message.text)).toEqual(['Câu trả lời câu hỏi HD-2026-000005 đã được duyệt và đăng.']);
    expect(await failure(r.workflow.approve(r.approverBT, 'HD-2026-000005'))).toMatchObject({ code: 'invalid_state', message: 'question HD-2026-000005 is already answered; cannot approve it' });
    expect(r.notifier.toCitizens).toHaveLength(1);
  });

  test('the approver returns a draft with a comment; the officer redrafts; the approver publishes an edited text', async () => {
    const r = await rig();
    await r.file('HD-2026-000006', LAND);
    await r.workflow.draft(r.officerBT, 'HD-2026-000006', { text: 'Liên hệ xã.' });
    r.clock.now += 60_000;
    const returned = await r.workflow.returnDraft(r.approverBT, 'HD-2026-000006', { comment: 'Cần nêu rõ căn cứ pháp lý và thời hạn giải quyết' });
    expect(returned.draft).toMatchObject({ status: 'returned', comment: 'Cần nêu rõ căn cứ pháp lý và thời hạn giải quyết', decidedBy: r.approverBT.id });
    expect(returned.notified).toBe(1);
    const told = r.notifier.toAccounts.at(-1);
    expect(told?.account.id).toBe(r.officerBT.id);
    expect(told?.message.text).toContain('Dự thảo trả lời câu hỏi HD-2026-000006 đã bị trả lại (Phó Chủ tịch huyện).');
    expect(told?.message.text).toContain('Góp ý: Cần nêu rõ căn cứ pháp lý và thời hạn giải quyết');
    // Nothing left to approve or return.
    expect(await failure(r.workflow.approve(r.approverBT, 'HD-2026-000006'))).toMatchObject({ code: 'invalid_state' });
    expect(await failure(r.workflow.returnDraft(r.approverBT, 'HD-2026-000006', { comment: 'x' }))).toMatchObject({ code: 'invalid_state' });
    expect(await r.count('HD-2026-000006')).toBe(2);

    r.clock.now += 60_000;
    await r.workflow.draft(r.officerBT, 'HD-2026-000006', { text: 'Theo Điều 38 Nghị định 43/2014/NĐ-CP, ...' });
    r.clock.now += 60_000;
    const edited = 'Theo Điều 38 Nghị định 43/2014/NĐ-CP, hồ sơ nộp tại Văn phòng đăng ký đất đai; thời hạn 10 ngày làm việc.';
    const result = await r.workflow.approve(r.approverBT, 'HD-2026-000006', { text: edited });
    expect(result.event).toMatchObject({ type: 'answered', text: edited, authorized: true });
    expect(result.draft).toMatchObject({ status: 'approved', comment: 'Duyệt có chỉnh sửa' });
    expect(r.notifier.toCitizens.map((c) => c.answerText)).toEqual([edited]);
  });

  test('a new draft replaces the one still waiting', async () => {
    const r = await rig();
    await r.file('HD-2026-000007', LAND);
    const first = await r.workflow.draft(r.officerBT, 'HD-2026-000007', { text: 'Bản 1' });
    const second = await r.workflow.draft(r.officer2BT, 'HD-2026-000007', { text: 'Bản 2' });
    expect((await r.backoffice.pendingDrafts('x-baothang')).map((d) => d.id)).toEqual([second.draft.id]);
    expect(first.draft.id).not.toBe(second.draft.id);
    const result = await r.workflow.approve(r.approverBT, 'HD-2026-000007');
    expect(result.event.text).toBe('Bản 2');
  });

  test('an approver (or admin) may publish a text without any draft; with neither text nor draft it is refused', async () => {
    const r = await rig();
    await r.file('HD-2026-000008', LAND);
    expect(await failure(r.workflow.approve(r.approverBT, 'HD-2026-000008'))).toMatchObject({
      code: 'invalid_state',
      message: 'question HD-2026-000008 has no draft waiting for approval; send the answer text to publish it directly',
    });
    const result = await r.workflow.approve(r.admin, 'HD-2026-000008', { text: 'Trả lời trực tiếp.' });
    expect(result.event).toMatchObject({ by: `admin:${r.admin.id}`, authorized: true });
    expect(await failure(r.workflow.approve(r.editor, 'HD-2026-000008', { text: 'x' }))).toMatchObject({ code: 'forbidden' });
  });

  test('a notifier that fails does not undo a published answer; the logs name the question, never the citizen’s phone or text', async () => {
    const logs = captureLogs('debug');
    const r = await rig();
    await r.file('HD-2026-000009', LAND);
    const failing = new Workflow({
      data: province(),
      store: r.store,
      backoffice: r.backoffice,
      notifier: { toAccount: async () => Promise.reject(new Error('zalo down')), answerToCitizen: async () => Promise.reject(new Error('zalo down')) },
      now: () => r.clock.now,
    });
    await failing.draft(r.officerBT, 'HD-2026-000009', { text: 'Trả lời' });
    const result = await failing.approve(r.approverBT, 'HD-2026-000009');
    await logs.stop();
    expect(result.delivered).toBe(false);
    expect(result.state.status).toBe('answered');
    const all = logs.lines.join('\n');
    expect(all).toContain('answer published but not handed to the citizen channel');
    expect(all).toContain('HD-2026-000009');
    expect(all).not.toContain('0912345678');
    expect(all).not.toContain(LAND.slice(0, 40));
  });
});

describe('assign (editors)', () => {
  test('a question not yet at any agency is assigned; one in the triage queue is forwarded from vp-ubnd', async () => {
    const r = await rig();
    await r.file('HD-2026-000010', LAND, null);
    await r.file('HD-2026-000011', HEALTH, 'vp-ubnd');
    expect(await failure(r.workflow.accept(r.officerBT, 'HD-2026-000010'))).toMatchObject({ code: 'forbidden' });
    expect((await r.workflow.assign(r.editor, 'HD-2026-000010', { agency: 'xã Bảo Thắng' })).event).toMatchObject({ type: 'assigned', agency: 'x-baothang', by: `editor:${r.editor.id}` });
    expect((await r.workflow.assign(r.editor, 'HD-2026-000011', { agency: 'so-yte', reason: 'Phân loại' })).event).toMatchObject({
      type: 'forwarded',
      from: 'vp-ubnd',
      agency: 'so-yte',
      reason: 'Phân loại',
    });
    // Reassigning any question: a forward from its current agency.
    r.clock.now += 60_000;
    expect((await r.workflow.assign(r.admin, 'HD-2026-000010', { agency: 'so-nnmt' })).event).toMatchObject({ type: 'forwarded', from: 'x-baothang', agency: 'so-nnmt' });
  });

  test('officers and approvers may not assign; a closed question cannot be reassigned', async () => {
    const r = await rig();
    await r.file('HD-2026-000012', LAND);
    expect(await failure(r.workflow.assign(r.officerBT, 'HD-2026-000012', { agency: 'so-yte' }))).toMatchObject({ code: 'forbidden', message: 'an officer may not assign questions' });
    expect(await failure(r.workflow.assign(r.approverBT, 'HD-2026-000012', { agency: 'so-yte' }))).toMatchObject({ code: 'forbidden' });
    await r.workflow.delete(r.editor, 'HD-2026-000012', { reason: 'out_of_scope' });
    expect(await failure(r.workflow.assign(r.editor, 'HD-2026-000012', { agency: 'so-yte' }))).toMatchObject({ code: 'invalid_state' });
    expect(await failure(r.workflow.assign(r.editor, 'HD-2026-000012', { agency: 'huyen' }))).toMatchObject({ code: 'invalid_input' });
  });
});

describe('reads', () => {
  test('officers see only their agency’s questions whatever they ask; editors filter by agency, status, period, overdue', async () => {
    const r = await rig();
    await r.file('HD-2026-000020', LAND);
    await r.file('HD-2026-000021', HEALTH, 'so-yte');
    await r.file('HD-2026-000022', 'Câu hỏi thứ hai cho Bảo Thắng');
    await r.workflow.accept(r.officerBT, 'HD-2026-000022');

    const mine = await r.workflow.listQuestions(r.officerYT, { agency: 'x-baothang' });
    expect(mine.agency).toBe('so-yte');
    expect(mine.items.map((i) => i.q)).toEqual(['HD-2026-000021']);

    const bt = await r.workflow.listQuestions(r.editor, { agency: 'xa bao thang' });
    expect(bt).toMatchObject({ agency: 'x-baothang', total: 2 });
    expect(bt.items[0]).toMatchObject({ agencyName: 'UBND xã Bảo Thắng', status: expect.any(String), current: { acceptDue: '2026-12-02T23:59:59.999+07:00', answerDue: '2026-12-14T23:59:59.999+07:00' } });
    expect(bt.items.map((i) => i.q).sort()).toEqual(['HD-2026-000020', 'HD-2026-000022']);
    expect((await r.workflow.listQuestions(r.editor, { status: ['accepted'] })).items.map((i) => i.q)).toEqual(['HD-2026-000022']);
    expect((await r.workflow.listQuestions(r.admin, {})).total).toBe(3);
    expect((await r.workflow.listQuestions(r.admin, { fromDay: province().clock.dayOf(instant('2026-12-01T00:00:00+07:00')) })).total).toBe(0);

    // 03/12: HD-2026-000020 was never accepted (due 02/12); HD-2026-000022 was.
    r.clock.now = instant('2026-12-03T09:00:00+07:00');
    const overdue = await r.workflow.listQuestions(r.officerBT, { overdue: true });
    expect(overdue.items.map((i) => i.q)).toEqual(['HD-2026-000020']);
    expect(overdue.items[0].overdue).toEqual({ deadline: 'accept', due: '2026-12-02T23:59:59.999+07:00', workingDaysOverdue: 1 });
    const all = await r.workflow.overdue(r.editor);
    // In Phụ biểu 02 order.
    expect(all.agencies.map((a) => [a.agency, a.items.map((i) => i.q)])).toEqual([
      ['so-yte', ['HD-2026-000021']],
      ['x-baothang', ['HD-2026-000020']],
    ]);
    expect((await r.workflow.overdue(r.officerYT, { agency: 'x-baothang' })).agencies.map((a) => a.agency)).toEqual(['so-yte']);
  });

  test('the detail: events, deadlines, latest draft and the asker’s contact for those who may view it', async () => {
    const r = await rig();
    await r.file('HD-2026-000030', LAND);
    await r.workflow.draft(r.officerBT, 'HD-2026-000030', { text: 'Dự thảo' });
    const detail = await r.workflow.questionDetail(r.officerBT, 'HD-2026-000030');
    expect(detail).toMatchObject({
      q: 'HD-2026-000030',
      status: 'assigned',
      agency: 'x-baothang',
      text: LAND,
      asker: { name: 'Nguyễn Văn An', contact: '0912345678', locality: 'x-baothang' },
      askerInitials: 'N.V.A.',
      current: { start: local(instant(ASSIGNED)), acceptDue: '2026-12-02T23:59:59.999+07:00' },
      latestDraft: { text: 'Dự thảo', status: 'pending', authorName: 'Lò Văn Bình' },
    });
    expect(detail.events.map((e) => e.type)).toEqual(['submitted', 'assigned']);
    expect((await r.workflow.questionDetail(r.editor, 'HD-2026-000030')).asker?.contact).toBe('0912345678');
  });
});
