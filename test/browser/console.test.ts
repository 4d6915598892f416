import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Account } from '../../src/backoffice/types';
import { startServer, type RunningServer } from '../../src/http/server';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { importDemo } from '../helpers/bot';
import { hoidap } from '../helpers/cli';
import { instant, province } from '../helpers/province';
import { launchChromium } from '../helpers/browser';

/**
 * The web console /quan-tri in Debian's chromium on a phone-sized screen (and each page again on a
 * desktop one), over a copy of the demo ledger, with the back office's clock at 25/09/2023 17:00
 * (the demo report's cut-off). The dashboard's charts are Chart.js canvases drawn in the page; the
 * tests read the chart instances and the canvases' pixels. Screenshots of each page go to
 * test/browser/screenshots/ (phone: NAME.png, desktop: NAME-desktop.png).
 */

const SHOTS = path.join(__dirname, 'screenshots');
const AT = '2023-09-25T17:00:00+07:00';
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' };
const DESKTOP = { viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1, locale: 'vi-VN' };
const CHARTS = ['chart-months', 'chart-ratings', 'chart-ontime', 'chart-overdue'];

let dir: string;
let dbFile: string;
let server: RunningServer;
let browser: Browser;
let base: string;
const accounts: Record<string, Account> = {};
const tokens: Record<string, string> = {};
/** Every question that has ever been at Bảo Thắng (h-baothang), from the database itself. */
let baoThang: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-console-'));
  dbFile = path.join(dir, 'hoidap.sqlite');
  const seed = new SqliteLedgerStore(dbFile);
  await importDemo(seed);
  baoThang = (seed.db.prepare(`SELECT DISTINCT q FROM cases WHERE agency = 'h-baothang'`).all() as Array<{ q: string }>).map((r) => r.q);
  await seed.close();
  const at = instant(AT);
  server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] }, backoffice: { now: () => at } });
  base = `http://127.0.0.1:${server.port}`;
  const store = server.backoffice!.store;
  const t0 = instant('2023-09-01T08:00:00+07:00');
  const people = {
    editor: { name: 'Nguyễn Thị Biên Tập', role: 'editor' as const },
    officerYT: { name: 'Trần Văn Y', role: 'officer' as const, agency: 'so-yte' },
    officerBT: { name: 'Lê Thị Bảo', role: 'officer' as const, agency: 'h-baothang' },
    approverBT: { name: 'Phạm Văn Thắng', role: 'approver' as const, agency: 'h-baothang' },
    admin: { name: 'Hoàng Văn Quản', role: 'admin' as const },
  };
  for (const [key, input] of Object.entries(people)) {
    accounts[key] = await store.createAccount(input, t0);
    tokens[key] = await store.issueApiToken(accounts[key].id, t0);
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A phone's (or a desktop's) browser that records any request leaving the server and any script error (CSP violations included). */
async function phone(screen: typeof PHONE | typeof DESKTOP = PHONE): Promise<{ context: BrowserContext; page: Page; foreign: string[]; errors: string[] }> {
  const context = await browser.newContext({ ...screen, acceptDownloads: true });
  const page = await context.newPage();
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${base}/`) && !/^(data|blob):/.test(r.url())) foreign.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, foreign, errors };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/quan-tri`);
  expect(new URL(page.url()).pathname).toBe('/quan-tri/dang-nhap');
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`${base}/quan-tri`);
}

async function fitsThePhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** What a chart shows, read from its Chart.js instance in the page (labels and values as drawn). */
async function bars(page: Page, chart: string): Promise<Array<{ label: string; value: number }>> {
  await page.locator(`canvas[data-chart="${chart}"][data-drawn]`).waitFor();
  return page.evaluate((id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const instance = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[]; datasets: Array<{ data: number[] }> } } | undefined } }).Chart.getChart(canvas);
    if (!instance) throw new Error(`no chart on #${id}`);
    return instance.data.labels.map((label, i) => ({ label, value: instance.data.datasets[0].data[i] }));
  }, chart);
}

