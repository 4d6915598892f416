import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { channelRig, eventually, postZalo, zaloText, type ChannelRig } from '../../helpers/channels';

let rig: ChannelRig;
beforeEach(async () => {
  rig = await channelRig();
});
afterEach(async () => {
  await rig.close();
});

test('an answer published through the REST API reaches the citizen on Zalo through the outbox, with the rating buttons', async () => {
  const citizen = '6142494823700';
  const say = async (text: string, expect: string) => {
    await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, citizen, text));
    await eventually(() => rig.zalo.sent.some((m) => m.userId === citizen && m.text.includes(expect)), `the bot to say "${expect}"`);
  };
  await say('Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  await say('cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', 'họ và tên');
  await say('Nguyen Van An', 'số điện thoại');
  await say('0912345678', 'xã/phường nào');
  await say('bo qua', 'Bạn có đồng ý gửi không?');
  await say('co', 'Mã câu hỏi của bạn');
  const store = new SqliteLedgerStore(rig.dbFile);
  const q = (store.db.prepare("SELECT q FROM questions").get() as { q: string }).q;
  const submitted = JSON.parse((await store.questionEvents(q))[0].body);
  expect(submitted).toMatchObject({ channel: 'zalo', source: expect.stringMatching(/^zalo:/) });
  await store.close();

  const backoffice = rig.server.backoffice?.store;
  const approver = await backoffice!.createAccount({ name: 'Lãnh đạo', role: 'approver', agency: 'x-xuanquang' }, Date.now());
  const token = await backoffice!.issueApiToken(approver.id, Date.now());
  const res = await fetch(`${rig.base}/api/v1/questions/${q}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Hồ sơ gồm đơn đề nghị cấp phép xây dựng, giấy tờ về đất và bản vẽ thiết kế.' }),
  });
  expect(res.status).toBe(200);
  const delivered = await eventually(() => rig.zalo.sent.find((m) => m.userId === citizen && m.text.includes(`Câu hỏi ${q} đã được UBND xã Xuân Quang trả lời`)), 'the answer on Zalo');
  expect(delivered?.text).toContain('Hồ sơ gồm đơn đề nghị cấp phép xây dựng');
  expect((delivered?.buttons ?? []).length).toBe(5);
  // The citizen taps "5": the rating is recorded.
  await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, citizen, '5'));
  await eventually(() => rig.zalo.sent.some((m) => m.userId === citizen && m.text.includes('Cảm ơn bạn đã đánh giá 5/5')), 'the thanks for the rating');
  expect(rig.zalo.violations).toEqual([]);
});
