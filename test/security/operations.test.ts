/**
 * Finding 10 (operations): `npm ci --omit=dev` gave a server that could not start (Web Chat, served to citizens,
 * was a devDependency loaded at run time); no frame-ancestors / X-Frame-Options on / and /hoi-dap; /metrics public;
 * the SQLite file and backups world-readable, with the Zalo tokens in plaintext; behind a reverse proxy every
 * citizen shared one rate-limit bucket.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { webchatBundlePath } from '../../src/channels/portal/page';
import { PROJECT_ROOT } from '../../src/config/paths';
import { createApp } from '../../src/http/app';
import { hardeningFromEnv } from '../../src/http/hardening';
import { startServer, type RunningServer } from '../../src/http/server';
import { Metrics } from '../../src/observability/metrics';
import { SecretBox, secretBoxFromEnv } from '../../src/store/secret-box';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { hoidap } from '../helpers/cli';
import { freePort } from '../helpers/ports';
import { province } from '../helpers/province';
import { sourceFiles } from './growth';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-ops-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function listen(app: ReturnType<typeof createApp>): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** With `env` set for the server's start only. */
async function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe('a production install (npm ci --omit=dev) has what the server loads', () => {
  test('every package the server imports or resolves at run time is a dependency, not a devDependency', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const used = new Map<string, string>();
    for (const file of sourceFiles(PROJECT_ROOT, ['src', 'dialogs', 'bin'])) {
      const source = ts.createSourceFile(file, fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node) => {
        let spec: string | undefined;
        // Type-only imports vanish from the compiled code.
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) spec = node.moduleSpecifier.text;
        if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) spec = node.moduleSpecifier.text;
        if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
          const callee = node.expression.getText(source);
          if (callee === 'require' || callee === 'require.resolve' || node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = node.arguments[0].text;
        }
        if (spec && !spec.startsWith('.') && !spec.startsWith('node:')) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
          used.set(name, file);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    const missing = [...used].filter(([name]) => !(name in pkg.dependencies) && !['worker_threads', 'fs', 'path'].includes(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  test('Web Chat is served from the bundle the build vendored into dist/static (npm run build)', () => {
    expect(webchatBundlePath()).toBe(path.join(PROJECT_ROOT, 'dist', 'static', 'webchat.js'));
    expect(fs.existsSync(webchatBundlePath())).toBe(true);
  });
});

describe('framing and the usual headers on / and /hoi-dap', () => {
  test('the default: framed only by this site; no sniffing; no referrer to other sites', async () => {
    const dbFile = path.join(dir, 'hoidap.sqlite');
    const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] } });
    try {
      for (const route of ['/', '/hoi-dap']) {
        const res = await fetch(`http://127.0.0.1:${server.port}${route}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
        expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(['no-referrer', 'same-origin']).toContain(res.headers.get('referrer-policy'));
      }
      // The portal page keeps its own policy too (scripts from this server only).
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      await server.close();
    }
  });

  test('the portal that embeds the chat box is configured with HOIDAP_FRAME_ANCESTORS; a malformed entry stops the start', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const { server, base } = await listen(createApp({ data: province(), stores: sqliteStores(store), hardening: hardeningFromEnv({ HOIDAP_FRAME_ANCESTORS: "'self' https://laocai.gov.vn" }) }));
    try {
      expect((await fetch(`${base}/hoi-dap`)).headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://laocai.gov.vn");
    } finally {
      await close(server);
      await store.close();
    }
    expect(() => hardeningFromEnv({ HOIDAP_FRAME_ANCESTORS: 'https://x.vn; script-src *' })).toThrow(/HOIDAP_FRAME_ANCESTORS/);
  });
});

describe('/metrics is never public by default', () => {
  test('not served on the public port without configuration', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const { server, base } = await listen(createApp({ data: province(), stores: sqliteStores(store), metrics: new Metrics(), hardening: hardeningFromEnv({}) }));
    try {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('hoidap_');
    } finally {
      await close(server);
      await store.close();
    }
  });

  test('with HOIDAP_METRICS_TOKEN: 401 without the bearer token, the metrics with it', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const token = 'metrics-token-0123456789';
    const { server, base } = await listen(createApp({ data: province(), stores: sqliteStores(store), metrics: new Metrics(), hardening: hardeningFromEnv({ HOIDAP_METRICS_TOKEN: token }) }));
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('hoidap_');
    } finally {
      await close(server);
      await store.close();
    }
  });

  test('with HOIDAP_METRICS_PORT: on a loopback listener of its own, not on the public port', async () => {
    const metricsPort = await freePort();
    const server: RunningServer = await withEnv({ HOIDAP_METRICS_PORT: String(metricsPort) }, () =>
      startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, 'm.sqlite'), channels: { off: [] } }),
    );
    try {
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('hoidap_');
    } finally {
      await server.close();
    }
  });
});

describe('files and secrets at rest', () => {
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  test('the database, its -wal and -shm, and a backup are readable by their owner only (even with umask 022)', async () => {
    const previous = process.umask(0o022);
    try {
      const dbFile = path.join(dir, 'var', 'hoidap.sqlite');
      const store = new SqliteLedgerStore(dbFile);
      store.db.prepare('INSERT INTO notifications_sent (key, created_ms) VALUES (?, ?)').run('k', 1);
      for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) expect([f, mode(f).toString(8)]).toEqual([f, '600']);
      const out = path.join(dir, 'backup.sqlite');
      expect((await hoidap(['backup', '--db', dbFile, '--out', out])).code).toBe(0);
      expect(mode(out).toString(8)).toBe('600');
      await store.close();
      // A file created world-readable by an older version is tightened when opened.
      fs.chmodSync(dbFile, 0o644);
      await new SqliteLedgerStore(dbFile).close();
      expect(mode(dbFile).toString(8)).toBe('600');
    } finally {
      process.umask(previous);
    }
  });

  test('stored Zalo tokens are encrypted with HOIDAP_SECRET_KEY (AES-256-GCM); plaintext from before stays readable; no key, no reading', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const key = 'a'.repeat(64);
    const plainStore = new SqliteChannelQueueStore(store.db, new SecretBox());
    await plainStore.setSecret('zalo.refresh_token', 'old-refresh-token', 1);
    const sealed = new SqliteChannelQueueStore(store.db, secretBoxFromEnv({ HOIDAP_SECRET_KEY: key }));
    expect(await sealed.getSecret('zalo.refresh_token')).toBe('old-refresh-token');
    await sealed.setSecret('zalo.access_token', 'secret-access-token', 2);
    const raw = (store.db.prepare("SELECT value FROM channel_secrets WHERE name = 'zalo.access_token'").get() as { value: string }).value;
    expect(raw).toMatch(/^enc:v1:/);
    expect(raw).not.toContain('secret-access-token');
    expect(await sealed.getSecret('zalo.access_token')).toBe('secret-access-token');
    await expect(plainStore.getSecret('zalo.access_token')).rejects.toThrow(/HOIDAP_SECRET_KEY/);
    await expect(new SqliteChannelQueueStore(store.db, secretBoxFromEnv({ HOIDAP_SECRET_KEY: 'b'.repeat(64) })).getSecret('zalo.access_token')).rejects.toThrow(/cannot be decrypted/);
    await store.close();
  });
});

describe('behind a reverse proxy', () => {
  /** Starts Direct Line conversations from `clients` (X-Forwarded-For), all through one proxy connection address. */
  async function startsAllowed(trustProxy: string | undefined): Promise<number[]> {
    const server = await withEnv(trustProxy === undefined ? {} : { HOIDAP_TRUST_PROXY: trustProxy }, () =>
      startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, `p${trustProxy ?? ''}.sqlite`), channels: { off: [] }, portalLimits: { startConversation: { burst: 2, perMinute: 2 } } }),
    );
    try {
      const statuses: number[] = [];
      for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.3'])
        statuses.push((await fetch(`http://127.0.0.1:${server.port}/v3/directline/conversations`, { method: 'POST', headers: { 'x-forwarded-for': client, 'content-type': 'application/json' }, body: '{}' })).status);
      return statuses;
    } finally {
      await server.close();
    }
  }

  test('with HOIDAP_TRUST_PROXY, each citizen has their own rate-limit bucket; without it, X-Forwarded-For is not believed', async () => {
    expect(await startsAllowed('loopback')).toEqual([201, 201, 201, 201]);
    expect(await startsAllowed(undefined)).toEqual([201, 201, 429, 429]);
  });
});