/** The canvas as drawn: its size on screen and how many of its pixels carry the bars' colour. */
async function painted(page: Page, chart: string): Promise<{ width: number; height: number; barPixels: number }> {
  await page.locator(`canvas[data-chart="${chart}"][data-drawn]`).waitFor();
  return page.evaluate((id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let barPixels = 0;
    // #9f1d20, the console's colour (antialiased edges aside).
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.abs(data[i] - 0x9f) < 12 && Math.abs(data[i + 1] - 0x1d) < 12 && Math.abs(data[i + 2] - 0x20) < 12) barPixels += 1;
    const box = canvas.getBoundingClientRect();
    return { width: box.width, height: box.height, barPixels };
  }, chart);
}

/** The table of figures under a chart, as text. */
async function tableOf(page: Page, chart: string): Promise<string[][]> {
  return page.locator(`#${chart}-table tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
}

/** Every chart of the dashboard is drawn on a canvas that fits the screen, with bars where a value is not zero. */
async function chartsDrawn(page: Page, screenWidth: number): Promise<void> {
  for (const chart of CHARTS) {
    const shown = await bars(page, chart);
    const canvas = await painted(page, chart);
    expect(canvas.width).toBeGreaterThan(0.6 * Math.min(screenWidth, 600));
    expect(canvas.width).toBeLessThanOrEqual(screenWidth);
    expect(canvas.height).toBeGreaterThan(100);
    if (shown.some((b) => b.value > 0)) expect(canvas.barPixels).toBeGreaterThan(50);
    else expect(canvas.barPixels).toBe(0);
  }
}

test('an editor signs in with the token, sees the dashboard’s four charts, the Bảo Thắng overdue list equal to the CLI’s, and downloads Phụ biểu 02 as xlsx and docx', async () => {
  const { context, page, foreign, errors } = await phone();
  await signIn(page, tokens.editor);
  const cookie = (await context.cookies()).find((c) => c.name === 'hoidap_qt');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/quan-tri' });
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 7 * 3600);
  expect(cookie!.expires).toBeLessThan(Date.now() / 1000 + 9 * 3600);

  // Dashboard: the year to the back office's today (25/09/2023), four charts drawn from the data.
  expect(await page.locator('h1').innerText()).toBe('Tổng quan');
  expect(await page.locator('header .who').innerText()).toContain('Biên tập viên');
  const months = await bars(page, 'chart-months');
  expect(months.map((b) => b.label)).toEqual(['01/23', '02/23', '03/23', '04/23', '05/23', '06/23', '07/23', '08/23', '09/23']);
  expect(await tableOf(page, 'chart-months')).toEqual(months.map((b) => [b.label, String(b.value)]));
  const demoQuestions = (await hoidap(['report', '--db', dbFile, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'json'])).stdout;
  expect(months.reduce((s, b) => s + b.value, 0)).toBeGreaterThan(0);
  const ratings = await bars(page, 'chart-ratings');
  expect(ratings.map((b) => b.label)).toEqual(['1★', '2★', '3★', '4★', '5★']);
  expect(await tableOf(page, 'chart-ratings')).toEqual(ratings.map((b) => [b.label, String(b.value)]));
  const report = JSON.parse(demoQuestions) as { rows: Array<{ agency: string; name: string; eligible: number; late: number }> };
  const eligible = report.rows.filter((r) => r.eligible > 0);
  const onTime = await bars(page, 'chart-ontime');
  expect(onTime).toEqual(eligible.map((r) => ({ label: r.name, value: Math.round((1000 * (r.eligible - r.late)) / r.eligible) / 10 })));
  // The table under it: the CLI's counts, as "on time/eligible".
  expect((await tableOf(page, 'chart-ontime')).map(([name, text]) => [name, text.replace(/^.*\((\d+)\/(\d+)\)$/, '$1/$2')])).toEqual(eligible.map((r) => [r.name, `${r.eligible - r.late}/${r.eligible}`]));
  const cli = JSON.parse((await hoidap(['overdue', '--db', dbFile, '--agency', 'h-baothang', '--at', AT, '--format', 'json'])).stdout) as {
    name: string;
    overdue: Array<{ q: string; deadline: string; workingDaysOverdue: number }>;
  };
  expect(cli.overdue.length).toBeGreaterThan(0);
  expect((await bars(page, 'chart-overdue')).find((b) => b.label === cli.name)?.value).toBe(cli.overdue.length);
  expect((await tableOf(page, 'chart-overdue')).find(([name]) => name === cli.name)).toEqual([cli.name, String(cli.overdue.length)]);
  // Drawn, on a phone: the four canvases fit the screen and carry bars; the tables fold under them.
  await chartsDrawn(page, 360);
  expect(await page.locator('details[data-table-for][open]').count()).toBe(0);
  await fitsThePhone(page);
  await shot(page, 'dashboard-editor');

  // The overdue list, Bảo Thắng chosen in the form: the same questions, deadlines and working days as the CLI.
  await page.getByRole('link', { name: 'Quá hạn', exact: true }).click();
  await page.locator('#agency').selectOption('h-baothang');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/agency=h-baothang/);
  const rows = await page
    .locator('section[data-agency="h-baothang"] tbody tr')
    .evaluateAll((trs) => trs.map((tr) => ({ q: tr.getAttribute('data-q'), deadline: tr.getAttribute('data-deadline'), days: Number(tr.getAttribute('data-days')) })));
  expect(rows).toEqual(cli.overdue.map((o) => ({ q: o.q, deadline: o.deadline, days: o.workingDaysOverdue })));
  expect(await page.locator('section.agency-overdue').count()).toBe(1);
  expect(await page.locator('main').innerText()).toContain('ngày làm việc');
  await fitsThePhone(page);
  await shot(page, 'overdue-baothang');

  // The question queue and one question, with the actions an editor has (forward with the router's suggestion, assign, delete).
  await page.getByRole('link', { name: 'Câu hỏi', exact: true }).click();
  expect(await page.locator('#questions tbody tr').count()).toBe(50);
  await fitsThePhone(page);
  await shot(page, 'questions-editor');
  await page.goto(`${base}/quan-tri/cau-hoi/${cli.overdue[0].q}`);
  expect(await page.locator('h1').innerText()).toBe(`Câu hỏi ${cli.overdue[0].q}`);
  expect(await page.locator('#form-forward').count()).toBe(1);
  expect(await page.locator('#form-accept').count()).toBe(0); // editors do not accept (access.ts)
  expect(await page.locator('#form-approve').count()).toBe(0);
  await fitsThePhone(page);
  await shot(page, 'question-editor');

  // Phụ biểu 02 for the demo's period: the 37 rows of the published table, then the downloads.
  await page.getByRole('link', { name: 'Phụ biểu 02', exact: true }).click();
  await page.locator('#from').fill('2023-01-01');
  await page.locator('#to').fill('2023-09-25');
  await page.locator('#reportNumber').fill('410');
  await page.getByRole('button', { name: 'Lập bảng' }).click();
  await page.waitForURL(/from=2023-01-01/);
  const published = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'appendix02-2023.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  expect(await page.locator('#appendix02 tbody tr[data-agency]').count()).toBe(published.length);
  expect(published.length).toBe(37);
  const shown = await page.locator('#appendix02 tbody tr[data-agency]').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
  const cliCsv = (await hoidap(['report', '--db', dbFile, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'csv'])).stdout.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
  expect(shown).toEqual(cliCsv.map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)).map((f) => [f[0], f[2].replace(/^"|"$/g, ''), f[3], f[4], f[5], f[6], f[7], f[10]]));
  await fitsThePhone(page);
  await shot(page, 'appendix02');

  const download = async (id: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
    const to = path.join(dir, file.suggestedFilename());
    await file.saveAs(to);
    return { name: file.suggestedFilename(), bytes: fs.readFileSync(to) };
  };
  const xlsx = await download('#download-xlsx');
  expect(xlsx.name).toBe('phu-bieu-02_2023-01-01_2023-09-25.xlsx');
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
  const sheetText = JSON.stringify(book.getWorksheet('Phụ biểu 02')!.getSheetValues());
  expect(sheetText).toContain('410/BC-UBND');
  expect(book.getWorksheet('Dữ liệu')!.rowCount).toBe(2 + 37);
  const docx = await download('#download-docx');
  expect(docx.name).toBe('phu-bieu-02_2023-01-01_2023-09-25.docx');
  const { default: JSZip } = await import('jszip');
  const documentXml = await (await JSZip.loadAsync(docx.bytes)).file('word/document.xml')!.async('string');
  expect(documentXml).toContain('410/BC-UBND');
  for (const row of report.rows) expect(documentXml).toContain(row.name.replace(/&/g, '&amp;'));

  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('an officer of Sở Y tế signs in and sees none of Bảo Thắng’s questions, anywhere', async () => {
  expect(baoThang.length).toBeGreaterThan(0);
  const { context, page } = await phone();
  await signIn(page, tokens.officerYT);
  const seen: string[] = [];
  const look = async () => seen.push(await page.content());
  expect(await page.locator('h1').innerText()).toBe('Tổng quan — Sở Y tế');
  expect((await bars(page, 'chart-ontime')).map((b) => b.label)).toEqual(['Sở Y tế']);
  expect((await bars(page, 'chart-overdue')).map((b) => b.label)).toEqual(['Sở Y tế']);
  await chartsDrawn(page, 360);
  expect(await page.getByRole('link', { name: 'Phụ biểu 02' }).count()).toBe(0);
  await look();
  await fitsThePhone(page);
  await shot(page, 'dashboard-officer-yte');

  // Every page of the queue: only Sở Y tế's.
  await page.getByRole('link', { name: 'Câu hỏi', exact: true }).click();
  for (;;) {
    const agencies = await page.locator('#questions tbody tr[data-q]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-agency')));
    expect(agencies.length).toBeGreaterThan(0);
    expect(new Set(agencies)).toEqual(new Set(['so-yte']));
    await look();
    const next = page.getByRole('link', { name: 'Trang sau →' });
    if ((await next.count()) === 0) break;
    await next.click();
  }
  await page.goto(`${base}/quan-tri/cau-hoi?agency=h-baothang`);
  await look();
  expect(await page.locator('#questions tbody tr[data-agency="h-baothang"]').count()).toBe(0);
  await shot(page, 'questions-officer-yte');

  await page.goto(`${base}/quan-tri/qua-han?agency=h-baothang&at=${encodeURIComponent(AT)}`);
  await look();
  expect(await page.locator('section.agency-overdue').evaluateAll((ss) => ss.map((s) => s.getAttribute('data-agency')))).toEqual(['so-yte']);

  // A Bảo Thắng question asked for by its id: refused, without saying where it is.
  const res = await page.goto(`${base}/quan-tri/cau-hoi/${baoThang[0]}`);
  expect(res?.status()).toBe(403);
  expect(await page.locator('h1').innerText()).toBe('Không có quyền');
  expect(await page.content()).not.toMatch(/Bảo Thắng|h-baothang/);
  expect((await page.goto(`${base}/quan-tri/phu-bieu-02?from=2023-01-01&to=2023-09-25`))?.status()).toBe(403);
  expect((await page.goto(`${base}/quan-tri/phu-bieu-02/tai-ve?from=2023-01-01&to=2023-09-25&format=xlsx`))?.status()).toBe(403);

  for (const html of seen) for (const q of baoThang) expect(html).not.toContain(q);
  for (const html of seen) expect(html).not.toContain('Bảo Thắng');
  await context.close();
});

test('on a desktop screen each page of the console is shown to an admin, the dashboard’s charts drawn across its width', async () => {
  const { context, page, foreign, errors } = await phone(DESKTOP);
  await page.goto(`${base}/quan-tri/dang-nhap`);
  await shot(page, 'sign-in-desktop');
  await signIn(page, tokens.admin);
  await chartsDrawn(page, 1366);
  const onTime = await bars(page, 'chart-ontime');
  expect(onTime.length).toBeGreaterThan(1);
  // A horizontal bar per agency: the chart grows with their number.
  expect((await painted(page, 'chart-ontime')).height).toBeGreaterThan(onTime.length * 20);
  await shot(page, 'dashboard-desktop');
  const pages: Array<[string, string]> = [
    ['/quan-tri/qua-han?agency=h-baothang', 'overdue-baothang-desktop'],
    ['/quan-tri/cau-hoi', 'questions-desktop'],
    ['/quan-tri/cau-hoi/HD-2023-000156', 'question-desktop'],
    ['/quan-tri/phu-bieu-02?from=2023-01-01&to=2023-09-25', 'appendix02-desktop'],
    ['/quan-tri/tai-khoan', 'accounts-desktop'],
  ];
  for (const [url, name] of pages) {
    const res = await page.goto(`${base}${url}`);
    expect([url, res?.status()]).toEqual([url, 200]);
    await shot(page, name);
  }
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('without scripts the dashboard still shows every figure, in the open tables', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, tokens.editor);
  for (const chart of CHARTS) {
    expect(await page.locator(`details[data-table-for="${chart}"]`).getAttribute('open')).toBe('');
    expect(await page.locator(`#${chart}-table tbody tr`).count()).toBeGreaterThan(0);
    expect(await page.locator(`canvas[data-chart="${chart}"]`).isVisible()).toBe(false);
  }
  await fitsThePhone(page);
  await shot(page, 'dashboard-editor-noscript');
  await context.close();
});

