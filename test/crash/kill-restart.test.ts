import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { PROJECT_ROOT } from '../../src/config/paths';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';
import { eventually, postZalo, waitReady, zaloServeEnv, zaloText } from '../helpers/channels';

/**
 * A burst of 2,000 signed Zalo events while the server is killed with SIGKILL and
 * restarted. Zalo redelivers what was not acknowledged. Afterwards every event was
 * handled exactly once and every reply sent exactly once. The server does that by
 * itself except for a send cut off by the kill: Zalo has no idempotency key, so
 * whether it arrived cannot be known; it is marked 'unknown' and never resent
 * automatically (that could send it twice). The admin checks in the OA's own chat
 * console (here: the fake's record) and settles each through the REST API: resend
 * if it did not arrive, delivered if it did.
 */
const EVENTS = Number(process.env.CRASH_EVENTS ?? 2000);
const KILL_AFTER = Math.round(EVENTS * 0.35);

jest.setTimeout(240_000);

function startChild(port: number, dbFile: string, zalo: ZaloFake): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(['serve']).then((c) => process.exit(c))"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...zaloServeEnv(zalo, { port, dbFile, logLevel: process.env.CRASH_LOG_LEVEL }) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

test('2,000 webhook events across a SIGKILL and a restart: each handled once, each reply sent once (sends cut off by the kill: once the admin has settled them)', async () => {
  const zalo = await startZaloFake();
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-crash-')), 'hoidap.sqlite');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // One user per event: each must get exactly one reply (the menu), so a turn run twice shows as two replies.
  const events = Array.from({ length: EVENTS }, (_, i) => zaloText(zalo.appId, String(7_000_000_000 + i), 'menu', `crash-${i}`));
  const acked = new Set<number>();

  let child = startChild(port, dbFile, zalo);
  await waitReady(base);
  let next = 0;
  let killed = false;
  const sendSome = async (indexes: number[], concurrency: number) => {
    let k = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (k < indexes.length) {
          const i = indexes[k++];
          try {
            const res = await postZalo(base, zalo.appId, events[i]);
            if (res.status === 200) acked.add(i);
          } catch {
            // The server is down: Zalo will deliver it again.
          }
          if (!killed && acked.size >= KILL_AFTER) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      }),
    );
  };
  await sendSome(Array.from({ length: Math.round(EVENTS * 0.6) }, (_, i) => (next = i)), 16);
  expect(killed).toBe(true);
  await exited(child);

  child = startChild(port, dbFile, zalo);
  await waitReady(base);
  // Zalo redelivers everything not acknowledged, and some acknowledged ones twice.
  const redeliver = Array.from({ length: EVENTS }, (_, i) => i).filter((i) => !acked.has(i) || i % 50 === 0);
  await sendSome(redeliver, 16);
  expect(acked.size).toBe(EVENTS);
  void next;

  const store = new SqliteLedgerStore(dbFile);
  try {
    await eventually(
      () => {
        const { pending } = store.db.prepare("SELECT count(*) AS pending FROM inbox WHERE status = 'pending'").get() as { pending: number };
        const { unsent } = store.db.prepare("SELECT count(*) AS unsent FROM outbox WHERE status IN ('pending', 'sending')").get() as { unsent: number };
        return pending === 0 && unsent === 0;
      },
      'every event handled and every reply sent',
      6000,
    );
    const inbox = store.db.prepare('SELECT status, count(*) AS n FROM inbox GROUP BY status').all();
    expect(inbox).toEqual([{ status: 'done', n: EVENTS }]);
    const perRecipient = store.db.prepare('SELECT recipient, count(*) AS n FROM outbox GROUP BY recipient').all() as Array<{ recipient: string; n: number }>;
    expect(perRecipient).toHaveLength(EVENTS);
    expect(perRecipient.filter((r) => r.n !== 1)).toEqual([]);
    const outbox = Object.fromEntries((store.db.prepare('SELECT status, count(*) AS n FROM outbox GROUP BY status').all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
    const unknown = store.db.prepare("SELECT recipient FROM outbox WHERE status = 'unknown'").all() as Array<{ recipient: string }>;
    // Only sends in flight at the moment of the kill can be unknown (the dispatcher sends at most 4 at once).
    expect(unknown.length).toBeLessThanOrEqual(4);
    expect(outbox.sent + (outbox.unknown ?? 0)).toBe(EVENTS);

    const received = () => {
      const counts = new Map<string, number>();
      for (const m of zalo.sent) counts.set(m.userId, (counts.get(m.userId) ?? 0) + 1);
      return counts;
    };
    expect([...received().values()].filter((n) => n > 1)).toEqual([]);
    const unknownSet = new Set(unknown.map((u) => u.recipient));
    const missing = events.map((e) => e.sender.id).filter((u) => !received().has(u) && !unknownSet.has(u));
    expect(missing).toEqual([]);

    // The admin settles the unknown sends, looking in the OA's console (the fake's record) for each.
    const backoffice = new SqliteBackofficeStore(store.db);
    const admin = await backoffice.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
    const token = await backoffice.issueApiToken(admin.id, Date.now());
    const listed = (await (await fetch(`${base}/api/v1/outbox/undelivered`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Array<{ id: number; recipient: string; status: string }> };
    expect(listed.items.map((m) => m.recipient).sort()).toEqual(unknown.map((u) => u.recipient).sort());
    for (const m of listed.items) {
      const decision = received().has(m.recipient) ? 'delivered' : 'resend';
      const res = await fetch(`${base}/api/v1/outbox/${m.id}/${decision}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
    await eventually(
      () => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'sent'").get() as { n: number }).n === EVENTS,
      'every reply sent, the settled ones included',
      6000,
    );
    const finalCounts = received();
    expect(events.filter((e) => finalCounts.get(e.sender.id) !== 1).map((e) => e.sender.id)).toEqual([]);
    expect(zalo.sent).toHaveLength(EVENTS);
    expect(zalo.violations).toEqual([]);
  } finally {
    await store.close();
    child.kill('SIGTERM');
    await exited(child);
    await zalo.close();
  }
});
