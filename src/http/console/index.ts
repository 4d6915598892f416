import express, { type NextFunction, type Request, type Response } from 'express';
import type { Workflow, WorkflowActor } from '../../backoffice/actions';
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
import { barChart, columnChart } from './charts';
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
// The console's messages are data (data/texts/vi.json, staff.console).
const T = STAFF_TEXTS.console;
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
  if (typeof text === 'string' && text !== '' && day === undefined) throw new WorkflowError('invalid_input', `Ngày "${text}" không đúng dạng YYYY-MM-DD`);
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
          'Đăng nhập',
          `<h1>Đăng nhập</h1>${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/quan-tri/dang-nhap" class="card" style="max-width:28rem">
<label for="token">Mã liên kết hoặc mã truy cập của tài khoản</label>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%">
<p class="muted">Mã liên kết (dạng XXXXX-XXXXX) do quản trị viên cấp (<code>hoidap account link-code</code>), dùng được một lần và hết hạn sau ${data.policy.linking.codeTtlMinutes} phút; hoặc mã truy cập cấp khi tạo tài khoản (<code>hoidap account create</code> hoặc <code>POST /api/v1/accounts</code>). Phiên đăng nhập hết hạn sau ${ttlSeconds >= 3600 ? `${Math.round(ttlSeconds / 3600)} giờ` : `${Math.round(ttlSeconds / 60)} phút`}.</p>
<button class="primary" type="submit">Đăng nhập</button></form>`,
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
        .send(page('Yêu cầu bị từ chối', `<h1>Yêu cầu bị từ chối</h1><p class="error">Thiếu mã chống giả mạo (CSRF) của phiên. Hãy tải lại trang rồi thử lại.</p>`));
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
  const send = (res: Response, title: string, body: string, current?: string, status = 200) =>
    res.status(status).type('html').send(page(title, body, ctxOf(res).viewer, current));

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
    if (toDay < fromDay) throw new WorkflowError('invalid_input', 'Ngày kết thúc phải sau ngày bắt đầu');
    const own = visibleAgency(actor);
    if ((actor.role === 'officer' || actor.role === 'approver') && !own) throw new WorkflowError('forbidden', 'Tài khoản chưa gắn với cơ quan nào');
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

    const table = (head: string[], rows: Array<Array<string | number>>) =>
      `<details><summary class="muted">Bảng số liệu</summary><div class="table-wrap"><table><thead><tr>${head.map((h, i) => `<th${i > 0 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`)
        .join('')}</tbody></table></div></details>`;
    const body = `<h1>Tổng quan${own ? ` — ${esc(agencyName(own) ?? own)}` : ''}</h1>
<form method="get" action="/quan-tri" class="inline card"><div><label for="from">Từ ngày</label><input id="from" name="from" type="date" value="${formatDay(fromDay)}"></div>
<div><label for="to">Đến ngày</label><input id="to" name="to" type="date" value="${formatDay(toDay)}"></div><button class="primary" type="submit">Xem</button></form>
<p class="muted">Số liệu từ ${formatDayVi(fromDay)} đến ${formatDayVi(toDay)}; quá hạn tính đến ${esc(dateTimeVi(overdue.at))}.</p>
<div class="grid">
<figure class="card"><figcaption>Số câu hỏi theo tháng (${submitted.length} câu)</figcaption>${columnChart('chart-months', 'Số câu hỏi theo tháng', perMonth, { unit: 'câu hỏi' })}${table(['Tháng', 'Số câu hỏi'], perMonth.map((b) => [b.label, b.value]))}</figure>
<figure class="card"><figcaption>Đánh giá của người hỏi (${rated} lượt${mean !== undefined ? `, trung bình ${mean.toLocaleString('vi-VN', { maximumFractionDigits: 2 })}★` : ''})</figcaption>${columnChart('chart-ratings', 'Đánh giá của người hỏi', ratings, { unit: 'lượt' })}${table(['Mức', 'Số lượt'], ratings.map((b) => [b.label, b.value]))}</figure>
<figure class="card"><figcaption>Tỷ lệ trả lời đúng hạn theo cơ quan</figcaption>${barChart('chart-ontime', 'Tỷ lệ trả lời đúng hạn theo cơ quan', onTime, { max: 100, unit: '' })}<p class="muted">Câu hỏi đủ điều kiện trả lời không bị tiếp nhận, trả lời chậm (theo Phụ biểu 02 của kỳ).</p>${table(['Cơ quan', 'Đúng hạn'], onTime.map((b) => [b.label, b.text]))}</figure>
<figure class="card"><figcaption>Câu hỏi đang quá hạn theo cơ quan</figcaption>${barChart('chart-overdue', 'Câu hỏi đang quá hạn theo cơ quan', overdueBars, { unit: 'câu hỏi' })}<p class="muted"><a href="/quan-tri/qua-han">Xem danh sách quá hạn</a></p>${table(['Cơ quan', 'Quá hạn'], overdueBars.map((b) => [b.label, b.value]))}</figure>
</div>`;
    send(res, 'Tổng quan', body, 'dashboard');
  });

  // ---- overdue list ---------------------------------------------------------------------

  router.get('/qua-han', async (req, res) => {
    const actor = actorOf(res);
    const atText = str(req.query.at);
    const at = atText ? parseInstant(atText) : undefined;
    if (atText && at === undefined) throw new WorkflowError('invalid_input', `Thời điểm "${atText}" phải viết dạng 2023-09-25T17:00:00+07:00`);
    const agencyText = str(req.query.agency) || undefined;
    const list = await workflow.overdue(actor, { ...(agencyText ? { agency: agencyText } : {}), ...(at !== undefined ? { at } : {}) });
    const own = visibleAgency(actor);
    const total = list.agencies.reduce((s, a) => s + a.items.length, 0);
    const picker = own
      ? ''
      : `<div><label for="agency">Cơ quan</label><select id="agency" name="agency"><option value="">Tất cả</option>${data.agencies
          .inReportOrder()
          .map((a) => `<option value="${esc(a.code)}"${list.agencies.length === 1 && agencyText && list.agencies[0].agency === a.code ? ' selected' : ''}>${esc(a.name)}</option>`)
          .join('')}</select></div>`;
    const sections = list.agencies
      .map(
        (a) => `<section class="agency-overdue" data-agency="${esc(a.agency)}"><h2>${esc(a.name)} <span class="muted">(${a.items.length} câu)</span></h2>${
          a.items.length === 0
            ? '<p class="muted">Không có câu hỏi quá hạn.</p>'
            : `<div class="table-wrap"><table class="cards"><thead><tr><th>Câu hỏi</th><th>Quá hạn</th><th>Hạn</th><th class="num">Số ngày làm việc quá hạn</th><th>Nội dung</th></tr></thead><tbody>${a.items
                .map(
                  (o) =>
                    `<tr data-q="${esc(o.q)}" data-days="${o.workingDaysOverdue}" data-deadline="${o.deadline}"><td><a href="/quan-tri/cau-hoi/${encodeURIComponent(o.q)}">${esc(o.q)}</a></td><td data-th="Quá hạn">${esc(DEADLINE_VI[o.deadline])}</td><td data-th="Hạn">${esc(dateTimeVi(o.due))}</td><td data-th="Số ngày làm việc quá hạn" class="num late">${o.workingDaysOverdue}</td><td>${esc(excerpt(o.text, 140))}</td></tr>`,
                )
                .join('')}</tbody></table></div>`
        }</section>`,
      )
      .join('');
    send(
      res,
      'Câu hỏi quá hạn',
      `<h1>Câu hỏi quá hạn</h1>
<form method="get" action="/quan-tri/qua-han" class="inline card">${picker}<div><label for="at">Tính đến (tùy chọn)</label><input id="at" name="at" value="${esc(atText ?? '')}" placeholder="2023-09-25T17:00:00+07:00"></div><button class="primary" type="submit">Xem</button></form>
<p class="muted">Tính đến ${esc(dateTimeVi(list.at))}: ${total} câu hỏi quá hạn. Số ngày quá hạn là ngày làm việc (trừ thứ Bảy, Chủ nhật và ngày nghỉ lễ).</p>${sections || '<p>Không có câu hỏi quá hạn.</p>'}`,
      'overdue',
    );
  });

  // ---- question queue -------------------------------------------------------------------

  router.get('/cau-hoi', async (req, res) => {
    const actor = actorOf(res);
    const status = str(req.query.status);
    if (status && !STATUSES.includes(status as QuestionStatus)) throw new WorkflowError('invalid_input', 'Trạng thái không hợp lệ');
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
            s.overdue ? `<div class="late">Quá hạn ${esc(DEADLINE_VI[s.overdue.deadline])} ${s.overdue.workingDaysOverdue} ngày làm việc</div>` : ''
          }</td><td data-th="Cơ quan">${esc(s.agencyName ?? '—')}</td><td>${esc(excerpt(s.text, 160))}</td></tr>`,
      )
      .join('');
    const pager = [
      offset > 0 ? `<a href="/quan-tri/cau-hoi?${query({ offset: Math.max(0, offset - limit) })}">← Trang trước</a>` : '',
      offset + limit < list.total ? `<a href="/quan-tri/cau-hoi?${query({ offset: offset + limit })}">Trang sau →</a>` : '',
    ].join(' ');
    send(
      res,
      'Câu hỏi',
      `<h1>Câu hỏi${own ? ` — ${esc(agencyName(own) ?? own)}` : ''}</h1>
<form method="get" action="/quan-tri/cau-hoi" class="inline card">
<div><label for="status">Trạng thái</label><select id="status" name="status"><option value="">Tất cả</option>${STATUSES.map((s) => `<option value="${s}"${s === status ? ' selected' : ''}>${esc(STATUS_VI[s])}</option>`).join('')}</select></div>
${own ? '' : `<div><label for="agency">Cơ quan</label><select id="agency" name="agency"><option value="">Tất cả</option>${data.agencies.inReportOrder().map((a) => `<option value="${esc(a.code)}"${a.code === list.agency ? ' selected' : ''}>${esc(a.name)}</option>`).join('')}</select></div>`}
<div><label><input type="checkbox" name="overdue" value="1"${overdueOnly ? ' checked' : ''}> Chỉ câu quá hạn</label></div>
<button class="primary" type="submit">Lọc</button></form>
<p class="muted">${list.total} câu hỏi${list.total > limit ? `, hiển thị ${offset + 1}–${Math.min(offset + limit, list.total)}` : ''}.</p>
<div class="table-wrap"><table id="questions" class="cards"><thead><tr><th>Mã</th><th>Trạng thái</th><th>Cơ quan</th><th>Nội dung</th></tr></thead><tbody>${rows || '<tr><td colspan="4">Không có câu hỏi.</td></tr>'}</tbody></table></div>
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
      forms.push(`<form method="post" action="${action('accept')}" id="form-accept">${csrf}<strong>Tiếp nhận</strong><span class="muted">Hạn tiếp nhận: ${esc(dateTimeVi(d.current?.acceptDue))}</span><button class="primary" type="submit">Tiếp nhận</button></form>`);
    if (open && may('forward'))
      forms.push(
        `<form method="post" action="${action('forward')}" id="form-forward">${csrf}<strong>Chuyển cơ quan khác</strong>${
          d.suggestion ? `<span class="muted">Gợi ý của hệ thống: ${esc(d.suggestion.name)} (độ tin cậy ${Math.round(d.suggestion.confidence * 100)}%)</span>` : ''
        }<label for="fw-agency">Chuyển đến</label><select id="fw-agency" name="agency">${agencyOptions(d.suggestion?.agency)}</select><label for="fw-reason">Lý do</label><input id="fw-reason" name="reason" required value="${
          d.suggestion ? esc(`Thuộc thẩm quyền của ${d.suggestion.name}`) : ''
        }"><button class="primary" type="submit">Chuyển</button></form>`,
      );
    if (open && may('extend') && d.current && !d.current.extension && workflow.now() <= Date.parse(d.current.baseAnswerDue)) {
      const max = data.rules.at(Date.parse(d.current?.start ?? '') || workflow.now()).deadlines.extension.maxWorkingDays;
      forms.push(
        `<form method="post" action="${action('extend')}" id="form-extend">${csrf}<strong>Gia hạn</strong><span class="muted">Hạn trả lời: ${esc(dateTimeVi(d.current?.answerDue))}; gia hạn một lần, tối đa ${max} ngày làm việc.</span><label for="ex-days">Số ngày làm việc</label><input id="ex-days" name="days" type="number" min="1" max="${max}" value="${max}" required><label for="ex-reason">Lý do</label><input id="ex-reason" name="reason" required><button class="primary" type="submit">Gia hạn</button></form>`,
      );
    }
    const pending = d.latestDraft?.status === 'pending' ? d.latestDraft : undefined;
    if (open && may('draft'))
      forms.push(
        `<form method="post" action="${action('draft')}" id="form-draft">${csrf}<strong>Soạn dự thảo trả lời</strong><label for="dr-text">Dự thảo</label><textarea id="dr-text" name="text" required>${esc(d.latestDraft?.status === 'returned' ? d.latestDraft.text : '')}</textarea><button class="primary" type="submit">Gửi dự thảo để duyệt</button></form>`,
      );
    if (open && may('approve')) {
      forms.push(
        `<form method="post" action="${action('approve')}" id="form-approve">${csrf}<strong>Duyệt và đăng câu trả lời</strong><span class="muted">${pending ? 'Dự thảo đang chờ duyệt ở dưới; có thể sửa trước khi duyệt.' : 'Chưa có dự thảo chờ duyệt: nội dung viết ở đây sẽ được đăng.'}</span><label for="ap-text">Câu trả lời</label><textarea id="ap-text" name="text" required>${esc(pending?.text ?? '')}</textarea><button class="primary" type="submit">Duyệt và đăng</button></form>`,
      );
      if (pending)
        forms.push(
          `<form method="post" action="${action('return')}" id="form-return">${csrf}<strong>Trả lại dự thảo</strong><label for="rt-comment">Ý kiến</label><textarea id="rt-comment" name="comment" required></textarea><button class="primary" type="submit">Trả lại</button></form>`,
        );
    }
    if ((open || d.status === 'submitted') && may('assign'))
      forms.push(
        `<form method="post" action="${action('assign')}" id="form-assign">${csrf}<strong>${d.status === 'submitted' ? 'Giao cho cơ quan' : 'Giao lại'}</strong><label for="as-agency">Cơ quan</label><select id="as-agency" name="agency">${agencyOptions(d.suggestion?.agency)}</select><label for="as-reason">Ghi chú (tùy chọn)</label><input id="as-reason" name="reason"><button class="primary" type="submit">Giao</button></form>`,
      );
    if (open && may('delete'))
      forms.push(
        `<form method="post" action="${action('delete')}" id="form-delete">${csrf}<strong>Xóa khỏi hàng đợi</strong><label for="de-reason">Lý do</label><select id="de-reason" name="reason">${DELETE_REASONS.map((r) => `<option value="${r}">${esc(DELETE_REASON_VI[r] ?? r)}</option>`).join('')}</select><button class="primary" type="submit">Xóa</button></form>`,
      );
    const flash = str(req.query.da) && DONE[String(req.query.da)] ? `<p class="flash" role="status">${esc(DONE[String(req.query.da)])}</p>` : '';
    const facts: Array<[string, string]> = [
      ['Trạng thái', STATUS_VI[d.status]],
      ['Cơ quan', d.agencyName ?? '—'],
      ['Gửi lúc', dateTimeVi(d.submittedAt)],
      ['Kênh', d.channel],
      ...(d.current ? ([['Hạn tiếp nhận', dateTimeVi(d.current.acceptDue)], ['Hạn trả lời', dateTimeVi(d.current.answerDue)]] as Array<[string, string]>) : []),
      ...(d.overdue ? ([['Quá hạn', `${DEADLINE_VI[d.overdue.deadline]}, ${d.overdue.workingDaysOverdue} ngày làm việc`]] as Array<[string, string]>) : []),
      ...(d.asker?.name ? ([['Người hỏi', d.asker.name]] as Array<[string, string]>) : []),
      ...(d.asker?.contact ? ([['Liên hệ', d.asker.contact]] as Array<[string, string]>) : []),
      ...(d.asker?.locality ? ([['Địa bàn', d.asker.locality]] as Array<[string, string]>) : []),
      ...(d.rating !== undefined ? ([['Đánh giá', `${d.rating}★`]] as Array<[string, string]>) : []),
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
    const draftBlock = d.latestDraft
      ? `<h2>Dự thảo mới nhất (${esc(d.latestDraft.status === 'pending' ? 'chờ duyệt' : d.latestDraft.status === 'approved' ? 'đã duyệt' : 'đã trả lại')})</h2><div class="q-text">${esc(d.latestDraft.text)}</div><p class="muted">Người soạn: ${esc(d.latestDraft.authorName ?? d.latestDraft.author)}, ${esc(dateTimeVi(d.latestDraft.createdAt))}${d.latestDraft.comment ? `. Ý kiến: ${esc(d.latestDraft.comment)}` : ''}</p>`
      : '';
    send(
      res,
      d.q,
      `<h1>Câu hỏi ${esc(d.q)}</h1>${flash}
<dl class="facts card">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<h2>Nội dung</h2><div class="q-text" id="question-text">${esc(d.text)}</div>
${
  photos.length > 0
    ? `<h2>Ảnh người hỏi gửi kèm (${photos.length})</h2><p class="muted">Chỉ cán bộ xử lý xem; không đăng công khai.</p><div class="photos" id="question-photos">${photos
        .map((p) => {
          const src = `/quan-tri/cau-hoi/${encodeURIComponent(d.q)}/anh/${p.n}`;
          return `<a href="${src}"><img src="${src}" alt="${esc(`Ảnh ${p.n} của câu hỏi ${d.q}`)}" loading="lazy" style="max-width:100%;max-height:16rem;margin:.25rem"></a>`;
        })
        .join('')}</div>`
    : ''
}
${answer ? `<h2>Câu trả lời đã đăng</h2><div class="q-text">${esc(String(answer.text ?? ''))}</div>` : ''}
${draftBlock}
${forms.length > 0 ? `<h2>Xử lý</h2><div class="actions">${forms.join('')}</div>` : ''}
<h2>Diễn biến</h2><div class="table-wrap"><table><thead><tr><th>Thời điểm</th><th>Sự kiện</th><th>Cơ quan</th><th>Người thực hiện</th></tr></thead><tbody>${d.events
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
        throw new WorkflowError('not_found', `Không có thao tác "${name}"`);
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
    if (!can(actorOf(res), 'report')) throw new WorkflowError('forbidden', 'Phụ biểu 02 dành cho biên tập viên và quản trị');
    const today = data.clock.dayOf(workflow.now());
    const fromDay = dayOr(req.query.from, parseDay(`${formatDay(today).slice(0, 4)}-01-01`) as number);
    const toDay = dayOr(req.query.to, today);
    if (toDay < fromDay) throw new WorkflowError('invalid_input', 'Ngày kết thúc phải sau ngày bắt đầu');
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
      'Phụ biểu 02',
      `<h1>Phụ biểu 02</h1>
<form method="get" action="/quan-tri/phu-bieu-02" class="inline card"><div><label for="from">Từ ngày</label><input id="from" name="from" type="date" value="${formatDay(period.fromDay)}"></div>
<div><label for="to">Đến ngày</label><input id="to" name="to" type="date" value="${formatDay(period.toDay)}"></div>
<div><label for="reportNumber">Số báo cáo (tùy chọn)</label><input id="reportNumber" name="reportNumber" value="${esc(reportNumber)}" size="6"></div>
<div><label for="reportDate">Ngày báo cáo (tùy chọn)</label><input id="reportDate" name="reportDate" type="date" value="${esc(reportDate)}"></div>
<button class="primary" type="submit">Lập bảng</button></form>
<p>Tải về: ${FORMATS.map((f) => `<a class="button" id="download-${f}" href="/quan-tri/phu-bieu-02/tai-ve?${q.toString()}&amp;format=${f}">${f.toUpperCase()}</a>`).join(' ')}</p>
<p class="muted">Kết quả tiếp nhận và trả lời câu hỏi từ ${formatDayVi(period.fromDay)} đến ${formatDayVi(period.toDay)}.</p>
<div class="table-wrap"><table id="appendix02"><thead><tr><th>STT</th><th>Tên cơ quan, đơn vị</th><th class="num">Tổng số câu hỏi</th><th class="num">Đã trả lời</th><th class="num">Chờ trả lời</th><th class="num">Chờ tiếp nhận</th><th class="num">Câu hỏi xóa</th><th class="num">Điểm</th></tr></thead><tbody>${rows
        .map((r) => `<tr data-agency="${esc(r.agency)}"><td>${r.row}</td><td>${esc(r.name)}</td>${cells(r).map((c) => `<td class="num">${c}</td>`).join('')}<td class="num">${r.score}</td></tr>`)
        .join('')}<tr><th></th><th>Tổng số</th>${[totals.total, totals.answered, totals.awaitingAnswer, totals.awaitingAcceptance, totals.deleted].map((c) => `<th class="num">${c}</th>`).join('')}<th></th></tr></tbody></table></div>
<h2>Tổng hợp</h2><p>${esc(report.summary)}</p>`,
      'report',
    );
  });

  router.get('/phu-bieu-02/tai-ve', async (req, res) => {
    const period = reportPeriod(req, res);
    const format = str(req.query.format) as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new WorkflowError('invalid_input', `Định dạng phải là ${FORMATS.join(', ')}`);
    const reportNumber = str(req.query.reportNumber) || undefined;
    const reportDate = str(req.query.reportDate) || undefined;
    const reportDay = reportDate ? parseDay(reportDate) : undefined;
    if (reportDate && reportDay === undefined) throw new WorkflowError('invalid_input', 'Ngày báo cáo phải viết dạng YYYY-MM-DD');
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
    if (!account) throw new WorkflowError('not_found', `Không có tài khoản ${id}.`);
    return account;
  };

  router.get('/tai-khoan', async (_req, res) => {
    adminOnly(res);
    const counts = await sessions.liveCounts(now());
    const list = await backoffice.listAccounts();
    const rows = list
      .map(
        (a) =>
          `<tr data-account="${esc(a.id)}"><td><a href="/quan-tri/tai-khoan/${encodeURIComponent(a.id)}">${esc(a.name)}</a>${a.active ? '' : ' <span class="muted">(đã khóa)</span>'}</td><td data-th="Vai trò">${esc(ROLE_VI[a.role])}</td><td data-th="Cơ quan">${esc(agencyName(a.agency) ?? '—')}</td><td data-th="Phiên đang mở" class="num">${counts.get(a.id) ?? 0}</td></tr>`,
      )
      .join('');
    send(
      res,
      'Tài khoản',
      `<h1>Tài khoản</h1><p class="muted">Số phiên đăng nhập trang quản trị đang mở của từng tài khoản. Chọn tài khoản để xem và thu hồi phiên.</p>
<div class="table-wrap"><table class="cards"><thead><tr><th>Tài khoản</th><th>Vai trò</th><th>Cơ quan</th><th class="num">Phiên đang mở</th></tr></thead><tbody>${rows}</tbody></table></div>`,
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
          `<tr data-session="${esc(s.handle)}"><td data-th="Mở lúc">${esc(dateTimeVi(data.clock.format(s.createdAt)))}${s.handle === mine ? ' <strong>(phiên này)</strong>' : ''}</td><td data-th="Cách đăng nhập">${esc(METHOD_VI[s.method])}</td><td data-th="Trình duyệt">${esc(excerpt(s.userAgent ?? '—', 60))}</td><td data-th="Hết hạn">${esc(dateTimeVi(data.clock.format(s.expiresAt)))}</td><td><form method="post" action="${base}/phien/${esc(s.handle)}/thu-hoi">${csrfField(ctx.viewer)}<button type="submit">Thu hồi</button></form></td></tr>`,
      )
      .join('');
    send(
      res,
      `Tài khoản ${account.name}`,
      `<h1>${esc(account.name)}</h1><p>${esc(ROLE_VI[account.role])}${account.agency ? `, ${esc(agencyName(account.agency) ?? account.agency)}` : ''}${account.active ? '' : ' — đã khóa'}</p>${done}
<h2>Phiên đăng nhập trang quản trị đang mở: ${live.length}</h2>
${
  live.length === 0
    ? '<p class="muted">Không có phiên nào đang mở.</p>'
    : `<div class="table-wrap"><table class="cards"><thead><tr><th>Mở lúc</th><th>Cách đăng nhập</th><th>Trình duyệt</th><th>Hết hạn</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form method="post" action="${base}/thu-hoi-phien">${csrfField(ctx.viewer)}<button type="submit" class="primary">Thu hồi tất cả phiên</button></form>`
}<p><a href="/quan-tri/tai-khoan">← Danh sách tài khoản</a></p>`,
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

  router.use((req: Request, res: Response) => send(res, 'Không tìm thấy', `<h1>Không tìm thấy</h1><p>Không có trang ${esc(req.path)}.</p>`, undefined, 404));

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof WorkflowError) {
      const [status, title] = [ERROR_STATUS[err.code], T.errorTitle[err.code]];
      const back = req.method === 'POST' && req.params.q ? `<p><a href="/quan-tri/cau-hoi/${encodeURIComponent(String(req.params.q))}">← Quay lại câu hỏi</a></p>` : '';
      const body = `<h1>${esc(title)}</h1><p class="error" role="alert">${esc(err.message)}</p>${back}`;
      if (res.locals.console) return send(res, title, body, undefined, status);
      return res.status(status).type('html').send(page(title, body));
    }
    next(err);
  });

  return router;
}

const EVENT_VI: Record<string, string> = T.event;

