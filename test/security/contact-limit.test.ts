/**
 * Red-team follow-up: anyone can type a victim's phone number or e-mail in the portal's dialog.
 * Three questions a day with it (questionsPerDay.perContact) and the victim, asking from their own
 * Zalo or Messenger, was held for the editors. A Zalo or Messenger citizen is identified by the
 * channel (signed webhooks) and answered in that chat, so their typed contact is neither checked
 * nor counted: only their identity's limit applies. (Confirming contacts by OTP is issue 12; the
 * residual risk is in the README's Security section.)
 */
import { channelsConfig, eventually, postMessenger, postZalo, zaloText } from '../helpers/channels';
import { askOverDirectLine, channelFakes, dataWith, DirectLineClient, startLocal, type LocalServer } from './helpers';

const fakes = channelFakes();
const HELD = /chưa được ghi nhận chính thức/;
const FILED = /Mã câu hỏi của bạn: HD-\d{4}-\d{6}/;
const VICTIM = '0912345678';

let local: LocalServer;
beforeEach(async () => {
  local = await startLocal({
    data: dataWith({ policy: { questionsPerDay: { perIdentity: 3, perContact: 2, overall: 500 } } }),
    channels: channelsConfig(fakes.zalo, fakes.graph),
    messaging: { processor: { pollMs: 20 }, dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
  });
});
afterEach(async () => {
  await local.close();
});

/** The whole ask-an-agency dialog on Zalo; returns the bot's last message. */
async function askOnZalo(userId: string, contact: string): Promise<string> {
  const say = async (text: string, expected: RegExp) =>
    (await eventually(() => fakes.zalo.sent.filter((m) => m.userId === userId).find((m, i, all) => i === all.length - 1 && expected.test(m.text)), `Zalo: ${expected}`, 800))?.text ?? '';
  const send = async (text: string, expected: RegExp) => {
    expect((await postZalo(local.base, fakes.zalo.appId, zaloText(fakes.zalo.appId, userId, text))).status).toBe(200);
    return say(text, expected);
  };
  await send('Gửi câu hỏi', /Mời bạn nhập nội dung câu hỏi/);
  await send('cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', /họ và tên/);
  await send('Nguyen Thi Binh', /số điện thoại/);
  await send(contact, /xã\/phường nào/);
  await send('bo qua', /Bạn có đồng ý gửi không\?/);
  return send('co', /Mã câu hỏi của bạn|chưa được ghi nhận chính thức/);
}

/** The same on Messenger. */
async function askOnMessenger(psid: string, contact: string): Promise<string> {
  let n = 0;
  const send = async (text: string, expected: RegExp) => {
    const t = Date.now();
    const event = { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: `m-${psid}-${t}-${(n += 1)}`, text } }] }] };
    expect((await postMessenger(local.base, event)).status).toBe(200);
    return (await eventually(() => fakes.graph.sent.filter((m) => m.psid === psid).find((m, i, all) => i === all.length - 1 && expected.test(m.text)), `Messenger: ${expected}`, 800))?.text ?? '';
  };
  await send('Gửi câu hỏi', /Mời bạn nhập nội dung câu hỏi/);
  await send('cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', /họ và tên/);
  await send('Nguyen Thi Binh', /số điện thoại/);
  await send(contact, /xã\/phường nào/);
  await send('bo qua', /Bạn có đồng ý gửi không\?/);
  return send('co', /Mã câu hỏi của bạn|chưa được ghi nhận chính thức/);
}

test('an attacker spends a victim’s contact limit on the portal; the victim asking on Zalo or Messenger with that contact is still filed', async () => {
  for (let i = 0; i < 2; i += 1) expect(await askOverDirectLine(await DirectLineClient.start(local.base), VICTIM)).toMatch(FILED);
  // The portal (anyone may type any contact there) is held past perContact.
  expect(await askOverDirectLine(await DirectLineClient.start(local.base), VICTIM)).toMatch(HELD);

  expect(await askOnZalo('7300000000000000001', '0912 345 678')).toMatch(FILED);
  expect(await askOnMessenger('6300000000000001', '+84912345678')).toMatch(FILED);
  expect((await local.server.backoffice!.workflow.ledger.store.counts()).questions).toBe(4);
});

test('a Zalo citizen is still bound by their own identity’s limit, and does not spend the contact’s', async () => {
  const replies: string[] = [];
  for (let i = 0; i < 4; i += 1) replies.push(await askOnZalo('7300000000000000002', VICTIM));
  expect(replies.map((r) => (FILED.test(r) ? 'filed' : HELD.test(r) ? 'held' : r))).toEqual(['filed', 'filed', 'filed', 'held']);
  // Three Zalo questions with the contact, and the portal still has the contact's two.
  for (let i = 0; i < 2; i += 1) expect(await askOverDirectLine(await DirectLineClient.start(local.base), VICTIM)).toMatch(FILED);
  expect(await askOverDirectLine(await DirectLineClient.start(local.base), VICTIM)).toMatch(HELD);
});
