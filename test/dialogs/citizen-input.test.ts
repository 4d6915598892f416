import { garbageMessages } from '../helpers/garbage';
import { buttonsOf, fileQuestion, says, testBot, textOf } from '../helpers/bot';

/** Issue 12: nothing filed that is not a question; the dialog fixes citizens asked for. */

describe('citizen: what is not a question is never searched nor filed', () => {
  test.each([
    ['keyboard mash', 'asdkjh qwe zzz'],
    ['eleven emoji', '😀😀😀😀😀😀😀😀😀😀😀'],
    ['one key held down', 'aaaaaaaaaaaaaaaaaaaa'],
    ['a script the bot does not read', 'ꙮ҈ᚠ ᚢᚦ ᚨᚱ ᚲᚷ ᛁᛃ'],
    ['symbols', '!!!???...,,,;;;'],
    ['a scrap', 'xyz'],
  ])('%s ("%s") gets a request to write the question, with the menu', async (_kind, text) => {
    const { adapter, store } = await testBot();
    await adapter
      .send(text)
      .assertReply((a) => {
        expect(textOf(a)).toContain('Tôi chưa đọc được câu hỏi trong tin nhắn này. Bạn vui lòng viết câu hỏi bằng chữ');
        expect(buttonsOf(a)).toEqual(['Gửi câu hỏi', 'Tra cứu câu hỏi', 'Thủ tục thường gặp']);
      })
      .startTest();
    expect((await store.counts()).questions).toBe(0);
  });

  test('a few words that name a procedure are still answered ("khai tử", "BHYT học sinh")', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('khai tử')
      .assertReply(says('[Đăng ký khai tử]'))
      .assertReply(says('có giúp ích'))
      .send('hủy')
      .assertReply(() => undefined)
      .send('BHYT học sinh')
      .assertReply(says('[Bảo hiểm y tế học sinh, sinh viên]'))
      .startTest();
  });

  test('in "Gửi câu hỏi", mash is asked again; a real question then goes on to the name', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send('sdfsdf ghjghj kjhkjh')
      .assertReply(says('chưa đọc được câu hỏi'))
      .send('🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏')
      .assertReply(says('chưa đọc được câu hỏi'))
      .send('Đường vào thôn Lang Chung xã Xuân Quang bị sạt lở, bao giờ được sửa?')
      .assertReply(says('họ và tên'))
      .startTest();
  });

  test('names and places are checked: "xyz", "asdf", emoji are asked again, real ones pass (Hmong names too)', async () => {
    const { adapter, store } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send('Đường vào thôn Lang Chung xã Xuân Quang bị sạt lở, bao giờ được sửa?')
      .assertReply(says('họ và tên'))
      .send('xyz')
      .assertReply(says('họ và tên thật'))
      .send('asdf')
      .assertReply(says('họ và tên thật'))
      .send('😀')
      .assertReply(says('họ và tên thật'))
      .send('Giàng A Páo')
      .assertReply(says('số điện thoại hoặc email'))
      .send('0912345678')
      .assertReply(says('xã/phường nào'))
      .send('jkjkjkjk')
      .assertReply(says('chưa đọc được địa danh này'))
      .send('👍👍')
      .assertReply(says('chưa đọc được địa danh này'))
      .send('thôn Lang Chung, xã Xuân Quang, huyện Bảo Thắng')
      .assertReply(says('Giàng A Páo'))
      .send('có')
      .assertReply(says('HD-2026-000001'))
      .startTest();
    expect((await store.counts()).questions).toBe(1);
  });

  test('1,000 garbage messages in a row in one conversation file nothing and each gets the request to write the question', async () => {
    const { adapter, store } = await testBot();
    const messages = garbageMessages(1000, 20261204);
    let asked = 0;
    let other = '';
    for (const m of messages) {
      await adapter.receiveActivity(m);
      const replies = adapter.activeQueue.splice(0).map((a) => textOf(a));
      if (replies.some((r) => r.includes('chưa đọc được câu hỏi') || r.includes('could not read a question'))) asked += 1;
      // A scrap that is a chat command ("hi", "ok", "k") gets the menu: fine, it is not a question either.
      else if (!replies.every((r) => /^(Xin chào!|Hello!)/.test(r))) other ||= `${JSON.stringify(m)} → ${JSON.stringify(replies)}`;
    }
    expect(other).toBe('');
    expect(asked).toBeGreaterThanOrEqual(990);
    expect((await store.counts()).questions).toBe(0);
  }, 120_000);
});

