import { wordDiff } from '../../src/domain/word-diff';
import { questionText, submittedFields } from '../../src/domain/question-text';

describe('wordDiff: what an officer changed in a draft after it was returned', () => {
  test('words added and removed, in their order; an unchanged text has neither', () => {
    expect(wordDiff('Hồ sơ gồm đơn và hai bản vẽ.', 'Hồ sơ gồm đơn đề nghị và bản vẽ.')).toEqual({ added: ['đề', 'nghị'], removed: ['hai'] });
    expect(wordDiff('a b c', 'a  b\nc')).toEqual({ added: [], removed: [] });
    expect(wordDiff('', 'mới hoàn toàn')).toEqual({ added: ['mới', 'hoàn', 'toàn'], removed: [] });
  });

  test('two drafts of 20,000 characters are compared quickly, still exactly as counts of words', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `từ${i % 700}`);
    const before = words.join(' ');
    const after = [...words.slice(0, 1500), 'chèn', ...words.slice(1500, 2999)].join(' ');
    const started = Date.now();
    const diff = wordDiff(before, after);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(diff.added).toEqual(['chèn']);
    expect(diff.removed).toEqual([words[2999]]);
  });
});

describe('questionText: the one reading of a question’s words from its events', () => {
  test('the submitted event’s text; nothing when there is none', () => {
    const events = [
      { type: 'submitted', body: JSON.stringify({ q: 'HD-2026-000001', type: 'submitted', text: 'Xin hỏi thủ tục khai tử', asker: { name: 'A' } }) },
      { type: 'assigned', body: JSON.stringify({ q: 'HD-2026-000001', type: 'assigned', agency: 'so-yte', text: 'not this' }) },
    ];
    expect(questionText(events)).toBe('Xin hỏi thủ tục khai tử');
    expect(submittedFields(events)).toMatchObject({ asker: { name: 'A' } });
    expect(questionText(events.slice(1))).toBe('');
  });
});
