import { Ledger } from '../../src/ledger/ledger';
import type { SqliteLedgerStore } from '../../src/store/sqlite';
import { province } from '../helpers/province';

export const ANSWER = 'Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, giấy tờ chứng minh quyền sử dụng đất và bản vẽ thiết kế; nộp tại Bộ phận Một cửa UBND huyện Bảo Thắng.';

/** A question filed on `channel` with `contact`, assigned to UBND xã Xuân Quang, optionally answered, at `at`. */
export async function fileQuestion(store: SqliteLedgerStore, at: number, asker: { name?: string; contact?: string; channel?: 'portal' | 'zalo' | 'facebook' | 'botframework' }): Promise<string> {
  const data = province();
  const ledger = new Ledger(store, data);
  const q = await store.allocateQuestionId(Number(data.clock.format(at).slice(0, 4)));
  await ledger.record({
    q,
    type: 'submitted',
    at: data.clock.format(at),
    by: 'citizen',
    channel: asker.channel ?? 'portal',
    text: 'Gia đình tôi ở xã Xuân Quang, huyện Bảo Thắng muốn xin giấy phép xây dựng nhà ở thì cần những giấy tờ gì?',
    asker: { name: asker.name ?? 'Nguyễn Thị Hoà', ...(asker.contact ? { contact: asker.contact } : {}) },
  });
  await ledger.record({ q, type: 'assigned', at: data.clock.format(at), agency: 'x-xuanquang', by: 'bot' });
  return q;
}

export async function answerQuestion(store: SqliteLedgerStore, q: string, at: number): Promise<void> {
  const data = province();
  const ledger = new Ledger(store, data);
  await ledger.record({ q, type: 'accepted', at: data.clock.format(at), agency: 'x-xuanquang', by: 'officer:bt-1' });
  await ledger.record({ q, type: 'answered', at: data.clock.format(at), agency: 'x-xuanquang', by: 'approver:bt-lead', authorized: true, text: ANSWER });
}
