import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server';
import type { NotifyConfig } from '../../src/notify/config';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { notifyFromEnv } from '../../src/notify/config';
import { loadNoticePolicy } from '../../src/notify/policy';
import { captureLogs } from '../fakes/log-capture';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake';
import { activitiesAfter, message, postActivity, startConversation, type Started } from '../channels/portal/helpers';
import { eventually } from '../helpers/channels';
import { province } from '../helpers/province';
import { answerQuestion, fileQuestion } from './helpers';

/**
 * The real server on loopback, e-mail pointed at a real SMTP server on loopback: a portal
 * citizen files a question with an e-mail address and is told how they will hear of the
 * answer; an approver publishes it through the REST API; the mail arrives once, and not
 * again after a restart; an answer whose notice a stop left out is sent at the next start.
 */

let smtp: SmtpFake;
let dir: string;
const servers: RunningServer[] = [];

beforeEach(async () => {
  smtp = await startSmtpFake();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-notify-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await smtp.close();
});

const notify = (): NotifyConfig => ({ email: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'hoidap@laocai.gov.vn' }, off: [{ channel: 'sms', missing: ['SMS_API_KEY'] }] });

async function serve(options: { notify?: NotifyConfig } = {}): Promise<{ server: RunningServer; base: string }> {
  const server = await startServer({
    data: province(),
    port: 0,
    host: '127.0.0.1',
    dbLocation: path.join(dir, 'hoidap.sqlite'),
    channels: { off: [] },
    notify: options.notify ?? notify(),
    sweeper: true,
    messaging: { dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
  });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.port}` };
}

async function stop(server: RunningServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

/** Says `text` on the portal and waits (bounded) for a reply containing `expect`; returns that reply. */
async function say(base: string, c: Started, text: string, expect: string): Promise<string> {
  const res = await postActivity(base, c.conversationId, c.token, message(text));
  if (res.status !== 200) throw new Error(`post: HTTP ${res.status}`);
  return (await eventually(async () => (await activitiesAfter(base, c)).activities.map((a) => a.text ?? '').find((t) => t.includes(expect)), `the bot to say "${expect}"`)) as string;
}

test('a portal citizen who gave an e-mail is promised an e-mail, gets exactly one when the answer is published, and none again after a restart', async () => {
  const { server, base } = await serve();
  const c = await startConversation(base);
  await say(base, c, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  await say(base, c, 'cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', 'họ và tên');
  await say(base, c, 'Lê Thị Mai', 'số điện thoại hoặc email');
  await say(base, c, 'mai.le@example.vn', 'xã/phường nào');
  await say(base, c, 'bỏ qua', 'Bạn có đồng ý gửi không?');
  const filed = await say(base, c, 'có', 'Mã câu hỏi của bạn');
  expect(filed).toContain('Khi có trả lời, bạn sẽ nhận thông báo qua email bạn đã cung cấp.');
  expect(filed).not.toContain('mai.le@example.vn');
  const q = /HD-\d{4}-\d{6}/.exec(filed)?.[0] as string;

  const accounts = server.backoffice?.store;
  const approver = await accounts!.createAccount({ name: 'Lãnh đạo UBND huyện', role: 'approver', agency: 'x-xuanquang' }, Date.now());
  const token = await accounts!.issueApiToken(approver.id, Date.now());
  const res = await fetch(`${base}/api/v1/questions/${q}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, giấy tờ về đất và bản vẽ thiết kế.' }),
  });
  expect(res.status).toBe(200);
  await eventually(() => smtp.received.length === 1, 'the e-mail');
  expect(smtp.received[0].rcptTo).toEqual(['mai.le@example.vn']);
  expect(smtp.received[0].subject).toBe(`Câu hỏi ${q} đã có trả lời - Hỏi đáp Lào Cai`);
  expect(smtp.received[0].text).toContain('Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng');
  expect(smtp.received[0].text).toContain(`/hoi-dap/${q}`);
  // Approving again is refused (the question is closed); a restart finds the notice key and sends nothing.
  await stop(server);
  const again = await serve();
  await again.server.messaging?.dispatcher?.flush();
  const store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  try {
    expect(store.db.prepare("SELECT channel, status FROM outbox WHERE channel = 'email'").all()).toEqual([{ channel: 'email', status: 'sent' }]);
  } finally {
    await store.close();
  }
  expect(smtp.received).toHaveLength(1);
});

test('an answer published while the notice could not be queued (the process stopped in between) is notified at the next start, once', async () => {
  // First start: notices are on from now (earlier answers, e.g. an imported ledger, are never notified).
  const first = await serve();
  await stop(first.server);
  const store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  const q = await fileQuestion(store, Date.now(), { contact: 'late@example.vn' });
  await answerQuestion(store, q, Date.now());
  await store.close();
  const second = await serve();
  await eventually(() => smtp.received.length === 1, 'the late e-mail');
  expect(smtp.received[0].rcptTo).toEqual(['late@example.vn']);
  await stop(second.server);
  const third = await serve();
  await third.server.messaging?.dispatcher?.flush();
  expect(smtp.received).toHaveLength(1);
});

test('with no channel configured each is said off once at start-up, and the bot tells a citizen plainly that no message will come', async () => {
  const logs = captureLogs('info');
  let base: string;
  try {
    ({ base } = await serve({ notify: notifyFromEnv(loadNoticePolicy(province().dataDir), {}) }));
  } finally {
    await logs.stop();
  }
  const off = logs.lines.filter((l) => l.includes('notifications are off'));
  expect(off).toHaveLength(3);
  expect(off.find((l) => l.includes('"channel":"email"'))).toContain('"missing":["SMTP_HOST","SMTP_FROM"]');
  expect(off.find((l) => l.includes('"channel":"sms"'))).toContain('"missing":["SMS_API_KEY","SMS_SECRET_KEY","SMS_BRANDNAME"]');
  expect(off.find((l) => l.includes('"channel":"zns"'))).toContain('zns.templateId in data/notifications.json');
  const c = await startConversation(base);
  await say(base, c, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  await say(base, c, 'cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', 'họ và tên');
  await say(base, c, 'Lê Thị Mai', 'số điện thoại hoặc email');
  await say(base, c, '0912345678', 'xã/phường nào');
  await say(base, c, 'bỏ qua', 'Bạn có đồng ý gửi không?');
  const filed = await say(base, c, 'có', 'Mã câu hỏi của bạn');
  expect(filed).toContain('Hiện hệ thống chưa gửi được tin nhắn đến số điện thoại, nên bạn sẽ không nhận được tin nhắn báo tin; bạn vui lòng lưu mã câu hỏi.');
  expect(filed).not.toContain('Bạn sẽ được thông báo');
});
