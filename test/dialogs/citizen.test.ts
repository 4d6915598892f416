import { SqliteBotStorage } from '../../src/store/sqlite-bot-storage';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BAO_THANG_QUESTION, buttonsOf, fileQuestion, says, testBot, textOf } from '../helpers/bot';

const QUESTION = BAO_THANG_QUESTION;

async function eventsOf(store: SqliteLedgerStore, q: string) {
  return (await store.questionEvents(q)).map((e) => JSON.parse(e.body) as Record<string, unknown>);
}

describe('citizen: greeting and menu', () => {
  test('a greeting gets the short menu with three buttons', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('xin chao')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Xin chào! Tôi là trợ lý Hỏi - Đáp/);
        expect(buttonsOf(a)).toEqual(['Gửi câu hoi'.replace('hoi', 'hỏi'), 'Tra cứu câu hỏi', 'Thủ tục thường gặp']);
      })
      .startTest();
  });

  test('"help" explains how to use the bot; "trợ giúp" too', async () => {
    const { adapter } = await testBot();
    await adapter.send('help').assertReply(says('Gõ "hủy" để dừng')).send('trợ giúp').assertReply(says('"menu" để về danh mục')).startTest();
  });
});

describe('citizen: asking an agency', () => {
  test('an unaccented question goes to the right agency with a ticket and the answer deadline; an invalid phone is asked again', async () => {
    const { adapter, store, services } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send(QUESTION)
      .assertReply(says('cho biết họ và tên'))
      .send('Nguyen Van An')
      .assertReply(says('số điện thoại hoặc email'))
      .send('12345')
      .assertReply(says('Số điện thoại hoặc email chưa đúng'))
      .send('0912 345 678')
      .assertReply(says('xã/phường nào'))
      .send('xa Xuan Quang, huyen Bao Thang')
      .assertReply((a) => {
        expect(textOf(a)).toContain('Cơ quan trả lời: UBND xã Xuân Quang');
        expect(textOf(a)).toContain('Hạn tiếp nhận: 02/12/2026; hạn trả lời: 14/12/2026');
        expect(buttonsOf(a)).toEqual(['Có', 'Không']);
      })
      .send('co')
      .assertReply(says(/^Đã gửi câu hỏi\. Mã câu hỏi của bạn: HD-2026-000001\.\nCơ quan trả lời: UBND xã Xuân Quang\. Hạn tiếp nhận 02\/12\/2026, hạn trả lời 14\/12\/2026\./))
      .startTest();
    const events = await eventsOf(store, 'HD-2026-000001');
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned']);
    expect(events[0]).toMatchObject({ text: QUESTION, channel: 'botframework', asker: { name: 'Nguyen Van An', contact: '0912345678', locality: 'h-baothang' } });
    expect(events[1]).toMatchObject({ agency: 'x-xuanquang', by: 'bot' });
    expect(services.router.route(QUESTION).agency).toBe('x-xuanquang');
  });

  const steps: Array<[string, string[]]> = [
    ['the question', ['Gửi câu hỏi']],
    ['the name', ['Gửi câu hỏi', QUESTION]],
    ['the contact', ['Gửi câu hỏi', QUESTION, 'Nguyen Van An']],
    ['the place', ['Gửi câu hỏi', QUESTION, 'Nguyen Van An', 'an@example.com']],
    ['the confirmation', ['Gửi câu hỏi', QUESTION, 'Nguyen Van An', 'an@example.com', 'bo qua']],
  ];
  test.each(steps)('"hủy" at %s cancels, shows the menu and files nothing', async (_step, inputs) => {
    const { adapter, store } = await testBot();
    let flow = adapter.send(inputs[0]).assertReply(() => undefined);
    for (const input of inputs.slice(1)) flow = flow.send(input).assertReply(() => undefined);
    await flow
      .send('hủy')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Đã hủy\./);
        expect(buttonsOf(a)).toHaveLength(3);
      })
      .startTest();
    expect(await store.counts()).toMatchObject({ questions: 0, events: 0 });
  });

  test('"thoi" (no diacritics) cancels too, and "không" at the confirmation files nothing', async () => {
    const { adapter, store } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send('thoi')
      .assertReply(says('Đã hủy'))
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(QUESTION)
      .assertReply(() => undefined)
      .send('Nguyen Van An')
      .assertReply(() => undefined)
      .send('an@example.com')
      .assertReply(() => undefined)
      .send('bỏ qua')
      .assertReply(says('Bạn có đồng ý gửi không?'))
      .send('không')
      .assertReply(says('Câu hỏi chưa được gửi'))
      .startTest();
    expect((await store.counts()).questions).toBe(0);
  });

  test('a question asked before and answered is offered first; "có" ends without filing a duplicate', async () => {
    const { adapter, store } = await testBot({ demo: true });
    const answered = (await store.answeredQuestions())[0];
    const before = (await store.counts()).questions;
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(answered.question)
      .assertReply((a) => {
        expect(textOf(a)).toContain('Đã có câu hỏi tương tự được trả lời');
        expect(textOf(a)).toContain(answered.q);
      })
      .assertReply(says('đã giải đáp thắc mắc của bạn chưa'))
      .send('co')
      .assertReply(says('Rất vui vì thông tin đã giúp được bạn'))
      .startTest();
    expect((await store.counts()).questions).toBe(before);
  });

  test('rude wording is asked to be rephrased; sent again anyway, it is filed for the editors (flagged), not dropped', async () => {
    const { adapter, store, services } = await testBot();
    const rude = `${QUESTION}, lu can bo do ngu`;
    expect(services.moderation.check(rude).length).toBeGreaterThan(0);
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(rude)
      .assertReply(says('diễn đạt lại một cách lịch sự'))
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send(rude)
      .assertReply(says('Ban biên tập xem xét'))
      .assertReply(says('họ và tên'))
      .send('Nguyen Van An')
      .assertReply(() => undefined)
      .send('0987654321')
      .assertReply(() => undefined)
      .send('bo qua')
      .assertReply(says('Ban biên tập sẽ chuyển câu hỏi'))
      .send('có')
      .assertReply(says('HD-2026-000001'))
      .startTest();
    const events = await eventsOf(store, 'HD-2026-000001');
    expect(events[0]).toMatchObject({ flags: ['language'] });
    expect(events[1]).toMatchObject({ agency: 'vp-ubnd', triage: true });
  });
});

