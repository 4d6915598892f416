import express, { type NextFunction, type Request, type Response } from 'express';
import type { DraftChanges, Workflow, WorkflowActor } from '../../backoffice/actions';
import { WorkflowError } from '../../backoffice/actions';
import type { Account, BackofficeStore } from '../../backoffice/types';
import type { ProvinceData } from '../../config/data';
import { can, visibleAgency, type Action } from '../../domain/access';
import { DELETE_REASONS } from '../../domain/events';
import type { QuestionStatus } from '../../domain/lifecycle';
import { excerpt } from '../../domain/text';
import { formatDay, formatDayVi, parseDay, parseInstant } from '../../domain/time';
import { logger } from '../../observability/logger';
import { appendix02Report, renderReport } from '../../reports/appendix02';
import type { RouteResult } from '../../routing/router';
import type { LedgerStore } from '../../store/types';
import { chartIsland, chartJsFile, chartJsVersion, CONSOLE_SCRIPT, CONSOLE_SCRIPT_VERSION, STATIC_PREFIX, type ChartSpec } from './chart-script';
import { CONTENT_SECURITY_POLICY, csrfField, dateTimeVi, DEADLINE_VI, DELETE_REASON_VI, esc, page, ROLE_VI, STATUS_VI, type Viewer } from './html';
import type { ConsoleSessionStore, PhotoInfo, PhotoStore, QuestionQueries } from '../../app/ports';
import { questionPhoto, questionPhotos } from '../../app/questions/photos';
import { csrfMatches, DEFAULT_SESSION_TTL_MS, type ConsoleSession, type SignInMethod } from './sessions';
import { addressKey } from '../../bot/channels';
import { fill, STAFF_TEXTS } from '../../bot/texts';
import { linkLimits } from '../../backoffice/accounts';
import { normalizeLinkCode } from '../../domain/link-code';

/**
 * The web console at /quan-tri: an adapter over the back office's own operations (the
 * Workflow the REST API and the staff chat use, the overdue query, the Phụ biểu 02
 * functions), with the permission table of src/domain/access.ts deciding what each
 * account sees and may do. Sign-in with the account's API token opens a server-side
 * session (cookie HttpOnly, SameSite=Strict, Secure behind TLS, expiring); every POST
 * carries the session's CSRF token.
 */

export interface ConsoleDeps {
  data: ProvinceData;
  store: LedgerStore;
  /** Where sessions are kept (only hashes of their ids). */
  sessions: ConsoleSessionStore;
  /** The dashboard's counts over the question rows. */
  queries: Pick<QuestionQueries, 'submittedTimes' | 'ratingCounts'>;
  backoffice: BackofficeStore;
  workflow: Workflow;
  router?: { route(text: string): RouteResult };
  /** Real time for sessions (default Date.now); the workflow keeps its own clock. */
  now?: () => number;
  sessionTtlMs?: number;
  /** Photos citizens sent with their questions, shown on the question's page (never published). */
  photos?: Pick<PhotoStore, 'list' | 'get'>;
}

const COOKIE = 'hoidap_qt';
const STATUSES: readonly QuestionStatus[] = ['submitted', 'assigned', 'accepted', 'answered', 'deleted'];
const FORMATS = ['xlsx', 'docx', 'csv'] as const;
const CONTENT_TYPES: Record<(typeof FORMATS)[number], string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
// The console's messages and its pages' wording are data (data/texts/vi.json, staff.console).
const T = STAFF_TEXTS.console;
const P = T.pages;
const F = P.question.facts;
const H = P.question.history;
const C = P.report.columns;
const U = P.accounts;

/** What changed in the pending draft since the version an approver returned (the same word diff as chat's "xem"). */
function draftChanges(changes: DraftChanges): string {
  const W = P.question.changes;
  const comment = changes.returned.comment ? fill(W.comment, { comment: changes.returned.comment }) : '';
  const title = fill(W.title, { at: dateTimeVi(changes.returned.decidedAt ?? changes.returned.createdAt), comment });
  const words =
    changes.added.length === 0 && changes.removed.length === 0
      ? `<p class="muted">${esc(W.unchanged)}</p>`
      : [
          changes.added.length > 0 ? `<p class="diff-added">${esc(W.added)} <ins>${esc(changes.added.join(' '))}</ins></p>` : '',
          changes.removed.length > 0 ? `<p class="diff-removed">${esc(W.removed)} <del>${esc(changes.removed.join(' '))}</del></p>` : '',
        ].join('');
  return `<div id="draft-changes" class="card"><h3>${esc(title)}</h3>${words}<details><summary>${esc(W.returnedText)}</summary><div class="q-text">${esc(changes.returned.text)}</div></details></div>`;
}
const ERROR_STATUS: Record<WorkflowError['code'], number> = { forbidden: 403, not_found: 404, invalid_state: 409, invalid_input: 400 };
const DONE: Record<string, string> = T.done;

