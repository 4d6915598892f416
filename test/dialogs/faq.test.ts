import { says, testBot, textOf } from '../helpers/bot';

/** The knowledge base as the citizen sees it: what issue 12 saw go wrong, answered as short steps with their basis and date. */
describe('citizen: the knowledge base answers', () => {
  test.each([
    ['làm căn cước cho con 14 tuổi', '[Cấp, đổi, cấp lại thẻ căn cước', 'Luật Căn cước năm 2023'],
    ['khai tử cho bố', '[Đăng ký khai tử]', 'Luật Hộ tịch năm 2014'],
    ['thẻ bảo hiểm y tế cho trẻ em', '[Đăng ký khai sinh (kèm thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi)]', 'Nghị định 63/2024/NĐ-CP'],
    ['tach thua dat cho con', '[Tách thửa, hợp thửa đất]', 'Luật Đất đai năm 2024'],
  ])('"%s" from the menu gets numbered steps, the legal basis, the national portal and the date', async (text, title, basis) => {
    const { adapter } = await testBot();
    await adapter
      .send('Thủ tục thường gặp')
      .assertReply(says('Bạn muốn tìm hiểu thủ tục nào?'))
      .send(text)
      .assertReply((a) => {
        const t = textOf(a);
        expect(t.startsWith(title)).toBe(true);
        expect(t).toMatch(/\n1\. .+\n2\. /);
        expect(t).toContain(`Căn cứ pháp lý: `);
        expect(t).toContain(basis);
        expect(t).toContain('Thủ tục trên Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn/');
        expect(t).toMatch(/\(Cập nhật ngày \d{2}\/\d{2}\/\d{4}\)$/);
      })
      .assertReply(says('Thông tin này có giúp ích cho bạn không?'))
      .startTest();
  });

  test('in English: "how do I register a new business" is company registration, answered in English', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('Hello, how do I register a new business?')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^\[Registering a new business \(company\)\]\n1\. /);
        expect(textOf(a)).toContain('Legal basis: Luật Doanh nghiệp năm 2020');
        expect(textOf(a)).toMatch(/\(Updated \d{2}\/\d{2}\/\d{4}\)$/);
      })
      .startTest();
  });

  test('in English, a situation rather than a procedure name: a son born at the Lào Cai hospital (the place written with its marks) is birth registration, answered in English', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('Our son was born at the Lào Cai hospital two weeks ago and my husband is Korean. How do we register his birth?')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^\[Birth registration \(with the health insurance card for children under 6\)\]\n1\. /);
        expect(textOf(a)).toMatch(/\(Updated \d{2}\/\d{2}\/\d{4}\)$/);
      })
      .startTest();
  });

  test('nothing fits: no answer is offered, the citizen is offered to ask an agency', async () => {
    const { adapter } = await testBot();
    await adapter
      .send('Thủ tục thường gặp')
      .assertReply(says('Bạn muốn tìm hiểu thủ tục nào?'))
      .send('Thủ tục ly hôn thuận tình làm ở đâu')
      .assertReply(says('Tôi chưa có sẵn hướng dẫn cho nội dung này.'))
      .startTest();
  });
});
