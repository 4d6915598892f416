import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { logger } from '../observability/logger';

/**
 * A webhook's first steps, the same for Zalo and Messenger: read the raw body (the
 * signature is over the bytes as received), verify it (401, nothing stored), parse
 * it (400), then hand the parsed body on in `res.locals.body`.
 */
export function signedJsonBody(options: {
  channel: string;
  limit: string;
  verify: (raw: Buffer, req: Request) => boolean;
  onRejected?: () => void;
}): RequestHandler[] {
  const check: RequestHandler = (req: Request, res: Response, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!options.verify(raw, req)) {
      options.onRejected?.();
      logger.warn(`${options.channel} webhook: missing or invalid signature`, { requestId: res.locals.requestId });
      res.status(401).json({ error: 'invalid signature' });
      return;
    }
    try {
      res.locals.body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      res.status(400).json({ error: 'body is not JSON' });
      return;
    }
    next();
  };
  // The body parser's own refusals keep their status: 413 for a body (or a gzip body once inflated) over the
  // limit, 415 for an unknown encoding, 400 for a broken one. A 5xx would make Zalo and Meta send it again.
  const refused: ErrorRequestHandler = (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = typeof err === 'object' && err !== null ? Number((err as { status?: unknown }).status) : NaN;
    if (!(status >= 400 && status < 500)) return next(err);
    logger.warn(`${options.channel} webhook: body refused`, { requestId: res.locals.requestId, status, reason: (err as { type?: string }).type });
    res.status(status).json({ error: status === 413 ? 'body too large' : 'unreadable body' });
  };
  return [express.raw({ type: () => true, limit: options.limit }), refused as unknown as RequestHandler, check];
}

/** How old a signed event may be before it is refused as a replay (HOIDAP_WEBHOOK_MAX_AGE_HOURS; default 72 hours). */
export const DEFAULT_MAX_EVENT_AGE_MS = 72 * 3_600_000;
/** How far ahead of this server's clock an event's timestamp may be (the senders' clocks differ a little). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** An event's timestamp as the senders write it (epoch milliseconds, a string of digits or an integer); undefined when it is not one. */
export function eventTimestamp(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** Whether an event stamped `at` may be accepted at `now`: not older than the window, not from the future. */
export function isFresh(at: number, now: number, maxAgeMs: number = DEFAULT_MAX_EVENT_AGE_MS): boolean {
  return at >= now - maxAgeMs && at <= now + MAX_CLOCK_SKEW_MS;
}
