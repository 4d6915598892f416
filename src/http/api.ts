import { clientErrorMessage, clientErrorStatus } from './client-error';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { apiErrorMessage, type ApiErrorKey } from '../bot/texts';
import { accountDeps } from '../backoffice/accounts';
import { createAccount } from '../app/accounts/create-account';
import { deactivateAccount, revokeAccountTokens, unlinkAccount } from '../app/accounts/close-account';
import { createLinkCode } from '../app/accounts/link-code';
import type { HeldQuestions } from '../backoffice/held';
import type { Workflow } from '../backoffice/actions';
import { QUESTION_ACTION_BODIES } from '../app/bodies';
import { parseInput, parseQuery } from '../app/common';
import { WorkflowError } from '../app/errors';
import { roleMay, roleRefusal, type StaffActor } from '../app/permissions';
import { acceptQuestion } from '../app/questions/accept';
import { approveAnswer } from '../app/questions/approve';
import { assignQuestion } from '../app/questions/assign';
import { deleteQuestion } from '../app/questions/delete';
import { questionDetail } from '../app/questions/detail';
import { questionPhoto, questionPhotos } from '../app/questions/photos';
import type { PhotoStore } from '../app/ports';
import { photoExtension, type PhotoType } from '../domain/photo';
import { draftAnswer } from '../app/questions/draft';
import { extendDeadline } from '../app/questions/extend';
import { forwardQuestion } from '../app/questions/forward';
import { checkPeriod, listQuestions, ListQuestionsQuery, QUESTION_STATUSES } from '../app/questions/list';
import { overdueQuestions, OverdueQuery } from '../app/questions/overdue';
import { appendix02, reportQuery } from '../app/questions/report';
import { returnDraft } from '../app/questions/return-draft';
import { actionResultView } from '../app/views';
import type { Account, BackofficeStore } from '../backoffice/types';
import type { ProvinceData } from '../config/data';
import { can, type Action } from '../domain/access';
import type { QuestionStatus } from '../domain/lifecycle';
import { parseDay, parseInstant } from '../domain/time';
import { logger } from '../observability/logger';
import { CSV_HEADERS, renderReport, REPORT_FORMATS, type ReportFormat } from '../reports/appendix02';
import type { RouteResult } from '../routing/router';
import { SETTLEABLE, type ChannelQueueStore, type UndeliveredDecision } from '../store/channel-types';
import type { LedgerStore } from '../store/types';
import { AccountsQuery, Bodies, CONTENT_TYPES, HELD_AND_OUTBOX_PAGE, LimitQuery, type AccountView, type ErrorBody } from './api-schemas';
import { openApiDocument } from './openapi';

/**
 * The back office's REST API, mounted at /api/v1: per-account bearer tokens, and on
 * every route a role check (before the body is read) and the agency check of `can`
 * (in the Workflow). Errors are JSON {error, code, message}: `message` in Vietnamese.
 */

export interface ApiDeps {
  data: ProvinceData;
  store: LedgerStore;
  backoffice: BackofficeStore;
  workflow: Workflow;
  /** Suggests the agency for a forward sent without one (defaults to the workflow's router). */
  router?: { route(text: string): RouteResult };
  /** For the /outbox routes (Zalo and Messenger messages that could not be delivered). */
  outbox?: Pick<ChannelQueueStore, 'undelivered' | 'settleUndelivered'>;
  /** Tells the outbox dispatcher that a message is due again (it also polls). */
  kickOutbox?: () => void;
  linkCodeTtlMs?: number;
  /** Questions over a daily limit, waiting for an editor (/held-questions routes). */
  held?: HeldQuestions;
  /** Photos sent with questions (/questions/{q}/photos routes). */
  photos?: Pick<PhotoStore, 'list' | 'get'>;
}

const STATUSES = QUESTION_STATUSES;

const HTTP_STATUS: Record<WorkflowError['code'], number> = { forbidden: 403, not_found: 404, invalid_state: 409, invalid_input: 400 };

