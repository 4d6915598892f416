/**
 * Finding 8 (webhooks): one signed event with "timestamp": "abc" among 50 made the shared write fail and the
 * 49 legitimate events got 500 (not stored); oversized bodies and gzip bombs got 500 instead of 413 (Zalo and
 * Meta retry 5xx); a signed event 200 days old was accepted, and could be replayed once its inbox row was purged.
 */
import { gzipSync } from 'node:zlib';
import { metaSignature } from '../../src/channels/facebook/signature';
import { zaloSignature } from '../../src/channels/zalo/signature';
import { channelsFromEnv } from '../../src/config/channels';
import { RetentionJob } from '../../src/jobs/retention';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteRetention } from '../../src/store/sqlite-retention';
import { channelRig, FB_APP_SECRET, OA_SECRET, postMessenger, postZalo, zaloText, type ChannelRig } from '../helpers/channels';

const DAY = 86_400_000;
let rig: ChannelRig;

beforeAll(async () => {
  rig = await channelRig();
});
afterAll(async () => {
  await rig.close();
});

function inbox(sql: string, ...params: unknown[]): unknown[] {
  const store = new SqliteLedgerStore(rig.dbFile);
  try {
    return (store.db.prepare(sql).all(...params) as Array<Record<string, unknown>>).map((r) => Object.values(r)[0]);
  } finally {
    void store.close();
  }
}

describe('one bad event cannot fail the others', () => {
  test('50 signed Zalo events sent at once, one with "timestamp": "abc": the 49 are stored and acknowledged, the bad one alone refused', async () => {
    const bodies = Array.from({ length: 50 }, (_, i) => zaloText(rig.zalo.appId, `7100${i}`, `xin chào ${i}`, `batch-${i}`));
    bodies[17] = { ...bodies[17], timestamp: 'abc' };
    const statuses = await Promise.all(bodies.map(async (b) => (await postZalo(rig.base, rig.zalo.appId, b)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(statuses[17]).toBe(400);
    expect(inbox("SELECT count(*) FROM inbox WHERE dedupe_key LIKE 'batch-%'")).toEqual([49]);
  });

  test('a Messenger batch with one event stamped "abc" stores the others', async () => {
    const t = Date.now();
    const event = (i: number, timestamp: unknown) => ({ sender: { id: `psid-b${i}` }, recipient: { id: 'PAGE' }, timestamp, message: { mid: `fb-batch-${i}`, text: 'xin chào' } });
    const body = { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [event(1, t), event(2, 'abc'), event(3, t + 1)] }] };
    expect((await postMessenger(rig.base, body)).status).toBe(200);
    expect(inbox("SELECT dedupe_key FROM inbox WHERE dedupe_key LIKE 'fb-batch-%' ORDER BY dedupe_key")).toEqual(['fb-batch-1', 'fb-batch-3']);
  });

  test('in the store, a request whose event cannot be written fails alone, not the requests written with it', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const queue = new SqliteChannelQueueStore(store.db);
    const good = { channel: 'zalo' as const, dedupeKey: 'ok-1', userKey: 'zalo:1', kind: 'message', payload: '{}', receivedAt: Date.now(), interaction: { userId: '1', at: Date.now() } };
    const bad = { ...good, dedupeKey: 'bad-1', interaction: { userId: '2', at: Number.NaN } };
    const results = await Promise.allSettled([queue.enqueueInbound([good]), queue.enqueueInbound([bad]), queue.enqueueInbound([{ ...good, dedupeKey: 'ok-2' }])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(store.db.prepare('SELECT dedupe_key FROM inbox ORDER BY id').all()).toEqual([{ dedupe_key: 'ok-1' }, { dedupe_key: 'ok-2' }]);
    await store.close();
  });
});

describe('oversized bodies get 413, not 500', () => {
  test('a Zalo body over its limit', async () => {
    const body = zaloText(rig.zalo.appId, '7200', 'x'.repeat(300_000), 'big-1');
    expect((await postZalo(rig.base, rig.zalo.appId, body)).status).toBe(413);
  });

  test('a gzip bomb (a few kB inflating to 20 MB) on both webhooks', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    for (const [path, header, signature] of [
      ['/webhooks/zalo', 'x-zevent-signature', 'mac=' + '0'.repeat(64)],
      ['/webhooks/facebook', 'x-hub-signature-256', metaSignature({ rawBody: bomb, appSecret: FB_APP_SECRET })],
    ]) {
      const res = await fetch(`${rig.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', [header]: signature }, body: bomb });
      expect(res.status).toBe(413);
    }
  });
});

describe('freshness of signed events, and dedupe keys that outlive redeliveries', () => {
  test('a correctly signed Zalo event 200 days old is not stored (nor one from the future)', async () => {
    const old = zaloText(rig.zalo.appId, '7300', 'xin chào', 'old-1', String(Date.now() - 200 * DAY));
    const ahead = zaloText(rig.zalo.appId, '7300', 'xin chào', 'ahead-1', String(Date.now() + 2 * DAY));
    expect(zaloSignature({ rawBody: JSON.stringify(old), appId: rig.zalo.appId, oaSecretKey: OA_SECRET })).toMatch(/^mac=/);
    expect((await postZalo(rig.base, rig.zalo.appId, old)).status).toBe(200);
    expect((await postZalo(rig.base, rig.zalo.appId, ahead)).status).toBe(200);
    expect(inbox("SELECT count(*) FROM inbox WHERE dedupe_key IN ('old-1', 'ahead-1')")).toEqual([0]);
  });

  test('a Messenger event 200 days old is not stored', async () => {
    const t = Date.now() - 200 * DAY;
    const body = { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: 'psid-old' }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: 'fb-old-1', text: 'xin chào' } }] }] };
    expect((await postMessenger(rig.base, body)).status).toBe(200);
    expect(inbox("SELECT count(*) FROM inbox WHERE dedupe_key = 'fb-old-1'")).toEqual([0]);
  });

  test('the window is configurable (HOIDAP_WEBHOOK_MAX_AGE_HOURS) and bounded', () => {
    expect(channelsFromEnv({ HOIDAP_WEBHOOK_MAX_AGE_HOURS: '24' }).webhookMaxAgeMs).toBe(DAY);
    expect(() => channelsFromEnv({ HOIDAP_WEBHOOK_MAX_AGE_HOURS: '10000' })).toThrow(/HOIDAP_WEBHOOK_MAX_AGE_HOURS/);
  });

  test('after retention purged a handled event, its redelivery is still a duplicate (the key outlives the payload)', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const queue = new SqliteChannelQueueStore(store.db);
    const now = Date.now();
    const event = { channel: 'zalo' as const, dedupeKey: 'replayed-1', userKey: 'zalo:1', kind: 'message', payload: '{"text":"gọi 0912345678"}', receivedAt: now - 40 * DAY };
    expect(await queue.enqueueInbound([event])).toBe(1);
    store.db.prepare("UPDATE inbox SET status = 'done'").run();
    const policy = { checkEveryMinutes: 60, webhookEventsDays: 30, sentMessagesDays: 30, portalConversationsDays: 90, abandonedDialogsDays: 30, batchSize: 10 };
    expect((await new RetentionJob({ store: new SqliteRetention(store.db), policy }).runOnce(now)).webhookEvents).toBe(1);
    expect(store.db.prepare("SELECT count(*) AS n FROM inbox WHERE payload LIKE '%0912345678%'").get()).toEqual({ n: 0 });
    expect(await queue.enqueueInbound([{ ...event, receivedAt: now }])).toBe(0);
    await store.close();
  });
});
