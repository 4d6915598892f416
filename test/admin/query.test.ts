import { foldForPeriods, parsePeriod } from '../../src/admin/period';
import { loadAdminPhrases, parseAdminQuery, type AdminQuery } from '../../src/admin/query';
import { formatDay } from '../../src/domain/time';
import { loadRoutingResources } from '../../src/routing/load';
import { day, instant, province } from '../helpers/province';

const data = province();
const { normalizer, gazetteer } = loadRoutingResources(data);
/** The demo ledger's reporting day. */
const NOW = instant('2023-09-25T17:00:00+07:00');

function parse(text: string, now = NOW): AdminQuery {
  return parseAdminQuery(text, { agencies: data.agencies, normalizer, gazetteer, clock: data.clock, now });
}

/** The query with agencies as codes and days as YYYY-MM-DD, for readable expectations. */
function plain(q: AdminQuery): Record<string, unknown> {
  switch (q.kind) {
    case 'overdue':
    case 'pending':
      return { kind: q.kind, agency: q.agency?.code ?? null };
    case 'scores':
    case 'export':
      return { kind: q.kind, from: formatDay(q.period.fromDay), to: formatDay(q.period.toDay) };
    case 'ambiguous':
      return { kind: q.kind, intent: q.intent, candidates: q.candidates.map((a) => a.code) };
    default:
      return { ...q };
  }
}