test('Bảo Thắng’s officer accepts and drafts in the console, the approver edits and approves: each a ledger event by that account', async () => {
  const q = 'HD-2023-000156';
  const officer = await phone();
  await signIn(officer.page, tokens.officerBT);
  await officer.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  await officer.page.locator('#form-accept button').click();
  await officer.page.locator('.flash', { hasText: 'Đã tiếp nhận câu hỏi.' }).waitFor();
  await officer.page.locator('#dr-text').fill('Kính gửi ông/bà, UBND huyện Bảo Thắng trả lời như sau: hồ sơ nộp tại Bộ phận một cửa.');
  await officer.page.locator('#form-draft button').click();
  await officer.page.locator('.flash', { hasText: 'Đã gửi dự thảo' }).waitFor();
  expect(await officer.page.locator('#form-approve').count()).toBe(0); // officers draft, approvers publish
  await shot(officer.page, 'question-officer-draft');
  await officer.context.close();

  const approver = await phone();
  await signIn(approver.page, tokens.approverBT);
  await approver.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  // The approver reads the pending draft before approving, in the box that publishes it.
  expect(await approver.page.locator('#ap-text').inputValue()).toContain('hồ sơ nộp tại Bộ phận một cửa');
  await shot(approver.page, 'question-approver');
  await approver.page.locator('#ap-text').fill('Kính gửi ông/bà, hồ sơ nộp tại Bộ phận một cửa của UBND huyện Bảo Thắng.');
  await approver.page.locator('#form-approve button').click();
  await approver.page.locator('.flash', { hasText: 'Đã duyệt và đăng câu trả lời.' }).waitFor();
  await approver.context.close();

  const events = (await server.backoffice!.workflow.store.questionEvents(q)).map((e) => JSON.parse(e.body) as Record<string, unknown>);
  const tail = events.slice(-2);
  expect(tail.map((e) => [e.type, e.by])).toEqual([
    ['accepted', `officer:${accounts.officerBT.id}`],
    ['answered', `approver:${accounts.approverBT.id}`],
  ]);
  expect(tail[1].text).toBe('Kính gửi ông/bà, hồ sơ nộp tại Bộ phận một cửa của UBND huyện Bảo Thắng.');
});

