import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../src/config/data';
import { startServer } from '../../src/http/server';
import { RetentionJob } from '../../src/jobs/retention';
import { loadRetentionPolicy, type RetentionPolicy } from '../../src/jobs/retention-policy';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteRetention } from '../../src/store/sqlite-retention';
import { instant, province } from '../helpers/province';

const DAY = 86_400_000;
const NOW = instant('2026-11-30T10:00:00+07:00');
const POLICY: RetentionPolicy = { checkEveryMinutes: 60, webhookEventsDays: 30, sentMessagesDays: 30, portalConversationsDays: 90, abandonedDialogsDays: 30, batchSize: 10 };

let dir: string;
let store: SqliteLedgerStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-retention-'));
  store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ago = (days: number) => NOW - days * DAY;

function inboxEvent(key: string, receivedAt: number, status: string): void {
  store.db
    .prepare(`INSERT INTO inbox (channel, dedupe_key, user_key, kind, payload, received_ms, status) VALUES ('zalo', ?, 'zalo:1', 'message', '{"text":"Số điện thoại của tôi là 0912345678"}', ?, ?)`)
    .run(key, receivedAt, status);
}
function outboxMessage(recipient: string, createdAt: number, status: string): void {
  store.db.prepare(`INSERT INTO outbox (channel, recipient, payload, created_ms, next_attempt_ms, status) VALUES ('zalo', ?, '{"text":"Xin chào"}', ?, ?, ?)`).run(recipient, createdAt, createdAt, status);
}
function portalConversation(id: string, lastAt: number): void {
  store.db.prepare(`INSERT INTO dl_conversations (id, token_hash, user_id, created_ms, expires_ms, last_ms) VALUES (?, 'h', 'u', ?, ?, ?)`).run(id, lastAt, lastAt + 1_800_000, lastAt);
  store.db.prepare(`INSERT INTO dl_activities (conversation_id, seq, activity) VALUES (?, 1, '{"text":"tôi tên Nguyễn Văn An"}'), (?, 2, '{"text":"0912345678"}')`).run(id, id);
}
function botState(key: string, updatedAt: number): void {
  store.db.prepare(`INSERT INTO bot_state (key, etag, value, updated_ms) VALUES (?, 'e', '{}', ?)`).run(key, updatedAt);
}
const column = (sql: string) => (store.db.prepare(sql).all() as Array<Record<string, unknown>>).map((r) => Object.values(r)[0]);

