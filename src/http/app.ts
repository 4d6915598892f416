import express, { type NextFunction, type Request, type Response } from 'express';
import { mountPortal, type Portal, type PortalDeps } from '../channels/portal';
import type { ProvinceData } from '../config/data';
import { logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { mountBotFramework, type BotFrameworkDeps } from './botframework';
import type { Messaging } from '../channels/messaging';
import type { Stores } from '../app/ports';
import { createApiRouter, type ApiDeps } from './api';
import { mountPublicAnswers } from './public-page';
import { clientErrorStatus } from './client-error';
import { createConsoleRouter } from './console';
import { hardeningFromEnv, metricsHandler, requestIdFrom, securityHeaders, type HttpHardening } from './hardening';

export interface AppDeps {
  data: ProvinceData;
  /** The ledger (readiness, REST API), the read model (public answers, console), the console's sessions. */
  stores: Pick<Stores, 'ledger' | 'queries' | 'consoleSessions'> & Partial<Pick<Stores, 'photos'>>;
  /** The portal channel (Direct Line + Web Chat page at /); without it / is a plain status page. */
  portal?: PortalDeps | Portal;
  metrics?: Metrics;
  /** The standard Bot Framework endpoint POST /api/messages. */
  botFramework?: BotFrameworkDeps;
  /** Zalo and Messenger webhooks. */
  messaging?: Pick<Messaging, 'mount'>;
  /** The back office's REST API at /api/v1 (accounts, workflow). */
  api?: Omit<ApiDeps, 'data' | 'store'>;
  /** Proxy trust, framing, /metrics access; from the environment by default. */
  hardening?: HttpHardening;
  /** The clock of the public pages (an answer more than a year old carries a note); tests inject one. */
  now?: () => number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

export function createApp({ data, stores, portal, metrics, botFramework, messaging, api, hardening = hardeningFromEnv(), now }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, the client's address (rate limits) comes from X-Forwarded-For only if the proxy is trusted.
  app.set('trust proxy', hardening.trustProxy);
  app.use(securityHeaders(hardening.frameAncestors));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      metrics?.httpDuration.observe(
        { method: req.method, route: (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other'), status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      // winston formats a message before its transports filter it by level: skip the work when nobody listens.
      if (logger.isLevelEnabled('http')) logger.http('request', { requestId, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    next();
  });

  // Never public by default: with a token here, or on a listener of its own (startMetricsListener).
  if (metrics && hardening.metricsToken) app.get('/metrics', metricsHandler(metrics, hardening.metricsToken));

  messaging?.mount(app);

  if (botFramework) {
    app.use('/api/messages', express.json({ limit: '256kb' }));
    mountBotFramework(app, botFramework, data.dataDir);
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const store = stores.ledger;
  app.get('/readyz', async (_req, res) => {
    const storeUp = await store.ping();
    res.status(storeUp ? 200 : 503).json({ status: storeUp ? 'ready' : 'store unavailable', store: store.kind, agencies: data.agencies.all.length });
  });

  if (api) app.use('/api/v1', createApiRouter({ data, store, ...(stores.photos ? { photos: stores.photos } : {}), ...api }));
  // The web console for staff.
  if (api) app.use('/quan-tri', createConsoleRouter({ data, store, sessions: stores.consoleSessions, queries: stores.queries, ...(stores.photos ? { photos: stores.photos } : {}), ...api }));
  // The public page of answered questions.
  mountPublicAnswers(app, { data, now, source: { version: () => stores.queries.answeredCount(), all: () => stores.queries.publicAnswers() } });

  if (portal) {
    mountPortal(app, portal);
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hỏi - Đáp | Cổng thông tin điện tử tỉnh</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>Chuyên mục Hỏi - Đáp</h1>
<p>Máy chủ hoidap đang chạy cho ${escapeHtml(String(data.agencies.all.length))} cơ quan, đơn vị.</p>
<p>Phụ biểu 02 dành cho ban biên tập và quản trị: <code>GET /api/v1/reports/appendix02</code> (cần mã truy cập API).</p>
</body></html>`);
    });
  }

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const clientStatus = clientErrorStatus(err);
    if (clientStatus !== undefined) {
      if (!res.headersSent) res.status(clientStatus).json({ error: 'the request cannot be read (Yêu cầu không đọc được)', requestId: res.locals.requestId });
      return;
    }
    logger.error('unhandled error', { requestId: res.locals.requestId, path: req.path, error: err instanceof Error ? err.message : String(err) });
    if (!res.headersSent) res.status(500).json({ error: 'internal error', requestId: res.locals.requestId });
  });
  return app;
}