describe('citizen: common procedures', () => {
  test('an unaccented procedure question is answered from the knowledge base, naming the entry and the agency', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('thu tuc dang ky khai tu cho nguoi nha vua mat')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^\[Đăng ký khai tử\]/);
        expect(textOf(a)).toContain('Cơ quan phụ trách: Sở Tư pháp');
        expect(textOf(a)).toContain('https://');
      })
      .assertReply(says('Thông tin này có giúp ích cho bạn không?'))
      .send('có')
      .assertReply(says('Rất vui vì đã giúp được bạn'))
      .startTest();
  });

  test('when the entry did not help, the bot asks what is still unclear, and files that with what was searched', async () => {
    const { adapter, store } = await testBot();
    await adapter
      .send('thu tuc dang ky khai tu cho nguoi nha vua mat')
      .assertReply(() => undefined)
      .assertReply(() => undefined)
      .send('ko')
      .assertReply(says('Bạn còn vướng mắc điều gì?'))
      .send('😭😭')
      .assertReply(says('chưa đọc được câu hỏi'))
      .send('ông tôi mất ở Hà Nội nhưng thường trú ở Bắc Hà thì khai tử ở đâu')
      .assertReply(says('giúp bạn gửi câu hỏi'))
      .assertReply(says('họ và tên'))
      .send('Nguyen Van An')
      .assertReply(() => undefined)
      .send('0912345678')
      .assertReply(() => undefined)
      .send('bo qua')
      .assertReply(says('Câu hỏi: thu tuc dang ky khai tu cho nguoi nha vua mat. ông tôi mất ở Hà Nội nhưng thường trú ở Bắc Hà thì khai tử ở đâu'))
      .send('co')
      .assertReply(says('HD-2026-000001'))
      .startTest();
    const submitted = JSON.parse((await store.questionEvents('HD-2026-000001'))[0].body) as { text: string };
    expect(submitted.text).toBe('thu tuc dang ky khai tu cho nguoi nha vua mat. ông tôi mất ở Hà Nội nhưng thường trú ở Bắc Hà thì khai tử ở đâu');
  });

  test('"cảm ơn" at "did it help?" closes it as a yes; "cảm ơn" when asked what is unclear too', async () => {
    const { adapter, store } = await testBot();
    await adapter
      .send('khai tử cho bố')
      .assertReply(says('[Đăng ký khai tử]'))
      .assertReply(says('Thông tin này có giúp ích cho bạn không?'))
      .send('cảm ơn')
      .assertReply(says('Rất vui vì đã giúp được bạn'))
      .send('khai tử cho bố')
      .assertReply(() => undefined)
      .assertReply(() => undefined)
      .send('không')
      .assertReply(says('Bạn còn vướng mắc điều gì?'))
      .send('cam on')
      .assertReply(says('Rất vui vì đã giúp được bạn'))
      .startTest();
    expect((await store.counts()).questions).toBe(0);
  });
});

