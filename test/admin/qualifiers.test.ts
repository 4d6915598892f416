import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAdminPhrases, parseAdminQuery, structuredQuery, type AdminQuery } from '../../src/admin/query';
import type { StructuredQuery } from '../../src/admin/evaluate';
import { PROJECT_ROOT } from '../../src/config/paths';
import { loadRoutingResources } from '../../src/routing/load';
import { instant, province } from '../helpers/province';

/**
 * Each kind of qualifier an admin adds to a query (issue 13), in the conventions of
 * the writers' brief: today is Monday 2 October 2023.
 */
const data = province();
const { normalizer, gazetteer } = loadRoutingResources(data);
const TODAY = instant('2023-10-02T10:00:00+07:00');

function parse(text: string, now = TODAY): AdminQuery {
  return parseAdminQuery(text, { agencies: data.agencies, normalizer, gazetteer, clock: data.clock, now });
}

function read(text: string): StructuredQuery {
  return structuredQuery(parse(text));
}

function unaccented(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

const NONE: StructuredQuery = { intent: 'unknown', agency: null, from: null, to: null, at: null, status: null };

describe('the as-of day of overdue and pending queries, in every written form', () => {
  const FORMS: Array<[string, string]> = [
    ['tính đến 25/9/2023', '2023-09-25'],
    ['tính đến 25/9', '2023-09-25'],
    ['tính đến ngày 25/09/2023', '2023-09-25'],
    ['tính đến hết ngày 25.9.2023', '2023-09-25'],
    ['đến ngày 25-09-2023', '2023-09-25'],
    ['đến 2023-09-25', '2023-09-25'],
    ['tính tới ngày 25 tháng 9', '2023-09-25'],
    ['ngày 25 tháng 9 năm 2023', '2023-09-25'],
    ['25/9/2023', '2023-09-25'],
    ['đến ngày 30/6', '2023-06-30'],
    ['cuối quý 2', '2023-06-30'],
    ['đến hết quý II/2023', '2023-06-30'],
    ['tính đến cuối quý 3 năm 2023', '2023-09-30'],
    ['cuối tháng 8', '2023-08-31'],
    ['đến cuối tháng 8/2023', '2023-08-31'],
    ['hôm qua', '2023-10-01'],
    ['tính đến hôm qua', '2023-10-01'],
    ['as of 25/09/2023', '2023-09-25'],
    ['tính đến 25/9/23', '2023-09-25'],
    ['đến hết tháng trước', '2023-09-30'],
    ['tính đến tháng 8/2023', '2023-08-31'],
    ['until 30 Sep 2023', '2023-09-30'],
    ['as of September 25, 2023', '2023-09-25'],
    ['đến quý 2', '2023-06-30'],
  ];

  test.each(FORMS)('"quá hạn Bảo Thắng %s" is as of %s, with or without diacritics', (form, at) => {
    const expected = { ...NONE, intent: 'overdue', agency: 'h-baothang', at };
    expect(read(`quá hạn Bảo Thắng ${form}`)).toEqual(expected);
    expect(read(unaccented(`quá hạn Bảo Thắng ${form}`))).toEqual(expected);
    // The date first, the agency last: the same query.
    expect(read(`${form} Bảo Thắng có câu nào quá hạn`)).toEqual(expected);
    expect(parse(`quá hạn Bảo Thắng ${form}`)).toMatchObject({ notUnderstood: [] });
  });

  test('"now", said outright, is null; so is a query with no date', () => {
    for (const text of ['quá hạn Bảo Thắng', 'quá hạn Bảo Thắng tính đến nay', 'quá hạn Bảo Thắng hiện nay', 'quá hạn Bảo Thắng đến thời điểm hiện tại'])
      expect({ text, q: read(text), words: parse(text).kind === 'exit' ? [] : (parse(text) as { notUnderstood: string[] }).notUnderstood }).toEqual({
        text,
        q: { ...NONE, intent: 'overdue', agency: 'h-baothang' },
        words: [],
      });
  });

  test('an impossible date is not read as now: it is named as not understood', () => {
    const q = parse('quá hạn tính đến 31/02/2023 Bảo Thắng');
    expect(q).toMatchObject({ kind: 'overdue', atDay: null, notUnderstood: ['tính đến 31/02/2023'] });
  });
});

describe('periods, for scores, exports, and for overdue and pending questions received in them', () => {
  const PERIODS: Array<[string, string, string]> = [
    ['quý 3 năm 2023', '2023-07-01', '2023-09-30'],
    ['quý 3', '2023-07-01', '2023-09-30'],
    ['q3', '2023-07-01', '2023-09-30'],
    ['quý III/2023', '2023-07-01', '2023-09-30'],
    ['9 tháng đầu năm 2023', '2023-01-01', '2023-09-30'],
    ['6 tháng đầu năm', '2023-01-01', '2023-06-30'],
    ['6 tháng cuối năm 2022', '2022-07-01', '2022-12-31'],
    ['tháng 8/2023', '2023-08-01', '2023-08-31'],
    ['t8', '2023-08-01', '2023-08-31'],
    ['năm 2023', '2023-01-01', '2023-12-31'],
    ['năm nay', '2023-01-01', '2023-12-31'],
    ['từ 01/01/2023 đến 25/9/2023', '2023-01-01', '2023-09-25'],
    ['từ 1/7 đến 30/9', '2023-07-01', '2023-09-30'],
    ['tháng trước', '2023-09-01', '2023-09-30'],
    ['quý trước', '2023-07-01', '2023-09-30'],
    ['năm ngoái', '2022-01-01', '2022-12-31'],
    ['August 2023', '2023-08-01', '2023-08-31'],
    ['quý tư năm 2022', '2022-10-01', '2022-12-31'],
    ['quý 4 năm ngoái', '2022-10-01', '2022-12-31'],
    ['quý vừa qua', '2023-07-01', '2023-09-30'],
    ['quý hiện tại', '2023-10-01', '2023-12-31'],
    ['chín tháng đầu năm', '2023-01-01', '2023-09-30'],
    ['9 tháng', '2023-01-01', '2023-09-30'],
    ['từ đầu năm đến nay', '2023-01-01', '2023-10-02'],
    ['từ tháng 1 đến tháng 8/2023', '2023-01-01', '2023-08-31'],
    ['from 1 Jul 2023 to 30 Sep 2023', '2023-07-01', '2023-09-30'],
    ['từ quý 1 đến quý 3 năm 2023', '2023-01-01', '2023-09-30'],
  ];

  test.each(PERIODS)('"%s" is %s..%s for scores, exports, overdue and pending', (form, from, to) => {
    expect(read(`điểm Sở Y tế ${form}`)).toEqual({ ...NONE, intent: 'scores', agency: 'so-yte', from, to });
    expect(read(unaccented(`điểm Sở Y tế ${form}`))).toEqual({ ...NONE, intent: 'scores', agency: 'so-yte', from, to });
    expect(read(`xuất phụ biểu 02 ${form}`)).toEqual({ ...NONE, intent: 'export', from, to });
    expect(read(`câu hỏi quá hạn ${form} của Bảo Thắng`)).toEqual({ ...NONE, intent: 'overdue', agency: 'h-baothang', from, to });
    expect(read(`Văn Bàn còn bao nhiêu câu chưa trả lời ${form}`)).toEqual({ ...NONE, intent: 'pending', agency: 'h-vanban', from, to });
  });

  test('a period and an as-of day together are both kept', () => {
    expect(read('quá hạn Bảo Thắng câu hỏi nhận trong tháng 8/2023 tính đến 30/9')).toEqual({
      ...NONE,
      intent: 'overdue',
      agency: 'h-baothang',
      from: '2023-08-01',
      to: '2023-08-31',
      at: '2023-09-30',
    });
  });

  test('a second period is not silently dropped: it is named', () => {
    expect(parse('điểm Sở Y tế quý 3 năm 2023 và quý 2')).toMatchObject({ kind: 'scores', notUnderstood: ['quý 2'] });
  });
});

describe('statuses of pending questions', () => {
  const STATUSES: Array<[string, StructuredQuery['status']]> = [
    ['chờ tiếp nhận', 'awaiting_acceptance'],
    ['chưa tiếp nhận', 'awaiting_acceptance'],
    ['đã tiếp nhận nhưng chưa trả lời', 'awaiting_answer'],
    ['chờ trả lời', 'awaiting_answer'],
    ['đã nhận chưa tl', 'awaiting_answer'],
    ['chưa trả lời', null],
    ['tồn', null],
    ['tồn đọng', null],
  ];

  test.each(STATUSES)('"Sở Y tế còn bao nhiêu câu %s" → %s', (form, status) => {
    const expected = { ...NONE, intent: 'pending', agency: 'so-yte', status };
    expect(read(`Sở Y tế còn bao nhiêu câu ${form}`)).toEqual(expected);
    expect(read(unaccented(`Sở Y tế còn bao nhiêu câu ${form}`))).toEqual(expected);
  });

  test('a status is for pending queries only', () => {
    expect(read('quá hạn tiếp nhận của Sở Y tế')).toEqual({ ...NONE, intent: 'overdue', agency: 'so-yte' });
  });
});

describe('the agency: names with or without diacritics, abbreviations, every agency, the requester\'s own', () => {
  const NAMES: Array<[string, string]> = [
    ['Bảo Thắng', 'h-baothang'],
    ['huyện Bảo Thắng', 'h-baothang'],
    ['UBND huyện Bảo Thắng', 'h-baothang'],
    ['bao thang', 'h-baothang'],
    ['Sở Y tế', 'so-yte'],
    ['SYT', 'so-yte'],
    ['công an tỉnh', 'cong-an'],
    ['sở gd', 'so-gddt'],
    ['Sở GD&ĐT', 'so-gddt'],
    ['sở lao động thương binh xã hội', 'so-ldtbxh'],
    ['kho bạc Lào Cai', 'kbnn'],
    ['TP Lào Cai', 'tp-laocai'],
    ['ubnd h Mường Khương', 'h-muongkhuong'],
    ['VP Đoàn ĐBQH và HĐND', 'vp-dbqh-hdnd'],
    ['UBND h.Bảo Thắng', 'h-baothang'],
    ['ubnd tp lc', 'tp-laocai'],
    ['Sở Tài nguyên và Môi trường', 'so-tnmt'],
  ];

  test.each(NAMES)('"%s" is %s', (name, agency) => {
    expect(read(`quá hạn ${name}`)).toEqual({ ...NONE, intent: 'overdue', agency });
    expect(read(`${unaccented(name)} qua han`)).toEqual({ ...NONE, intent: 'overdue', agency });
    expect(parse(`quá hạn ${name}`)).toMatchObject({ notUnderstood: [] });
  });

  test('a known word typed with diacritics is that word: "văn bản" is not Văn Bàn, "tại" is not "tải" (typed without, folded words are read)', () => {
    expect(parse('quá hạn văn bản')).toMatchObject({ kind: 'overdue', agency: null });
    expect(read('quá hạn tiếp nhận tại Bắc Hà đến 20/9/2023')).toEqual({ ...NONE, intent: 'overdue', agency: 'h-bacha', at: '2023-09-20' });
    // A typo is no known word: read folded.
    expect(read('quá hạn Bảo Thăng')).toMatchObject({ intent: 'overdue', agency: 'h-baothang' });
    expect(read('chưa trã lời sở y tế')).toMatchObject({ intent: 'pending', agency: 'so-yte' });
    expect(read('quá hạn Văn Bàn')).toMatchObject({ agency: 'h-vanban' });
    expect(read('qua han van ban')).toMatchObject({ agency: 'h-vanban' });
    expect(read('Sở Văn hoá quá hạn')).toMatchObject({ agency: 'so-vhtt' });
  });

  test('no agency, or "every agency" said outright, is null', () => {
    for (const text of ['câu hỏi quá hạn', 'quá hạn tất cả đơn vị', 'ds quá hạn toàn tỉnh', 'đơn vị nào còn câu quá hạn', 'cả tỉnh còn bao nhiêu câu chờ trả lời'])
      expect({ text, agency: read(text).agency }).toEqual({ text, agency: null });
  });

  test('"cả tỉnh" typed with diacritics is every agency, not "CA tỉnh" (the police)', () => {
    expect(read('quá hạn cả tỉnh')).toEqual({ ...NONE, intent: 'overdue' });
    expect(read('quá hạn CA tỉnh')).toEqual({ ...NONE, intent: 'overdue', agency: 'cong-an' });
  });

  test('the requester\'s own agency is not what is asked about', () => {
    expect(read('em ở Sở TT&TT, cho xin điểm quý 3 của tất cả')).toEqual({ ...NONE, intent: 'scores', from: '2023-07-01', to: '2023-09-30' });
    const q = parse('mình bên Sở Y tế, xem giúp quá hạn của Bảo Thắng');
    expect(q).toMatchObject({ kind: 'overdue', agency: { code: 'h-baothang' }, requester: { code: 'so-yte' }, notUnderstood: [] });
  });

  test('the requester\'s agency a word or two after the marker, or named as the requester ("Ban biên tập")', () => {
    expect(parse('em ở bên Sở TT&TT, cần điểm quý 3')).toMatchObject({ kind: 'scores', agency: null, requester: { code: 'so-tttt' } });
    expect(parse('Ban biên tập cần xem điểm quý 3 của các đơn vị')).toMatchObject({ kind: 'scores', agency: null, requester: { code: 'vp-ubnd' } });
    // Asked about, not introducing themselves: the agency.
    expect(read('điểm quý 3 của Văn phòng UBND tỉnh')).toMatchObject({ agency: 'vp-ubnd' });
  });

  test('"đơn vị em", "sở mình": the requester\'s own agency is the one asked about', () => {
    expect(parse('em ở Sở Y tế, đơn vị em còn bao nhiêu câu chưa trả lời')).toMatchObject({ kind: 'pending', agency: { code: 'so-yte' }, requester: null, notUnderstood: [] });
  });

  test('every agency said outright and one agency named besides: the one named asks; a bare "tất cả" may be all the questions', () => {
    expect(parse('Sở TT&TT cần bảng điểm quý 3 của tất cả các đơn vị')).toMatchObject({ kind: 'scores', agency: null, requester: { code: 'so-tttt' } });
    expect(read('cho xem tất cả câu hỏi quá hạn của Sở Y tế')).toEqual({ ...NONE, intent: 'overdue', agency: 'so-yte' });
  });

  test('the agency a report is for is not the one asked about; the one questions were sent to is', () => {
    expect(parse('xuất phụ biểu 02 quý 3 để báo cáo UBND tỉnh')).toMatchObject({ kind: 'export', agency: null, requester: { code: 'vp-ubnd' } });
    expect(read('câu hỏi gửi Sở Y tế chưa trả lời')).toEqual({ ...NONE, intent: 'pending', agency: 'so-yte' });
  });

  test('two agencies asked about at once: the admin chooses, nothing is guessed', () => {
    expect(parse('quá hạn Sở Y tế và Bảo Thắng tính đến 25/9')).toMatchObject({ kind: 'ambiguous', atDay: expect.any(Number) });
    expect(read('quá hạn Sở Y tế và Bảo Thắng')).toEqual({ ...NONE, intent: 'overdue' });
  });
});

describe('several qualifiers, in any order', () => {
  const PARTS = ['Sở Y tế', 'chờ tiếp nhận', 'tính đến 30/6/2023'];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];

  test.each(orders)('order %i %i %i, with spaces or commas', (a, b, c) => {
    const expected = { ...NONE, intent: 'pending', agency: 'so-yte', at: '2023-06-30', status: 'awaiting_acceptance' };
    const parts = [PARTS[a], PARTS[b], PARTS[c]];
    expect(read(parts.join(' '))).toEqual(expected);
    expect(read(unaccented(parts.join(', ')))).toEqual(expected);
  });

  test('a long, polite request keeps all its parts', () => {
    expect(read('Nhờ bot cho mình xin danh sách các câu hỏi đã quá hạn của huyện Bảo Thắng tính đến hết ngày 25 tháng 9 năm 2023 nhé, cảm ơn bot')).toEqual({
      ...NONE,
      intent: 'overdue',
      agency: 'h-baothang',
      at: '2023-09-25',
    });
  });
});