test('the approver sees the pending draft and, after returning one, what the officer changed since (the word diff of chat\'s "xem")', async () => {
  const waiting = await server.backoffice!.workflow.listQuestions(accounts.officerBT, { status: ['assigned', 'accepted'], limit: 20 });
  const q = waiting.items.map((i) => i.q).find((id) => id !== 'HD-2023-000156') as string;
  expect(q).toBeDefined();
  const first = 'Kính gửi ông/bà, hồ sơ đăng ký hộ kinh doanh nộp tại UBND xã trong 3 ngày làm việc.';
  const second = 'Kính gửi ông/bà, hồ sơ đăng ký hộ kinh doanh nộp tại Bộ phận một cửa UBND huyện trong 3 ngày làm việc.';

  const officer = await phone();
  await signIn(officer.page, tokens.officerBT);
  await officer.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  await officer.page.locator('#dr-text').fill(first);
  await officer.page.locator('#form-draft button').click();
  await officer.page.locator('.flash', { hasText: 'Đã gửi dự thảo' }).waitFor();

  const approver = await phone();
  await signIn(approver.page, tokens.approverBT);
  await approver.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  // The pending draft is shown as such, with no comparison yet (nothing was returned).
  expect(await approver.page.locator('#latest-draft').getAttribute('data-status')).toBe('pending');
  expect(await approver.page.locator('#latest-draft h2').textContent()).toBe('Dự thảo mới nhất (chờ duyệt)');
  expect(await approver.page.locator('#draft-text').textContent()).toBe(first);
  expect(await approver.page.locator('#draft-changes').count()).toBe(0);
  await approver.page.locator('#rt-comment').fill('Ghi rõ nơi nộp hồ sơ.');
  await approver.page.locator('#form-return button').click();
  await approver.page.locator('.flash', { hasText: 'Đã trả lại dự thảo cho người soạn.' }).waitFor();

  // The officer finds the returned text in the box, edits it and sends it again.
  await officer.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  expect(await officer.page.locator('#dr-text').inputValue()).toBe(first);
  await officer.page.locator('#dr-text').fill(second);
  await officer.page.locator('#form-draft button').click();
  await officer.page.locator('.flash', { hasText: 'Đã gửi dự thảo' }).waitFor();
  await officer.context.close();

  await approver.page.goto(`${base}/quan-tri/cau-hoi/${q}`);
  expect(await approver.page.locator('#draft-text').textContent()).toBe(second);
  const changes = approver.page.locator('#draft-changes');
  expect(await changes.locator('h3').textContent()).toMatch(/^So với bản đã trả lại lúc \d\d\/\d\d\/\d{4} \d\d:\d\d \(góp ý: Ghi rõ nơi nộp hồ sơ\.\)$/);
  expect(await changes.locator('.diff-added ins').textContent()).toBe('Bộ phận một cửa huyện');
  expect(await changes.locator('.diff-removed del').textContent()).toBe('xã');
  expect(await changes.locator('details .q-text').textContent()).toBe(first);
  // The box that publishes holds the new draft.
  expect(await approver.page.locator('#ap-text').inputValue()).toBe(second);
  await fitsThePhone(approver.page);
  await shot(approver.page, 'question-approver-changes');
  await approver.context.close();
});

