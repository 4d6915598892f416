import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { metaSignature } from '../../src/channels/facebook/signature';
import { zaloSignature } from '../../src/channels/zalo/signature';
import type { ChannelsConfig } from '../../src/config/channels';
import { startServer, type RunningServer } from '../../src/http/server';
import { startGraphFake, type GraphFake } from '../fakes/graph-fake';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';
import { province } from './province';

export const OA_SECRET = 'oa-secret-key-for-tests';
export const FB_APP_SECRET = 'fb-app-secret-for-tests';
export const FB_VERIFY_TOKEN = 'verify-me';
/** /metrics is never public: the test servers serve it with this bearer token (HOIDAP_METRICS_TOKEN). */
export const METRICS_TOKEN = 'metrics-token-for-tests';

/** Starts a server with HOIDAP_METRICS_TOKEN set for its start only (other tests' servers stay as configured). */
export async function withMetricsToken<T>(start: () => Promise<T>): Promise<T> {
  const before = process.env.HOIDAP_METRICS_TOKEN;
  process.env.HOIDAP_METRICS_TOKEN = METRICS_TOKEN;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.HOIDAP_METRICS_TOKEN;
    else process.env.HOIDAP_METRICS_TOKEN = before;
  }
}

/** GET /metrics with the test token. */
export async function metricsText(base: string): Promise<string> {
  return (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}

export interface ChannelRig {
  server: RunningServer;
  base: string;
  zalo: ZaloFake;
  graph: GraphFake;
  dbFile: string;
  config: ChannelsConfig;
  close(): Promise<void>;
}

export function channelsConfig(zalo: ZaloFake, graph: GraphFake): ChannelsConfig {
  return {
    zalo: { appId: zalo.appId, oaSecret: OA_SECRET, appSecret: zalo.appSecret, apiBase: zalo.url, oauthBase: zalo.url, accessToken: zalo.accessToken, refreshToken: zalo.refreshToken },
    facebook: { appSecret: FB_APP_SECRET, verifyToken: FB_VERIFY_TOKEN, pageToken: graph.pageToken, graphBase: graph.url, apiVersion: graph.apiVersion, humanAgent: false },
    off: [],
  };
}

/** The real server on loopback with both channels pointed at local fakes, retries fast. */
export async function channelRig(dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-ch-')), 'hoidap.sqlite'), fakes?: { zalo: ZaloFake; graph: GraphFake }): Promise<ChannelRig> {
  const zalo = fakes?.zalo ?? (await startZaloFake());
  const graph = fakes?.graph ?? (await startGraphFake());
  const config = channelsConfig(zalo, graph);
  const server = await withMetricsToken(() =>
    startServer({
      data: province(),
      port: 0,
      host: '127.0.0.1',
      dbLocation: dbFile,
      channels: config,
      messaging: { processor: { pollMs: 20 }, dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
    }),
  );
  return {
    server,
    base: `http://127.0.0.1:${server.port}`,
    zalo,
    graph,
    dbFile,
    config,
    async close() {
      await server.close();
      if (!fakes) {
        await zalo.close();
        await graph.close();
      }
    },
  };
}

/** What a server needs to know of a (fake) Zalo API. */
export type ZaloServeTarget = Pick<ZaloFake, 'appId' | 'appSecret' | 'url' | 'accessToken' | 'refreshToken'>;

/** The environment of a `hoidap serve` child process whose Zalo channel points at the fake. */
export function zaloServeEnv(zalo: ZaloServeTarget, env: { port: number; dbFile: string; logLevel?: string }): Record<string, string> {
  return {
    PORT: String(env.port),
    HOIDAP_DB: env.dbFile,
    HOIDAP_DEMO: '0',
    LOG_LEVEL: env.logLevel ?? 'error',
    ZALO_APP_ID: zalo.appId,
    ZALO_OA_SECRET: OA_SECRET,
    ZALO_APP_SECRET: zalo.appSecret,
    ZALO_API_BASE: zalo.url,
    ZALO_OAUTH_BASE: zalo.url,
    ZALO_ACCESS_TOKEN: zalo.accessToken,
    ZALO_REFRESH_TOKEN: zalo.refreshToken,
  };
}

let seq = 0;

/** A Zalo user_send_text event, as Zalo sends it (ids and timestamp as strings). */
export function zaloText(appId: string, userId: string, text: string, msgId = `msg${Date.now()}${(seq += 1)}`, timestamp = String(Date.now())) {
  return { event_name: 'user_send_text', app_id: appId, sender: { id: userId }, recipient: { id: '3662729599332560487' }, message: { text, msg_id: msgId }, timestamp, user_id_by_app: '979122185046046317' };
}

export async function postZalo(base: string, appId: string, body: unknown, signature?: string | null): Promise<Response> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const mac = signature === undefined ? zaloSignature({ rawBody: raw, appId, oaSecretKey: OA_SECRET }) : signature;
  if (mac !== null) headers['x-zevent-signature'] = mac;
  return fetch(`${base}/webhooks/zalo`, { method: 'POST', headers, body: raw });
}

export async function postMessenger(base: string, body: unknown, signature?: string | null): Promise<Response> {
  // Meta sends non-ASCII as \uXXXX escapes: the signature is over those exact bytes.
  const raw = JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? metaSignature({ rawBody: raw, appSecret: FB_APP_SECRET }) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return fetch(`${base}/webhooks/facebook`, { method: 'POST', headers, body: raw });
}

/** Waits (bounded by a number of polls, never by asserting time) until `check` holds. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, polls = 400): Promise<T> {
  for (let i = 0; i < polls; i += 1) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** Waits until the server at `base` answers /readyz with 200 (bounded by a number of polls). */
export async function waitReady(base: string): Promise<void> {
  await eventually(async () => {
    try {
      return (await fetch(`${base}/readyz`)).ok;
    } catch {
      return false;
    }
  }, 'the server to be ready', 3000);
}