describe('words not understood are named, never dropped', () => {
  test('an unknown word next to an understood query', () => {
    expect(parse('quá hạn Bảo Thắng tính đến 25/9/2023 xyz')).toMatchObject({ kind: 'overdue', agency: { code: 'h-baothang' }, notUnderstood: ['xyz'] });
    expect(parse('Sở Y tế còn bao nhiêu câu chưa trả lời ở phường abc, hạng mục xyz')).toMatchObject({ kind: 'pending', notUnderstood: ['phường abc', 'hạng mục xyz'] });
  });

  test('an understood query has none', () => {
    for (const text of ['điểm của Sở Y tế năm 2023', 'câu hỏi quá hạn của Bảo Thắng tính đến 25/9/2023', 'xuất phụ biểu 02 quý 3', 'kết quả chấm điểm quý 3', 'ket qua quy 3'])
      expect({ text, words: (parse(text) as { notUnderstood: string[] }).notUnderstood }).toEqual({ text, words: [] });
  });
});

describe('intents', () => {
  test('overdue words win over pending ones: "chờ tiếp nhận quá hạn" is a list of overdue questions', () => {
    expect(read('chờ tiếp nhận quá hạn của Bảo Thắng')).toEqual({ ...NONE, intent: 'overdue', agency: 'h-baothang' });
    expect(read('Bảo Thắng còn bao nhiêu câu quá hạn chưa trả lời')).toEqual({ ...NONE, intent: 'overdue', agency: 'h-baothang' });
  });

  test('a status alone asks for pending questions; a period alone for scores', () => {
    expect(read('Sở Y tế chờ tiếp nhận')).toEqual({ ...NONE, intent: 'pending', agency: 'so-yte', status: 'awaiting_acceptance' });
    expect(read('quý 3 Sở Y tế')).toEqual({ ...NONE, intent: 'scores', agency: 'so-yte', from: '2023-07-01', to: '2023-09-30' });
  });

  test('asked to do what a query cannot (remind, extend, forward), it is not a query, and what was asked is named', () => {
    for (const text of ['nhắc các đơn vị có câu quá hạn trả lời ngay', 'gia hạn hạn trả lời cho Sở Tài chính thêm 5 ngày', 'chuyển câu hỏi này sang Sở TN&MT', 'duyệt giúp các câu chờ trả lời của Sở Y tế'])
      expect({ text, q: read(text) }).toEqual({ text, q: NONE });
    expect(parse('nhắc nhở Sở Y tế trả lời các câu quá hạn')).toMatchObject({ kind: 'unknown', unsupported: ['nhắc nhở'] });
  });
});

