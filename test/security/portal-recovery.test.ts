/**
 * Finding 9: after kill -9 during Direct Line traffic, 1 of 55 stored messages was never answered: the portal
 * stored a citizen's message, acknowledged it, and ran its turn afterwards in memory, with no recovery at the
 * next start (unlike the webhook inbox). Stored-but-unprocessed portal turns now run at the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDirectLineStore } from '../../src/channels/portal';
import { hashToken, type DirectLineActivity } from '../../src/channels/portal/store';
import { PROJECT_ROOT } from '../../src/config/paths';
import { startServer } from '../../src/http/server';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { eventually, waitReady } from '../helpers/channels';
import { freePort } from '../helpers/ports';
import { province } from '../helpers/province';
import { DL, startConversation } from '../channels/portal/helpers';

jest.setTimeout(120_000);

function activities(dbFile: string): DirectLineActivity[] {
  const store = new SqliteLedgerStore(dbFile);
  try {
    return (store.db.prepare('SELECT activity FROM dl_activities ORDER BY conversation_id, seq').all() as Array<{ activity: string }>).map((r) => JSON.parse(r.activity) as DirectLineActivity);
  } finally {
    void store.close();
  }
}

/** The citizens' messages with no bot reply to them. */
function unanswered(dbFile: string): string[] {
  const all = activities(dbFile);
  const answered = new Set(all.filter((a) => a.from.role === 'bot' && a.replyToId).map((a) => a.replyToId));
  return all.filter((a) => a.from.role === 'user' && a.type === 'message' && !answered.has(a.id)).map((a) => a.id);
}

test('a message stored just before a crash (its turn never ran) is answered at the next start', async () => {
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-portal-rec-')), 'hoidap.sqlite');
  // What the server had done when the kill came: the conversation exists, the message is stored, no turn ran.
  const store = new SqliteLedgerStore(dbFile);
  const directLine = new SqliteDirectLineStore(store.db);
  const now = Date.now();
  await directLine.createConversation({ id: 'conv-crash', tokenHash: hashToken('t'), userId: 'dl_citizen', expiresAt: now + 1_800_000, now });
  const { activity } = await directLine.appendActivity(
    'conv-crash',
    { type: 'message', timestamp: new Date(now).toISOString(), channelId: 'directline', conversation: { id: 'conv-crash' }, from: { id: 'dl_citizen', role: 'user' }, recipient: { id: 'hoidap-bot', role: 'bot' }, text: 'menu', locale: 'vi-VN' },
    now,
  );
  await store.close();
  expect(unanswered(dbFile)).toEqual([activity.id]);

  const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] } });
  try {
    await eventually(() => unanswered(dbFile).length === 0, 'the stored message answered after the restart');
    const replies = activities(dbFile).filter((a) => a.replyToId === activity.id);
    expect(replies.length).toBeGreaterThan(0);
  } finally {
    await server.close();
  }
  // A second start does not answer it again.
  const again = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] } });
  const count = activities(dbFile).length;
  await new Promise((r) => setTimeout(r, 300));
  expect(activities(dbFile).length).toBe(count);
  await again.close();
});

function startChild(port: number, dbFile: string): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(['serve']).then((c) => process.exit(c))"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: String(port), HOIDAP_DB: dbFile, HOIDAP_DEMO: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

test('kill -9 during Direct Line traffic: after the restart every stored message has its answer', async () => {
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-portal-kill-')), 'hoidap.sqlite');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = startChild(port, dbFile);
  try {
    await waitReady(base);
    const conversations = await Promise.all(Array.from({ length: 11 }, () => startConversation(base)));
    // 55 messages (5 per conversation, in order), the kill coming while they are being answered.
    const posts: Array<Promise<unknown>> = [];
    for (let round = 0; round < 5; round += 1)
      for (const c of conversations)
        posts.push(
          fetch(`${base}${DL}/conversations/${c.conversationId}/activities`, {
            method: 'POST',
            headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'message', from: { id: 'citizen' }, text: round % 2 ? 'menu' : 'xin chào', locale: 'vi-VN' }),
          }).catch(() => undefined),
        );
    await new Promise((r) => setTimeout(r, 15));
    child.kill('SIGKILL');
    await Promise.allSettled(posts);
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    child = startChild(port, dbFile);
    await waitReady(base);
    await eventually(() => unanswered(dbFile).length === 0, 'every stored message answered after the restart', 1000);
  } finally {
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  }
});
