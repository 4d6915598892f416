import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/http/server';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { launchChromium } from '../helpers/browser';
import { province } from '../helpers/province';

/**
 * Issue 12, "câu hỏi của tôi" on the portal: a question filed in Web Chat is listed again in the same
 * browser after the page was closed and the server restarted (another day), never in another browser;
 * without localStorage the chat still works, as a new citizen per tab.
 */

let browser: Browser;
const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-my-questions-')), 'hoidap.sqlite');
let server: RunningServer | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

/** The server on `port` (0: any), on the same database file each time. */
async function serve(port = 0): Promise<RunningServer> {
  server = await startServer({ data: province(), port, host: '127.0.0.1', dbLocation: dbFile });
  return server;
}

async function phone(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
}

async function bubbles(page: Page): Promise<string[]> {
  return (await page.locator('.webchat__bubble__content').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Opens the portal and waits for the greeting; returns the page and a way to say something and wait for a reply. */
async function openPortal(context: BrowserContext, port: number) {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  const sendBox = page.locator('[data-id="webchat-sendbox-input"]');
  await sendBox.waitFor({ state: 'visible', timeout: 30_000 });
  await page.locator('.webchat__bubble__content', { hasText: 'Tôi là trợ lý Hỏi - Đáp' }).waitFor({ timeout: 30_000 });
  const say = async (text: string, expectReply: string) => {
    await sendBox.fill(text);
    await sendBox.press('Enter');
    await page.locator('.webchat__bubble__content', { hasText: expectReply }).last().waitFor({ timeout: 30_000 });
  };
  return { page, say };
}

test('a question filed in Web Chat is listed by "câu hỏi của tôi" in the same browser after the page is closed and the server restarted; not in another browser', async () => {
  const first = await serve();
  const port = first.port;
  const citizen = await phone();
  const other = await phone();
  try {
    const day1 = await openPortal(citizen, port);
    await day1.say('Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
    await day1.say('cho toi hoi gia dinh toi o xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', 'cho biết họ và tên');
    await day1.say('Nguyen Van An', 'số điện thoại hoặc email');
    await day1.say('0912345678', 'xã/phường nào');
    await day1.say('bo qua', 'Bạn có đồng ý gửi không?');
    await day1.say('co', 'Mã câu hỏi của bạn');
    const filed = (await bubbles(day1.page)).find((t) => t.includes('Mã câu hỏi của bạn')) as string;
    const ticket = /HD-\d{4}-\d{6}/.exec(filed)?.[0] as string;
    const answerDue = /hạn trả lời (\d\d\/\d\d\/\d{4})/.exec(filed)?.[1] as string;
    expect(ticket).toMatch(/^HD-\d{4}-000001$/);
    await day1.page.close();

    // Another day: the server restarted (same database, same address), the citizen opens the portal again.
    await first.close();
    await serve(port);
    const day2 = await openPortal(citizen, port);
    // A new conversation: only the greeting, not yesterday's transcript.
    expect((await bubbles(day2.page)).join('\n')).not.toContain(ticket);
    await day2.say('câu hỏi của tôi', 'Các câu hỏi bạn đã gửi');
    const listed = (await bubbles(day2.page)).find((t) => t.includes('Các câu hỏi bạn đã gửi')) as string;
    expect(listed).toContain(`${ticket} (gửi ngày`);
    expect(listed).toContain('Tình trạng: đang chờ cơ quan tiếp nhận. Cơ quan: UBND xã Xuân Quang.');
    expect(listed).toContain(`hạn trả lời: ${answerDue}.`);
    // The ticket is a button: it opens the question.
    await day2.page.getByRole('toolbar').getByRole('button', { name: ticket }).click();
    await day2.page.locator('.webchat__bubble__content', { hasText: `Câu hỏi ${ticket}: đang chờ cơ quan tiếp nhận.` }).waitFor({ timeout: 30_000 });

    // Another browser (its own storage) is another citizen.
    const stranger = await openPortal(other, port);
    await stranger.say('câu hỏi của tôi', 'Chưa có câu hỏi nào được gửi');
    expect((await bubbles(stranger.page)).join('\n')).not.toContain(ticket);
  } finally {
    await citizen.close();
    await other.close();
  }
  await server?.close();
  server = undefined;
  // Only the secret's hash is on the server; the browser kept the secret.
  const store = new SqliteLedgerStore(dbFile);
  try {
    expect((store.db.prepare('SELECT count(*) AS n FROM portal_identities').get() as { n: number }).n).toBe(2);
  } finally {
    await store.close();
  }
}, 300_000);

test('without localStorage (refused by the browser), the chat still works, each tab a new citizen', async () => {
  const running = await serve();
  const context = await phone();
  await context.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  const errors: string[] = [];
  try {
    const tab = await openPortal(context, running.port);
    tab.page.on('pageerror', (error) => errors.push(error.message));
    await tab.say('câu hỏi của tôi', 'Chưa có câu hỏi nào được gửi');
    await tab.say('hủy', 'Đã hủy');
    await tab.say('Gửi câu hỏi', 'Mời bạn nhập nội dung câu hỏi');
    // A second tab is another citizen (nothing kept between them), and works as well.
    const second = await openPortal(context, running.port);
    await second.say('câu hỏi của tôi', 'Chưa có câu hỏi nào được gửi');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
  await running.close();
  server = undefined;
  const store = new SqliteLedgerStore(dbFile);
  try {
    // No identity was issued for this browser (the first test's two remain).
    expect((store.db.prepare('SELECT count(*) AS n FROM portal_identities').get() as { n: number }).n).toBe(2);
  } finally {
    await store.close();
  }
}, 120_000);