test('a bad token is refused; an expired session and a signed-out one are refused; a POST without the session’s CSRF token is refused', async () => {
  const { context, page } = await phone();
  await page.goto(`${base}/quan-tri/dang-nhap`);
  await page.locator('#token').fill('not-a-real-token');
  const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/quan-tri/dang-nhap') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
  expect(refused.status()).toBe(401);
  expect(await page.locator('.error').innerText()).toBe('Mã truy cập không đúng hoặc tài khoản đã bị khóa.');
  expect(await context.cookies()).toEqual([]);
  await shot(page, 'sign-in-refused');

  // CSRF: the session's own cookie, but no token (or another one) in the form: 403, nothing recorded.
  await signIn(page, tokens.officerBT);
  const q = 'HD-2023-000157';
  const before = (await server.backoffice!.workflow.store.questionEvents(q)).length;
  const post = (form: Record<string, string>) => page.request.post(`${base}/quan-tri/cau-hoi/${q}/accept`, { form, maxRedirects: 0 });
  expect((await post({})).status()).toBe(403);
  expect((await post({ _csrf: 'x'.repeat(32) })).status()).toBe(403);
  expect((await server.backoffice!.workflow.store.questionEvents(q)).length).toBe(before);
  expect((await page.request.post(`${base}/quan-tri/dang-xuat`, { form: {}, maxRedirects: 0 })).status()).toBe(403); // not even sign-out

  // Expired: the session's expiry passes (moved back in the database, as time would).
  const db = new Database(dbFile);
  try {
    expect(db.prepare(`UPDATE console_sessions SET expires_ms = ? WHERE id_hash = (SELECT id_hash FROM console_sessions WHERE account_id = ? AND revoked_ms IS NULL ORDER BY created_ms DESC LIMIT 1)`).run(Date.now() - 1000, accounts.officerBT.id).changes).toBe(1);
  } finally {
    db.close();
  }
  await page.goto(`${base}/quan-tri/cau-hoi`);
  expect(new URL(page.url()).pathname).toBe('/quan-tri/dang-nhap');
  expect(await page.locator('.error').innerText()).toContain('Phiên đăng nhập đã hết hạn');
  expect((await page.request.post(`${base}/quan-tri/cau-hoi/${q}/accept`, { form: {}, maxRedirects: 0 })).status()).toBe(401);
  await fitsThePhone(page);
  await shot(page, 'sign-in-expired');

  // Signed out: the old cookie, replayed, opens nothing (the session is revoked on the server).
  await signIn(page, tokens.officerBT);
  const old = (await context.cookies()).find((c) => c.name === 'hoidap_qt')!.value;
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForURL(`${base}/quan-tri/dang-nhap`);
  const replay = await fetch(`${base}/quan-tri`, { headers: { cookie: `hoidap_qt=${old}` }, redirect: 'manual' });
  expect(replay.status).toBe(303);
  expect(replay.headers.get('location')).toBe('/quan-tri/dang-nhap?ly_do=het-han');
  expect((await server.backoffice!.workflow.store.questionEvents(q)).length).toBe(before);
  await context.close();
});

