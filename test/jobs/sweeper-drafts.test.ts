import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { instant } from '../helpers/province';
import { addAccounts, Instance, reminderPolicy, type SentMessage } from './fixtures';

/**
 * A draft answer left waiting for an approver more than one working day is in the approvers'
 * daily digest, with its ticket, the question and how long it has waited (working days from the
 * province's calendar); decided, it is gone the next day.
 */

const Q = 'HD-2024-000101';
const QUESTION = 'Cho tôi hỏi thủ tục cấp chứng chỉ hành nghề dược cho người có bằng dược sĩ đại học cần những giấy tờ gì và nộp ở đâu?';

function newDatabase(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-drafts-')), 'hoidap.sqlite');
  const store = new SqliteLedgerStore(file);
  addAccounts(store.db);
  void store.close();
  return file;
}

async function questionWithDraft(draftedAt: string, question = QUESTION): Promise<{ server: Instance; log: SentMessage[]; draftId: number }> {
  const log: SentMessage[] = [];
  const server = new Instance(newDatabase(), log, reminderPolicy, { drafts: true });
  await server.ledger.record({ q: Q, type: 'submitted', at: '2024-04-22T08:30:00+07:00', channel: 'portal', text: question, asker: { name: 'Lê Thị Hoa', contact: '0912345678' } });
  await server.ledger.record({ q: Q, type: 'assigned', at: '2024-04-22T09:00:00+07:00', agency: 'so-yte', by: 'editor' });
  await server.ledger.record({ q: Q, type: 'accepted', at: '2024-04-22T10:00:00+07:00', agency: 'so-yte' });
  const draft = await server.drafts.saveDraft({ q: Q, agency: 'so-yte', text: 'Hồ sơ gồm đơn đề nghị, bằng tốt nghiệp và giấy khám sức khỏe.', author: 'yte-officer' }, instant(draftedAt));
  return { server, log, draftId: draft.id };
}

const digestsOn = (log: SentMessage[], day: string) => log.filter((m) => m.at.startsWith(day) && /Dự thảo/.test(m.message.text));

describe('drafts waiting for approval in the digest', () => {
  test('drafted Monday afternoon: nothing on Tuesday, listed on Wednesday for the agency’s approver and the editors, gone once approved', async () => {
    const { server, log, draftId } = await questionWithDraft('2024-04-22T15:00:00+07:00');
    await server.runOnce(instant('2024-04-23T08:00:00+07:00'));
    expect(digestsOn(log, '2024-04-23')).toEqual([]);

    await server.runOnce(instant('2024-04-24T08:00:00+07:00'));
    const wednesday = digestsOn(log, '2024-04-24');
    expect(wednesday.map((m) => m.account).sort()).toEqual(['editor', 'yte-approver']);
    const approver = wednesday.find((m) => m.account === 'yte-approver')!.message;
    expect(approver.text).toBe(
      'Dự thảo trả lời của Sở Y tế chờ duyệt quá 1 ngày làm việc: 1.\n' +
        `- ${Q}: chờ duyệt 2 ngày làm việc (gửi ngày 22/04/2024). Câu hỏi: Cho tôi hỏi thủ tục cấp chứng chỉ hành nghề dược cho người có bằng dược sĩ đại…`,
    );
    expect(approver.buttons).toEqual([`Xem ${Q}`]);
    expect(wednesday.find((m) => m.account === 'editor')!.message.text).toMatch(/^Dự thảo trả lời chờ duyệt quá 1 ngày làm việc: 1 ở 1 cơ quan\.\nSở Y tế:\n- HD-2024-000101: chờ duyệt 2 ngày làm việc/);
    // Bảo Thắng's approver has nothing of Sở Y tế's.
    expect(log.some((m) => m.account === 'bt-approver')).toBe(false);

    await server.drafts.decideDraft(draftId, { status: 'approved', by: 'yte-approver' }, instant('2024-04-24T09:00:00+07:00'));
    await server.runOnce(instant('2024-04-25T08:00:00+07:00'));
    expect(digestsOn(log, '2024-04-25')).toEqual([]);
    await server.close();
  });

  test('working days, not calendar days: a draft of Friday 26/4/2024 waits over the weekend and the 29/4–1/5 holidays, and is listed on Friday 3/5', async () => {
    // 27–28/4 weekend, 29/4 swapped day off, 30/4 and 1/5 holidays; 2/5 is one working day, 3/5 the second.
    const { server, log } = await questionWithDraft('2024-04-26T16:00:00+07:00');
    for (const day of ['2024-04-29', '2024-04-30', '2024-05-01', '2024-05-02']) await server.runOnce(instant(`${day}T08:30:00+07:00`));
    expect(log.filter((m) => /Dự thảo/.test(m.message.text))).toEqual([]);
    await server.runOnce(instant('2024-05-03T08:30:00+07:00'));
    const approver = digestsOn(log, '2024-05-03').find((m) => m.account === 'yte-approver');
    expect(approver?.message.text).toContain(`${Q}: chờ duyệt 2 ngày làm việc (gửi ngày 26/04/2024)`);
    await server.close();
  });

  test('the question is quoted as plain text: a citizen cannot put a link or emphasis into the approvers’ chat', async () => {
    const { server, log } = await questionWithDraft('2024-04-22T15:00:00+07:00', '**KHẨN** xem [hồ sơ](http://example.test/x) về thủ tục cấp phép hành nghề');
    await server.runOnce(instant('2024-04-24T08:00:00+07:00'));
    const text = digestsOn(log, '2024-04-24').find((m) => m.account === 'yte-approver')!.message.text;
    expect(text).toContain('Câu hỏi: \\*\\*KHẨN\\*\\* xem \\[hồ sơ\\](http://example.test/x) về thủ tục cấp phép hành nghề');
    await server.close();
  });

  test('a draft returned to its officer is not waiting for the approver: no digest', async () => {
    const { server, log, draftId } = await questionWithDraft('2024-04-22T15:00:00+07:00');
    await server.drafts.decideDraft(draftId, { status: 'returned', by: 'yte-approver', comment: 'bổ sung căn cứ' }, instant('2024-04-23T09:00:00+07:00'));
    await server.runOnce(instant('2024-04-24T08:00:00+07:00'));
    expect(log).toEqual([]);
    await server.close();
  });
});
