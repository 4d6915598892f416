import { says, testBot, textOf } from '../helpers/bot';

/** The place the citizen gives at the dialog's place step is fed to the router (issue 11). */
describe('the place given in the dialog', () => {
  test('a local topic without a place in the question goes to the district of the place given', async () => {
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
      .assertReply((a) => expect(textOf(a)).toContain('Cơ quan trả lời: UBND thành phố Lào Cai'))
      .startTest();
    // Without the place the same question stays with the department (rule 1 of LABELING.md).
    expect(services.router.route(question).candidates[0].agency).toBe('so-tuphap');
  });

  test('a department topic stays with the department whatever place is given', async () => {
    const { services } = await testBot();
    expect(services.router.route('thẻ bảo hiểm y tế của tôi hết hạn thì gia hạn ở đâu', { place: 'xã Gia Phú, Bảo Thắng' }).candidates[0].agency).toBe('bhxh');
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
    expect(r.place).toBe('h-batxat');
  });
});