describe('the evaluation shape', () => {
  test('unknown and exit have every other field null', () => {
    expect(read('chào bot')).toEqual(NONE);
    expect(read('gửi nhắc nhở Sở Y tế trả lời gấp')).toEqual(NONE);
    expect(read('thoát')).toEqual(NONE);
  });

  test('a lone date is a one-day period for scores, the as-of day for overdue', () => {
    expect(read('điểm ngày 25/9/2023')).toEqual({ ...NONE, intent: 'scores', from: '2023-09-25', to: '2023-09-25' });
    expect(read('quá hạn Bảo Thắng ngày 25/9/2023')).toEqual({ ...NONE, intent: 'overdue', agency: 'h-baothang', at: '2023-09-25' });
  });
});

describe('intents/admin.json is validated: errors name the file and the entry', () => {
  function withPhrases(edit: (json: Record<string, unknown>) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-admin-phrases-'));
    const json = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'intents/admin.json'), 'utf8')) as Record<string, unknown>;
    edit(json);
    fs.writeFileSync(path.join(dir, 'admin.json'), JSON.stringify(json));
    return dir;
  }

  test('the shipped file loads', () => {
    expect(loadAdminPhrases().rules.length).toBeGreaterThan(0);
  });

  test('an abbreviation of two words, a status phrase of punctuation, an unknown key', () => {
    const two = withPhrases((j) => ((j.abbreviations as Record<string, string>)['p b'] = 'phụ biểu'));
    expect(() => loadAdminPhrases(two)).toThrow(/admin\.json[\s\S]*abbreviations[\s\S]*one word/);
    const dots = withPhrases((j) => (j.statuses as Record<string, string[]>).awaiting_answer.push('...'));
    expect(() => loadAdminPhrases(dots)).toThrow(/admin\.json[\s\S]*statuses[\s\S]*awaiting_answer[\s\S]*letter or digit/);
    const extra = withPhrases((j) => (j.synonyms = {}));
    expect(() => loadAdminPhrases(extra)).toThrow(/admin\.json[\s\S]*synonyms/);
  });
});

describe('a message far longer than any request', () => {
  test('is not read as a query, and its beginning is named as not understood', () => {
    const pasted = `Câu hỏi quá hạn của Bảo Thắng tính đến 25/9/2023 ${'và nhiều nội dung khác '.repeat(1000)}`;
    const query = parse(pasted);
    expect(query.kind).toBe('unknown');
    expect(query.kind === 'unknown' && query.notUnderstood[0]).toMatch(/^Câu hỏi quá hạn của Bảo Thắng.*…$/);
    expect(read('câu hỏi quá hạn của Bảo Thắng tính đến 25/9/2023')).toMatchObject({ intent: 'overdue', agency: 'h-baothang', at: '2023-09-25' });
  });
});