/** An error's body: `error` precise (English) for operators, `code` for programs, `message` in Vietnamese for people (data/texts/vi.json). */
function errorBody(code: ErrorBody['code'], error: string, message: ApiErrorKey = code): ErrorBody {
  return { error, code, message: apiErrorMessage(message) };
}

/** A body checked against a use case's schema; 400 naming each problem. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  return parseInput(schema, body);
}

function accountJson(a: Account, data: ProvinceData): AccountView {
  return { id: a.id, name: a.name, role: a.role, ...(a.agency ? { agency: a.agency } : {}), ...(a.email ? { email: a.email } : {}), active: a.active, createdAt: data.clock.format(a.createdAt) };
}

function actorOf(res: Response): Account {
  return res.locals.account as Account;
}

/** The role may never do this: 403 before the request is read further. */
function requireRole(action: Action) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const actor = actorOf(res);
    if (!roleMay(actor.role, action)) {
      res.status(403).json(errorBody('forbidden', roleRefusal(actor.role, action)));
      return;
    }
    next();
  };
}

export function createApiRouter(deps: ApiDeps): express.Router {
  const { data, backoffice, workflow, outbox } = deps;
  const router = express.Router();
  const now = () => workflow.now();

  // Public: the description of the API itself.
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const match = /^Bearer +([A-Za-z0-9_\-.~+/]+=*) *$/i.exec(header ?? '');
    const deny = (error: string) => {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="hoidap"').json(errorBody('unauthorized', error));
    };
    if (!header) return deny('missing Authorization header: send "Authorization: Bearer <token>"');
    if (!match) return deny('the Authorization header must be "Bearer <token>"');
    const account = await backoffice.accountByApiToken(match[1]);
    if (!account || !account.active) {
      logger.warn('api: invalid token', { requestId: res.locals.requestId, path: req.path });
      return deny('invalid or revoked token');
    }
    res.locals.account = account;
    next();
  });

  router.use(express.json({ limit: '128kb' }));

  const app = workflow.deps;
  const action = (name: string, fn: (actor: StaffActor, q: string, body: unknown) => Promise<unknown>) => async (req: Request, res: Response) => {
    const actor = actorOf(res);
    const q = String(req.params.q);
    const result = await fn(actor, q, req.body);
    logger.info('api action', { requestId: res.locals.requestId, action: name, q, account: actor.id });
    res.json(actionResultView(app, result as object));
  };

  router.get('/questions', requireRole('view'), async (req, res) => {
    const query = parseQuery(ListQuestionsQuery, req.query);
    const status = query.status ? query.status.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const bad = status?.find((s) => !STATUSES.includes(s as QuestionStatus));
    if (bad) throw new WorkflowError('invalid_input', `status must be one or more of ${STATUSES.join(', ')} (comma-separated); got "${bad}"`);
    const fromDay = query.from !== undefined ? parseDay(query.from) : undefined;
    const toDay = query.to !== undefined ? parseDay(query.to) : undefined;
    checkPeriod(fromDay, toDay);
    res.json(
      await listQuestions(
        app,
        {
          ...(query.agency ? { agency: query.agency } : {}),
          ...(status ? { status: status as QuestionStatus[] } : {}),
          overdue: query.overdue === 'true',
          ...(fromDay !== undefined ? { fromDay } : {}),
          ...(toDay !== undefined ? { toDay } : {}),
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(query.offset !== undefined ? { offset: query.offset } : {}),
        },
        actorOf(res),
      ),
    );
  });

  router.get('/questions/:q', requireRole('view'), async (req, res) => {
    res.json(await questionDetail(app, { q: String(req.params.q) }, actorOf(res), deps.router ? { router: deps.router } : {}));
  });

  // The citizen's photos: the same permission as the question; never cached, never shown as a page of their own.
  router.get('/questions/:q/photos', requireRole('view'), async (req, res) => {
    if (!deps.photos) throw new WorkflowError('not_found', 'photos are not kept by this server');
    const q = String(req.params.q);
    const list = await questionPhotos({ ledger: app.ledger, photos: deps.photos }, { q }, actorOf(res));
    res.set('Cache-Control', 'no-store');
    res.json({ q, photos: list.map((p) => ({ n: p.n, type: p.type, size: p.size, channel: p.channel, receivedAt: data.clock.format(p.receivedAt), url: `/api/v1/questions/${q}/photos/${p.n}` })) });
  });
  router.get('/questions/:q/photos/:n', requireRole('view'), async (req, res) => {
    if (!deps.photos) throw new WorkflowError('not_found', 'photos are not kept by this server');
    const q = String(req.params.q);
    const n = /^\d{1,3}$/.test(String(req.params.n)) ? Number(req.params.n) : NaN;
    if (!(n >= 1 && n <= 100)) throw new WorkflowError('invalid_input', `photo number must be a whole number from 1; got "${String(req.params.n)}"`);
    const photo = await questionPhoto({ ledger: app.ledger, photos: deps.photos }, { q, n }, actorOf(res));
    logger.info('api: photo read', { requestId: res.locals.requestId, q, n, account: actorOf(res).id });
    res.set({
      'Content-Type': photo.type,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
      // Shown inline in the console, but never run: the bytes were checked to be an image, the policy makes sure.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': `inline; filename="${q}-${n}.${photoExtension(photo.type as PhotoType)}"`,
    });
    res.send(photo.bytes);
  });

  // Each body is checked against its use case's schema before the question is looked up (400 first), then the use case runs.
  const B = QUESTION_ACTION_BODIES;
  router.post('/questions/:q/accept', requireRole('accept'), action('accept', (actor, q, body) => acceptQuestion(app, { ...parseBody(B.accept, body), q }, actor)));
  router.post(
    '/questions/:q/forward',
    requireRole('forward'),
    action('forward', (actor, q, body) => forwardQuestion(app, { ...parseBody(B.forward, body), q }, actor, deps.router ? { router: deps.router } : {})),
  );
  router.post('/questions/:q/delete', requireRole('delete'), action('delete', (actor, q, body) => deleteQuestion(app, { ...parseBody(B.delete, body), q }, actor)));
  router.post('/questions/:q/extend', requireRole('extend'), action('extend', (actor, q, body) => extendDeadline(app, { ...parseBody(B.extend, body), q }, actor)));
  router.post('/questions/:q/draft', requireRole('draft'), action('draft', (actor, q, body) => draftAnswer(app, { ...parseBody(B.draft, body), q }, actor)));
  router.post('/questions/:q/approve', requireRole('approve'), action('approve', (actor, q, body) => approveAnswer(app, { ...parseBody(B.approve, body), q }, actor)));
  router.post('/questions/:q/return', requireRole('approve'), action('return', (actor, q, body) => returnDraft(app, { ...parseBody(B.return, body), q }, actor)));
  router.post('/questions/:q/assign', requireRole('assign'), action('assign', (actor, q, body) => assignQuestion(app, { ...parseBody(B.assign, body), q }, actor)));

  const ReportQuery = reportQuery(REPORT_FORMATS, CSV_HEADERS);
  router.get('/reports/appendix02', requireRole('report'), async (req, res) => {
    const query = parseQuery(ReportQuery, req.query);
    if (query.from === undefined || query.to === undefined) throw new WorkflowError('invalid_input', 'from and to are required: dates written YYYY-MM-DD');
    const format: ReportFormat = query.format ?? 'json';
    const reportDay = query.reportDate !== undefined ? parseDay(query.reportDate) : undefined;
    const report = await appendix02(app, { fromDay: parseDay(query.from) as number, toDay: parseDay(query.to) as number }, actorOf(res));
    res.type(CONTENT_TYPES[format]);
    if (format === 'xlsx' || format === 'docx') res.setHeader('content-disposition', `attachment; filename="phu-bieu-02_${query.from}_${query.to}.${format}"`);
    res.send(
      await renderReport(report, format, data, { headers: query.headers ?? 'codes', ...(query.reportNumber ? { reportNumber: query.reportNumber } : {}), ...(reportDay !== undefined ? { reportDay } : {}) }),
    );
  });

  router.get('/overdue', requireRole('view'), async (req, res) => {
    const query = parseQuery(OverdueQuery, req.query);
    const at = query.at !== undefined ? parseInstant(query.at) : undefined;
    res.json(await overdueQuestions(app, { ...(query.agency ? { agency: query.agency } : {}), ...(at !== undefined ? { at } : {}) }, actorOf(res)));
  });

  const accounts = accountDeps(backoffice, data, now);
  router.post('/accounts', requireRole('manage_accounts'), async (req, res) => {
    const input = parseBody(Bodies.account, req.body);
    const { account, token } = await createAccount(accounts, input, actorOf(res).id);
    logger.info('api: account created', { requestId: res.locals.requestId, by: actorOf(res).id, account: account.id, role: account.role, agency: account.agency });
    res.status(201).json({ account: accountJson(account, data), token, note: 'the token is shown only once; keep it secret' });
  });

  router.get('/accounts', requireRole('manage_accounts'), async (req, res) => {
    const { role, agency: agencyText } = parseQuery(AccountsQuery, req.query);
    const agency = agencyText ? workflow.resolveAgency(agencyText).code : undefined;
    const list = await backoffice.listAccounts({ ...(agency ? { agency } : {}), ...(role ? { role } : {}) });
    res.json({ accounts: list.map((a) => accountJson(a, data)) });
  });

  router.post('/accounts/:id/link-code', async (req, res) => {
    const actor = actorOf(res);
    const id = String(req.params.id);
    parseBody(Bodies.empty, req.body);
    const made = await createLinkCode(accounts, { id, ...(deps.linkCodeTtlMs !== undefined ? { ttlMs: deps.linkCodeTtlMs } : {}) }, actor);
    logger.info('api: link code created', { requestId: res.locals.requestId, by: actor.id, account: id });
    res.status(201).json({ account: id, code: made.code, expiresAt: data.clock.format(made.expiresAt), instructions: made.instructions });
  });

  // Closing an account's doors (security issue 10): each a logged action, admins only.
  router.post('/accounts/:id/deactivate', requireRole('manage_accounts'), async (req, res) => {
    parseBody(Bodies.empty, req.body);
    const account = await deactivateAccount(accounts, { id: String(req.params.id) }, actorOf(res).id);
    res.json({ account: accountJson(account, data) });
  });

  router.post('/accounts/:id/revoke-tokens', requireRole('manage_accounts'), async (req, res) => {
    parseBody(Bodies.empty, req.body);
    res.json({ account: String(req.params.id), revoked: await revokeAccountTokens(accounts, { id: String(req.params.id) }, actorOf(res).id) });
  });

  router.get('/accounts/:id/identities', requireRole('manage_accounts'), async (req, res) => {
    const id = String(req.params.id);
    if (!(await backoffice.getAccount(id))) throw new WorkflowError('not_found', `no account ${id}`);
    res.json({ account: id, identities: (await backoffice.identitiesOf(id)).map((i) => ({ channel: i.channel, userId: i.userId })) });
  });

  router.post('/accounts/:id/unlink', requireRole('manage_accounts'), async (req, res) => {
    const body = parseBody(Bodies.unlink, req.body);
    if ((body.channel === undefined) !== (body.userId === undefined)) throw new WorkflowError('invalid_input', 'give both channel and userId to unlink one identity, or neither to unlink all');
    const identity = body.channel !== undefined && body.userId !== undefined ? { channel: body.channel, userId: body.userId } : undefined;
    res.json({ account: String(req.params.id), unlinked: await unlinkAccount(accounts, { id: String(req.params.id), ...(identity ? { identity } : {}) }, actorOf(res).id) });
  });

  // Questions over a daily limit (data/policy.json questionsPerDay): not in the ledger until an editor releases them.
  const heldQueue = (): HeldQuestions => {
    if (!deps.held) throw new WorkflowError('not_found', 'this server has no held-question queue');
    return deps.held;
  };

  router.get('/held-questions', requireRole('review_held'), async (req, res) => {
    const limit = parseQuery(LimitQuery, req.query).limit ?? HELD_AND_OUTBOX_PAGE;
    res.json({
      items: (await heldQueue().waiting(limit)).map((h) => ({ id: h.id, heldAt: data.clock.format(h.heldAt), reason: h.reason, channel: h.body.channel, text: h.body.text, asker: h.body.asker, agency: h.body.agency, triage: h.body.triage })),
    });
  });

  router.post('/held-questions/:id/release', requireRole('review_held'), async (req, res) => {
    parseBody(Bodies.empty, req.body);
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) throw new WorkflowError('invalid_input', 'id must be a number');
    const filed = await heldQueue().release(id, actorOf(res).id, now());
    res.json({ id, ...filed });
  });

  router.post('/held-questions/:id/discard', requireRole('review_held'), async (req, res) => {
    parseBody(Bodies.empty, req.body);
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) throw new WorkflowError('invalid_input', 'id must be a number');
    await heldQueue().discard(id, actorOf(res).id, now());
    res.json({ id, status: 'discarded' });
  });

  router.get('/outbox/undelivered', requireRole('manage_accounts'), async (req, res) => {
    if (!outbox) throw new WorkflowError('not_found', 'this server has no Zalo/Messenger outbox');
    const limit = parseQuery(LimitQuery, req.query).limit ?? HELD_AND_OUTBOX_PAGE;
    const items = await outbox.undelivered(limit);
    res.json({
      items: items.map((m) => ({
        id: m.id,
        channel: m.channel,
        recipient: m.recipient,
        status: m.status,
        attempts: m.attempts,
        createdAt: data.clock.format(m.createdAt),
        ...(m.source ? { source: m.source } : {}),
        ...(m.lastError ? { lastError: m.lastError } : {}),
        text: m.payload.text,
      })),
    });
  });

  const settle = (decision: UndeliveredDecision) =>
    async (req: Request, res: Response) => {
      if (!outbox) throw new WorkflowError('not_found', 'this server has no Zalo/Messenger outbox');
      const actor = actorOf(res);
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new WorkflowError('invalid_input', `outbox message id must be a positive whole number, not "${String(req.params.id)}"`);
      const { note } = parseBody(Bodies.settle, req.body);
      const what = decision === 'resend' ? 'resent' : 'confirmed delivered';
      const outcome = await outbox.settleUndelivered(id, decision, `${what} by ${actor.id}${note ? `: ${note}` : ''}`, now());
      if (!outcome) throw new WorkflowError('not_found', `no outbox message ${id}`);
      if ('conflict' in outcome)
        throw new WorkflowError('invalid_state', `outbox message ${id} is ${outcome.conflict}; only ${SETTLEABLE[decision].join(', ')} messages can be ${what}`);
      if (decision === 'resend') deps.kickOutbox?.();
      logger.info(`api: outbox message ${what}`, { requestId: res.locals.requestId, by: actor.id, message: id, was: outcome.was });
      res.json({ id, was: outcome.was, status: decision === 'resend' ? 'pending' : 'sent' });
    };
  router.post('/outbox/:id/resend', requireRole('manage_accounts'), settle('resend'));
  router.post('/outbox/:id/delivered', requireRole('manage_accounts'), settle('delivered'));

  router.use((req: Request, res: Response) => {
    res.status(404).json(errorBody('not_found', `no route ${req.method} /api/v1${req.path}`));
  });

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof WorkflowError) {
      res.status(HTTP_STATUS[err.code]).json(errorBody(err.code, err.message));
      return;
    }
    // A request the caller got wrong (body-parser's errors, a path that does not decode): 4xx, saying what, never a 500.
    const status = clientErrorStatus(err);
    if (status !== undefined) {
      res.status(status).json(errorBody('invalid_input', clientErrorMessage(err, '128 kB'), status === 413 ? 'too_large' : 'invalid_input'));
      return;
    }
    // The server's own failure: logged with the request id, which the answer gives for the operators to find it.
    logger.error('api: unhandled error', { requestId: res.locals.requestId, path: req.path, error: err instanceof Error ? err.message : String(err) });
    res.status(500).json({ ...errorBody('internal', 'internal error'), requestId: res.locals.requestId });
  });

  return router;
}
