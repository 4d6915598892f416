import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake platform saw it, and what the fake answered. */
export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON or url-encoded fields; undefined when unparseable or empty. */
  body: unknown;
  /** Which documented endpoint the request was for ('unknown' otherwise). */
  endpoint: string;
  /** 'ok', 'violation', 'injected:<how>', 'rejected:<code>' (a realistic error answer), or 'hanging'. */
  outcome: string;
  status?: number;
  response?: unknown;
}

export interface ShapeViolation {
  seq: number;
  method: string;
  path: string;
  problems: string[];
}

export type FakeReply = { status: number; body: unknown; outcome: string } | { hang: true; outcome: string };

export interface FakeHttpServer {
  url: string;
  requests: RecordedRequest[];
  violations: ShapeViolation[];
  close(): Promise<void>;
}

/**
 * Starts an express app on 127.0.0.1, port 0, that records every request and
 * answers through `handle`. Bodies are read raw so that a malformed body is a
 * recorded violation rather than an express error page.
 */
export async function startFakeHttp(
  classify: (method: string, path: string) => string,
  handle: (request: RecordedRequest) => FakeReply,
): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const violations: ShapeViolation[] = [];
  const app = express();
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.use((req: Request, res: Response) => {
    const url = new URL(req.originalUrl, 'http://fake.invalid');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const record: RecordedRequest = {
      seq: requests.length,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      body: parseBody(headers['content-type'] ?? '', rawBody),
      endpoint: classify(req.method, url.pathname),
      outcome: 'pending',
    };
    requests.push(record);
    const reply = handle(record);
    record.outcome = reply.outcome;
    if ('hang' in reply) return; // never answered; close() drops the connection
    if (reply.outcome === 'violation') {
      const problems = isViolationBody(reply.body) ? reply.body.problems : ['unspecified'];
      violations.push({ seq: record.seq, method: record.method, path: record.path, problems });
    }
    record.status = reply.status;
    record.response = reply.body;
    if (typeof reply.body === 'string') res.status(reply.status).type('text/plain').send(reply.body);
    else res.status(reply.status).json(reply.body);
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The 400 answer for a request that does not match the documented shape. */
export function violation(problems: string[], status = 400): FakeReply {
  return { status, body: { fake_violation: true, problems }, outcome: 'violation' };
}

function isViolationBody(body: unknown): body is { problems: string[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { problems?: unknown }).problems);
}

function parseBody(contentType: string, raw: string): unknown {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems for keys of `value` outside `allowed`. */
export function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unexpected field "${key}"`);
}
