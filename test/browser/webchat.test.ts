import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../channels/portal/helpers';
import { launchChromium } from '../helpers/browser';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The text of every message bubble, in transcript order. */
async function bubbles(page: Page): Promise<string[]> {
  return (await page.locator('.webchat__bubble__content').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Types a message into Web Chat and waits for the bot's reply containing `expectReply`. */
async function say(page: Page, text: string, expectReply: string): Promise<void> {
  const sendBox = page.locator('[data-id="webchat-sendbox-input"]');
  await sendBox.fill(text);
  await sendBox.press('Enter');
  await page.locator('.webchat__bubble__content', { hasText: expectReply }).last().waitFor({ timeout: 30_000 });
}

/** From the question prompt to the ticket: the question, a name, a phone, no place, "có". */
async function finishAsking(page: Page, question: string, filedReply: string): Promise<void> {
  await say(page, question, 'cho biết họ và tên');
  await say(page, 'Nguyen Van An', 'số điện thoại hoặc email');
  await say(page, '0912345678', 'xã/phường nào');
  await say(page, 'bo qua', 'Bạn có đồng ý gửi không?');
  await say(page, 'co', filedReply);
}

test('a citizen on a 360 px phone opens the portal, asks in Vietnamese and gets the echo bot’s reply, with no "send failed"', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const origin = server.base;
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url)) foreign.push(url);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });

  await page.goto(`${origin}/`);
  expect((await page.locator('h1').textContent())?.trim()).toBe('Cổng Thông tin điện tử tỉnh Lào Cai — Hỏi - Đáp');

  const sendBox = page.locator('[data-id="webchat-sendbox-input"]');
  await sendBox.waitFor({ state: 'visible', timeout: 30_000 });
  const greeting = 'Xin chào! Mời bạn đặt câu hỏi.';
  await page.locator('.webchat__bubble__content', { hasText: greeting }).waitFor({ timeout: 30_000 });

  const question = 'Cho tôi hỏi thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất ở xã Xuân Quang, huyện Bảo Thắng?';
  await sendBox.fill(question);
  await sendBox.press('Enter');

  const reply = `Echo: ${question}`;
  await page.locator('.webchat__bubble__content', { hasText: reply }).waitFor({ timeout: 30_000 });
  // The echo-back (with its clientActivityID and id) moves the message from "sending" to "sent",
  // which Web Chat shows as "Đã gửi vào lúc …" under it.
  const mine = page.locator('article', { has: page.locator('.webchat__bubble--from-user') });
  await mine.locator('.webchat__activity-status', { hasText: 'Đã gửi vào lúc' }).waitFor({ timeout: 30_000 });
  expect(await page.locator('.webchat__activity-status--sending').count()).toBe(0);
  const all = await page.locator('.webchat__basic-transcript').innerText();
  expect(all).not.toMatch(/không gửi được|Đang gửi|send failed/i);
  // Each message exactly once (no duplicate from the echo-back), in order.
  expect(await bubbles(page)).toEqual([greeting, question, reply]);

  // Usable on a phone: nothing wider than the screen, the chat gets most of the height.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const chat = await page.locator('#webchat').boundingBox();
  expect(chat?.height ?? 0).toBeGreaterThan(740 * 0.5);
  // Photos can be attached (JPEG, PNG, WebP: see the next tests).
  expect(await page.locator('.webchat__upload-button').count()).toBe(1);

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'webchat.png'), fullPage: false });

  // Over 2,000 characters: told at once, nothing sent, the text stays in the box to be shortened.
  const tooLong = 'Tôi muốn hỏi. '.repeat(150);
  await sendBox.fill(tooLong);
  await sendBox.press('Enter');
  await page.locator('.webchat__toaster', { hasText: 'quá giới hạn 2.000 ký tự' }).waitFor({ timeout: 30_000 });
  expect(await sendBox.inputValue()).toBe(tooLong);
  expect(await bubbles(page)).toHaveLength(3);

  // A reload keeps the tab's conversation: the history comes back, without a second greeting.
  await page.reload();
  await page.locator('.webchat__bubble__content', { hasText: reply }).waitFor({ timeout: 30_000 });
  expect(await bubbles(page)).toEqual([greeting, question, reply]);

  expect(foreign).toEqual([]);
  expect(pageErrors).toEqual([]);
  expect(cspViolations).toEqual([]);
  await context.close();
});

