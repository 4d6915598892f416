import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { foldVietnamese } from '../../src/domain/text';
import { evaluateFaq, FaqBase, FaqVocabulary, formatFaqAnswer, type FaqLabeled, type FaqWords } from '../../src/routing/faq';
import { FaqModel, FaqModelSchema } from '../../src/routing/faq-model';
import { loadRoutingResources } from '../../src/routing/load';
import { province } from '../helpers/province';

let faq: FaqBase;
beforeAll(() => {
  faq = FaqBase.load(province(), loadRoutingResources(province()).normalizer);
});

const answered = (text: string): string => faq.match(text)?.entry.id ?? 'none';
const readWords = (): FaqWords => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data/faq/words.json'), 'utf8')) as FaqWords;

describe('the knowledge base answers what issue 12 saw it miss or mismatch', () => {
  test.each([
    // Was the passport entry. The card for a child under 6 comes with the birth registration (Nghị định 63/2024).
    ['thẻ bảo hiểm y tế cho trẻ em', 'khai-sinh'],
    ['the bao hiem y te cho tre em', 'khai-sinh'],
    // Was civil-status correction.
    ['làm căn cước cho con 14 tuổi', 'can-cuoc-cong-dan'],
    ['lam can cuoc cho con 14 tuoi', 'can-cuoc-cong-dan'],
    // Was nothing ("khai tử" alone worked).
    ['khai tử cho bố', 'khai-tu'],
    ['khai tu cho bo', 'khai-tu'],
    ['khai tử', 'khai-tu'],
    // Was "chưa có sẵn hướng dẫn" though the entry exists.
    ['Tôi muốn tách thửa đất để chia cho hai con thì làm thủ tục thế nào?', 'tach-thua'],
    ['tach thua dat can dieu kien gi', 'tach-thua'],
    // Was birth registration.
    ['how do I register a new business', 'dang-ky-doanh-nghiep'],
    ['How do I register a new business?', 'dang-ky-doanh-nghiep'],
  ])('"%s" → %s', (text, entry) => {
    expect(answered(text)).toBe(entry);
  });
});

describe('abbreviated, unaccented and English questions', () => {
  test.each([
    ['lam cccd cho con', 'can-cuoc-cong-dan'],
    ['mat so do lam lai ntn', 'cap-lai-gcn-bi-mat'],
    ['xin lltp so 1 o dau', 'ly-lich-tu-phap'],
    ['dk tam tru cho nguoi thue tro', 'dang-ky-tam-tru'],
    // Chat abbreviations of the FAQ's own (data/faq/words.json), read by the model too.
    ['lam hc cho con 5 tuoi can gi', 'ho-chieu'],
    ['huong tctn can giay to gi', 'tro-cap-that-nghiep'],
    ['che do ts khi vo sinh con thu 2', 'che-do-thai-san'],
    ['mở quán kara ở sa pa cần giấy phép gì', 'giay-phep-kinh-doanh-karaoke'],
    ['don kn ve dat gui o dau', 'khieu-nai-to-cao'],
    ['How do I get a passport?', 'ho-chieu'],
    ['My mother died, how do we register the death?', 'khai-tu'],
  ])('"%s" → %s', (text, entry) => {
    expect(answered(text)).toBe(entry);
  });
});

describe('"no match" when nothing fits', () => {
  test.each([
    'asdkjh qwe zzz',
    'cảm ơn',
    'xin chào',
    'Hello, is anyone there?',
    'Thủ tục ly hôn thuận tình làm ở đâu', // divorce goes to court: not marriage registration
    'Tôi muốn đi học bằng lái xe máy lần đầu', // a first licence is not an exchange
    'giá lúa hôm nay bao nhiêu',
    'xét?', // one word the poor-household entry uses is not a question about it
    'xet',
  ])('"%s" → no match', (text) => {
    expect(answered(text)).toBe('none');
  });
});

