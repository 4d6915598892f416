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
  test('a citizen who filed a question from this chat identity gets it as a button when asking to look one up', async () => {
    const { adapter } = await testBot();
    await fileQuestion(adapter, says('HD-2026-000001')).startTest();
    await adapter
      .send('câu hỏi của tôi')
      .assertReply((a) => {
        expect(textOf(a)).toContain('Các câu hỏi bạn đã gửi: HD-2026-000001.');
        expect(buttonsOf(a)).toEqual(['HD-2026-000001']);
      })
      .send('HD-2026-000001')
      .assertReply(says('Câu hỏi HD-2026-000001'))
      .startTest();
  });
});
