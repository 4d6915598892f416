import { says, testBot, textOf } from '../helpers/bot';

/** The place the citizen gives at the dialog's place step is fed to the router (issue 11). */
describe('the place given in the dialog', () => {
  // The bot's clock is in 2026: places name the commune-level units of the new province (since 2025-07-01).
  test('a local topic without a place in the question goes to the commune-level unit of the place given', async () => {
    const { adapter, services } = await testBot();
    const question = 'làm giấy khai sinh cho con cần những gì';
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send(question)
      .assertReply(says('cho biết họ và tên'))
      .send('Nguyen Thi Binh')
      .assertReply(says('số điện thoại hoặc email'))
      .send('0912345678')
      .assertReply(says('xã/phường nào'))
      .send('phường Kim Tân, thành phố Lào Cai')
      .assertReply((a) => expect(textOf(a)).toContain('Cơ quan trả lời: UBND phường Lào Cai'))
      .startTest();
    // Without the place the same question stays with the department (rule 1 of LABELING.md).
    expect(services.router.route(question).candidates[0].agency).toBe('so-tuphap');
  });

  test('a department topic stays with the department whatever place is given', async () => {
    const { services } = await testBot();
    // Bảo hiểm xã hội tỉnh Lào Cai since 2025-07-01 (bhxh-khuvuc renamed).
    expect(services.router.route('thẻ bảo hiểm y tế của tôi hết hạn thì gia hạn ở đâu', { place: 'xã Gia Phú, Bảo Thắng' }).candidates[0].agency).toBe('bhxh-khuvuc');
  });

  test('a place of another province given in the dialog selects no district', async () => {
    const { services } = await testBot();
    const r = services.router.route('làm giấy khai sinh cho con cần những gì', { place: 'thành phố Việt Trì, Phú Thọ' });
    expect(r.place).toBeUndefined();
    expect(r.candidates[0].agency).toBe('so-tuphap');
  });

  test('the question’s own place counts before the place given', async () => {
    const { services } = await testBot();
    const r = services.router.route('cấp giấy phép xây dựng nhà ở tại xã Bản Vược', { place: 'phường Kim Tân, thành phố Lào Cai' });
    // xã Bản Vược (huyện Bát Xát) is part of xã Bát Xát since 2025-07-01.
    expect(r.place).toBe('x-batxat');
  });
});