interface Ctx {
  account: Account;
  session: ConsoleSession;
  sessionId: string;
  viewer: Viewer;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function setCookie(req: Request, res: Response, value: string, maxAgeSeconds: number): void {
  const attrs = [`${COOKIE}=${value}`, 'Path=/quan-tri', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  // Secure when the browser reached us over TLS: directly, or through the proxy that says so. Trusting the
  // header here only ever makes the cookie stricter (a forged "https" costs the forger their own sign-in).
  if (req.secure || req.get('x-forwarded-proto')?.split(',')[0].trim().toLowerCase() === 'https') attrs.push('Secure');
  res.append('Set-Cookie', attrs.join('; '));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function dayOr(text: unknown, fallback: number): number {
  const day = typeof text === 'string' && text !== '' ? parseDay(text) : undefined;
  if (typeof text === 'string' && text !== '' && day === undefined) throw new WorkflowError('invalid_input', fill(P.invalid.day, { text }));
  return day ?? fallback;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;
}

export function createConsoleRouter(deps: ConsoleDeps): express.Router {
  const { data, store, sessions, queries, backoffice, workflow } = deps;
  const now = deps.now ?? Date.now;
  const ttlMs = deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const ttlSeconds = Math.floor(ttlMs / 1000);
  const router = express.Router();
  const agencyName = (code: string | undefined) => (code ? (data.agencies.get(code)?.name ?? code) : undefined);

  // ---- static files: the chart library and the console's script (no session needed, cached for a year:
  // their URLs change with the library's version and the script's digest) ---------------------------

  const chartUrl = `/quan-tri${STATIC_PREFIX}/chart.umd.min.js?v=${chartJsVersion()}`;
  const scriptUrl = `/quan-tri${STATIC_PREFIX}/console.js?v=${CONSOLE_SCRIPT_VERSION}`;
  const staticHeaders = (res: Response) => {
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };
  router.get(`${STATIC_PREFIX}/chart.umd.min.js`, (_req, res, next) => {
    staticHeaders(res);
    res.sendFile(chartJsFile(), { headers: { 'Content-Type': 'application/javascript; charset=utf-8' }, cacheControl: false }, (error) => {
      if (error) next(error);
    });
  });
  router.get(`${STATIC_PREFIX}/console.js`, (_req, res) => {
    staticHeaders(res);
    res.type('application/javascript; charset=utf-8').send(CONSOLE_SCRIPT);
  });

  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  // ---- sign-in and sign-out -----------------------------------------------------------------

  const signInPage = (message?: string, status = 200) => (res: Response) =>
    res
      .status(status)
      .type('html')
      .send(
        page(
          P.signIn.title,
          `<h1>${esc(P.signIn.title)}</h1>${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/quan-tri/dang-nhap" class="card" style="max-width:28rem">
<label for="token">${esc(P.signIn.label)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%">
<p class="muted">${fill(P.signIn.hintHtml, { minutes: data.policy.linking.codeTtlMinutes, session: ttlSeconds >= 3600 ? fill(P.signIn.hours, { hours: Math.round(ttlSeconds / 3600) }) : fill(P.signIn.minutes, { minutes: Math.round(ttlSeconds / 60) }) })}</p>
<button class="primary" type="submit">${esc(P.signIn.title)}</button></form>`,
        ),
      );

  router.get('/dang-nhap', (req, res) => {
    const why = req.query.ly_do === 'het-han' ? T.signIn.expired : undefined;
    signInPage(why)(res);
  });

  router.post('/dang-nhap', async (req, res) => {
    // No session yet, so no CSRF token: a sign-in sent from another site is refused by its Origin.
    const origin = req.get('origin');
    if (origin && origin !== `${req.protocol}://${req.get('host')}`) return signInPage(T.signIn.otherSite, 403)(res);
    const secret = str(req.body?.token)?.trim() ?? '';
    let account: Account | undefined;
    let method: SignInMethod = 'token';
    if (normalizeLinkCode(secret)) {
      // A link code (10 characters; a token has 43): single-use, with the same failure limits as linking a chat,
      // counted per network address (the console has no chat identity) in the same table.
      method = 'link_code';
      const address = addressKey(req.ip ?? '');
      const outcome = await backoffice.redeemLinkCode(secret, { channel: 'console', userId: address }, undefined, now(), {
        address,
        limits: linkLimits(data.policy.linking),
        signIn: true,
      });
      if (!outcome.ok && outcome.reason === 'blocked') {
        logger.warn('console: link-code sign-in refused: failure limit reached', { requestId: res.locals.requestId, limit: outcome.limit });
        return signInPage(fill(T.signIn.blocked, { minutes: data.policy.linking.failureWindowMinutes }), 429)(res);
      }
      if (!outcome.ok && outcome.voided) logger.warn('console: link code void after too many wrong tries', { requestId: res.locals.requestId });
      account = outcome.ok ? outcome.account : undefined;
    } else if (/^[A-Za-z0-9_\-.~+/]+=*$/.test(secret)) {
      account = await backoffice.accountByApiToken(secret);
    }
    if (!account || !account.active) {
      logger.warn('console: sign-in refused', { requestId: res.locals.requestId, method });
      return signInPage(
        method === 'link_code' ? T.signIn.wrongCode : T.signIn.wrongToken,
        401,
      )(res);
    }
    const { id } = await sessions.create(account.id, now(), ttlMs, { method, userAgent: req.get('user-agent') });
    setCookie(req, res, id, ttlSeconds);
    // A link code is a one-time secret someone handed over: warn, as linking a chat does, so a sign-in nobody expected shows.
    logger.log(method === 'link_code' ? 'warn' : 'info', 'console: signed in', { requestId: res.locals.requestId, account: account.id, role: account.role, method });
    res.redirect(303, '/quan-tri');
  });

  // ---- every other page needs a live session ------------------------------------------------

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const id = cookieValue(req, COOKIE);
    const session = await sessions.get(id, now());
    const account = session ? await backoffice.getAccount(session.accountId) : undefined;
    if (!session || !account || !account.active || !id) {
      if (id) setCookie(req, res, '', 0);
      if (req.method === 'GET') return res.redirect(303, `/quan-tri/dang-nhap${id ? '?ly_do=het-han' : ''}`);
      return signInPage(T.signIn.noSession, 401)(res);
    }
    if (req.method === 'POST' && !csrfMatches(session, req.body?._csrf)) {
      logger.warn('console: POST without a valid CSRF token', { requestId: res.locals.requestId, account: account.id, path: req.path });
      return res
        .status(403)
        .type('html')
        .send(page(P.csrf.title, `<h1>${esc(P.csrf.title)}</h1><p class="error">${esc(P.csrf.text)}</p>`));
    }
    const ctx: Ctx = {
      account,
      session,
      sessionId: id,
      viewer: { name: account.name, role: account.role, agencyName: agencyName(account.agency), csrf: session.csrf, reports: can(account, 'report'), accounts: can(account, 'manage_accounts') },
    };
    res.locals.console = ctx;
    next();
  });

  const ctxOf = (res: Response) => res.locals.console as Ctx;
  const actorOf = (res: Response): WorkflowActor => ctxOf(res).account;
  const send = (res: Response, title: string, body: string, current?: string, status = 200, scripts: readonly string[] = []) =>
    res.status(status).type('html').send(page(title, body, ctxOf(res).viewer, current, scripts));

  router.post('/dang-xuat', async (req, res) => {
    const ctx = ctxOf(res);
    await sessions.revoke(ctx.sessionId, now());
    setCookie(req, res, '', 0);
    logger.info('console: signed out', { requestId: res.locals.requestId, account: ctx.account.id });
    res.redirect(303, '/quan-tri/dang-nhap');
  });

  // ---- dashboard ------------------------------------------------------------------------

  router.get('/', async (req, res) => {
    const actor = actorOf(res);
    const today = data.clock.dayOf(workflow.now());
    const defaultFrom = parseDay(`${formatDay(today).slice(0, 4)}-01-01`) as number;
    const fromDay = dayOr(req.query.from, defaultFrom);
    const toDay = dayOr(req.query.to, today);
    if (toDay < fromDay) throw new WorkflowError('invalid_input', P.invalid.period);
    const own = visibleAgency(actor);
    if ((actor.role === 'officer' || actor.role === 'approver') && !own) throw new WorkflowError('forbidden', P.invalid.noAgency);
    const start = data.clock.startOfDay(fromDay);
    const end = data.clock.endOfDay(toDay);
    const range = { from: start, to: end, ...(own ? { agency: own } : {}) };

    // Questions per month (officers and approvers: those now at their agency, as their queue shows them).
    const submitted = await queries.submittedTimes(range);
    const months = new Map<string, number>();
    for (let d = fromDay; d <= toDay; d += 1) months.set(formatDay(d).slice(0, 7), 0);
    for (const ms of submitted) {
      const m = data.clock.monthOf(ms);
      months.set(m, (months.get(m) ?? 0) + 1);
    }
    const perMonth = [...months].map(([m, n]) => ({ label: `${m.slice(5)}/${m.slice(2, 4)}`, value: n }));

    // Ratings 1..5 given by citizens to the answers of questions of the period.
    const ratingRows = await queries.ratingCounts(range);
    const ratings = [1, 2, 3, 4, 5].map((r) => ({ label: `${r}★`, value: ratingRows.find((x) => x.rating === r)?.n ?? 0 }));
    const rated = ratings.reduce((s, r) => s + r.value, 0);
    const mean = rated === 0 ? undefined : ratings.reduce((s, r, i) => s + (i + 1) * r.value, 0) / rated;

    // On-time share per agency: Phụ biểu 02's own counts for the period (eligible cases not late).
    const report = await appendix02Report(store, data, { fromDay, toDay });
    const onTime = report.table.rows
      .filter((r) => (own ? r.agency === own : r.eligible > 0))
      .map((r) => ({ label: r.name, value: r.eligible === 0 ? 0 : Math.round((1000 * (r.eligible - r.late)) / r.eligible) / 10, text: `${percent(r.eligible - r.late, r.eligible)} (${r.eligible - r.late}/${r.eligible})` }));

    // Overdue now, per agency: the same query as the overdue page, the CLI and the API.
    const overdue = await workflow.overdue(actor, {});
    const overdueBars = overdue.agencies.map((a) => ({ label: a.name, value: a.items.length })).filter((b) => b.value > 0 || own);

    const table = (id: string, head: string[], rows: Array<Array<string | number>>) =>
      `<details open data-table-for="${id}"><summary class="muted">${esc(P.dashboard.dataTable)}</summary><div class="table-wrap"><table id="${id}-table"><thead><tr>${head.map((h, i) => `<th${i > 0 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`)
        .join('')}</tbody></table></div></details>`;
    // A canvas drawn by the console's script from the JSON island beside it; hidden until drawn.
    const chart = (id: string, spec: ChartSpec) =>
      `<div class="chart" hidden><canvas id="${id}" data-chart="${id}" role="img" aria-label="${esc(spec.title)}"></canvas></div>${chartIsland(id, spec)}` +
      (spec.labels.length === 0 ? `<p class="muted">${esc(P.layout.noData)}</p>` : '');
    const body = `<h1>${esc(P.dashboard.title)}${own ? ` — ${esc(agencyName(own) ?? own)}` : ''}</h1>
<form method="get" action="/quan-tri" class="inline card"><div><label for="from">${esc(P.common.from)}</label><input id="from" name="from" type="date" value="${formatDay(fromDay)}"></div>
<div><label for="to">${esc(P.common.to)}</label><input id="to" name="to" type="date" value="${formatDay(toDay)}"></div><button class="primary" type="submit">${esc(P.common.show)}</button></form>
<p class="muted">${esc(fill(P.dashboard.period, { from: formatDayVi(fromDay), to: formatDayVi(toDay), at: dateTimeVi(overdue.at) }))}</p>
<div class="grid">
<figure class="card"><figcaption>${esc(fill(P.dashboard.months.caption, { count: submitted.length }))}</figcaption>${chart('chart-months', { kind: 'column', title: P.dashboard.months.title, labels: perMonth.map((b) => b.label), values: perMonth.map((b) => b.value), categoryAxis: P.dashboard.months.month, valueAxis: P.dashboard.months.count })}${table('chart-months', [P.dashboard.months.month, P.dashboard.months.count], perMonth.map((b) => [b.label, b.value]))}</figure>
<figure class="card"><figcaption>${esc(fill(P.dashboard.ratings.caption, { count: rated, mean: mean !== undefined ? fill(P.dashboard.ratings.mean, { mean: mean.toLocaleString('vi-VN', { maximumFractionDigits: 2 }) }) : '' }))}</figcaption>${chart('chart-ratings', { kind: 'column', title: P.dashboard.ratings.title, labels: ratings.map((b) => b.label), values: ratings.map((b) => b.value), categoryAxis: P.dashboard.ratings.level, valueAxis: P.dashboard.ratings.count })}${table('chart-ratings', [P.dashboard.ratings.level, P.dashboard.ratings.count], ratings.map((b) => [b.label, b.value]))}</figure>
<figure class="card"><figcaption>${esc(P.dashboard.onTime.title)}</figcaption>${chart('chart-ontime', { kind: 'bar', title: P.dashboard.onTime.title, labels: onTime.map((b) => b.label), values: onTime.map((b) => b.value), texts: onTime.map((b) => b.text), categoryAxis: P.common.agency, valueAxis: P.dashboard.onTime.column, max: 100, tickSuffix: '%' })}<p class="muted">${esc(P.dashboard.onTime.note)}</p>${table('chart-ontime', [P.common.agency, P.dashboard.onTime.column], onTime.map((b) => [b.label, b.text]))}</figure>
<figure class="card"><figcaption>${esc(P.dashboard.overdue.title)}</figcaption>${chart('chart-overdue', { kind: 'bar', title: P.dashboard.overdue.title, labels: overdueBars.map((b) => b.label), values: overdueBars.map((b) => b.value), categoryAxis: P.common.agency, valueAxis: P.common.overdue })}<p class="muted"><a href="/quan-tri/qua-han">${esc(P.dashboard.overdue.link)}</a></p>${table('chart-overdue', [P.common.agency, P.common.overdue], overdueBars.map((b) => [b.label, b.value]))}</figure>
</div>`;
    send(res, P.dashboard.title, body, 'dashboard', 200, [chartUrl, scriptUrl]);
  });

  // ---- overdue list ---------------------------------------------------------------------

  router.get('/qua-han', async (req, res) => {
    const actor = actorOf(res);
    const atText = str(req.query.at);
    const at = atText ? parseInstant(atText) : undefined;
    if (atText && at === undefined) throw new WorkflowError('invalid_input', fill(P.invalid.at, { text: atText }));
    const agencyText = str(req.query.agency) || undefined;
    const list = await workflow.overdue(actor, { ...(agencyText ? { agency: agencyText } : {}), ...(at !== undefined ? { at } : {}) });
    const own = visibleAgency(actor);
    const total = list.agencies.reduce((s, a) => s + a.items.length, 0);
    const picker = own
      ? ''
      : `<div><label for="agency">${esc(P.common.agency)}</label><select id="agency" name="agency"><option value="">${esc(P.common.all)}</option>${data.agencies
          .inReportOrder()
          .map((a) => `<option value="${esc(a.code)}"${list.agencies.length === 1 && agencyText && list.agencies[0].agency === a.code ? ' selected' : ''}>${esc(a.name)}</option>`)
          .join('')}</select></div>`;
    const sections = list.agencies
      .map(
        (a) => `<section class="agency-overdue" data-agency="${esc(a.agency)}"><h2>${esc(a.name)} <span class="muted">(${esc(fill(P.overdue.count, { count: a.items.length }))})</span></h2>${
          a.items.length === 0
            ? `<p class="muted">${esc(P.overdue.none)}</p>`
            : `<div class="table-wrap"><table class="cards"><thead><tr><th>${esc(P.overdue.question)}</th><th>${esc(P.common.overdue)}</th><th>${esc(P.overdue.due)}</th><th class="num">${esc(P.overdue.days)}</th><th>${esc(P.common.text)}</th></tr></thead><tbody>${a.items
                .map(
                  (o) =>
                    `<tr data-q="${esc(o.q)}" data-days="${o.workingDaysOverdue}" data-deadline="${o.deadline}"><td><a href="/quan-tri/cau-hoi/${encodeURIComponent(o.q)}">${esc(o.q)}</a></td><td data-th="${esc(P.common.overdue)}">${esc(DEADLINE_VI[o.deadline])}</td><td data-th="${esc(P.overdue.due)}">${esc(dateTimeVi(o.due))}</td><td data-th="${esc(P.overdue.days)}" class="num late">${o.workingDaysOverdue}</td><td>${esc(excerpt(o.text, 140))}</td></tr>`,
                )
                .join('')}</tbody></table></div>`
        }</section>`,
      )
      .join('');
    send(
      res,
      P.overdue.title,
      `<h1>${esc(P.overdue.title)}</h1>
<form method="get" action="/quan-tri/qua-han" class="inline card">${picker}<div><label for="at">${esc(P.overdue.at)}</label><input id="at" name="at" value="${esc(atText ?? '')}" placeholder="2023-09-25T17:00:00+07:00"></div><button class="primary" type="submit">${esc(P.common.show)}</button></form>
<p class="muted">${esc(fill(P.overdue.summary, { at: dateTimeVi(list.at), count: total }))}</p>${sections || `<p>${esc(P.overdue.none)}</p>`}`,
      'overdue',
    );
  });

  // ---- question queue -------------------------------------------------------------------

  router.get('/cau-hoi', async (req, res) => {
    const actor = actorOf(res);
    const status = str(req.query.status);
    if (status && !STATUSES.includes(status as QuestionStatus)) throw new WorkflowError('invalid_input', P.invalid.status);
    const agencyText = str(req.query.agency) || undefined;
    const overdueOnly = req.query.overdue === '1';
    const offset = Math.max(0, Number.parseInt(str(req.query.offset) ?? '0', 10) || 0);
    const limit = 50;
    const list = await workflow.listQuestions(actor, {
      ...(agencyText ? { agency: agencyText } : {}),
      ...(status ? { status: [status as QuestionStatus] } : {}),
      overdue: overdueOnly,
      limit,
      offset,
    });
    const own = visibleAgency(actor);
    const query = (extra: Record<string, string | number>) =>
      new URLSearchParams({ ...(status ? { status } : {}), ...(agencyText ? { agency: agencyText } : {}), ...(overdueOnly ? { overdue: '1' } : {}), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) }).toString();
    const rows = list.items
      .map(
        (s) =>
          `<tr data-q="${esc(s.q)}" data-agency="${esc(s.agency ?? '')}"><td><a href="/quan-tri/cau-hoi/${encodeURIComponent(s.q)}">${esc(s.q)}</a><div class="muted">${esc(dateTimeVi(s.submittedAt))}</div></td><td>${esc(STATUS_VI[s.status])}${
            s.overdue ? `<div class="late">${esc(fill(P.common.lateBy, { what: DEADLINE_VI[s.overdue.deadline], days: s.overdue.workingDaysOverdue }))}</div>` : ''
          }</td><td data-th="${esc(P.common.agency)}">${esc(s.agencyName ?? '—')}</td><td>${esc(excerpt(s.text, 160))}</td></tr>`,
      )
      .join('');
    const pager = [
      offset > 0 ? `<a href="/quan-tri/cau-hoi?${query({ offset: Math.max(0, offset - limit) })}">← ${esc(P.questions.previous)}</a>` : '',
      offset + limit < list.total ? `<a href="/quan-tri/cau-hoi?${query({ offset: offset + limit })}">${esc(P.questions.next)} →</a>` : '',
    ].join(' ');
    send(
      res,
      P.questions.title,
      `<h1>${esc(P.questions.title)}${own ? ` — ${esc(agencyName(own) ?? own)}` : ''}</h1>
<form method="get" action="/quan-tri/cau-hoi" class="inline card">
<div><label for="status">${esc(P.common.status)}</label><select id="status" name="status"><option value="">${esc(P.common.all)}</option>${STATUSES.map((s) => `<option value="${s}"${s === status ? ' selected' : ''}>${esc(STATUS_VI[s])}</option>`).join('')}</select></div>
${own ? '' : `<div><label for="agency">${esc(P.common.agency)}</label><select id="agency" name="agency"><option value="">${esc(P.common.all)}</option>${data.agencies.inReportOrder().map((a) => `<option value="${esc(a.code)}"${a.code === list.agency ? ' selected' : ''}>${esc(a.name)}</option>`).join('')}</select></div>`}
<div><label><input type="checkbox" name="overdue" value="1"${overdueOnly ? ' checked' : ''}> ${esc(P.questions.overdueOnly)}</label></div>
<button class="primary" type="submit">${esc(P.questions.filter)}</button></form>
<p class="muted">${esc(fill(P.questions.count, { count: list.total, shown: list.total > limit ? fill(P.questions.shown, { first: offset + 1, last: Math.min(offset + limit, list.total) }) : '' }))}</p>
<div class="table-wrap"><table id="questions" class="cards"><thead><tr><th>${esc(P.questions.id)}</th><th>${esc(P.common.status)}</th><th>${esc(P.common.agency)}</th><th>${esc(P.common.text)}</th></tr></thead><tbody>${rows || `<tr><td colspan="4">${esc(P.questions.none)}</td></tr>`}</tbody></table></div>
<p>${pager}</p>`,
      'questions',
    );
  });

  router.get('/cau-hoi/:q', async (req, res) => {
    const actor = actorOf(res);
    const q = String(req.params.q);
    const d = await workflow.questionDetail(actor, q, { router: deps.router });
    const photos: PhotoInfo[] = deps.photos ? await questionPhotos({ ledger: workflow.deps.ledger, photos: deps.photos }, { q: d.q }, actor) : [];
    const open = d.status === 'assigned' || d.status === 'accepted';
    const may = (action: Action) => can(actor, action, d.agency);
    const csrf = csrfField(ctxOf(res).viewer);
    const action = (name: string) => `/quan-tri/cau-hoi/${encodeURIComponent(q)}/${name}`;
    // Forward and assign to today's agencies only: the ledger refuses a new case at one that has ended.
    const agencyOptions = (selected?: string) =>
      data.agencies
        .inForceOnDay(data.clock.dayOf(now()))
        .filter((a) => a.code !== d.agency)
        .map((a) => `<option value="${esc(a.code)}"${a.code === selected ? ' selected' : ''}>${esc(a.name)}</option>`)
        .join('');
    const forms: string[] = [];
    if (open && may('accept') && !d.current?.accepted)
      forms.push(`<form method="post" action="${action('accept')}" id="form-accept">${csrf}<strong>${esc(P.question.accept.title)}</strong><span class="muted">${esc(fill(P.question.accept.due, { due: dateTimeVi(d.current?.acceptDue) }))}</span><button class="primary" type="submit">${esc(P.question.accept.title)}</button></form>`);
    if (open && may('forward'))
      forms.push(
        `<form method="post" action="${action('forward')}" id="form-forward">${csrf}<strong>${esc(P.question.forward.title)}</strong>${
          d.suggestion ? `<span class="muted">${esc(fill(P.question.forward.suggestion, { agency: d.suggestion.name, percent: Math.round(d.suggestion.confidence * 100) }))}</span>` : ''
        }<label for="fw-agency">${esc(P.question.forward.to)}</label><select id="fw-agency" name="agency">${agencyOptions(d.suggestion?.agency)}</select><label for="fw-reason">${esc(P.common.reason)}</label><input id="fw-reason" name="reason" required value="${
          d.suggestion ? esc(fill(P.question.forward.reason, { agency: d.suggestion.name })) : ''
        }"><button class="primary" type="submit">${esc(P.question.forward.button)}</button></form>`,
      );
    if (open && may('extend') && d.current && !d.current.extension && workflow.now() <= Date.parse(d.current.baseAnswerDue)) {
      const max = data.rules.at(Date.parse(d.current?.start ?? '') || workflow.now()).deadlines.extension.maxWorkingDays;
      forms.push(
        `<form method="post" action="${action('extend')}" id="form-extend">${csrf}<strong>${esc(P.question.extend.title)}</strong><span class="muted">${esc(fill(P.question.extend.note, { due: dateTimeVi(d.current?.answerDue), max }))}</span><label for="ex-days">${esc(P.question.extend.days)}</label><input id="ex-days" name="days" type="number" min="1" max="${max}" value="${max}" required><label for="ex-reason">${esc(P.common.reason)}</label><input id="ex-reason" name="reason" required><button class="primary" type="submit">${esc(P.question.extend.title)}</button></form>`,
      );
    }
    const pending = d.latestDraft?.status === 'pending' ? d.latestDraft : undefined;
    if (open && may('draft'))
      forms.push(
        `<form method="post" action="${action('draft')}" id="form-draft">${csrf}<strong>${esc(P.question.draft.title)}</strong><label for="dr-text">${esc(P.question.draft.label)}</label><textarea id="dr-text" name="text" required>${esc(d.latestDraft?.status === 'returned' ? d.latestDraft.text : '')}</textarea><button class="primary" type="submit">${esc(P.question.draft.button)}</button></form>`,
      );
    if (open && may('approve')) {
      forms.push(
        `<form method="post" action="${action('approve')}" id="form-approve">${csrf}<strong>${esc(P.question.approve.title)}</strong><span class="muted">${esc(pending ? P.question.approve.pending : P.question.approve.noDraft)}</span><label for="ap-text">${esc(P.question.approve.label)}</label><textarea id="ap-text" name="text" required>${esc(pending?.text ?? '')}</textarea><button class="primary" type="submit">${esc(P.question.approve.button)}</button></form>`,
      );
      if (pending)
        forms.push(
          `<form method="post" action="${action('return')}" id="form-return">${csrf}<strong>${esc(P.question.return.title)}</strong><label for="rt-comment">${esc(P.question.return.label)}</label><textarea id="rt-comment" name="comment" required></textarea><button class="primary" type="submit">${esc(P.question.return.button)}</button></form>`,
        );
    }
    if ((open || d.status === 'submitted') && may('assign'))
      forms.push(
        `<form method="post" action="${action('assign')}" id="form-assign">${csrf}<strong>${esc(d.status === 'submitted' ? P.question.assign.title : P.question.assign.again)}</strong><label for="as-agency">${esc(P.common.agency)}</label><select id="as-agency" name="agency">${agencyOptions(d.suggestion?.agency)}</select><label for="as-reason">${esc(P.question.assign.note)}</label><input id="as-reason" name="reason"><button class="primary" type="submit">${esc(P.question.assign.button)}</button></form>`,
      );
    if (open && may('delete'))
      forms.push(
        `<form method="post" action="${action('delete')}" id="form-delete">${csrf}<strong>${esc(P.question.delete.title)}</strong><label for="de-reason">${esc(P.common.reason)}</label><select id="de-reason" name="reason">${DELETE_REASONS.map((r) => `<option value="${r}">${esc(DELETE_REASON_VI[r] ?? r)}</option>`).join('')}</select><button class="primary" type="submit">${esc(P.question.delete.button)}</button></form>`,
      );
    const flash = str(req.query.da) && DONE[String(req.query.da)] ? `<p class="flash" role="status">${esc(DONE[String(req.query.da)])}</p>` : '';
    const facts: Array<[string, string]> = [
      [P.common.status, STATUS_VI[d.status]],
      [P.common.agency, d.agencyName ?? '—'],
      [F.submittedAt, dateTimeVi(d.submittedAt)],
      [F.channel, d.channel],
      ...(d.current ? ([[F.acceptDue, dateTimeVi(d.current.acceptDue)], [F.answerDue, dateTimeVi(d.current.answerDue)]] as Array<[string, string]>) : []),
      ...(d.overdue ? ([[P.common.overdue, fill(F.lateDays, { what: DEADLINE_VI[d.overdue.deadline], days: d.overdue.workingDaysOverdue })]] as Array<[string, string]>) : []),
      ...(d.asker?.name ? ([[F.asker, d.asker.name]] as Array<[string, string]>) : []),
      ...(d.asker?.contact ? ([[F.contact, d.asker.contact]] as Array<[string, string]>) : []),
      ...(d.asker?.locality ? ([[F.locality, d.asker.locality]] as Array<[string, string]>) : []),
      ...(d.rating !== undefined ? ([[F.rating, `${d.rating}★`]] as Array<[string, string]>) : []),
    ];
    const answer = [...d.events].reverse().find((e) => e.type === 'answered');
    const people = new Map<string, string>();
    for (const e of d.events) {
      const id = /^[a-z]+:(.+)$/.exec(str(e.by) ?? '')?.[1];
      if (id && !people.has(id)) people.set(id, (await backoffice.getAccount(id))?.name ?? id);
    }
    const byName = (by: string | undefined) => {
      const m = /^([a-z]+):(.+)$/.exec(by ?? '');
      return m && m[1] in ROLE_VI ? `${people.get(m[2]) ?? m[2]} (${ROLE_VI[m[1] as keyof typeof ROLE_VI]})` : (by ?? '');
    };
    const D = P.question.latestDraft;
    const draftBlock = d.latestDraft
      ? `<section id="latest-draft" data-status="${esc(d.latestDraft.status)}"><h2>${esc(fill(D.title, { status: D.status[d.latestDraft.status] }))}</h2><div class="q-text" id="draft-text">${esc(d.latestDraft.text)}</div><p class="muted">${esc(
          fill(D.author, { author: d.latestDraft.authorName ?? d.latestDraft.author, at: dateTimeVi(d.latestDraft.createdAt), comment: d.latestDraft.comment ? fill(D.comment, { comment: d.latestDraft.comment }) : '' }),
        )}</p>${pending && d.draftChanges ? draftChanges(d.draftChanges) : ''}</section>`
      : '';
    send(
      res,
      d.q,
      `<h1>${esc(fill(P.question.title, { q: d.q }))}</h1>${flash}
<dl class="facts card">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<h2>${esc(P.common.text)}</h2><div class="q-text" id="question-text">${esc(d.text)}</div>
${
  photos.length > 0
    ? `<h2>${esc(fill(P.question.photos.heading, { count: photos.length }))}</h2><p class="muted">${esc(P.question.photos.note)}</p><div class="photos" id="question-photos">${photos
        .map((p) => {
          const src = `/quan-tri/cau-hoi/${encodeURIComponent(d.q)}/anh/${p.n}`;
          return `<a href="${src}"><img src="${src}" alt="${esc(fill(P.question.photos.alt, { n: p.n, q: d.q }))}" loading="lazy" style="max-width:100%;max-height:16rem;margin:.25rem"></a>`;
        })
        .join('')}</div>`
    : ''
}
${answer ? `<h2>${esc(P.question.published)}</h2><div class="q-text">${esc(String(answer.text ?? ''))}</div>` : ''}
${draftBlock}
${forms.length > 0 ? `<h2>${esc(P.question.actions)}</h2><div class="actions">${forms.join('')}</div>` : ''}
<h2>${esc(H.title)}</h2><div class="table-wrap"><table><thead><tr><th>${esc(H.at)}</th><th>${esc(H.event)}</th><th>${esc(P.common.agency)}</th><th>${esc(H.by)}</th></tr></thead><tbody>${d.events
        .map((e) => `<tr><td>${esc(dateTimeVi(String(e.at ?? '')))}</td><td>${esc(EVENT_VI[String(e.type)] ?? String(e.type))}</td><td>${esc(agencyName(str(e.agency)) ?? '')}</td><td>${esc(byName(str(e.by)))}</td></tr>`)
        .join('')}</tbody></table></div>`,
      'questions',
    );
  });

  // A photo of the question, for its page: the same permission as the question, never cached.
  router.get('/cau-hoi/:q/anh/:n', async (req, res) => {
    const n = /^\d{1,3}$/.test(String(req.params.n)) ? Number(req.params.n) : 0;
    if (!deps.photos || n < 1) throw new WorkflowError('not_found', 'no such photo');
    const photo = await questionPhoto({ ledger: workflow.deps.ledger, photos: deps.photos }, { q: String(req.params.q), n }, actorOf(res));
    res.set({ 'Content-Type': photo.type, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox" });
    res.send(photo.bytes);
  });

  router.post('/cau-hoi/:q/:action', async (req, res) => {
    const actor = actorOf(res);
    const q = String(req.params.q);
    const name = String(req.params.action);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (field: string) => str(body[field]) ?? '';
    switch (name) {
      case 'accept':
        await workflow.accept(actor, q);
        break;
      case 'forward': {
        let agency = text('agency');
        if (!agency) agency = (await workflow.suggestForward(actor, q, deps.router))?.agency ?? '';
        await workflow.forward(actor, q, { agency, reason: text('reason') });
        break;
      }
      case 'extend':
        await workflow.extend(actor, q, { days: /^\d+$/.test(text('days')) ? Number(text('days')) : Number.NaN, reason: text('reason') });
        break;
      case 'draft':
        await workflow.draft(actor, q, { text: text('text') });
        break;
      case 'approve':
        await workflow.approve(actor, q, text('text').trim() ? { text: text('text') } : {});
        break;
      case 'return':
        await workflow.returnDraft(actor, q, { comment: text('comment') });
        break;
      case 'delete':
        await workflow.delete(actor, q, { reason: text('reason') });
        break;
      case 'assign':
        await workflow.assign(actor, q, { agency: text('agency'), ...(text('reason').trim() ? { reason: text('reason') } : {}) });
        break;
      default:
        throw new WorkflowError('not_found', fill(P.invalid.action, { name }));
    }
    logger.info('console action', { requestId: res.locals.requestId, action: name, q, account: actor.id });
    // After a forward the question may have left the actor's queue: back to the list then.
    const stillVisible = await workflow.questionDetail(actor, q).then(
      () => true,
      () => false,
    );
    res.redirect(303, stillVisible ? `/quan-tri/cau-hoi/${encodeURIComponent(q)}?da=${name}` : `/quan-tri/cau-hoi?da=${name}`);
  });

  // ---- Phụ biểu 02 ----------------------------------------------------------------------

  const reportPeriod = (req: Request, res: Response) => {
    if (!can(actorOf(res), 'report')) throw new WorkflowError('forbidden', P.invalid.reportForbidden);
    const today = data.clock.dayOf(workflow.now());
    const fromDay = dayOr(req.query.from, parseDay(`${formatDay(today).slice(0, 4)}-01-01`) as number);
    const toDay = dayOr(req.query.to, today);
    if (toDay < fromDay) throw new WorkflowError('invalid_input', P.invalid.period);
    return { fromDay, toDay };
  };

  router.get('/phu-bieu-02', async (req, res) => {
    const period = reportPeriod(req, res);
    const report = await appendix02Report(store, data, period);
    const { rows, totals } = report.table;
    const q = new URLSearchParams({ from: formatDay(period.fromDay), to: formatDay(period.toDay) });
    const reportNumber = str(req.query.reportNumber) ?? '';
    const reportDate = str(req.query.reportDate) ?? '';
    if (reportNumber) q.set('reportNumber', reportNumber);
    if (reportDate) q.set('reportDate', reportDate);
    const cells = (r: (typeof rows)[number]) => [r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted];
    send(
      res,
      P.report.title,
      `<h1>${esc(P.report.title)}</h1>
<form method="get" action="/quan-tri/phu-bieu-02" class="inline card"><div><label for="from">${esc(P.common.from)}</label><input id="from" name="from" type="date" value="${formatDay(period.fromDay)}"></div>
<div><label for="to">${esc(P.common.to)}</label><input id="to" name="to" type="date" value="${formatDay(period.toDay)}"></div>
<div><label for="reportNumber">${esc(P.report.number)}</label><input id="reportNumber" name="reportNumber" value="${esc(reportNumber)}" size="6"></div>
<div><label for="reportDate">${esc(P.report.date)}</label><input id="reportDate" name="reportDate" type="date" value="${esc(reportDate)}"></div>
<button class="primary" type="submit">${esc(P.report.make)}</button></form>
<p>${esc(P.report.download)} ${FORMATS.map((f) => `<a class="button" id="download-${f}" href="/quan-tri/phu-bieu-02/tai-ve?${q.toString()}&amp;format=${f}">${f.toUpperCase()}</a>`).join(' ')}</p>
<p class="muted">${esc(fill(P.report.period, { from: formatDayVi(period.fromDay), to: formatDayVi(period.toDay) }))}</p>
<div class="table-wrap"><table id="appendix02"><thead><tr><th>${esc(C.row)}</th><th>${esc(C.name)}</th>${[C.total, C.answered, C.awaitingAnswer, C.awaitingAcceptance, C.deleted, C.score].map((h) => `<th class="num">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr data-agency="${esc(r.agency)}"><td>${r.row}</td><td>${esc(r.name)}</td>${cells(r).map((c) => `<td class="num">${c}</td>`).join('')}<td class="num">${r.score}</td></tr>`)
        .join('')}<tr><th></th><th>${esc(P.report.totals)}</th>${[totals.total, totals.answered, totals.awaitingAnswer, totals.awaitingAcceptance, totals.deleted].map((c) => `<th class="num">${c}</th>`).join('')}<th></th></tr></tbody></table></div>
<h2>${esc(P.report.summary)}</h2><p>${esc(report.summary)}</p>`,
      'report',
    );
  });

  router.get('/phu-bieu-02/tai-ve', async (req, res) => {
    const period = reportPeriod(req, res);
    const format = str(req.query.format) as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new WorkflowError('invalid_input', fill(P.invalid.format, { formats: FORMATS.join(', ') }));
    const reportNumber = str(req.query.reportNumber) || undefined;
    const reportDate = str(req.query.reportDate) || undefined;
    const reportDay = reportDate ? parseDay(reportDate) : undefined;
    if (reportDate && reportDay === undefined) throw new WorkflowError('invalid_input', P.invalid.reportDate);
    const report = await appendix02Report(store, data, period);
    const content = await renderReport(report, format, data, { headers: 'vi', ...(reportNumber ? { reportNumber } : {}), ...(reportDay !== undefined ? { reportDay } : {}) });
    res.type(CONTENT_TYPES[format]);
    res.setHeader('content-disposition', `attachment; filename="phu-bieu-02_${formatDay(period.fromDay)}_${formatDay(period.toDay)}.${format}"`);
    res.send(content);
  });

  // ---- accounts' console sessions (admins) ------------------------------------------------------

  const METHOD_VI: Record<SignInMethod, string> = T.sessions.method;
  const adminOnly = (res: Response): Account => {
    const actor = ctxOf(res).account;
    if (!can(actor, 'manage_accounts')) throw new WorkflowError('forbidden', T.sessions.adminsOnly);
    return actor;
  };
  const accountOr404 = async (id: string): Promise<Account> => {
    const account = await backoffice.getAccount(id);
    if (!account) throw new WorkflowError('not_found', fill(P.invalid.account, { id }));
    return account;
  };

  router.get('/tai-khoan', async (_req, res) => {
    adminOnly(res);
    const counts = await sessions.liveCounts(now());
    const list = await backoffice.listAccounts();
    const rows = list
      .map(
        (a) =>
          `<tr data-account="${esc(a.id)}"><td><a href="/quan-tri/tai-khoan/${encodeURIComponent(a.id)}">${esc(a.name)}</a>${a.active ? '' : ` <span class="muted">(${esc(P.accounts.inactive)})</span>`}</td><td data-th="${esc(U.role)}">${esc(ROLE_VI[a.role])}</td><td data-th="${esc(P.common.agency)}">${esc(agencyName(a.agency) ?? '—')}</td><td data-th="${esc(U.open)}" class="num">${counts.get(a.id) ?? 0}</td></tr>`,
      )
      .join('');
    send(
      res,
      U.title,
      `<h1>${esc(U.title)}</h1><p class="muted">${esc(P.accounts.intro)}</p>
<div class="table-wrap"><table class="cards"><thead><tr><th>${esc(U.title)}</th><th>${esc(U.role)}</th><th>${esc(P.common.agency)}</th><th class="num">${esc(U.open)}</th></tr></thead><tbody>${rows}</tbody></table></div>`,
      'accounts',
    );
  });

  router.get('/tai-khoan/:id', async (req, res) => {
    adminOnly(res);
    const account = await accountOr404(String(req.params.id));
    const ctx = ctxOf(res);
    const mine = sessions.handleOf(ctx.sessionId);
    const live = await sessions.live(account.id, now());
    const base = `/quan-tri/tai-khoan/${encodeURIComponent(account.id)}`;
    const done = req.query.xong === '1' ? `<p class="flash" role="status">${esc(T.sessions.revoked)}</p>` : req.query.xong === '0' ? `<p class="error" role="alert">${esc(T.sessions.alreadyEnded)}</p>` : '';
    const rows = live
      .map(
        (s) =>
          `<tr data-session="${esc(s.handle)}"><td data-th="${esc(U.openedAt)}">${esc(dateTimeVi(data.clock.format(s.createdAt)))}${s.handle === mine ? ` <strong>(${esc(P.accounts.thisSession)})</strong>` : ''}</td><td data-th="${esc(U.method)}">${esc(METHOD_VI[s.method])}</td><td data-th="${esc(U.browser)}">${esc(excerpt(s.userAgent ?? '—', 60))}</td><td data-th="${esc(U.expires)}">${esc(dateTimeVi(data.clock.format(s.expiresAt)))}</td><td><form method="post" action="${base}/phien/${esc(s.handle)}/thu-hoi">${csrfField(ctx.viewer)}<button type="submit">${esc(U.revoke)}</button></form></td></tr>`,
      )
      .join('');
    send(
      res,
      fill(P.accounts.pageTitle, { name: account.name }),
      `<h1>${esc(account.name)}</h1><p>${esc(ROLE_VI[account.role])}${account.agency ? `, ${esc(agencyName(account.agency) ?? account.agency)}` : ''}${account.active ? '' : ` — ${esc(U.inactive)}`}</p>${done}
<h2>${esc(fill(P.accounts.sessions, { count: live.length }))}</h2>
${
  live.length === 0
    ? `<p class="muted">${esc(P.accounts.noSessions)}</p>`
    : `<div class="table-wrap"><table class="cards"><thead><tr><th>${esc(U.openedAt)}</th><th>${esc(U.method)}</th><th>${esc(U.browser)}</th><th>${esc(U.expires)}</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form method="post" action="${base}/thu-hoi-phien">${csrfField(ctx.viewer)}<button type="submit" class="primary">${esc(P.accounts.revokeAll)}</button></form>`
}<p><a href="/quan-tri/tai-khoan">← ${esc(P.accounts.back)}</a></p>`,
      'accounts',
    );
  });

  router.post('/tai-khoan/:id/phien/:handle/thu-hoi', async (req, res) => {
    const actor = adminOnly(res);
    const account = await accountOr404(String(req.params.id));
    const revoked = await sessions.revokeHandle(account.id, String(req.params.handle), now());
    if (revoked) logger.warn('console: session revoked by an admin', { requestId: res.locals.requestId, by: actor.id, account: account.id, session: String(req.params.handle) });
    res.redirect(303, `/quan-tri/tai-khoan/${encodeURIComponent(account.id)}?xong=${revoked ? 1 : 0}`);
  });

  router.post('/tai-khoan/:id/thu-hoi-phien', async (req, res) => {
    const actor = adminOnly(res);
    const account = await accountOr404(String(req.params.id));
    const revoked = await sessions.revokeAccount(account.id, now());
    logger.warn('console: all sessions of an account revoked by an admin', { requestId: res.locals.requestId, by: actor.id, account: account.id, revoked });
    res.redirect(303, `/quan-tri/tai-khoan/${encodeURIComponent(account.id)}?xong=${revoked > 0 ? 1 : 0}`);
  });

  router.use((req: Request, res: Response) => send(res, T.errorTitle.not_found, `<h1>${esc(T.errorTitle.not_found)}</h1><p>${esc(fill(P.notFound, { path: req.path }))}</p>`, undefined, 404));

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof WorkflowError) {
      const [status, title] = [ERROR_STATUS[err.code], T.errorTitle[err.code]];
      const back = req.method === 'POST' && req.params.q ? `<p><a href="/quan-tri/cau-hoi/${encodeURIComponent(String(req.params.q))}">← ${esc(P.backToQuestion)}</a></p>` : '';
      const body = `<h1>${esc(title)}</h1><p class="error" role="alert">${esc(err.message)}</p>${back}`;
      if (res.locals.console) return send(res, title, body, undefined, status);
      return res.status(status).type('html').send(page(title, body));
    }
    next(err);
  });

  return router;
}

const EVENT_VI: Record<string, string> = T.event;