describe('English questions that tell a situation (written for this test, in no training or development set)', () => {
  test.each([
    ['My wife and I just had a baby girl at the hospital in Sa Pa. What do we do to get her birth certificate?', 'khai-sinh'],
    ['Our grandmother passed away at home in Mường Khương on Sunday. Which office records the death and what do we bring?', 'khai-tu'],
    ["I've lived in Lào Cai for two years on a work permit. My visa runs out next month, how can I extend it?", 'thi-thuc-tam-tru-nguoi-nuoc-ngoai'],
    ["I can't find the red book for our family's land anywhere, I think it got thrown away when we moved.", 'cap-lai-gcn-bi-mat'],
    ['someone on Facebook pretending to be my bank took 20 million from my account, who do I report it to?', 'to-giac-lua-dao-qua-mang'],
    ['We want to open a little noodle shop in front of our house in Bắc Hà. What do we have to register?', 'dang-ky-ho-kinh-doanh'],
    ['The karaoke next door goes on until 1am every night, who can I complain to?', 'phan-anh-tieng-on-karaoke'],
    ['What can I do about the smell from the rubbish dump behind the school?', 'phan-anh-rac-thai'],
  ])('"%s" → %s', (text, entry) => {
    expect(answered(text)).toBe(entry);
  });

  test.each([
    'How do we get divorced? We married in Lào Cai three years ago.', // a court matter, not marriage registration
    'I want to learn to drive and take my first motorbike licence test, where do I sign up?', // not an exchange
    'Can a foreigner like me buy a house in Sa Pa in my own name?', // not a land title
    'How do I get a work permit to teach English at a centre in Lào Cai?', // not a visa
    'Do I need a permit to teach English at a language centre?', // not a building permit
    'Is the road over the Ô Quy Hồ pass open today? It was snowing yesterday.',
    'Where can I buy a train ticket from Lào Cai to Hà Nội for tonight?',
    'How much does the bus to Sa Pa cost?',
  ])('"%s" → no match', (text) => {
    expect(answered(text)).toBe('none');
  });

  test('"can", "do" and "the" in an English question are not "cần", "đỏ" and "thẻ": no land title comes up for an ID card question', () => {
    const ids = faq.candidates("Can I do the paperwork for my mum's ID card if she is too old to go?", 3).map((m) => m.entry.id);
    expect(ids[0]).toBe('can-cuoc-cong-dan');
    expect(ids.filter((id) => /gcn|so-do|thua|dat/.test(id))).toEqual([]);
  });

  test('in mixed English, "so do" is still the land title, and contractions say nothing ("I\'m", "can\'t")', () => {
    const vocabulary = new FaqVocabulary(loadRoutingResources(province()).normalizer, readWords());
    expect(vocabulary.words('how to get so do for my wife land', 'replace')).toEqual(['so', 'do', 'wif', 'land']);
    expect(vocabulary.words("I'm sure we can't do the paperwork", 'replace')).toEqual(['sur', 'paperwork']);
    // The same words in Vietnamese are what they say: "thẻ", "cần", "đỏ".
    expect(vocabulary.words('the bhyt can lam lai', 'replace')).toContain('the');
    expect(faq.candidates('how to get so do for my wife land, she bought it last year from her uncle', 1)[0].entry.id).toBe('sang-ten-so-do');
  });

  test('a place name written with its accents does not make an English question Vietnamese; Vietnamese words in broken English do', () => {
    const vocabulary = new FaqVocabulary(loadRoutingResources(province()).normalizer, readWords());
    expect(vocabulary.looksEnglish('My father died in Bát Xát last week, how do we register the death?')).toBe(true);
    expect(vocabulary.looksEnglish('We bought a house in Cốc Lếu, what is next for the land title?')).toBe(true);
    expect(vocabulary.looksEnglish('how nhập hộ khẩu for my wife into my family')).toBe(false);
    expect(vocabulary.looksEnglish('thẻ bhyt của con bị mất')).toBe(false);
    expect(vocabulary.looksEnglish('lam lai the bhyt')).toBe(false);
  });
});