test('a citizen types an unaccented question into Web Chat, completes the dialog with hoidap’s bot and gets a ticket number and the deadline date', async () => {
  const { startServer } = await import('../../src/http/server');
  const { SqliteLedgerStore } = await import('../../src/store/sqlite');
  const { province } = await import('../helpers/province');
  const os = await import('node:os');
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-browser-')), 'hoidap.sqlite');
  const real = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${real.port}/`);
    const sendBox = page.locator('[data-id="webchat-sendbox-input"]');
    await sendBox.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.webchat__bubble__content', { hasText: 'Tôi là trợ lý Hỏi - Đáp' }).waitFor({ timeout: 30_000 });

    // The menu's suggested action starts the dialog.
    await page.getByRole('toolbar').getByRole('button', { name: 'Gửi câu hỏi' }).click();
    await page.locator('.webchat__bubble__content', { hasText: 'Mời bạn nhập nội dung câu hỏi' }).waitFor({ timeout: 30_000 });
    await finishAsking(page, 'cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', 'Mã câu hỏi của bạn');

    const filed = (await bubbles(page)).find((t) => t.includes('Mã câu hỏi của bạn')) as string;
    const ticket = /HD-\d{4}-\d{6}/.exec(filed)?.[0] as string;
    const due = /hạn trả lời (\d\d\/\d\d\/\d{4})/.exec(filed)?.[1];
    expect(ticket).toMatch(/^HD-\d{4}-000001$/);
    expect(filed).toContain('Cơ quan trả lời: UBND xã Xuân Quang');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-dialog.png'), fullPage: false });
    await real.close();

    // The store holds the question and its events, with the deadline the citizen was told.
    const store = new SqliteLedgerStore(dbFile);
    const events = (await store.questionEvents(ticket)).map((e) => JSON.parse(e.body));
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned']);
    expect(events[0]).toMatchObject({ channel: 'portal', asker: { name: 'Nguyen Van An', contact: '0912345678' } });
    expect(events[1]).toMatchObject({ agency: 'x-xuanquang' });
    const state = (await store.loadQuestions([ticket])).get(ticket);
    expect(province().clock.formatDateVi(state?.cases[0].answerDue as number)).toBe(due);
    await store.close();
  } finally {
    await context.close();
    await real.close();
  }
});

test('a citizen attaches a photo with Web Chat\'s attach button while asking: it is uploaded, checked and filed with the question', async () => {
  const { startServer } = await import('../../src/http/server');
  const { SqliteLedgerStore } = await import('../../src/store/sqlite');
  const { SqlitePhotos } = await import('../../src/store/sqlite-photos');
  const { province } = await import('../helpers/province');
  const os = await import('node:os');
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-browser-photo-')), 'hoidap.sqlite');
  const real = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1024, 5)]);
  const cspViolations: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    const uploads: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/upload')) uploads.push(r.status());
    });
    await page.goto(`http://127.0.0.1:${real.port}/`);
    const sendBox = page.locator('[data-id="webchat-sendbox-input"]');
    await sendBox.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.webchat__bubble__content', { hasText: 'Tôi là trợ lý Hỏi - Đáp' }).waitFor({ timeout: 30_000 });
    await page.getByRole('toolbar').getByRole('button', { name: 'Gửi câu hỏi' }).click();
    await page.locator('.webchat__bubble__content', { hasText: 'Mời bạn nhập nội dung câu hỏi' }).waitFor({ timeout: 30_000 });

    // The attach button's file input, as a citizen picking a photo from the phone's gallery.
    await page.locator('.webchat__upload-button input[type="file"]').setInputFiles({ name: 'o-ga.png', mimeType: 'image/png', buffer: png });
    // Web Chat holds the picked photo in the send box until the citizen sends (sendAttachmentOn: 'send').
    await page.locator('button.webchat__send-button').click();
    await page.locator('.webchat__bubble__content', { hasText: 'Đã nhận ảnh. Bạn vui lòng viết nội dung câu hỏi bằng chữ' }).waitFor({ timeout: 30_000 });
    expect(uploads).toEqual([200]);
    // The citizen's own message shows the photo as the file the server named.
    expect(await bubbles(page)).toContain('anh-1.png 1 kB');
    await finishAsking(page, 'cho toi hoi duong lien thon o xa Xuan Quang huyen Bao Thang bi sut lun lau roi, khi nao thi duoc sua chua', 'Kèm theo 1 ảnh');
    const filed = (await bubbles(page)).find((t) => t.includes('Kèm theo 1 ảnh')) as string;
    const ticket = /HD-\d{4}-\d{6}/.exec(filed)?.[0] as string;
    expect(await page.locator('.webchat__activity-status--sending').count()).toBe(0);
    expect(cspViolations).toEqual([]);
    await real.close();

    const store = new SqliteLedgerStore(dbFile);
    try {
      const photo = await new SqlitePhotos(store.db).get(ticket, 1);
      expect(photo?.type).toBe('image/png');
      expect(Buffer.compare(photo?.bytes ?? Buffer.alloc(0), png)).toBe(0);
    } finally {
      await store.close();
    }
  } finally {
    await context.close();
    await real.close();
  }
}, 180_000);
