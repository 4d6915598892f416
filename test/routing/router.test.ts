import { buildRouter, loadRoutingResources } from '../../src/routing/load';
import { stripDiacritics } from '../../src/routing/evaluate';
import { province } from '../helpers/province';

const data = province();
const resources = loadRoutingResources(data);
/** These examples are labelled with the 2023 organisation: they are routed on a day of 2023 (the 2025 one is in reorganisation.test.ts). */
const IN_2023 = () => Date.parse('2023-09-01T09:00:00+07:00');
const router = buildRouter(data, resources, [], IN_2023);
const placeOf = (text: string) => resources.gazetteer.districtOf(resources.gazetteer.placesIn(resources.normalizer.tokens(text), text));

describe('place recognition', () => {
  test.each([
    ['xa Coc San', 'tp-laocai'],
    ['phường Duyên Hải', 'tp-laocai'],
    ['Sa Pa', 'tx-sapa'],
    ['sapa', 'tx-sapa'],
    ['bao thang', 'h-baothang'],
    ['Tôi ở thị trấn Phố Lu', 'h-baothang'],
    ['o xa Y Ty huyen Bat Xat', 'h-batxat'],
    ['huyện Văn Bàn', 'h-vanban'],
    ['huyen van ban', 'h-vanban'],
    ['TP Lào Cai', 'tp-laocai'],
  ])('"%s" is in %s', (text, district) => {
    expect(placeOf(text)).toBe(district);
  });

  test.each([
    ['tỉnh Lào Cai'], // the province, not the city
    ['gửi văn bản cho sở'], // "văn bản" is not Văn Bàn
    ['van ban phap luat moi'],
    ['hoạt động văn hóa'], // nor is "văn hóa" Vạn Hòa
  ])('"%s" names no district', (text) => {
    expect(placeOf(text)).toBeUndefined();
  });
});

describe('locality rules', () => {
  test('a local topic with a place goes to that district, with or without diacritics', () => {
    const text = 'Xin hỏi thủ tục cấp lại sổ đỏ bị mất ở xã Xuân Quang, Bảo Thắng';
    expect(router.route(text)).toMatchObject({ agency: 'h-baothang', reason: 'local_topic', place: 'h-baothang' });
    expect(router.route(stripDiacritics(text)).agency).toBe('h-baothang');
  });

  test('the same local topic without a place stays with the department', () => {
    expect(router.route('Xin hỏi thủ tục cấp lại sổ đỏ bị mất cần giấy tờ gì').candidates[0].agency).toBe('so-tnmt');
  });

  test('a department topic stays with the department when the place is only the asker’s address', () => {
    const r = router.route('Tôi ở xã Gia Phú, Bảo Thắng, thẻ bảo hiểm y tế của tôi hết hạn thì gia hạn ở đâu');
    expect(r.candidates[0].agency).toBe('bhxh');
    expect(r.place).toBe('h-baothang');
  });

  test('an agency named explicitly gets the question', () => {
    expect(router.route('Kính gửi Sở Y tế, cho tôi hỏi về chế độ của nhân viên y tế thôn bản')).toMatchObject({ agency: 'so-yte', reason: 'named_agency' });
  });

  test('"cơ sở giáo dục" does not name the Department of Education', () => {
    expect(router.route('co so giao duc nghe nghiep tu thuc dang ky hoat dong dao tao nghe o dau').reason).not.toBe('named_agency');
  });

  // A message without a topic. ("cho tôi hỏi một việc" is no longer one: the logistic
  // model reads "việc" as the job topic and sends it to so-ldtbxh.)
  test.each([['xin hỏi ạ'], ['cho em hoi voi'], ['cho tôi hỏi một chút']])('when unsure ("%s"), the question goes to the editors’ triage desk and says so', (text) => {
    const r = router.route(text);
    expect(r.triage).toBe(true);
    expect(r.agency).toBe(data.policy.routing.triageAgency);
    expect(r.confidence).toBeLessThan(data.policy.routing.confidenceThreshold);
    expect(r.candidates.length).toBeGreaterThan(1);
  });
});

describe('learning from officers', () => {
  test('a question forwarded by an officer goes straight to the final agency next time', () => {
    const text = 'Cho hỏi về việc cấp phép biển quảng cáo tấm lớn ven quốc lộ 4D';
    const before = router.route(text).candidates[0].agency;
    const finalAgency = before === 'so-vhtt' ? 'so-gtvt-xd' : 'so-vhtt';
    const corrected = buildRouter(data, resources, [{ text, agency: finalAgency }], IN_2023);
    expect(corrected.route(text)).toMatchObject({ agency: finalAgency, reason: 'correction' });
    expect(corrected.route(stripDiacritics(text).toUpperCase()).agency).toBe(finalAgency);
  });
});