describe('citizen: dialog fixes', () => {
  test('"tra cứu" asks for the ticket instead of showing the menu', async () => {
    const { adapter } = await testBot({ demo: true });
    await adapter.send('tra cứu').assertReply(says('Bạn vui lòng nhập mã câu hỏi')).send('HD-2023-999999').assertReply(says('Không tìm thấy câu hỏi HD-2023-999999')).startTest();
  });

  test.each(['kiểm tra câu hỏi của tôi', 'kiem tra cau hoi cua toi', 'xem câu hỏi đã gửi', 'câu hỏi của tôi', 'check my question'])('"%s" goes to the status path, not the FAQ', async (text) => {
    const { adapter } = await testBot();
    await adapter.send(text).assertReply((a) => expect(textOf(a)).toMatch(/Bạn vui lòng nhập mã câu hỏi|Please type the question number/)).startTest();
  });

  test('a question that starts "câu hỏi của tôi là" is still a question, not a lookup', async () => {
    const { adapter } = await testBot();
    await adapter.send('câu hỏi của tôi là thủ tục khai tử cho bố làm ở đâu').assertReply(says('[Đăng ký khai tử]')).startTest();
  });

  test('"cảm ơn" at the final "send it?" is unclear: asked again plainly, nothing filed until "có"', async () => {
    const { adapter, store } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send('Đường vào thôn Lang Chung xã Xuân Quang bị sạt lở, bao giờ được sửa?')
      .assertReply(() => undefined)
      .send('Nguyễn Văn An')
      .assertReply(() => undefined)
      .send('0912345678')
      .assertReply(() => undefined)
      .send('bỏ qua')
      .assertReply(says('Xin xác nhận lại'))
      .send('cảm ơn')
      .assertReply((a) => {
        expect(textOf(a)).toBe('Bạn có muốn gửi câu hỏi này đến cơ quan trả lời không? Chọn "Có" để gửi, "Không" để thôi.');
        expect(buttonsOf(a)).toEqual(['Có', 'Không']);
      })
      .startTest();
    expect((await store.counts()).questions).toBe(0);
    await adapter.send('có').assertReply(says('Đã gửi câu hỏi')).startTest();
    expect((await store.counts()).questions).toBe(1);
  });

  test('"cancel" in a Vietnamese conversation cancels in Vietnamese, and the menu stays Vietnamese', async () => {
    const { adapter } = await testBot();
    await adapter
      .send({ type: 'message', text: 'Gửi câu hỏi', locale: 'en-US' })
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send({ type: 'message', text: 'cancel', locale: 'en-US' })
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Đã hủy\./);
        expect(buttonsOf(a)).toEqual(['Gửi câu hỏi', 'Tra cứu câu hỏi', 'Thủ tục thường gặp']);
      })
      .send({ type: 'message', text: 'cancel', locale: 'en-US' })
      .assertReply((a) => expect(buttonsOf(a)).toEqual(['Gửi câu hỏi', 'Tra cứu câu hỏi', 'Thủ tục thường gặp']))
      .send({ type: 'message', text: 'menu', locale: 'en-US' })
      .assertReply(says(/^Xin chào!/))
      .startTest();
  });
});

