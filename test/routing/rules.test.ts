import { buildRouter, loadRoutingResources } from '../../src/routing/load';
import { stripDiacritics } from '../../src/routing/evaluate';
import { province } from '../helpers/province';

/** The patterns of issue 11: each rule fires when it should and only then. */
const data = province();
const resources = loadRoutingResources(data);
/** These examples are labelled with the 2023 organisation: they are routed on a day of 2023 (the 2025 one is in reorganisation.test.ts). */
const IN_2023 = () => Date.parse('2023-09-01T09:00:00+07:00');
const router = buildRouter(data, resources, [], IN_2023);
const scan = (text: string) => resources.gazetteer.scanPlaces(resources.normalizer.tokens(text), text);
const placeOf = (text: string) => resources.gazetteer.districtOf(scan(text).inside);

describe('generic words name no place', () => {
  test.each([
    ['nhà tôi ở thành phố'],
    ['tôi ở tp, hỏi về học phí'],
    ['huyện tôi có chợ mới'],
    ['UBND xã đã xác nhận cho tôi'],
    ['phường tôi hay mất điện'],
    ['ở tỉnh Lào Cai'],
  ])('"%s" names no district', (text) => {
    expect(placeOf(text)).toBeUndefined();
  });

  test('a name counts with its kind word or when unambiguous', () => {
    expect(placeOf('thành phố Lào Cai')).toBe('tp-laocai');
    expect(placeOf('tp Lào Cai')).toBe('tp-laocai');
    expect(placeOf('Bảo Yên')).toBe('h-baoyen');
    expect(placeOf('h. Bảo Yên')).toBe('h-baoyen');
    expect(placeOf('xã Yên Sơn, Bảo Yên')).toBe('h-baoyen');
    expect(placeOf('xa Y Ty')).toBe('h-batxat');
    expect(placeOf('Y Tý')).toBe('h-batxat');
  });
});

describe('places of other provinces never match', () => {
  test.each([
    ['nhà tôi ở thành phố Việt Trì'],
    ['tôi ở tp Yên Bái'],
    ['thành phố Hồ Chí Minh'],
    ['tp HCM'],
    ['huyện Yên Sơn (Tuyên Quang)'],
    ['huyen Yen Son tinh Tuyen Quang'],
    ['thành phố Vĩnh Yên'],
    ['quận Phú Nhuận'],
    ['xã Thanh Bình, huyện Thanh Bình, Đồng Tháp'],
    ['huyện Kim Sơn, Ninh Bình'],
  ])('"%s" names no district of ours and is seen as elsewhere', (text) => {
    expect(placeOf(text)).toBeUndefined();
    expect(scan(text).outside.length).toBeGreaterThan(0);
  });

  test('a local topic in another province stays with the department', () => {
    for (const text of ['Tôi muốn làm sổ đỏ cho mảnh đất ở huyện Yên Sơn, Tuyên Quang thì cần giấy tờ gì', 'đăng ký khai sinh cho con ở thành phố Việt Trì cần gì']) {
      const r = router.route(text);
      expect(r.place).toBeUndefined();
      expect(r.candidates.every((c) => !['h-baoyen', 'tp-laocai', 'tx-sapa', 'h-bacha', 'h-baothang', 'h-batxat', 'h-vanban', 'h-simacai', 'h-muongkhuong'].includes(c.agency) || c.score < 0.05)).toBe(true);
    }
  });

  test('our own commune of the same name still counts with its kind', () => {
    expect(placeOf('xã Thống Nhất, thành phố Lào Cai')).toBe('tp-laocai');
    expect(placeOf('phường Bình Minh')).toBe('tp-laocai');
  });
});

describe('an agency mentioned in passing does not decide', () => {
  test.each([
    ['Trước đây tôi làm hợp đồng ở Cục Thuế tỉnh 3 năm, giờ muốn thi tuyển giáo viên tiểu học thì có được cộng điểm không', 'cuc-thue'],
    ['Tôi vừa nghỉ hưu ở Viện kiểm sát huyện tháng trước, bao giờ tôi được nhận lương hưu và nhận ở đâu', 'vien-ksnd'],
    ['Tôi bị kẻ tự xưng cán bộ thuế gọi điện lừa chuyển tiền, tôi phải trình báo ở đâu', 'cuc-thue'],
    ['trước tôi làm hợp đồng ở Cục Thuế, giờ muốn thi giáo viên', 'cuc-thue'],
    ['bị lừa qua điện thoại bởi kẻ tự xưng cán bộ thuế', 'cuc-thue'],
  ])('"%s" is not put to %s', (text, mentioned) => {
    const r = router.route(text);
    expect(r.reason).not.toBe('named_agency');
    expect(r.candidates[0].agency).not.toBe(mentioned);
  });
});

describe('an agency the question is put to gets it', () => {
  test.each([
    ['Sở Y tế cho hỏi chế độ phụ cấp của nhân viên y tế thôn bản hiện nay', 'so-yte'],
    ['Kính gửi Cục Thuế tỉnh, tôi muốn hỏi về thủ tục đăng ký người phụ thuộc', 'cuc-thue'],
    ['Kính gửi: Sở Tư pháp. Tôi xin hỏi về việc cấp phiếu lý lịch', 'so-tuphap'],
    ['Đề nghị UBND huyện Bát Xát xem xét việc sửa cầu treo qua suối ở thôn tôi', 'h-batxat'],
    ['xin hỏi Công an tỉnh về thủ tục làm hộ chiếu', 'cong-an'],
    ['Bộ Y tế cho tôi hỏi thuốc kháng sinh có được bán không cần đơn không', 'so-yte'],
  ])('"%s" goes to %s', (text, agency) => {
    const r = router.route(text);
    expect(r).toMatchObject({ agency, reason: 'named_agency' });
    expect(router.route(stripDiacritics(text)).agency).toBe(agency);
  });

  test('a question put to a ministry goes to the provincial body of its sector that the topic picks', () => {
    expect(router.route('Kính gửi Bộ Tài chính, tôi muốn hỏi cách quyết toán thuế thu nhập cá nhân khi có hai nơi trả lương').candidates[0].agency).toBe('cuc-thue');
  });

  test('a body addressed in the past of the story is not addressed now', () => {
    expect(resources.gazetteer).toBeDefined();
    const r = router.route('Năm ngoái tôi đã đề nghị Sở Tài nguyên và Môi trường nhưng chưa được trả lời, nay tôi hỏi về thuế đất phi nông nghiệp phải nộp bao nhiêu');
    expect(r.reason).not.toBe('named_agency');
  });
});

describe('plain questions are routed, not sent to triage', () => {
  test.each([
    ['làm sổ đỏ lần đầu cần giấy tờ gì', 'so-tnmt'],
    ['hộ nghèo năm nay được hỗ trợ gì', 'so-ldtbxh'],
    ['nhà thuốc bán kháng sinh không đơn có bị phạt không', 'so-yte'],
  ])('"%s" goes to %s', (text, agency) => {
    expect(router.route(text)).toMatchObject({ agency, triage: false });
  });
});
