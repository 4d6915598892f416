import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server';
import { province } from '../helpers/province';

/**
 * The console's charts come from this server only: Chart.js from the installed package (the version
 * the lockfile pins) and the console's own script, both cached for long, under a policy that lets
 * the page run scripts from 'self' and nothing else, inline or foreign.
 */

const ROOT = path.join(__dirname, '..', '..');
const LOCKED = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages['node_modules/chart.js'].version;

let dir: string;
let server: RunningServer;
let base: string;
let cookie: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-console-assets-'));
  server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, 'hoidap.sqlite'), channels: { off: [] }, backoffice: {} });
  base = `http://127.0.0.1:${server.port}`;
  const store = server.backoffice!.store;
  const editor = await store.createAccount({ name: 'Nguyễn Thị Biên Tập', role: 'editor' }, Date.now());
  const token = await store.issueApiToken(editor.id, Date.now());
  const signIn = await fetch(`${base}/quan-tri/dang-nhap`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  expect(signIn.status).toBe(303);
  cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
});

afterAll(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function dashboard(): Promise<{ res: Response; html: string }> {
  const res = await fetch(`${base}/quan-tri`, { headers: { cookie }, redirect: 'manual' });
  expect(res.status).toBe(200);
  return { res, html: await res.text() };
}

test('the dashboard runs scripts from this server only: CSP script-src \'self\', every other directive kept, no inline or foreign script', async () => {
  const { res, html } = await dashboard();
  const csp = (res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim());
  expect(csp.sort()).toEqual(["base-uri 'none'", "default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "img-src 'self' data:", "script-src 'self'", "style-src 'unsafe-inline'"]);

  // No other origin anywhere in the page: every address is a path of this server (or the empty icon).
  expect(html).not.toMatch(/https?:\/\/|\bcdn\b/i);
  const addresses = [...html.matchAll(/\b(?:src|href|action)="([^"]*)"/g)].map((m) => m[1]);
  expect(addresses.length).toBeGreaterThan(5);
  for (const address of addresses) expect(address).toMatch(/^(\/(?!\/)|data:,$)/);

  // Scripts: the library and the console's script by URL; the only inline ones are JSON islands, never run.
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
  const external = scripts.map((attrs) => /\bsrc="([^"]+)"/.exec(attrs)?.[1]).filter((src): src is string => src !== undefined);
  expect(external).toEqual([`/quan-tri/static/chart.umd.min.js?v=${LOCKED}`, expect.stringMatching(/^\/quan-tri\/static\/console\.js\?v=[0-9a-f]{12}$/)]);
  const inline = scripts.filter((attrs) => !/\bsrc=/.test(attrs));
  expect(inline).toEqual(['chart-months', 'chart-ratings', 'chart-ontime', 'chart-overdue'].map((id) => ` type="application/json" id="${id}-data"`));
  for (const src of external) {
    const file = await fetch(`${base}${src}`);
    expect([src, file.status, file.headers.get('content-type')]).toEqual([src, 200, 'application/javascript; charset=utf-8']);
  }
});

test('Chart.js is served from the installed package, byte for byte the pinned version, cached for a year without a session', async () => {
  const res = await fetch(`${base}/quan-tri/static/chart.umd.min.js?v=${LOCKED}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const body = Buffer.from(await res.arrayBuffer());
  expect(body.equals(fs.readFileSync(path.join(ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js')))).toBe(true);
  expect(body.subarray(0, 200).toString('utf8')).toContain(`Chart.js v${LOCKED}`);
  // A second request may be answered from the validator alone (node:http: fetch() would add no-cache to a conditional request).
  const etag = res.headers.get('etag');
  expect(etag).toBeTruthy();
  const revalidated = await new Promise<number | undefined>((resolve, reject) =>
    http.get(`${base}/quan-tri/static/chart.umd.min.js?v=${LOCKED}`, { headers: { 'if-none-match': etag! } }, (r) => resolve(r.resume().statusCode)).on('error', reject),
  );
  expect(revalidated).toBe(304);
});

test('each chart’s JSON island holds the figures of the table under it, with the wording from data/texts', async () => {
  const { html } = await dashboard();
  const island = (id: string) => JSON.parse(new RegExp(`<script type="application/json" id="${id}-data">(.*?)</script>`).exec(html)![1]) as { title: string; labels: string[]; values: number[]; categoryAxis: string; valueAxis: string; kind: string };
  const table = (id: string) =>
    [...new RegExp(`<table id="${id}-table">.*?<tbody>(.*?)</tbody>`).exec(html)![1].matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
  const months = island('chart-months');
  expect(months).toMatchObject({ kind: 'column', title: 'Số câu hỏi theo tháng', categoryAxis: 'Tháng', valueAxis: 'Số câu hỏi' });
  expect(months.labels.length).toBeGreaterThan(0);
  expect(table('chart-months')).toEqual(months.labels.map((label, i) => [label, String(months.values[i])]));
  const ratings = island('chart-ratings');
  expect(ratings.labels).toEqual(['1★', '2★', '3★', '4★', '5★']);
  expect(table('chart-ratings')).toEqual(ratings.labels.map((label, i) => [label, String(ratings.values[i])]));
  expect(island('chart-ontime')).toMatchObject({ kind: 'bar', title: 'Tỷ lệ trả lời đúng hạn theo cơ quan', valueAxis: 'Đúng hạn' });
  expect(island('chart-overdue')).toMatchObject({ kind: 'bar', title: 'Câu hỏi đang quá hạn theo cơ quan' });
  // Without scripts the tables are open; the script folds them once it has drawn the charts.
  expect(html.match(/<details open data-table-for="chart-[a-z]+">/g)).toHaveLength(4);
});