describe('citizen: checking a question', () => {
  test('a ticket number shows status, agency and the published answer', async () => {
    const { adapter, store } = await testBot({ demo: true });
    const answered = (await store.answeredQuestions())[0];
    await adapter
      .send(`kiem tra giup toi ${answered.q.toLowerCase()}`)
      .assertReply((a) => {
        expect(textOf(a)).toContain(`Câu hỏi ${answered.q}: đã có trả lời.`);
        expect(textOf(a)).toContain(answered.answer.slice(0, 40));
      })
      .startTest();
  });

  test('an unknown ticket is said so; a malformed one is asked again', async () => {
    const { adapter } = await testBot({ demo: true });
    await adapter
      .send('HD-2023-999999')
      .assertReply(says('Không tìm thấy câu hỏi HD-2023-999999'))
      .send('Tra cứu câu hỏi')
      .assertReply(says('nhập mã câu hỏi'))
      .send('abc')
      .assertReply(says('Mã câu hỏi có dạng'))
      .startTest();
  });

  test('the citizen who asked rates the answer once it is published', async () => {
    const { adapter, store, services } = await testBot();
    await fileQuestion(adapter, says('HD-2026-000001')).startTest();
    const agency = (await store.loadQuestions(['HD-2026-000001'])).get('HD-2026-000001')?.agency as string;
    await services.ledger.record({ q: 'HD-2026-000001', type: 'answered', at: '2026-12-03T10:00:00+07:00', agency, authorized: true, text: 'Hồ sơ gồm đơn đề nghị cấp phép và bản vẽ thiết kế.' });
    await adapter
      .send('HD-2026-000001')
      .assertReply(says('Hồ sơ gồm đơn đề nghị cấp phép'))
      .assertReply((a) => expect(buttonsOf(a)).toEqual(['1', '2', '3', '4', '5']))
      .send('7')
      .assertReply(says('chọn một số từ 1 đến 5'))
      .send('5 sao')
      .assertReply(says('Cảm ơn bạn đã đánh giá 5/5'))
      .startTest();
    expect((await store.loadQuestions(['HD-2026-000001'])).get('HD-2026-000001')?.rating).toBe(5);
  });
});

describe('citizen: English and other input', () => {
  test('a citizen writing English is answered in English throughout', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('Hello, how do I register a birth for my baby?')
      .assertReply(says(/^\[/))
      .assertReply(says('Did this help?'))
      .send('no')
      .assertReply(says('What is still unclear?'))
      .send('The hospital did not give us a birth notice because she was born at home')
      .assertReply(says('I will help you send your question'))
      .assertReply(says('please tell me your full name'))
      .send('John Smith')
      .assertReply(says('phone number or an email'))
      .send('cancel')
      .assertReply(says(/^Cancelled\./))
      .startTest();
  });

  test('a file gets a polite note that only text is read; a photo outside asking is told where photos are taken', async () => {
    const { adapter } = await testBot();
    await adapter
      .send({ type: 'message', attachments: [{ contentType: 'application/pdf', contentUrl: 'https://example.com/a.pdf' }] })
      .assertReply(says('chỉ đọc được tin nhắn chữ'))
      .send({ type: 'message', attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.com/a.jpg' }] })
      .assertReply(says('Ảnh chỉ được nhận kèm một câu hỏi gửi cơ quan'))
      .startTest();
  });
});

describe('citizen: a restart between two steps', () => {
  test('the dialog goes on where it was after the server restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-restart-'));
    const file = path.join(dir, 'hoidap.sqlite');
    const first = new SqliteLedgerStore(file);
    const before = await testBot({ store: first, storage: new SqliteBotStorage(first.db) });
    await before.adapter.send('Gửi câu hỏi').assertReply(() => undefined).send(QUESTION).assertReply(says('họ và tên')).send('Nguyen Van An').assertReply(says('số điện thoại')).startTest();
    await first.close();

    const second = new SqliteLedgerStore(file);
    const after = await testBot({ store: second, storage: new SqliteBotStorage(second.db) });
    await after.adapter
      .send('0912345678')
      .assertReply(says('xã/phường nào'))
      .send('bo qua')
      .assertReply(says('Nguyen Van An'))
      .send('co')
      .assertReply(says('HD-2026-000001'))
      .startTest();
    expect((await second.counts()).questions).toBe(1);
    await second.close();
  });
});
