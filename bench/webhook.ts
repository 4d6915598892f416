/**
 * The Zalo webhook under load on loopback: throughput and acknowledgement latency
 * p50/p99, next to a bare express handler that answers 200, measured in the same
 * run. Every request is a distinct, correctly signed event. Targets: p99 under 50 ms
 * at 1,000 requests a second, and at least a third of the bare handler's throughput;
 * afterwards every acknowledged event is in the inbox.
 * Run: npm run bench:webhook [-- --seconds 10]
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/ports';
import { PROJECT_ROOT } from '../src/config/paths';
import { zaloSignature } from '../src/channels/zalo/signature';
import { SqliteLedgerStore } from '../src/store/sqlite';
import { startZaloFake } from '../test/fakes/zalo-fake';
import { OA_SECRET, zaloServeEnv } from '../test/helpers/channels';

const argIndex = process.argv.indexOf('--seconds');
const SECONDS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 10;

function spawnTs(code: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never came up`);
}

let counter = 0;
function signedRequest(appId: string): autocannon.Request {
  return {
    method: 'POST' as const,
    path: '/webhooks/zalo',
    setupRequest: (req: autocannon.Request) => {
      counter += 1;
      const body = JSON.stringify({
        event_name: 'user_send_text',
        app_id: appId,
        sender: { id: String(8_000_000_000 + (counter % 5000)) },
        recipient: { id: '3662729599332560487' },
        message: { text: 'menu', msg_id: `bench-${process.pid}-${counter}` },
        timestamp: String(Date.now()),
      });
      return { ...req, body, headers: { 'content-type': 'application/json', 'x-zevent-signature': zaloSignature({ rawBody: body, appId, oaSecretKey: OA_SECRET }) } };
    },
  };
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result))));
}

async function main(): Promise<void> {
  const zalo = await startZaloFake();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-bench-webhook-'));
  const dbFile = path.join(dir, 'hoidap.sqlite');
  const [hoidapPort, barePort] = [await freePort(), await freePort()];
  const hoidap = spawnTs("require('./src/cli/main').main(['serve'])", {
    ...zaloServeEnv(zalo, { port: hoidapPort, dbFile }),
    // The webhook alone, without the bot's turns (to tell where latency comes from).
    HOIDAP_BENCH_NO_PROCESSING: process.env.HOIDAP_BENCH_NO_PROCESSING ?? '0',
  });
  const bare = spawnTs(
    `const express = require('express'); const app = express(); app.post('/webhooks/zalo', express.raw({ type: () => true }), (req, res) => res.status(200).json({ message: 'ok' })); app.listen(${barePort}, '127.0.0.1');`,
    {},
  );
  try {
    await waitFor(`http://127.0.0.1:${hoidapPort}/readyz`);
    await waitFor(`http://127.0.0.1:${barePort}/`);
    const common = { connections: 50, duration: SECONDS, requests: [signedRequest(zalo.appId)] };

    // Warm up both (JIT, connection pools) before measuring.
    await run({ ...common, duration: 3, url: `http://127.0.0.1:${barePort}` });
    const warmAcks = (await run({ ...common, duration: 3, overallRate: 500, url: `http://127.0.0.1:${hoidapPort}` }))['2xx'];
    // The steady runs first: the maximum-rate run leaves a backlog that the bot works through afterwards.
    const bareSteady = await run({ ...common, connections: 50, overallRate: 1000, url: `http://127.0.0.1:${barePort}` });
    const steady = await run({ ...common, connections: 50, overallRate: 1000, url: `http://127.0.0.1:${hoidapPort}` });
    const bareMax = await run({ ...common, url: `http://127.0.0.1:${barePort}` });
    const hoidapMax = await run({ ...common, url: `http://127.0.0.1:${hoidapPort}` });

    const line = (name: string, r: autocannon.Result) =>
      `${name.padEnd(34)} ${String(Math.round(r.requests.average)).padStart(6)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;
    console.log(`${SECONDS} s per run, 50 connections, loopback, 2 cores shared with the server`);
    console.log(line('bare express handler, max', bareMax));
    console.log(line('hoidap /webhooks/zalo, max', hoidapMax));
    console.log(line('bare express handler, 1,000/s', bareSteady));
    console.log(line('hoidap /webhooks/zalo, 1,000/s', steady));
    const ratio = hoidapMax.requests.average / bareMax.requests.average;
    console.log(`throughput ratio ${ratio.toFixed(2)} (target >= 0.33: ${ratio >= 1 / 3 ? 'met' : 'NOT met'}); p99 at 1,000/s ${steady.latency.p99} ms (target < 50 ms: ${steady.latency.p99 < 50 ? 'met' : 'NOT met'})`);

    const acknowledged = hoidapMax['2xx'] + steady['2xx'] + warmAcks;
    const store = new SqliteLedgerStore(dbFile);
    const { n } = store.db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number };
    await store.close();
    console.log(`acknowledged ${acknowledged} events; ${n} in the inbox (${n >= acknowledged ? 'every acknowledged event stored; the rest arrived as the runs stopped' : 'MISSING EVENTS'})`);
  } finally {
    hoidap.kill('SIGTERM');
    bare.kill('SIGTERM');
    await zalo.close();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
