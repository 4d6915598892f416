import { detectLanguage } from '../../src/routing/language';

describe('the language of a message', () => {
  test('English with a few Vietnamese place names stays English', () => {
    expect(detectLanguage('Our son was born at the Lào Cai hospital two weeks ago. How do we register his birth?')).toBe('en');
    expect(detectLanguage('My father died in Bát Xát last week, what papers do we need?')).toBe('en');
  });

  test('Vietnamese with marks, or with an English word or two, is Vietnamese', () => {
    expect(detectLanguage('Tôi muốn hỏi về visa cho chồng')).toBe('vi');
    expect(detectLanguage('Hello, tôi cần hỏi thủ tục khai sinh')).toBe('vi');
    expect(detectLanguage('làm căn cước cho con 14 tuổi')).toBe('vi');
    expect(detectLanguage('Cho tôi hỏi: how to apply ở đâu?')).toBe('vi');
  });

  test('unaccented messages as before: English words decide, Vietnamese function words rule English out', () => {
    expect(detectLanguage('how do I register a new business')).toBe('en');
    expect(detectLanguage('toi muon hoi ve visa')).toBe('vi');
    expect(detectLanguage('HD-2023-000001')).toBeUndefined();
  });
});
