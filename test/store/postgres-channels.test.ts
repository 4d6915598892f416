import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityHandlerBase } from 'botbuilder';
import type { MessagingAdapter } from '../../src/channels/messaging/adapter';
import { OutboundDispatcher, type ChannelSender } from '../../src/channels/messaging/dispatcher';
import { InboundProcessor } from '../../src/channels/messaging/processor';
import { createPortal, PortalAdapter, type Portal } from '../../src/channels/portal';
import type { InboundEvent, TurnResult } from '../../src/store/channel-types';
import { PostgresBotStorage } from '../../src/store/postgres-bot-storage';
import { hashToken, type NewDirectLineActivity } from '../../src/channels/portal/store';
import { openStores } from '../../src/store/open';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { PostgresChannelQueueStore } from '../../src/store/postgres-channels';
import { PostgresDirectLineStore } from '../../src/store/postgres-directline';
import { SecretBox } from '../../src/store/secret-box';
import { activitiesAfter, EchoBot, message, postActivity, startConversation } from '../channels/portal/helpers';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';
import { inboundEvent, reply } from './channels-contract';

/**
 * Several server instances on one PostgreSQL schema: each instance is a PostgresLedgerStore
 * of its own (its own pool and its own liveness lock), as two processes would have.
 */
describe('PostgreSQL channel stores shared by several instances', () => {
  let location: string;
  let schema: string;
  const opened: PostgresLedgerStore[] = [];
  const instance = async (): Promise<PostgresLedgerStore> => {
    const store = await PostgresLedgerStore.open(location);
    opened.push(store);
    return store;
  };
  /** Stops an instance as a crash would: its connections close, its claims stay in the tables. */
  const crash = async (store: PostgresLedgerStore) => {
    opened.splice(opened.indexOf(store), 1);
    await store.close();
  };
  const queueOf = (store: PostgresLedgerStore) => new PostgresChannelQueueStore(store, new SecretBox());

  beforeEach(() => {
    ({ location, schema } = freshSchemaLocation());
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await dropSchema(schema);
  });

  test('two consumers claiming the same inbox at once never get the same event, and together get every one', async () => {
    const [a, b] = [queueOf(await instance()), queueOf(await instance())];
    // 120 people, 3 events each: a person's next event only once the previous one is done.
    const events = Array.from({ length: 360 }, (_, i) => inboundEvent(`m${i}`, `u${i % 120}`));
    expect(await a.enqueueInbound(events)).toBe(360);
    const seen = new Map<number, string>();
    const duplicates: number[] = [];
    const consume = async (queue: PostgresChannelQueueStore, owner: string) => {
      for (let idle = 0; idle < 3; ) {
        const claimed = await queue.claimInbound(owner, Date.now(), 600_000, 7);
        if (claimed.length === 0) {
          idle += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        idle = 0;
        for (const e of claimed) {
          if (seen.has(e.id)) duplicates.push(e.id);
          seen.set(e.id, owner);
          expect(await queue.completeInbound(e.id, owner, Date.now(), { status: 'done', replies: [reply(e.userKey, e.dedupeKey)], stateWrites: {} })).toBe(true);
        }
      }
    };
    await Promise.all([consume(a, 'a-1'), consume(b, 'b-1'), consume(a, 'a-2'), consume(b, 'b-2')]);
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(360);
    expect(new Set(seen.values()).size).toBeGreaterThan(1);
    expect(await b.inboundByStatus()).toEqual({ pending: 0, done: 360, ignored: 0, failed: 0 });

    // The replies the same way through the outbox: each sent once, a person's in the order written.
    const sent: string[] = [];
    const send = async (queue: PostgresChannelQueueStore, owner: string) => {
      for (let idle = 0; idle < 3; ) {
        const claimed = await queue.claimOutbound(owner, Date.now(), 600_000, 5);
        if (claimed.length === 0) {
          idle += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        idle = 0;
        for (const m of claimed) {
          sent.push(m.payload.text);
          await queue.finishOutbound(m.id, owner, Date.now(), { status: 'sent' });
        }
      }
    };
    await Promise.all([send(a, 'a'), send(b, 'b')]);
    expect(sent).toHaveLength(360);
    expect(new Set(sent).size).toBe(360);
    const order = (user: number) => sent.filter((t) => Number(t.slice(1)) % 120 === user);
    expect(order(7)).toEqual(['m7', 'm127', 'm247']);
  });

  test('two instances running the real inbox processor and outbox dispatcher: each person’s turns one at a time and in order, each reply sent once, in order, through failures', async () => {
    const sent: Array<{ to: string; text: string }> = [];
    let calls = 0;
    const sender: ChannelSender = {
      windowOpen: () => true,
      async send(recipient, payload) {
        calls += 1;
        // Every fourth call fails: retried later, by whichever instance claims it.
        if (calls % 4 === 0) throw Object.assign(new Error('HTTP 500'), { kind: 'retryable' });
        sent.push({ to: recipient, text: payload.text });
        return { providerId: `p${calls}` };
      },
    };
    const handledBy = new Map<string, number>();
    const running: Array<{ processor: InboundProcessor; dispatcher: OutboundDispatcher }> = [];
    for (let i = 0; i < 2; i += 1) {
      const store = await instance();
      const queue = queueOf(store);
      const state = new PostgresBotStorage(store);
      // The turn counts the person's messages in the bot state it commits with its reply.
      const adapter = {
        async processInbound(event: InboundEvent): Promise<TurnResult> {
          const key = `zalo/users/${event.userKey}`;
          const count = ((await state.read([key]))[key]?.count ?? 0) + 1;
          await new Promise((resolve) => setTimeout(resolve, 2));
          handledBy.set(event.dedupeKey, i);
          return { status: 'done', replies: [reply(event.userKey, `${JSON.parse(event.payload).text}#${count}`)], stateWrites: { [key]: { count, eTag: '*' } } };
        },
      } as unknown as MessagingAdapter;
      const processor = new InboundProcessor({ queue, adapters: { zalo: adapter }, bot: {} as ActivityHandlerBase, pollMs: 20, concurrency: 8 });
      const dispatcher = new OutboundDispatcher({ queue, senders: { zalo: sender }, pollMs: 20, baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 10 });
      running.push({ processor, dispatcher });
    }
    const queue = queueOf(opened[0]);
    // 6 people, 20 messages each, arriving in 3 requests: more turns in flight than people.
    const events = Array.from({ length: 120 }, (_, i) => inboundEvent(`m${i}`, `u${i % 6}`));
    for (let part = 0; part < 3; part += 1) await queue.enqueueInbound(events.slice(part * 40, part * 40 + 40));
    for (const r of running) {
      r.processor.start();
      r.dispatcher.start();
    }
    try {
      const deadline = Date.now() + 45_000;
      while ((await queue.outboundByStatus()).sent < 120 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      for (const r of running) {
        await r.processor.stop();
        await r.dispatcher.stop();
      }
    }
    expect(await queue.inboundByStatus()).toEqual({ pending: 0, done: 120, ignored: 0, failed: 0 });
    expect(await queue.outboundByStatus()).toMatchObject({ pending: 0, sending: 0, sent: 120, dead: 0 });
    expect(sent).toHaveLength(120);
    expect(new Set(handledBy.values())).toEqual(new Set([0, 1]));
    for (let u = 0; u < 6; u += 1) {
      const mine = events.filter((_, i) => i % 6 === u).map((e, n) => `${JSON.parse(e.payload).text}#${n + 1}`);
      expect(sent.filter((m) => m.to === `zalo:u${u}`).map((m) => m.text)).toEqual(mine);
    }
    const state = await new PostgresBotStorage(opened[1]).read(['zalo/users/zalo:u0', 'zalo/users/zalo:u5']);
    expect([state['zalo/users/zalo:u0'].count, state['zalo/users/zalo:u5'].count]).toEqual([20, 20]);
  }, 60_000);

  test('a restart frees the claims of instances that are gone, never those of one still running', async () => {
    const first = await instance();
    const second = await instance();
    const [running, restarted] = [queueOf(first), queueOf(second)];
    await running.enqueueInbound([inboundEvent('a1', 'a')]);
    await running.enqueueOutbound([reply('x', 'một'), reply('x', 'hai')], Date.now());
    expect(await running.claimInbound('w', Date.now(), 600_000, 10)).toHaveLength(1);
    const [sending] = await running.claimOutbound('d', Date.now(), 600_000, 10);

    expect(await restarted.recoverAfterRestart()).toEqual({ inbound: 0, interruptedSends: 0 });
    expect(await restarted.claimInbound('w2', Date.now(), 600_000, 10)).toEqual([]);
    expect(await restarted.claimOutbound('d2', Date.now(), 600_000, 10)).toEqual([]);

    await crash(first);
    // The dead instance's send is 'unknown' (never resent by itself), and the recipient's next message goes on.
    const next = await restarted.claimOutbound('d2', Date.now(), 600_000, 10);
    expect(next.map((m) => m.payload.text)).toEqual(['hai']);
    expect((await restarted.undelivered(10)).map((m) => [m.id, m.status])).toEqual([[sending.id, 'unknown']]);
    expect(await restarted.recoverAfterRestart()).toEqual({ inbound: 1, interruptedSends: 1 });
    expect((await restarted.claimInbound('w2', Date.now(), 600_000, 10)).map((e) => e.dedupeKey)).toEqual(['a1']);
  });

  test('two instances queueing the same once-only notice at once queue it once', async () => {
    const [a, b] = [queueOf(await instance()), queueOf(await instance())];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).enqueueOnce('answer-notice:HD-2026-000001', [reply('x@example.vn', 'đã trả lời', { channel: 'email' })], 1_000 + i)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await a.outboundByStatus()).pending).toBe(1);
  });

  test('a portal message whose turn another instance is running is left to it; once that instance is gone, one survivor answers it', async () => {
    const first = await instance();
    const [survivor1, survivor2] = [new PostgresDirectLineStore(await instance()), new PostgresDirectLineStore(await instance())];
    const owner = new PostgresDirectLineStore(first);
    await owner.createConversation({ id: 'c', tokenHash: hashToken('t'), userId: 'u', expiresAt: Date.now() + 60_000, now: Date.now() });
    const text: NewDirectLineActivity = { type: 'message', text: 'câu hỏi', timestamp: new Date().toISOString(), channelId: 'directline', conversation: { id: 'c' }, from: { id: 'u', role: 'user' } };
    const stored = await owner.appendActivity('c', text, Date.now());

    expect(await survivor1.unhandledActivities(10, Date.now() + 1)).toEqual([]);
    expect(await owner.unhandledActivities(10, Date.now() + 1)).toEqual([stored]);

    await crash(first);
    const [got1, got2] = await Promise.all([survivor1.unhandledActivities(10, Date.now() + 1), survivor2.unhandledActivities(10, Date.now() + 1)]);
    expect([...got1, ...got2]).toEqual([stored]);
    // Taken over: the other survivor leaves it to the one running it now.
    const taker = got1.length > 0 ? survivor1 : survivor2;
    const other = taker === survivor1 ? survivor2 : survivor1;
    expect(await other.unhandledActivities(10, Date.now() + 1)).toEqual([]);
    await taker.markHandled(stored.activity);
    expect(await taker.unhandledActivities(10, Date.now() + 1)).toEqual([]);
  });

  test('Direct Line: a citizen who posts to one instance and polls another reads the bot’s reply', async () => {
    const servers: Array<{ base: string; portal: Portal; server: Server }> = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const store = new PostgresDirectLineStore(await instance());
        const adapter = new PortalAdapter({ store });
        const portal = createPortal({ store, adapter, bot: new EchoBot() });
        const app = express();
        app.use('/v3/directline', portal.router);
        const server = await new Promise<Server>((resolve) => {
          const s = app.listen(0, '127.0.0.1', () => resolve(s));
        });
        servers.push({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, portal, server });
      }
      const [one, two] = servers;
      const conversation = await startConversation(one.base);
      expect((await postActivity(one.base, conversation.conversationId, conversation.token, message('xin chào'))).status).toBe(200);
      await one.portal.drain();
      const page = await activitiesAfter(two.base, conversation);
      expect(page.activities.map((a) => [a.from.role, a.text])).toEqual([
        ['bot', 'Xin chào! Mời bạn đặt câu hỏi.'],
        ['user', 'xin chào'],
        ['bot', 'Echo: xin chào'],
      ]);
      // And the other way round, from the watermark the second instance gave.
      expect((await postActivity(two.base, conversation.conversationId, conversation.token, message('lần hai'))).status).toBe(200);
      await two.portal.drain();
      expect((await activitiesAfter(one.base, conversation, page.watermark)).activities.map((a) => a.text)).toEqual(['lần hai', 'Echo: lần hai']);
    } finally {
      for (const s of servers) {
        await s.portal.drain();
        s.server.closeAllConnections();
        await new Promise<void>((resolve) => s.server.close(() => resolve()));
      }
    }
  });

  test('Direct Line: messages of one conversation posted to two instances are answered one at a time, in the order posted', async () => {
    const servers: Array<{ base: string; portal: Portal; server: Server; bot: EchoBot }> = [];
    let held: { started: Promise<void>; release: () => void } | undefined;
    try {
      for (let i = 0; i < 2; i += 1) {
        const store = new PostgresDirectLineStore(await instance());
        const adapter = new PortalAdapter({ store });
        const bot = new EchoBot();
        const portal = createPortal({ store, adapter, bot });
        const app = express();
        app.use('/v3/directline', portal.router);
        const server = await new Promise<Server>((resolve) => {
          const s = app.listen(0, '127.0.0.1', () => resolve(s));
        });
        servers.push({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, portal, server, bot });
      }
      const [one, two] = servers;
      const conversation = await startConversation(one.base);
      await one.portal.drain();
      held = one.bot.holdNextWait();
      expect((await postActivity(one.base, conversation.conversationId, conversation.token, message('wait'))).status).toBe(200);
      await held.started;
      expect((await postActivity(two.base, conversation.conversationId, conversation.token, message('hai'))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await activitiesAfter(two.base, conversation)).activities.map((a) => a.text)).not.toContain('Echo: hai');
      held.release();
      await one.portal.drain();
      await two.portal.drain();
      expect((await activitiesAfter(two.base, conversation)).activities.map((a) => a.text)).toEqual(['Xin chào! Mời bạn đặt câu hỏi.', 'wait', 'hai', 'Echo: wait', 'Echo: hai']);
    } finally {
      held?.release();
      for (const s of servers) {
        await s.portal.drain();
        s.server.closeAllConnections();
        await new Promise<void>((resolve) => s.server.close(() => resolve()));
      }
    }
  });

  test('the claims find their rows along the partial indexes of pending events and due messages', async () => {
    const store = await instance();
    const client = await store.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string) => (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const inbox = await plan(`SELECT i.id FROM inbox i WHERE i.status = 'pending' AND (i.lease_until IS NULL OR i.lease_until < 5)
        AND i.id = (SELECT min(j.id) FROM inbox j WHERE j.user_key = i.user_key AND j.status = 'pending') ORDER BY i.id LIMIT 10`);
      expect(inbox).toMatch(/inbox_pending/);
      expect(inbox).toMatch(/inbox_by_user/);
      const outbox = await plan(`SELECT o.id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_ms <= 5 AND (o.lease_until IS NULL OR o.lease_until < 5)
        AND o.id = (SELECT min(p.id) FROM outbox p WHERE p.channel = o.channel AND p.recipient = o.recipient AND p.status IN ('pending', 'sending'))
        ORDER BY o.next_attempt_ms, o.id LIMIT 10`);
      expect(outbox).toMatch(/outbox_due/);
      expect(outbox).toMatch(/outbox_by_recipient/);
    } finally {
      client.release();
    }
  });

  test('the channel tables come with the schema, and opening it again migrates nothing twice', async () => {
    const store = await instance();
    const tables = await store.pool.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['bot_state', 'channel_secrets', 'channel_users', 'dl_activities', 'dl_conversations', 'dl_pending', 'inbox', 'notifications_sent', 'outbox']));
    const again = await instance();
    expect((await again.pool.query('SELECT version FROM schema_migrations')).rows).toEqual((await store.pool.query('SELECT version FROM schema_migrations')).rows);
  });
  test('opening the stores with HOIDAP_SECRET_KEY seals the secrets stored in clear before it; they read the same, and a second opening changes nothing', async () => {
    const key = 'c0ffee'.repeat(10) + 'abcd';
    const tokens = JSON.stringify({ accessToken: 'PLAIN-ACCESS-TOKEN-4f1d9a', refreshToken: 'PLAIN-REFRESH-TOKEN-77b2c3', expiresAt: 1 });
    const before = await instance();
    await queueOf(before).setSecret('zalo.tokens', tokens, 1);
    const raw = async () => (await before.pool.query<{ value: string }>("SELECT value FROM channel_secrets WHERE name = 'zalo.tokens'")).rows[0].value;
    expect(await raw()).toBe(tokens);
    const previous = process.env.HOIDAP_SECRET_KEY;
    process.env.HOIDAP_SECRET_KEY = key;
    try {
      const first = await openStores(location);
      try {
        expect(await raw()).toMatch(/^enc:v1:/);
        expect(await first.channels.getSecret('zalo.tokens')).toBe(tokens);
      } finally {
        await first.close();
      }
      const sealed = await raw();
      const second = await openStores(location);
      await second.close();
      expect(await raw()).toBe(sealed);
    } finally {
      if (previous === undefined) delete process.env.HOIDAP_SECRET_KEY;
      else process.env.HOIDAP_SECRET_KEY = previous;
    }
    // Without a key, opening rewrites nothing: another secret stored in clear stays as it is.
    await queueOf(before).setSecret('other', 'in-clear', 2);
    await (await openStores(location)).close();
    expect((await before.pool.query<{ value: string }>("SELECT value FROM channel_secrets WHERE name = 'other'")).rows[0].value).toBe('in-clear');
  });
});
