import express, { type Request, type RequestHandler, type Response } from 'express';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** What production configures in front of the app (environment variables, read once at start). */
export interface HttpHardening {
  /** express's 'trust proxy' (HOIDAP_TRUST_PROXY): which proxies' X-Forwarded-For gives the client's address; off by default. */
  trustProxy: boolean | number | string;
  /** CSP frame-ancestors (HOIDAP_FRAME_ANCESTORS): who may put the portal and /hoi-dap in a frame; default 'self'. */
  frameAncestors: string[];
  /** HOIDAP_METRICS_TOKEN: /metrics on the main port answers only with `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** HOIDAP_METRICS_PORT (and HOIDAP_METRICS_HOST, default 127.0.0.1): /metrics on a listener of its own. */
  metricsListener?: { host: string; port: number };
}

const FRAME_SOURCE = /^(?:'self'|'none'|https:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?|http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?)$/i;

function parseTrustProxy(value: string | undefined): HttpHardening['trustProxy'] {
  const text = value?.trim();
  if (!text || text === 'false' || text === '0') return false;
  if (text === 'true') return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  // Addresses and subnets, or express's names (loopback, linklocal, uniquelocal), comma-separated.
  return text;
}

export function hardeningFromEnv(env: NodeJS.ProcessEnv = process.env): HttpHardening {
  const frameAncestors = (env.HOIDAP_FRAME_ANCESTORS ?? "'self'").split(/[\s,]+/).filter(Boolean);
  const bad = frameAncestors.filter((s) => !FRAME_SOURCE.test(s));
  if (frameAncestors.length === 0 || bad.length > 0)
    throw new Error(`HOIDAP_FRAME_ANCESTORS: each entry must be 'self', 'none' or an https:// origin (e.g. https://laocai.gov.vn); got ${bad.join(' ') || 'nothing'}`);
  const token = env.HOIDAP_METRICS_TOKEN?.trim();
  if (token !== undefined && token !== '' && token.length < 16) throw new Error('HOIDAP_METRICS_TOKEN must be at least 16 characters');
  const port = env.HOIDAP_METRICS_PORT?.trim();
  if (port && !(/^\d{1,5}$/.test(port) && Number(port) < 65536)) throw new Error(`HOIDAP_METRICS_PORT must be a port number; got "${port}"`);
  return {
    trustProxy: parseTrustProxy(env.HOIDAP_TRUST_PROXY),
    frameAncestors,
    ...(token ? { metricsToken: token } : {}),
    ...(port ? { metricsListener: { host: env.HOIDAP_METRICS_HOST?.trim() || '127.0.0.1', port: Number(port) } } : {}),
  };
}

/** The portal page and /hoi-dap may be framed only by the configured origins; no MIME sniffing; no referrer sent. */
export function securityHeaders(frameAncestors: readonly string[]): RequestHandler {
  const csp = `frame-ancestors ${frameAncestors.join(' ')}`;
  // Browsers that know CSP's frame-ancestors ignore X-Frame-Options; older ones get the nearest equivalent.
  const xfo = frameAncestors.includes("'none'") ? 'DENY' : 'SAMEORIGIN';
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Frame-Options', xfo);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** What a caller's X-Request-Id may be to be kept: a short token (a proxy's or client's id), nothing that could forge a log line or bloat one. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: the caller's X-Request-Id when it is a short safe token, else a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** GET /metrics: Prometheus text; with a token, only for `Authorization: Bearer <token>` (compared in constant time). */
export function metricsHandler(metrics: Metrics, token?: string): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return async (req: Request, res: Response) => {
    if (expected) {
      const given = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({ error: 'metrics need Authorization: Bearer <HOIDAP_METRICS_TOKEN>' });
        return;
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** /metrics on a listener of its own (by default on loopback only), for a scraper on the same host or network. */
export async function startMetricsListener(metrics: Metrics, hardening: HttpHardening): Promise<Server | undefined> {
  const listen = hardening.metricsListener;
  if (!listen) {
    if (!hardening.metricsToken) logger.warn('metrics: /metrics is off; set HOIDAP_METRICS_TOKEN or HOIDAP_METRICS_PORT to scrape it');
    return undefined;
  }
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics, hardening.metricsToken));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(listen.port, listen.host, () => resolve(s));
    s.once('error', reject);
  });
  logger.info('metrics listening', { host: listen.host, port: listen.port });
  return server;
}

/**
 * Slow clients: the headers within 20 s, the whole request within 30 s. Node's defaults (60 s, 5 min)
 * let a client trickling a body one byte at a time hold a connection for 5 minutes; every legitimate
 * request here (chat messages, webhooks, API calls, sign-in) is a few kB.
 */
export const SLOW_CLIENT_LIMITS = { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000 } as const;

export function limitSlowClients(server: Server): void {
  server.headersTimeout = SLOW_CLIENT_LIMITS.headersTimeoutMs;
  server.requestTimeout = SLOW_CLIENT_LIMITS.requestTimeoutMs;
}