describe('retention: old channel traffic is deleted, what still serves a purpose is kept', () => {
  test('each kind past its own limit goes; recent, unfinished and awaiting-admin items stay; the ledger is untouched', async () => {
    inboxEvent('old-done', ago(31), 'done');
    inboxEvent('old-ignored', ago(45), 'ignored');
    inboxEvent('old-pending', ago(40), 'pending');
    inboxEvent('old-failed', ago(40), 'failed');
    inboxEvent('recent-done', ago(29), 'done');
    for (const [recipient, days, status] of [['old-sent', 31, 'sent'], ['old-expired', 60, 'expired'], ['old-dead', 60, 'dead'], ['old-unknown', 60, 'unknown'], ['old-pending', 60, 'pending'], ['recent-sent', 2, 'sent']] as const)
      outboxMessage(recipient, ago(days), status);
    portalConversation('c-old', ago(91));
    portalConversation('c-recent', ago(89));
    botState('zalo/conversations/7001/DialogState', ago(31));
    botState('directline/conversations/c-x/DialogState', ago(31));
    botState('zalo/users/7001/profile', ago(400));
    botState('zalo/conversations/7002/DialogState', ago(3));
    const eventsBefore = column('SELECT count(*) FROM events');

    const result = await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY }).runOnce(NOW);

    expect(result).toEqual({ webhookEvents: 2, sentMessages: 2, portalConversations: 1, abandonedDialogs: 2 });
    expect(column("SELECT dedupe_key FROM inbox WHERE status != 'purged' ORDER BY id")).toEqual(['old-pending', 'old-failed', 'recent-done']);
    // The handled events' ids stay (a replay is still a duplicate); their payloads, the citizens' messages, are gone.
    expect(column("SELECT dedupe_key || ' ' || payload || ' ' || user_key FROM inbox WHERE status = 'purged' ORDER BY id")).toEqual(['old-done {} ', 'old-ignored {} ']);
    expect(column('SELECT recipient FROM outbox ORDER BY id')).toEqual(['old-dead', 'old-unknown', 'old-pending', 'recent-sent']);
    expect(column('SELECT id FROM dl_conversations')).toEqual(['c-recent']);
    expect(column('SELECT DISTINCT conversation_id FROM dl_activities')).toEqual(['c-recent']);
    // The citizen's profile (language, ticket list) stays; only half-finished dialogs go.
    expect(column('SELECT key FROM bot_state ORDER BY key')).toEqual(['zalo/conversations/7002/DialogState', 'zalo/users/7001/profile']);
    expect(column('SELECT count(*) FROM events')).toEqual(eventsBefore);

    // A second run finds nothing more.
    expect(await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY }).runOnce(NOW)).toEqual({ webhookEvents: 0, sentMessages: 0, portalConversations: 0, abandonedDialogs: 0 });
  });

  test('many old rows go in several batches within one run', async () => {
    for (let i = 0; i < 95; i += 1) inboxEvent(`old-${i}`, ago(31) - i, 'done');
    inboxEvent('recent', ago(1), 'done');
    const result = await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY }).runOnce(NOW);
    expect(result.webhookEvents).toBe(95);
    expect(column("SELECT dedupe_key FROM inbox WHERE status != 'purged'")).toEqual(['recent']);
  });

  test('a redelivered webhook event within the limit is still recognised and not handled twice', async () => {
    const queue = new SqliteChannelQueueStore(store.db);
    const event = { channel: 'zalo' as const, dedupeKey: 'msg-1', userKey: 'zalo:1', kind: 'message', payload: '{}', receivedAt: ago(20) };
    expect(await queue.enqueueInbound([event])).toBe(1);
    store.db.prepare("UPDATE inbox SET status = 'done'").run();
    await new RetentionJob({ store: new SqliteRetention(store.db), policy: POLICY }).runOnce(NOW);
    expect(await queue.enqueueInbound([{ ...event, receivedAt: NOW }])).toBe(0);
  });

  test('the server started by `serve` runs it at start', async () => {
    inboxEvent('old-done', Date.now() - 31 * DAY, 'done');
    await store.close();
    const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: path.join(dir, 'hoidap.sqlite'), channels: { off: [] }, retention: true });
    store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
    try {
      const kept = "SELECT count(*) FROM inbox WHERE status != 'purged'";
      for (let i = 0; i < 200 && column(kept)[0] !== 0; i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(column(kept)).toEqual([0]);
    } finally {
      await server.close();
    }
  });
});

describe('data/retention.json', () => {
  const write = (value: unknown) => {
    const file = path.join(dir, 'retention.json');
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  test('the shipped policy loads', () => {
    expect(loadRetentionPolicy()).toMatchObject({ webhookEventsDays: 30, portalConversationsDays: 90 });
  });

  test('limits that would break something are refused with the reason', () => {
    expect(() => loadRetentionPolicy(write({ ...POLICY, webhookEventsDays: 1 }))).toThrow(DataError);
    expect(() => loadRetentionPolicy(write({ ...POLICY, webhookEventsDays: 1 }))).toThrow(/webhookEventsDays.*at least 3 days.*redeliver/);
    expect(() => loadRetentionPolicy(write({ ...POLICY, portalConversationsDays: 30 }))).toThrow(/portalConversationsDays.*at least 60 days/);
    expect(() => loadRetentionPolicy(write({ ...POLICY, keepForever: true }))).toThrow(/keepForever/);
  });
});