describe('citizen: "câu hỏi của tôi"', () => {
  test('lists the questions filed from this identity with status and deadlines; once answered, the answer and its /hoi-dap page; a ticket button opens it for rating', async () => {
    const { adapter, store, services } = await testBot();
    let filed = '';
    await fileQuestion(adapter, (a) => (filed = textOf(a))).startTest();
    expect(filed).toContain('HD-2026-000001');
    const [acceptDue, answerDue] = [...filed.matchAll(/\d{2}\/\d{2}\/\d{4}/g)].map((m) => m[0]);
    await adapter
      .send('câu hỏi của tôi')
      .assertReply((a) => {
        const text = textOf(a);
        expect(text).toContain('Các câu hỏi bạn đã gửi (mới nhất trước):');
        expect(text).toContain('• HD-2026-000001 (gửi ngày 30/11/2026): cho toi hoi gia dinh toi o thon Lang Chung');
        expect(text).toContain('Tình trạng: đang chờ cơ quan tiếp nhận. Cơ quan: UBND xã Xuân Quang.');
        expect(text).toContain(`Hạn tiếp nhận: ${acceptDue}; hạn trả lời: ${answerDue}.`);
        // The contact the citizen gave is not repeated.
        expect(text).not.toContain('0912345678');
        expect(buttonsOf(a)).toEqual(['HD-2026-000001']);
      })
      .startTest();

    const agency = (await store.loadQuestions(['HD-2026-000001'])).get('HD-2026-000001')?.agency as string;
    await services.ledger.record({ q: 'HD-2026-000001', type: 'accepted', at: '2026-12-01T08:00:00+07:00', agency });
    await adapter
      .send('kiem tra cau hoi cua toi')
      .assertReply((a) => {
        expect(textOf(a)).toContain('Tình trạng: cơ quan đã tiếp nhận, đang xử lý.');
        expect(textOf(a)).toContain(`Hạn trả lời: ${answerDue}.`);
        expect(textOf(a)).not.toContain('Hạn tiếp nhận');
      })
      .startTest();

    await services.ledger.record({ q: 'HD-2026-000001', type: 'answered', at: '2026-12-03T10:00:00+07:00', agency, authorized: true, text: 'Hồ sơ gồm đơn đề nghị cấp phép và bản vẽ thiết kế. Liên hệ 0988777666.' });
    await adapter
      .send('Câu hỏi của tôi')
      .assertReply((a) => {
        const text = textOf(a);
        expect(text).toContain('Tình trạng: đã có trả lời.');
        expect(text).toContain('Trả lời ngày 03/12/2026: Hồ sơ gồm đơn đề nghị cấp phép và bản vẽ thiết kế.');
        expect(text).toContain('Xem đầy đủ: /hoi-dap/HD-2026-000001');
        expect(text).not.toContain('Hạn trả lời');
        // As published: a phone number in the answer is masked.
        expect(text).not.toContain('0988777666');
      })
      .send('HD-2026-000001')
      .assertReply(says('Câu hỏi HD-2026-000001: đã có trả lời.'))
      .assertReply((a) => expect(buttonsOf(a)).toEqual(['1', '2', '3', '4', '5']))
      .startTest();
  });

  test('newest first, at most the policy\'s number listed, the rest counted', async () => {
    const { adapter, services } = await testBot();
    // The province data is shared by the tests of this file: the policy is put back afterwards.
    const policy = services.data.policy;
    const before = policy.myQuestions;
    policy.myQuestions = { listed: 2, answerChars: 300, portalIdentityTtlDays: 365 };
    try {
      for (let i = 0; i < 3; i += 1) await fileQuestion(adapter, says(`HD-2026-00000${i + 1}`)).startTest();
      await adapter
        .send('xem câu hỏi đã gửi')
        .assertReply((a) => {
          expect(buttonsOf(a)).toEqual(['HD-2026-000003', 'HD-2026-000002']);
          expect(textOf(a)).toContain('Còn 1 câu hỏi cũ hơn');
          expect(textOf(a)).not.toContain('HD-2026-000001');
        })
        .startTest();
    } finally {
      policy.myQuestions = before;
    }
  });

  test('another identity does not see them; with none filed, the ticket is asked for', async () => {
    const { adapter } = await testBot();
    await fileQuestion(adapter, says('HD-2026-000001')).startTest();
    await adapter
      .send({ type: 'message', text: 'câu hỏi của tôi', from: { id: 'someone-else', name: '' } })
      .assertReply((a) => {
        expect(textOf(a)).toContain('Chưa có câu hỏi nào được gửi từ trình duyệt hoặc tài khoản chat này. Bạn vui lòng nhập mã câu hỏi');
        expect(textOf(a)).not.toContain('HD-2026-000001');
      })
      .startTest();
  });

  test('"tra cứu" without a ticket asks for the ticket, offering this identity\'s tickets as buttons', async () => {
    const { adapter } = await testBot();
    await fileQuestion(adapter, says('HD-2026-000001')).startTest();
    await adapter
      .send('tra cứu')
      .assertReply((a) => {
        expect(textOf(a)).toContain('Các câu hỏi bạn đã gửi: HD-2026-000001.');
        expect(textOf(a)).toContain('nhập mã khác');
        expect(buttonsOf(a)).toEqual(['HD-2026-000001']);
      })
      .send('HD-2026-000001')
      .assertReply(says('Câu hỏi HD-2026-000001'))
      .startTest();
  });

  test('in English, "my questions" lists them in English', async () => {
    const { adapter } = await testBot();
    await adapter
      .send({ type: 'message', text: 'Hello, how do I register a birth for my baby?', locale: 'en-US' })
      .assertReply(() => undefined)
      .assertReply(() => undefined)
      .send({ type: 'message', text: 'cancel', locale: 'en-US' })
      .assertReply(() => undefined)
      .send({ type: 'message', text: 'my questions', locale: 'en-US' })
      .assertReply(says('No question has been sent from this browser or chat account yet. Please type the question number'))
      .startTest();
  });
});

