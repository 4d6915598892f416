import express, { type Request, type RequestHandler, type Response } from 'express';
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
  return [express.raw({ type: () => true, limit: options.limit }), check];
}