describe("the model's settings (data/faq/model.json)", () => {
  const stored = (): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data/faq/model.json'), 'utf8')) as Record<string, unknown>;

  test('the model reads questions as the keyword matcher does; a file without "features" keeps the router\'s syllables', () => {
    expect(FaqModelSchema.parse(stored()).features).toBe('faq-words');
    const { features: _features, ...older } = stored();
    expect(FaqModelSchema.parse(older).features).toBe('syllables');
    expect(() => FaqModelSchema.parse({ ...stored(), features: 'words' })).toThrow();
  });

  test('"faq-words" without the knowledge base\'s vocabulary is refused when the model is built', () => {
    const settings = FaqModelSchema.parse(stored());
    const normalizer = loadRoutingResources(province()).normalizer;
    const entries = [{ id: 'khai-tu', texts: ['Đăng ký khai tử'] }];
    expect(() => new FaqModel(entries, [], normalizer, settings)).toThrow(/"faq-words" need the knowledge base's vocabulary/);
    const model = new FaqModel(entries, [{ text: 'bố tôi mất tuần trước', entry: 'khai-tu' }], normalizer, settings, new FaqVocabulary(normalizer, readWords()));
    expect(model.predict('bo toi mat roi').best).toBe('khai-tu');
  });
});

describe('the entries', () => {
  test('each is a short list of steps with its legal basis, a national-portal link and the date it was checked', () => {
    for (const e of faq.entries) {
      expect(e.steps.length).toBeGreaterThanOrEqual(2);
      expect(e.steps.length).toBeLessThanOrEqual(6);
      expect(e.stepsEn.length).toBeGreaterThanOrEqual(2);
      expect(e.legalBasis.length).toBeGreaterThan(10);
      expect(new URL(e.link).hostname).toBe('dichvucong.gov.vn');
      expect(e.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // One chat message on every channel (Zalo and Messenger cut at 2,000 characters).
      expect(formatFaqAnswer(e, 'vi', 'Ủy ban nhân dân tỉnh Lào Cai').length).toBeLessThan(1600);
      expect(formatFaqAnswer(e, 'en', "Lao Cai Provincial People's Committee").length).toBeLessThan(1600);
    }
  });

  test('the identity card entry follows the 2023 Law on Identification, not the 2014 one', () => {
    const e = faq.byId('can-cuoc-cong-dan')!;
    expect(e.legalBasis).toContain('Luật Căn cước năm 2023');
    expect(e.legalBasis).not.toContain('Luật Căn cước công dân năm 2014');
    expect(e.steps.join(' ')).toContain('01/7/2024');
    for (const other of faq.entries) expect(other.legalBasis).not.toMatch(/Luật Căn cước công dân năm 2014|Luật Đất đai năm 2013|Luật Bảo hiểm xã hội năm 2014/);
  });

  test('an answer reads as numbered steps, legal basis, agency, link and "cập nhật ngày"', () => {
    const e = faq.byId('khai-tu')!;
    const vi = formatFaqAnswer(e, 'vi', 'Sở Tư pháp');
    expect(vi.split('\n')[0]).toBe('[Đăng ký khai tử]');
    expect(vi).toMatch(/\n1\. .+\n2\. /);
    expect(vi).toContain('Căn cứ pháp lý: Luật Hộ tịch năm 2014');
    expect(vi).toContain('Cơ quan phụ trách: Sở Tư pháp');
    expect(vi).toContain('https://dichvucong.gov.vn/');
    expect(vi).toMatch(/\(Cập nhật ngày \d{2}\/\d{2}\/\d{4}\)$/);
    const en = formatFaqAnswer(e, 'en', 'Department of Justice');
    expect(en).toMatch(/^\[Death registration\]\n1\. /);
    expect(en).toMatch(/\(Updated \d{2}\/\d{2}\/\d{4}\)$/);
  });
});

describe('the held-out set (test/fixtures/faq-heldout-fq3.jsonl: a separate writer, from the titles only, never trained on)', () => {
  const read = (file: string): FaqLabeled[] =>
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FaqLabeled);
  const heldOut = (): FaqLabeled[] => read(path.join(PROJECT_ROOT, 'test/fixtures/faq-heldout-fq3.jsonl'));

  test('as measured now (a dev set since it was measured twice): top-1 at least 92% (94.9%), a correct "no match" on at least 90% of the none lines, at most 3% wrong answers offered (2.4%)', () => {
    const e = evaluateFaq(faq, heldOut());
    expect(e.n).toBe(170);
    expect(e.top1).toBeGreaterThanOrEqual(0.92);
    expect(e.noMatchRate).toBeGreaterThanOrEqual(0.9);
    expect(e.wrongOfferedRate).toBeLessThanOrEqual(0.03);
  });

  test('no held-out line is among the training paraphrases or the entries (but three short ones two writers wrote alike on their own)', () => {
    const fold = (t: string): string => foldVietnamese(t);
    const dir = path.join(PROJECT_ROOT, 'intents/faq');
    const trained = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => read(path.join(dir, f)).map((l) => l.text));
    const written = new Set([...trained, ...faq.entries.flatMap((e) => [e.title, ...e.keywords, ...e.questions, ...e.questionsEn])].map(fold));
    // "gia hạn tạm trú", "so do bi mat" and one divorce sentence were written the same way by
    // a training writer, independently: any other overlap means the held-out set leaked.
    expect(heldOut().filter((l) => written.has(fold(l.text))).map((l) => l.id)).toEqual(['fq3-080', 'fq3-134', 'fq3-145']);
  });
});

describe('English, measured on a second development set (test/fixtures/faq-dev-h3.jsonl)', () => {
  const set = (): FaqLabeled[] =>
    fs
      .readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/faq-dev-h3.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FaqLabeled);

  test('English questions find their entry at least 90% of the time, with at most 5% wrong answers offered', () => {
    const e = evaluateFaq(faq, set());
    const english = e.perStyle.find((s) => s.style === 'english')!;
    expect(english.n).toBeGreaterThanOrEqual(60);
    expect(english.top1).toBeGreaterThanOrEqual(0.9);
    expect(english.noMatchRate).toBe(1);
    expect(e.wrongOfferedRate).toBeLessThanOrEqual(0.05);
  });

  test.each([
    // Word families: the entries say "birth registration", people say "register the birth".
    ['Where do we register the birth of our son?', 'khai-sinh'],
    ['registering a marriage with a Vietnamese citizen', 'dang-ky-ket-hon'],
    // A place or a date around the question does not hide it.
    ['We live in Bat Xat and my father died last week, how do we register his death?', 'khai-tu'],
    // A synonym explains the words it stands for: "bìa đỏ" is a land title.
    ['mất bìa đỏ', 'cap-lai-gcn-bi-mat'],
  ])('"%s" → %s', (text, entry) => {
    expect(answered(text)).toBe(entry);
  });
});
