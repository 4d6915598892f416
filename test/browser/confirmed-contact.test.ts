import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/http/server';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake';
import { launchChromium } from '../helpers/browser';
import { eventually } from '../helpers/channels';
import { province } from '../helpers/province';

/**
 * Confirmed contacts end to end (issue 12): the real Web Chat on the portal page files a question
 * with an e-mail address confirmed by the code the loopback SMTP server received; an approver
 * publishes the answer through the REST API; the answer e-mail arrives with a link to the
 * question's page, and that page shows the answer.
 */

let dir: string;
let smtp: SmtpFake;
let server: RunningServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-confirm-'));
  smtp = await startSmtpFake();
  server = await startServer({
    data: province(),
    port: 0,
    host: '127.0.0.1',
    dbLocation: path.join(dir, 'hoidap.sqlite'),
    channels: { off: [] },
    notify: { email: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'hoidap@laocai.gov.vn' }, off: [] },
    confirmContacts: true,
    messaging: { dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
  });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Types `text` into Web Chat and waits for a bot bubble containing `reply`; returns that bubble's text. */
async function say(page: Page, text: string, reply: string): Promise<string> {
  const box = page.locator('[data-id="webchat-sendbox-input"]');
  await box.fill(text);
  await box.press('Enter');
  const bubble = page.locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content', { hasText: reply }).last();
  await bubble.waitFor({ timeout: 60_000 });
  // Web Chat keeps addresses from turning into links with zero-width spaces around them.
  return (await bubble.innerText()).replace(/\u200b/g, '').replace(/\s+/g, ' ').trim();
}

test('Web Chat files a question after the e-mailed code is typed; the approved answer is e-mailed with the link to its page, which shows it', async () => {
  const page = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
  await page.goto(`${base}/`);
  await page.locator('[data-id="webchat-sendbox-input"]').waitFor({ state: 'visible', timeout: 60_000 });

  await say(page, 'Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
  await say(page, 'Gia đình tôi ở thôn Lang Chung xã Xuân Quang muốn xin giấy phép xây dựng nhà ở thì cần những giấy tờ gì?', 'họ và tên');
  await say(page, 'Lê Thị Mai', 'số điện thoại hoặc email');
  await say(page, 'mai.le@example.vn', 'xã/phường nào');
  await say(page, 'bỏ qua', 'Bạn có đồng ý gửi không?');
  await say(page, 'có', 'Mã xác nhận gồm 6 chữ số đã được gửi đến email mai.le@example.vn');

  // The code arrives by e-mail; nothing is filed before it is typed.
  await eventually(() => smtp.received.length === 1, 'the code e-mail', 6000);
  const codeMail = smtp.received[0];
  expect(codeMail.rcptTo).toEqual(['mai.le@example.vn']);
  expect(codeMail.subject).toBe('Mã xác nhận câu hỏi gửi Hỏi - Đáp Lào Cai');
  const code = /Mã xác nhận của bạn là: (\d{6})/.exec(codeMail.text)?.[1] as string;
  expect(code).toMatch(/^\d{6}$/);

  const filed = await say(page, code, 'Mã câu hỏi của bạn');
  expect(filed).toContain('Liên hệ mai.le@example.vn đã được xác nhận. Khi có trả lời, bạn sẽ nhận thông báo qua email bạn đã cung cấp.');
  const q = /HD-\d{4}-\d{6}/.exec(filed)?.[0] as string;
  expect(q).toMatch(/^HD-\d{4}-\d{6}$/);

  // An approver of the agency it went to (UBND xã Xuân Quang) publishes the answer through the REST API.
  const answer = 'Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, giấy tờ về quyền sử dụng đất và bản vẽ thiết kế; nộp tại Bộ phận Một cửa UBND xã Xuân Quang.';
  const approved = await fetch(`${base}/api/v1/questions/${q}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await approverToken('x-xuanquang')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: answer }),
  });
  expect(approved.status).toBe(200);

  await eventually(() => smtp.received.length === 2, 'the answer e-mail', 6000);
  const notice = smtp.received[1];
  expect(notice.rcptTo).toEqual(['mai.le@example.vn']);
  expect(notice.subject).toBe(`Câu hỏi ${q} đã có trả lời - Hỏi đáp Lào Cai`);
  expect(notice.text.replace(/\s+/g, ' ')).toContain(answer);
  const link = new RegExp(`https?://\\S+/hoi-dap/${q}`).exec(notice.text)?.[0] as string;
  expect(link).toBeDefined();

  // The link's path on this server: the question's page with the answer.
  const pagePath = new URL(link).pathname;
  expect(pagePath).toBe(`/hoi-dap/${q}`);
  const shown = await fetch(`${base}${pagePath}`);
  expect(shown.status).toBe(200);
  const html = await shown.text();
  expect(html).toContain(q);
  expect(html).toContain('Bộ phận Một cửa UBND xã Xuân Quang');
}, 240_000);

let token: string | undefined;
/** One approver of `agency` and its API token. */
async function approverToken(agency: string): Promise<string> {
  if (token) return token;
  const accounts = server.backoffice.store;
  const approver = await accounts.createAccount({ name: 'Lãnh đạo UBND xã Xuân Quang', role: 'approver', agency }, Date.now());
  token = await accounts.issueApiToken(approver.id, Date.now());
  return token;
}
