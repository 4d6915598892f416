import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { captureLogs } from '../fakes/log-capture';
import { activitiesAfter, message, postActivity, startConversation, type Started } from '../channels/portal/helpers';
import { eventually } from '../helpers/channels';
import { province } from '../helpers/province';

/**
 * Whether portal questions wait for a confirmed contact, as the server starts: on by default
 * (data/policy.json), off in the demo (said at start-up; the bot then claims no confirmation).
 * Both run with HOIDAP_CONFIRM_CONTACTS unset, as a real start would.
 */

let dir: string;
let server: RunningServer | undefined;
const saved = { confirm: process.env.HOIDAP_CONFIRM_CONTACTS, demo: process.env.HOIDAP_DEMO };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-confirm-start-'));
  delete process.env.HOIDAP_CONFIRM_CONTACTS;
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const [key, value] of [['HOIDAP_CONFIRM_CONTACTS', saved.confirm], ['HOIDAP_DEMO', saved.demo]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<{ base: string; lines: string[] }> {
  const logs = captureLogs('info');
  try {
    server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, 'hoidap.sqlite'), channels: { off: [] }, notify: { off: [] } });
  } finally {
    await logs.stop();
  }
  return { base: `http://127.0.0.1:${server.port}`, lines: logs.lines };
}

async function say(base: string, c: Started, text: string, expect: string): Promise<string> {
  const res = await postActivity(base, c.conversationId, c.token, message(text));
  if (res.status !== 200) throw new Error(`post: HTTP ${res.status}`);
  return (await eventually(async () => (await activitiesAfter(base, c)).activities.map((a) => a.text ?? '').find((t) => t.includes(expect)), `the bot to say "${expect}"`, 3000)) as string;
}

async function upToSend(base: string): Promise<Started> {
  const c = await startConversation(base);
  await say(base, c, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  await say(base, c, 'Gia đình tôi ở xã Xuân Quang muốn xin giấy phép xây dựng nhà ở thì cần những giấy tờ gì?', 'họ và tên');
  await say(base, c, 'Lê Thị Mai', 'số điện thoại hoặc email');
  await say(base, c, 'mai.le@example.vn', 'xã/phường nào');
  await say(base, c, 'bỏ qua', 'Bạn có đồng ý gửi không?');
  return c;
}

test('by default (data/policy.json) a portal question waits for a code; with no mail server the citizen is told and asked for another contact', async () => {
  process.env.HOIDAP_DEMO = '0';
  const { base, lines } = await serve();
  expect(lines.join('\n')).toContain('contact confirmation is on');
  const c = await upToSend(base);
  await say(base, c, 'có', 'Hiện hệ thống chưa gửi được email, nên không thể gửi mã xác nhận đến địa chỉ này.');
  const store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  try {
    expect((await store.counts()).questions).toBe(0);
  } finally {
    await store.close();
  }
});

test('the demo keeps it off and says so at start-up; the ticket does not claim the contact was confirmed', async () => {
  process.env.HOIDAP_DEMO = '1';
  const { base, lines } = await serve();
  expect(lines.join('\n')).toContain('contact confirmation is off in the demo');
  const c = await upToSend(base);
  const filed = await say(base, c, 'có', 'Mã câu hỏi của bạn');
  expect(filed).not.toContain('xác nhận');
});