test('behind the TLS proxy the cookie is Secure; a sign-in posted from another site is refused', async () => {
  const body = new URLSearchParams({ token: tokens.editor });
  const direct = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', body, redirect: 'manual' });
  expect(direct.status).toBe(303);
  expect(direct.headers.get('set-cookie')).toMatch(/^hoidap_qt=[A-Za-z0-9_-]{43}; Path=\/quan-tri; HttpOnly; SameSite=Strict; Max-Age=28800$/);
  const proxied = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', body, redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
  expect(proxied.headers.get('set-cookie')).toMatch(/; Secure$/);
  const foreign = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', body, redirect: 'manual', headers: { origin: 'https://evil.example' } });
  expect(foreign.status).toBe(403);
  expect(foreign.headers.get('set-cookie')).toBeNull();
});

test('a deactivated account’s session stops working at once', async () => {
  const store = server.backoffice!.store;
  const leaving = await store.createAccount({ name: 'Người nghỉ việc', role: 'officer', agency: 'so-yte' }, Date.now());
  const token = await store.issueApiToken(leaving.id, Date.now());
  const signIn = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  expect((await fetch(`${base}/quan-tri/cau-hoi`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
  await store.setAccountActive(leaving.id, false);
  const after = await fetch(`${base}/quan-tri/cau-hoi`, { headers: { cookie }, redirect: 'manual' });
  expect(after.status).toBe(303);
  expect(after.headers.get('location')).toBe('/quan-tri/dang-nhap?ly_do=het-han');
});
