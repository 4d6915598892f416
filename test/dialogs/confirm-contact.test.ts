import type { Activity } from 'botbuilder';
import { ADDRESS_KEY, trustAdapter } from '../../src/bot/channels';
import { ContactConfirmation, type ConfirmationPolicy } from '../../src/notify/confirmation';
import { noticePromises } from '../../src/notify/notices';
import { loadNoticePolicy } from '../../src/notify/policy';
import type { NotificationChannel } from '../../src/store/channel-types';
import { sqliteStores } from '../../src/store/open';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { captureLogs } from '../fakes/log-capture';
import { Ledger } from '../../src/ledger/ledger';
import { BAO_THANG_QUESTION, buttonsOf, NOW, says, testBot, textOf } from '../helpers/bot';
import { province } from '../helpers/province';

/**
 * Confirmed contacts (issue 12): a portal question is filed only after the citizen types the one-time
 * code sent to the phone or e-mail they gave. Codes are read where the senders would take them: the outbox.
 */

interface Outgoing {
  channel: string;
  recipient: string;
  text: string;
  subject?: string;
}

function outbox(store: SqliteLedgerStore): Outgoing[] {
  return (store.db.prepare('SELECT channel, recipient, payload FROM outbox ORDER BY id').all() as Array<{ channel: string; recipient: string; payload: string }>).map((r) => {
    const payload = JSON.parse(r.payload) as { text: string; subject?: string };
    return { channel: r.channel, recipient: r.recipient, text: payload.text, ...(payload.subject ? { subject: payload.subject } : {}) };
  });
}

/** The code in the last message sent. */
function lastCode(store: SqliteLedgerStore): string {
  const sent = outbox(store);
  const code = /(\d{6})/.exec(sent[sent.length - 1]?.text ?? '')?.[1];
  if (!code) throw new Error(`no code in the outbox: ${JSON.stringify(sent)}`);
  return code;
}

function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

async function confirmingBot(options: { channels?: NotificationChannel[]; policy?: Partial<ConfirmationPolicy>; store?: SqliteLedgerStore } = {}) {
  const data = province();
  const store = options.store ?? new SqliteLedgerStore(':memory:');
  const stores = sqliteStores(store);
  let clock = NOW;
  const channels = new Set<NotificationChannel>(options.channels ?? ['email', 'sms']);
  const confirmation = new ContactConfirmation({
    policy: { ...data.policy.contactConfirmation, ...options.policy },
    enabled: true,
    notices: loadNoticePolicy(data.dataDir),
    channels,
    clock: data.clock,
    codes: stores.contactCodes,
    queue: stores.channels,
  });
  const bot = await testBot({ store, confirmation, notices: noticePromises(loadNoticePolicy(data.dataDir), channels), now: () => clock });
  return { ...bot, advance: (ms: number) => void (clock += ms) };
}

/** The asking dialog up to the final "gửi câu hỏi?" with `contact`, then "có". */
function askUpToCode(adapter: Awaited<ReturnType<typeof testBot>>['adapter'], contact: string, question = BAO_THANG_QUESTION) {
  return adapter
    .send('Gửi câu hỏi')
    .assertReply(() => undefined)
    .send(question)
    .assertReply(says('họ và tên'))
    .send('Nguyễn Văn An')
    .assertReply(says('số điện thoại hoặc email'))
    .send(contact)
    .assertReply(says('xã/phường nào'))
    .send('bỏ qua')
    .assertReply(says('Xin xác nhận lại'))
    .send('có');
}

async function submitted(store: SqliteLedgerStore, q: string) {
  const events = await store.questionEvents(q);
  return JSON.parse(events.find((e) => e.type === 'submitted')?.body ?? '{}') as { text?: string; asker?: { contact?: string } };
}

