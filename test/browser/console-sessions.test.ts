import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Account, BackofficeStore } from '../../src/backoffice/types';
import { startServer, type RunningServer } from '../../src/http/server';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { captureLogs } from '../fakes/log-capture';
import { launchChromium } from '../helpers/browser';
import { instant, province } from '../helpers/province';

/**
 * The console's sign-in with a link code (single-use, the chat-linking limits) and the admins'
 * list of each account's console sessions, with revocation, in Debian's chromium on a phone.
 */

const SHOTS = path.join(__dirname, 'screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' };
const HOUR = 3_600_000;

let dir: string;
let server: RunningServer;
let browser: Browser;
let base: string;
let store: BackofficeStore;
let admin: Account;
let officer: Account;
let adminToken: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-console-sessions-'));
  const dbFile = path.join(dir, 'hoidap.sqlite');
  await new SqliteLedgerStore(dbFile).close();
  const at = instant('2023-09-25T17:00:00+07:00');
  server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] }, backoffice: { now: () => at } });
  base = `http://127.0.0.1:${server.port}`;
  store = server.backoffice!.store;
  admin = await store.createAccount({ name: 'Đỗ Quản Trị', role: 'admin' }, Date.now());
  officer = await store.createAccount({ name: 'Trần Văn Y', role: 'officer', agency: 'so-yte' }, Date.now());
  adminToken = await store.issueApiToken(admin.id, Date.now());
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function phonePage(): Promise<Page> {
  const context = await browser.newContext(PHONE);
  return context.newPage();
}

/** Types the secret in the sign-in form; returns the page's alert, if any. */
async function signIn(page: Page, secret: string): Promise<string | undefined> {
  await page.goto(`${base}/quan-tri/dang-nhap`);
  await page.locator('#token').fill(secret);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForLoadState();
  const alert = page.locator('[role=alert]');
  return (await alert.count()) > 0 ? alert.innerText() : undefined;
}

test('an officer signs in with a link code, once; an admin sees the session and revokes it; the officer is out', async () => {
  const code = await store.createLinkCode(officer.id, Date.now(), HOUR);
  const officerPage = await phonePage();
  // Typed as people do: lower case, a space instead of the dash.
  expect(await signIn(officerPage, code.toLowerCase().replace('-', ' '))).toBeUndefined();
  expect(new URL(officerPage.url()).pathname).toBe('/quan-tri');
  expect(await officerPage.locator('header .who').innerText()).toContain('Trần Văn Y — Cán bộ, Sở Y tế');
  // No chat was linked by signing in to the console, and an officer has no accounts page.
  expect(await store.identitiesOf(officer.id)).toEqual([]);
  expect(await officerPage.locator('nav a', { hasText: 'Tài khoản' }).count()).toBe(0);
  const forbidden = await officerPage.goto(`${base}/quan-tri/tai-khoan`);
  expect(forbidden?.status()).toBe(403);
  await officerPage.screenshot({ path: path.join(SHOTS, 'sign-in-link-code-officer.png'), fullPage: true });

  // The same code a second time, from another phone: refused, nothing opened.
  const other = await phonePage();
  expect(await signIn(other, code)).toBe('Mã liên kết không đúng, đã dùng hoặc đã hết hạn. Xin mã mới từ quản trị viên.');
  expect(new URL(other.url()).pathname).toBe('/quan-tri/dang-nhap');

  const logs = captureLogs('info');
  try {
    const adminPage = await phonePage();
    expect(await signIn(adminPage, adminToken)).toBeUndefined();
    await adminPage.getByRole('link', { name: 'Tài khoản' }).click();
    const row = adminPage.locator(`tr[data-account="${officer.id}"]`);
    expect(await row.locator('td[data-th="Phiên đang mở"]').innerText()).toBe('1');
    await adminPage.screenshot({ path: path.join(SHOTS, 'accounts.png'), fullPage: true });
    await row.getByRole('link', { name: 'Trần Văn Y' }).click();
    expect(await adminPage.locator('h2').innerText()).toBe('Phiên đăng nhập trang quản trị đang mở: 1');
    const session = adminPage.locator('tr[data-session]');
    expect(await session.locator('td[data-th="Cách đăng nhập"]').innerText()).toBe('Mã liên kết');
    expect(await adminPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await adminPage.screenshot({ path: path.join(SHOTS, 'account-sessions.png'), fullPage: true });
    await session.getByRole('button', { name: 'Thu hồi' }).click();
    await adminPage.waitForLoadState();
    expect(await adminPage.locator('[role=status]').innerText()).toBe('Đã thu hồi phiên đăng nhập.');
    expect(await adminPage.locator('h2').innerText()).toBe('Phiên đăng nhập trang quản trị đang mở: 0');
    await new Promise((resolve) => setImmediate(resolve));
    const entries = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({ message: 'console: session revoked by an admin', by: admin.id, account: officer.id, level: 'warn' }));
  } finally {
    await logs.stop();
  }

  // The officer's next click lands on the sign-in page, told why.
  await officerPage.goto(`${base}/quan-tri/cau-hoi`);
  expect(new URL(officerPage.url()).pathname).toBe('/quan-tri/dang-nhap');
  expect(await officerPage.locator('[role=alert]').innerText()).toContain('đã bị thu hồi');
});

test('an admin revokes every session of an account at once, their own list marks the session they are using', async () => {
  const token = await store.issueApiToken(officer.id, Date.now());
  const phones = [await phonePage(), await phonePage()];
  for (const p of phones) expect(await signIn(p, token)).toBeUndefined();
  const adminPage = await phonePage();
  expect(await signIn(adminPage, adminToken)).toBeUndefined();
  await adminPage.goto(`${base}/quan-tri/tai-khoan/${admin.id}`);
  expect(await adminPage.locator('tr[data-session]', { hasText: '(phiên này)' }).count()).toBe(1);
  await adminPage.goto(`${base}/quan-tri/tai-khoan/${officer.id}`);
  expect(await adminPage.locator('tr[data-session]').count()).toBe(2);
  await adminPage.getByRole('button', { name: 'Thu hồi tất cả phiên' }).click();
  await adminPage.waitForLoadState();
  expect(await adminPage.locator('h2').innerText()).toBe('Phiên đăng nhập trang quản trị đang mở: 0');
  for (const p of phones) {
    await p.goto(`${base}/quan-tri`);
    expect(new URL(p.url()).pathname).toBe('/quan-tri/dang-nhap');
  }
  // The API token itself still works: revoking console sessions is not revoking tokens.
  expect((await fetch(`${base}/api/v1/questions?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
});

test('wrong link codes count against the address with the chat-linking limits: after five, even a right code waits', async () => {
  const right = await store.createLinkCode(officer.id, Date.now(), HOUR);
  const page = await phonePage();
  // Five wrong codes in the window (the first test's reused code was one of them), each told it is wrong.
  let wrong = 0;
  while (wrong < 10 && (await signIn(page, 'ABCDE-FGHJK'))?.startsWith('Mã liên kết không đúng')) wrong += 1;
  expect(wrong).toBe(4);
  expect(await signIn(page, right)).toBe('Đã có quá nhiều lần nhập sai mã. Vui lòng thử lại sau 60 phút hoặc liên hệ quản trị viên.');
  expect(new URL(page.url()).pathname).toBe('/quan-tri/dang-nhap');
  // A token still signs in: the limit guards link codes, which are short enough to guess.
  expect(await signIn(page, adminToken)).toBeUndefined();
});