/** The same text typed without any diacritics (đ→d), the way many people type on a phone. */
function unaccented(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

const AGENCY_QUERIES: Array<[string, 'overdue' | 'pending', string]> = [
  ['câu hỏi quá hạn của Bảo Thắng', 'overdue', 'h-baothang'],
  ['cau hoi qua han bao thang', 'overdue', 'h-baothang'],
  ['Bảo Thắng có câu nào quá hạn không', 'overdue', 'h-baothang'],
  ['danh sách quá hạn sở y tế', 'overdue', 'so-yte'],
  ['Sở Y tế còn bao nhiêu câu chưa trả lời', 'pending', 'so-yte'],
  ['so y te con bao nhieu cau chua tra loi', 'pending', 'so-yte'],
  ['còn bao nhiêu câu chờ tiếp nhận ở Văn Bàn', 'pending', 'h-vanban'],
  // Codes, short names, abbreviations and a district's other names.
  ['quá hạn h-baothang', 'overdue', 'h-baothang'],
  ['câu hỏi quá hạn của Sở GD&ĐT', 'overdue', 'so-gddt'],
  ['quá hạn Sở Giáo dục Đào tạo', 'overdue', 'so-gddt'],
  ['câu hỏi quá hạn của UBND huyện Bảo Thắng', 'overdue', 'h-baothang'],
  ['quá hạn huyện Sa Pa', 'overdue', 'tx-sapa'],
  ['quá hạn TP Lào Cai', 'overdue', 'tp-laocai'],
  ['Cục Thuế tỉnh còn bao nhiêu câu chưa trả lời', 'pending', 'cuc-thue'],
  ['Bát Xát còn mấy câu chưa tiếp nhận', 'pending', 'h-batxat'],
  // "chưa trả lời" is the count; "quá hạn" without it is the list.
  ['Bảo Thắng còn bao nhiêu câu quá hạn', 'overdue', 'h-baothang'],
];

describe('overdue and pending queries name an agency by name, alias, code or place, diacritics optional', () => {
  test.each(AGENCY_QUERIES)('%s', (text, kind, agency) => {
    expect(plain(parse(text))).toEqual({ kind, agency });
    expect(plain(parse(unaccented(text)))).toEqual({ kind, agency });
    expect(plain(parse(text.toUpperCase()))).toEqual({ kind, agency });
  });
});

const PERIOD_QUERIES: Array<[string, 'scores' | 'export', string, string]> = [
  ['điểm hỏi đáp quý 3 năm 2023', 'scores', '2023-07-01', '2023-09-30'],
  ['diem quy 3/2023', 'scores', '2023-07-01', '2023-09-30'],
  ['9 tháng đầu năm 2023', 'scores', '2023-01-01', '2023-09-30'],
  ['tháng 8/2023', 'scores', '2023-08-01', '2023-08-31'],
  ['6 tháng đầu năm 2023', 'scores', '2023-01-01', '2023-06-30'],
  ['năm 2023', 'scores', '2023-01-01', '2023-12-31'],
  ['từ 01/01/2023 đến 25/09/2023', 'scores', '2023-01-01', '2023-09-25'],
  ['xuất phụ biểu 02 quý 3 năm 2023', 'export', '2023-07-01', '2023-09-30'],
  ['xuat file excel 9 thang dau nam 2023', 'export', '2023-01-01', '2023-09-30'],
  // Other ways of writing the same periods.
  ['bảng điểm quý III/2023', 'scores', '2023-07-01', '2023-09-30'],
  ['điểm tháng 08 năm 2023', 'scores', '2023-08-01', '2023-08-31'],
  ['kết quả 6 tháng cuối năm 2022', 'scores', '2022-07-01', '2022-12-31'],
  ['điểm 01/01/2023 - 25/09/2023', 'scores', '2023-01-01', '2023-09-25'],
  ['điểm từ 2023-01-01 đến 2023-09-25', 'scores', '2023-01-01', '2023-09-25'],
  ['điểm từ 01/07/2023 đến nay', 'scores', '2023-07-01', '2023-09-25'],
  ['xuất excel từ 01/01 đến 25/09/2023', 'export', '2023-01-01', '2023-09-25'],
  ['tải file phụ biểu 02 năm 2022', 'export', '2022-01-01', '2022-12-31'],
  ['điểm năm 2024 (nhuận)', 'scores', '2024-01-01', '2024-12-31'],
  ['điểm tháng 2/2024', 'scores', '2024-02-01', '2024-02-29'],
];

describe('score and export queries read the period', () => {
  test.each(PERIOD_QUERIES)('%s', (text, kind, from, to) => {
    expect(plain(parse(text))).toEqual({ kind, from, to });
    expect(plain(parse(unaccented(text)))).toEqual({ kind, from, to });
  });

  test('a quarter or a month without a year is in the current year (from now)', () => {
    const in2026 = instant('2026-05-04T10:00:00+07:00');
    expect(plain(parse('diem quy 3', in2026))).toEqual({ kind: 'scores', from: '2026-07-01', to: '2026-09-30' });
    expect(plain(parse('điểm quý 3', NOW))).toEqual({ kind: 'scores', from: '2023-07-01', to: '2023-09-30' });
    expect(plain(parse('tháng 8', in2026))).toEqual({ kind: 'scores', from: '2026-08-01', to: '2026-08-31' });
    expect(plain(parse('9 tháng đầu năm', in2026))).toEqual({ kind: 'scores', from: '2026-01-01', to: '2026-09-30' });
    expect(plain(parse('xuất phụ biểu 02 quý 1', in2026))).toEqual({ kind: 'export', from: '2026-01-01', to: '2026-03-31' });
  });

  test('"this/last" quarter, month and year, across the new year', () => {
    const january = instant('2024-01-10T08:00:00+07:00');
    expect(plain(parse('điểm quý trước', january))).toEqual({ kind: 'scores', from: '2023-10-01', to: '2023-12-31' });
    expect(plain(parse('điểm tháng trước', january))).toEqual({ kind: 'scores', from: '2023-12-01', to: '2023-12-31' });
    expect(plain(parse('điểm quý này', january))).toEqual({ kind: 'scores', from: '2024-01-01', to: '2024-03-31' });
    expect(plain(parse('điểm năm ngoái', january))).toEqual({ kind: 'scores', from: '2023-01-01', to: '2023-12-31' });
    expect(plain(parse('điểm từ đầu năm đến nay', NOW))).toEqual({ kind: 'scores', from: '2023-01-01', to: '2023-09-25' });
  });

  test('impossible periods are not read as periods', () => {
    const today = day('2023-09-25');
    for (const text of ['tháng 13/2023', '13 tháng đầu năm 2023', 'từ 31/02/2023 đến 25/09/2023', 'từ 25/09/2023 đến 01/01/2023', 'quý 5 năm 2023'])
      expect({ text, period: parsePeriod(text, today) }).toEqual({ text, period: undefined });
    // "3/2023" is a month and a year, never the date 3/20 followed by "23".
    expect(parsePeriod('tháng 3/2023', today)).toEqual({ fromDay: day('2023-03-01'), toDay: day('2023-03-31') });
    expect(foldForPeriods('Quý III/2023 – Đà Lạt')).toBe('quy iii/2023 - da lat');
  });
});

describe('ambiguous, incomplete and unknown queries', () => {
  test('a name several agencies share is ambiguous, with the candidates in report order', () => {
    // The branches of 2025 (Chi cục ...) share the word with the departments of 2023, each after the one whose row it took.
    expect(plain(parse('câu hỏi quá hạn của Cục'))).toEqual({ kind: 'ambiguous', intent: 'overdue', candidates: ['cuc-thue', 'thue-kv8', 'cuc-haiquan', 'hq-khuvuc', 'cuc-thongke', 'thongke-laocai'] });
    expect(plain(parse('cuc con bao nhieu cau chua tra loi'))).toEqual({ kind: 'ambiguous', intent: 'pending', candidates: ['cuc-thue', 'thue-kv8', 'cuc-haiquan', 'hq-khuvuc', 'cuc-thongke', 'thongke-laocai'] });
    // "Lào Cai" alone is the province: the police, the tax office, the city...
    const laoCai = parse('quá hạn của Lào Cai');
    expect(laoCai.kind).toBe('ambiguous');
    expect(plain(laoCai).candidates).toEqual(expect.arrayContaining(['cong-an', 'cuc-thue', 'tp-laocai', 'kbnn']));
    // Two agencies named at once: the admin chooses one.
    expect(plain(parse('quá hạn Sở Y tế và Bảo Thắng'))).toEqual({ kind: 'ambiguous', intent: 'overdue', candidates: ['so-yte', 'h-baothang'] });
  });

  test('every candidate written by its full name resolves to that agency alone', () => {
    for (const agency of data.agencies.all) {
      expect(plain(parse(`câu hỏi quá hạn của ${agency.name}`))).toEqual({ kind: 'overdue', agency: agency.code });
      expect(plain(parse(`${unaccented(agency.name)} con bao nhieu cau chua tra loi`))).toEqual({ kind: 'pending', agency: agency.code });
    }
  });

  test('overdue and pending without an agency are about every agency; scores and exports without a period ask for one', () => {
    expect(plain(parse('câu hỏi quá hạn'))).toEqual({ kind: 'overdue', agency: null });
    expect(plain(parse('con bao nhieu cau chua tra loi'))).toEqual({ kind: 'pending', agency: null });
    expect(parse('xuất phụ biểu 02')).toMatchObject({ kind: 'incomplete', intent: 'export', missing: 'period', notUnderstood: [] });
    expect(parse('bảng điểm')).toMatchObject({ kind: 'incomplete', intent: 'scores', missing: 'period', notUnderstood: [] });
  });

  test.each(['xin chào', 'thời tiết hôm nay thế nào', 'Bảo Thắng', '', '   ', 'tháng 13/2023', 'abc xyz'])('"%s" is not understood', (text) => {
    expect(parse(text).kind).toBe('unknown');
  });

  test('"thoát" ends the queries', () => {
    expect(parse('thoát')).toEqual({ kind: 'exit' });
    expect(parse('thoat')).toEqual({ kind: 'exit' });
    expect(parse('Kết thúc!')).toEqual({ kind: 'exit' });
  });

  test('the phrases are data: intents/admin.json, validated, and its examples are understood', () => {
    const phrases = loadAdminPhrases();
    expect(phrases.rules.map((r) => r.kind)).toEqual(expect.arrayContaining(['overdue', 'pending', 'scores', 'export']));
    for (const e of phrases.examples) {
      const text = e.text.replace('{year}', '2023').replace('{quarter}', '3');
      expect({ text, kind: parse(text).kind }).not.toMatchObject({ kind: expect.stringMatching(/unknown|incomplete|ambiguous/) });
    }
  });
});