describe('confirmed contacts: the one-time code before filing', () => {
  test('the right code files the question; the ticket says the contact is confirmed and how the answer comes; no log line has the code or the address', async () => {
    const { adapter, store } = await confirmingBot();
    const logs = captureLogs('debug');
    try {
      await askUpToCode(adapter, 'An.Nguyen@Example.com')
        .assertReply((a) => {
          expect(textOf(a)).toBe(
            'Mã xác nhận gồm 6 chữ số đã được gửi đến email an.nguyen@example.com. Mời bạn nhập mã (mã có hiệu lực trong 10 phút). Chưa nhận được mã: chọn "Gửi lại mã"; muốn dùng số điện thoại hoặc email khác: chọn "Đổi liên hệ".',
          );
          expect(buttonsOf(a)).toEqual(['Gửi lại mã', 'Đổi liên hệ']);
        })
        .startTest();
      // Nothing filed while the code is awaited; the code went to the outbox, by e-mail.
      expect((await store.counts()).questions).toBe(0);
      const [mail] = outbox(store);
      expect(mail).toMatchObject({ channel: 'email', recipient: 'an.nguyen@example.com', subject: 'Mã xác nhận câu hỏi gửi Hỏi - Đáp Lào Cai' });
      expect(mail.text).toMatch(/^Mã xác nhận của bạn là: \d{6}\n/);
      const code = lastCode(store);
      await adapter
        .send(code)
        .assertReply((a) => {
          expect(textOf(a)).toMatch(/^Đã gửi câu hỏi\. Mã câu hỏi của bạn: HD-2026-000001\./);
          expect(textOf(a)).toContain('Liên hệ an.nguyen@example.com đã được xác nhận. Khi có trả lời, bạn sẽ nhận thông báo qua email bạn đã cung cấp.');
        })
        .startTest();
      expect(await submitted(store, 'HD-2026-000001')).toMatchObject({ text: BAO_THANG_QUESTION, asker: { contact: 'an.nguyen@example.com' } });
      // The stored code is a hash.
      expect(JSON.stringify(store.db.prepare('SELECT * FROM contact_codes').all())).not.toContain(code);
      const logged = logs.lines.join('\n');
      expect(logged).toContain('contact code queued');
      expect(logged).not.toContain(code);
      expect(logged.toLowerCase()).not.toContain('an.nguyen@example.com');
    } finally {
      await logs.stop();
    }
  });

  test('a contact confirmed once in the conversation is not asked again for the next question', async () => {
    const { adapter, store } = await confirmingBot();
    await askUpToCode(adapter, 'an@example.com').assertReply(says('Mã xác nhận gồm 6 chữ số')).startTest();
    await adapter.send(lastCode(store)).assertReply(says('HD-2026-000001')).startTest();
    await askUpToCode(adapter, 'an@example.com', 'Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại xã Xuân Quang cần những giấy tờ gì?')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Đã gửi câu hỏi\. Mã câu hỏi của bạn: HD-2026-000002\./);
        expect(textOf(a)).toContain('Liên hệ an@example.com đã được xác nhận.');
      })
      .startTest();
    expect(outbox(store)).toHaveLength(1);
  });

  test('a confirmation holds in its own conversation only, and for confirmedForMinutes: a later conversation in the same browser, or an hour on, asks for a code again', async () => {
    const { adapter, store, advance } = await confirmingBot({ policy: { confirmedForMinutes: 60 } });
    await askUpToCode(adapter, 'an@example.com').assertReply(says('Mã xác nhận gồm 6 chữ số')).startTest();
    await adapter.send(lastCode(store)).assertReply(says('HD-2026-000001')).startTest();
    // The next user of the same browser (same user id, a new conversation) looks the contact up: a code first.
    const first = adapter.conversation.conversation;
    adapter.conversation.conversation = { ...first, id: `${first.id}-later` };
    advance(2 * 60_000);
    await adapter.send('tra cứu').assertReply(() => undefined).send('an@example.com').assertReply(says('Mã xác nhận gồm 6 chữ số đã được gửi đến email an@example.com')).startTest();
    expect(outbox(store)).toHaveLength(2);
    await adapter.send('hủy').assertReply(() => undefined).startTest();
    // Back in the first conversation past the hour: asked again too.
    adapter.conversation.conversation = first;
    advance(58 * 60_000);
    await askUpToCode(adapter, 'an@example.com', 'Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại xã Xuân Quang cần những giấy tờ gì?')
      .assertReply(says('Mã xác nhận gồm 6 chữ số đã được gửi đến email an@example.com'))
      .startTest();
    expect(outbox(store)).toHaveLength(3);
  });

  test('someone who knows the contact cannot use up its codes: the owner, from another network address, still gets one', async () => {
    const { adapter, store } = await confirmingBot({ policy: { codesPerContactPerDay: 6, codesPerContactPerRequesterPerDay: 2, resendAfterSeconds: 60 } });
    trustAdapter(adapter, 'directline');
    const stranger = (text: string): Partial<Activity> => ({ type: 'message', text, channelData: { [ADDRESS_KEY]: 'address-stranger' } });
    await adapter
      .send('tra cứu')
      .assertReply(() => undefined)
      .send(stranger('an@example.com'))
      .assertReply(says('đã được gửi đến email an@example.com'))
      .send(stranger('Gửi lại mã'))
      .assertReply(says('vui lòng chờ'))
      .startTest();
    // The stranger's second code a minute on, then the stranger's share is used up.
    const later = await confirmingBot({ store, policy: { codesPerContactPerDay: 6, codesPerContactPerRequesterPerDay: 2, resendAfterSeconds: 0 } });
    trustAdapter(later.adapter, 'directline');
    await later.adapter
      .send('tra cứu')
      .assertReply(() => undefined)
      .send(stranger('an@example.com'))
      .assertReply(says('đã được gửi đến email an@example.com'))
      .send(stranger('Gửi lại mã'))
      .assertReply(says('Không thể gửi thêm mã xác nhận tới số điện thoại hoặc email này trong hôm nay'))
      .startTest();
    expect(outbox(store)).toHaveLength(2);
    // The owner, at home, right after: a code, no wait, no limit.
    const owner = await confirmingBot({ store });
    trustAdapter(owner.adapter, 'directline');
    const home = (text: string): Partial<Activity> => ({ type: 'message', text, channelData: { [ADDRESS_KEY]: 'address-home' } });
    await owner.adapter.send(home('tra cứu')).assertReply(() => undefined).send(home('an@example.com')).assertReply(says('đã được gửi đến email an@example.com')).startTest();
    expect(outbox(store)).toHaveLength(3);
  });

  test('a wrong code says the tries left; a reply that is not a code uses no try; the last wrong try voids the code; "gửi lại mã" waits, then sends a new one', async () => {
    const { adapter, store, advance } = await confirmingBot({ policy: { triesPerCode: 3 } });
    await askUpToCode(adapter, 'an@example.com').assertReply(says('Mã xác nhận gồm 6 chữ số')).startTest();
    const code = lastCode(store);
    await adapter
      .send(wrongCode(code))
      .assertReply(says('Mã chưa đúng. Bạn còn 2 lần nhập.'))
      .send('mã là gì vậy')
      .assertReply(says('Mã xác nhận gồm 6 chữ số trong thư hoặc tin nhắn vừa gửi'))
      .send(wrongCode(code))
      .assertReply(says('Mã chưa đúng. Bạn còn 1 lần nhập.'))
      .send(wrongCode(code))
      .assertReply(says('Bạn đã nhập sai mã quá số lần cho phép'))
      // The right code after that: void.
      .send(code)
      .assertReply(says('Bạn đã nhập sai mã quá số lần cho phép'))
      .send('Gửi lại mã')
      .assertReply(says('bạn vui lòng chờ 60 giây rồi chọn "Gửi lại mã"'))
      .startTest();
    expect(outbox(store)).toHaveLength(1);
    advance(61_000);
    await adapter.send('gui lai').assertReply(says('Mã xác nhận gồm 6 chữ số đã được gửi đến email an@example.com')).startTest();
    expect(outbox(store)).toHaveLength(2);
    const second = lastCode(store);
    await adapter.send(second).assertReply(says('Đã gửi câu hỏi')).startTest();
    expect((await store.counts()).questions).toBe(1);
  });

  test('an expired code is refused with a way on; the question typed before is filed with the new code', async () => {
    const { adapter, store, advance } = await confirmingBot();
    await askUpToCode(adapter, 'an@example.com').assertReply(says('Mã xác nhận gồm 6 chữ số')).startTest();
    const code = lastCode(store);
    advance(10 * 60_000 + 1);
    await adapter
      .send(code)
      .assertReply((a) => {
        expect(textOf(a)).toBe('Mã đã hết hạn. Chọn "Gửi lại mã" để nhận mã mới, hoặc "Đổi liên hệ" để dùng số điện thoại hoặc email khác.');
        expect(buttonsOf(a)).toEqual(['Gửi lại mã', 'Đổi liên hệ']);
      })
      .send('Gửi lại mã')
      .assertReply(says('đã được gửi đến email an@example.com'))
      .startTest();
    await adapter.send(lastCode(store)).assertReply(says('HD-2026-000001')).startTest();
    expect(await submitted(store, 'HD-2026-000001')).toMatchObject({ text: BAO_THANG_QUESTION });
  });

  test('a contact no channel can reach: said plainly, another asked for (a landline too), the code goes by SMS to the mobile given', async () => {
    const { adapter, store } = await confirmingBot({ channels: ['sms'] });
    await askUpToCode(adapter, 'an@example.com')
      .assertReply(says('Hiện hệ thống chưa gửi được email, nên không thể gửi mã xác nhận đến địa chỉ này. Bạn vui lòng nhập số điện thoại di động hoặc email khác'))
      .send('không biết')
      .assertReply(says('Số điện thoại hoặc email chưa đúng'))
      .send('0214 3812 345')
      .assertReply(says('Số điện thoại bàn không nhận được tin nhắn chứa mã xác nhận.'))
      .send('0912 345 678')
      .assertReply(says('Mã xác nhận gồm 6 chữ số đã được gửi đến số điện thoại 0912345678 (tin nhắn SMS)'))
      .startTest();
    const [sms] = outbox(store);
    expect(sms).toMatchObject({ channel: 'sms', recipient: '0912345678' });
    expect(sms.text).toMatch(/^Ma xac nhan Hoi dap Lao Cai: \d{6}\. Hieu luc 10 phut\./);
    await adapter.send(lastCode(store)).assertReply(says('Liên hệ 0912345678 đã được xác nhận.')).startTest();
    expect(await submitted(store, 'HD-2026-000001')).toMatchObject({ asker: { contact: '0912345678' } });
  });

  test('codes per contact per day: the limit is said, "Đổi liên hệ" gives another contact; per network address: said too', async () => {
    const { adapter, store } = await confirmingBot({ policy: { codesPerContactPerDay: 2, codesPerContactPerRequesterPerDay: 2, codesPerAddressPerDay: 2, resendAfterSeconds: 0 } });
    trustAdapter(adapter, 'directline');
    const from = (text: string): Partial<Activity> => ({ type: 'message', text, channelData: { [ADDRESS_KEY]: 'address-key-1' } });
    await askUpToCode(adapter, 'an@example.com')
      .assertReply(says('đã được gửi đến email an@example.com'))
      .send(from('Gửi lại mã'))
      .assertReply(says('đã được gửi đến email an@example.com'))
      .send(from('Gửi lại mã'))
      .assertReply((a) => {
        expect(textOf(a)).toBe('Không thể gửi thêm mã xác nhận tới số điện thoại hoặc email này trong hôm nay. Bạn có thể chọn "Đổi liên hệ" để dùng liên hệ khác, hoặc gõ "hủy" và gửi lại vào ngày mai.');
        expect(buttonsOf(a)).toEqual(['Đổi liên hệ']);
      })
      .send(from('Đổi liên hệ'))
      .assertReply(says('Bạn vui lòng nhập số điện thoại di động hoặc email khác'))
      .send(from('binh@example.com'))
      .assertReply(says('đã được gửi đến email binh@example.com'))
      .send(from('Gửi lại mã'))
      .assertReply(says('Hôm nay đã có quá nhiều mã xác nhận được gửi từ mạng của bạn'))
      .startTest();
    // The first code's message carried no address key; the next two did: the address's limit (2) stopped the fourth.
    expect(outbox(store).map((m) => m.recipient)).toEqual(['an@example.com', 'an@example.com', 'binh@example.com']);
    expect((await store.counts()).questions).toBe(0);
    await adapter.send(from(lastCode(store))).assertReply(says('Liên hệ binh@example.com đã được xác nhận.')).startTest();
    expect(await submitted(store, 'HD-2026-000001')).toMatchObject({ asker: { contact: 'binh@example.com' } });
  });

  test('an address written with mail syntax ("x<an@example.com>", "a,an@example.com") is not a new contact: refused, no code sent past the limit', async () => {
    const { adapter, store } = await confirmingBot({ policy: { codesPerContactPerDay: 1, codesPerContactPerRequesterPerDay: 1, resendAfterSeconds: 0 } });
    await askUpToCode(adapter, 'an@example.com')
      .assertReply(says('đã được gửi đến email an@example.com'))
      .send('Gửi lại mã')
      .assertReply(says('Không thể gửi thêm mã xác nhận tới số điện thoại hoặc email này trong hôm nay'))
      .send('Đổi liên hệ')
      .assertReply(says('Bạn vui lòng nhập số điện thoại di động hoặc email khác'))
      .send('x<an@example.com>')
      .assertReply(says('Số điện thoại hoặc email chưa đúng'))
      .send('a,an@example.com')
      .assertReply(says('Số điện thoại hoặc email chưa đúng'))
      .send('an@example.com;')
      .assertReply(says('Số điện thoại hoặc email chưa đúng'))
      .startTest();
    expect(outbox(store).map((m) => m.recipient)).toEqual(['an@example.com']);
  });

  test('Zalo and Messenger users are identified by their channel: filed without a code', async () => {
    const { adapter, store } = await confirmingBot();
    trustAdapter(adapter, 'zalo');
    await askUpToCode(adapter, 'an@example.com').assertReply(says('Đã gửi câu hỏi')).startTest();
    expect(outbox(store)).toHaveLength(0);
  });

  test('an English user is asked for the code in English', async () => {
    const { adapter, store } = await confirmingBot();
    await adapter
      .send('Send a question')
      .assertReply(says('Please type your question'))
      .send('How do I get a building permit for a house in Xuan Quang commune, Bao Thang?')
      .assertReply(says('full name'))
      .send('John Smith')
      .assertReply(says('phone number or an email'))
      .send('john@example.com')
      .assertReply(() => undefined)
      .send('skip')
      .assertReply(() => undefined)
      .send('yes')
      .assertReply(says('A confirmation code of 6 digits was sent to the e-mail address john@example.com.'))
      .send('123')
      .assertReply(says('The confirmation code is the 6 digits'))
      .startTest();
    await adapter.send(lastCode(store)).assertReply(says('Your contact john@example.com is confirmed.')).startTest();
  });
});

