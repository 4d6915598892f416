import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { launchChromium } from '../helpers/browser';
import { province } from '../helpers/province';

/** /hoi-dap on a 360 px phone: the search box's placeholder is read whole, and a question opens its own page. */

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

let browser: Browser;
let server: Server;
let store: SqliteLedgerStore;
let base: string;

beforeAll(async () => {
  store = new SqliteLedgerStore(':memory:');
  const ledger = new Ledger(store, province());
  await ledger.record({ q: 'HD-2026-000501', type: 'submitted', at: '2026-11-02T08:00:00+07:00', channel: 'portal', text: 'Mua bảo hiểm y tế hộ gia đình ở đâu, cần giấy tờ gì?', asker: { name: 'Lò Thị Mai', contact: '0912345678' } });
  await ledger.record({ q: 'HD-2026-000501', type: 'assigned', at: '2026-11-02T08:05:00+07:00', agency: 'bhxh-khuvuc', by: 'bot' });
  await ledger.record({ q: 'HD-2026-000501', type: 'answered', at: '2026-11-05T15:00:00+07:00', agency: 'bhxh-khuvuc', authorized: true, text: 'Bạn đăng ký tại UBND xã hoặc đại lý thu BHXH, mang theo thẻ căn cước.', by: 'approver:acc_x' });
  server = await new Promise<Server>((resolve) => {
    const s = createApp({ data: province(), stores: sqliteStores(store) }).listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await store?.close();
});

test('on a 360 px phone the search placeholder fits its box; "BHYT" finds the question and its page opens', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`${base}/hoi-dap`);
  const box = page.locator('input[name="q"]');
  // The placeholder's width in the input's own font, against the room inside the box.
  const fit = await box.evaluate((input: HTMLInputElement) => {
    const style = getComputedStyle(input);
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { text: ctx.measureText(input.placeholder).width, room };
  });
  expect(fit.text).toBeLessThanOrEqual(fit.room);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'hoi-dap-360.png'), fullPage: true });

  await box.fill('BHYT');
  await page.locator('button[type="submit"]').click();
  await page.locator('text=Tìm thấy 1 câu hỏi đã được trả lời.').waitFor();
  await page.locator('a[href="/hoi-dap/HD-2026-000501"]').click();
  await page.waitForURL(`${base}/hoi-dap/HD-2026-000501`);
  expect(await page.locator('main').innerText()).toContain('Ngày trả lời: 05/11/2026');
  expect(await page.content()).not.toContain('0912345678');
  await page.screenshot({ path: path.join(ARTIFACTS, 'hoi-dap-question-360.png'), fullPage: true });
  await context.close();
}, 120_000);
