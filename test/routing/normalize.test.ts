import { canonicalTonePlacement, features, Normalizer } from '../../src/routing/normalize';
import abbreviations from '../../data/abbreviations.json';

const normalizer = new Normalizer(abbreviations);

describe('Vietnamese normalization', () => {
  test('both tone-mark placements compare equal', () => {
    expect(canonicalTonePlacement('hòa')).toBe(canonicalTonePlacement('hoà'));
    expect(canonicalTonePlacement('Khỏe')).toBe('Khoẻ');
    expect(canonicalTonePlacement('thủy lợi')).toBe('thuỷ lợi');
    expect(canonicalTonePlacement('hoàng')).toBe('hoàng'); // closed syllable: the mark stays
    expect(canonicalTonePlacement('quý')).toBe('quý'); // "qu" is a consonant
    expect(normalizer.tokens('Hòa Bình')).toEqual(normalizer.tokens('Hoà Bình'));
  });

  test('Unicode composed and decomposed input give the same tokens', () => {
    const composed = 'Thủ tục khai tử';
    expect(normalizer.tokens(composed.normalize('NFD'))).toEqual(normalizer.tokens(composed.normalize('NFC')));
  });

  test('diacritics are folded, đ included, and case is ignored', () => {
    expect(normalizer.tokens('CẤP LẠI Sổ Đỏ ở Đồng Tuyển')).toEqual(['cap', 'lai', 'so', 'do', 'o', 'dong', 'tuyen']);
    expect(normalizer.tokens('cap lai so do o dong tuyen')).toEqual(normalizer.tokens('Cấp lại sổ đỏ ở Đồng Tuyển'));
  });

  test('chat abbreviations are expanded', () => {
    expect(normalizer.fold('ko dc cap gcn qsdđ')).toBe('khong duoc cap giay chung nhan quyen su dung dat');
    expect(normalizer.fold('k đc')).toBe('khong duoc');
    expect(normalizer.fold('the bhyt het han')).toBe('the bao hiem y te het han');
  });

  test('English passes through as words', () => {
    expect(normalizer.tokens('How do I extend my VISA in Sa Pa?')).toEqual(['how', 'do', 'i', 'extend', 'my', 'visa', 'in', 'sa', 'pa']);
  });

  test('features are syllables and syllable bigrams', () => {
    expect(features(['khai', 'tu', 'o', 'dau'])).toEqual(['khai', 'tu', 'o', 'dau', 'khai_tu', 'tu_o', 'o_dau']);
  });
});