describe('"tra cứu" by a confirmed contact', () => {
  test('a phone or e-mail instead of a ticket: a code to it, then that contact’s questions as buttons, each one opens; none for another contact', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const ledger = new Ledger(store, province());
    for (const [q, contact] of [['HD-2026-000001', 'mai.le@example.vn'], ['HD-2026-000002', '0912345678'], ['HD-2026-000003', 'mai.le@example.vn']]) {
      await ledger.record({ q, type: 'submitted', at: '2026-11-20T09:00:00+07:00', channel: 'portal', text: 'Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở?', asker: { name: 'Lê Thị Mai', contact } });
      await ledger.record({ q, type: 'assigned', at: '2026-11-20T09:00:00+07:00', agency: 'x-xuanquang', by: 'bot' });
    }
    const { adapter } = await confirmingBot({ store });
    await adapter
      .send('tra cứu')
      .assertReply(says('Hoặc nhập số điện thoại hoặc email bạn đã dùng khi gửi câu hỏi'))
      .send('Mai.Le@example.vn')
      .assertReply(says('Mã xác nhận gồm 6 chữ số đã được gửi đến email mai.le@example.vn'))
      .startTest();
    await adapter
      .send(lastCode(store))
      .assertReply((a) => {
        expect(textOf(a)).toContain('HD-2026-000003, HD-2026-000001');
        expect(buttonsOf(a)).toEqual(['HD-2026-000003', 'HD-2026-000001']);
      })
      .send('HD-2026-000001')
      .assertReply((a) => {
        expect(textOf(a)).toContain('HD-2026-000001');
        expect(textOf(a)).toContain('UBND xã Xuân Quang');
      })
      .startTest();

    const other = await confirmingBot({ store });
    await other.adapter.send('tra cứu').assertReply(() => undefined).send('binh@example.vn').assertReply(says('đã được gửi đến email binh@example.vn')).startTest();
    await other.adapter.send(lastCode(store)).assertReply(says('Không có câu hỏi nào được gửi với liên hệ binh@example.vn.')).startTest();
  });
});

describe('confirmed contacts switched off (the demo)', () => {
  test('the question is filed at "có" without a code, and the ticket does not claim the contact was confirmed', async () => {
    const { adapter, store } = await testBot();
    await askUpToCode(adapter, 'an@example.com')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Đã gửi câu hỏi\./);
        expect(textOf(a)).not.toContain('xác nhận');
      })
      .startTest();
    expect(outbox(store)).toHaveLength(0);
  });
});
