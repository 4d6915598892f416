import type { Storage } from 'botbuilder';
import { activityId, hashToken, UnknownConversationError, type DirectLineStore, type NewDirectLineActivity } from '../../src/channels/portal/store';
import type { ChannelQueueStore, NewInboundEvent, NewOutboundMessage } from '../../src/store/channel-types';
import { SecretBox } from '../../src/store/secret-box';

/** The channel stores of one fresh, empty database, as an adapter builds them. */
export interface ChannelStores {
  queue: ChannelQueueStore;
  directLine: DirectLineStore;
  botStorage: Storage;
  /** The queue on the same database with another secret box (secrets at rest). */
  queueWith(secrets: SecretBox): ChannelQueueStore;
  /** Every row of a table, as stored (what a copy of the database shows). */
  rows(table: string): Promise<unknown[]>;
  close(): Promise<void>;
}

export function inboundEvent(dedupeKey: string, user: string, fields: Partial<NewInboundEvent> = {}): NewInboundEvent {
  return { channel: 'zalo', dedupeKey, userKey: `zalo:${user}`, kind: 'message', payload: JSON.stringify({ text: dedupeKey }), receivedAt: 1_000, ...fields };
}

export function reply(recipient: string, text: string, fields: Partial<NewOutboundMessage> = {}): NewOutboundMessage {
  return { channel: 'zalo', recipient, payload: { text }, ...fields };
}

function portalMessage(conversationId: string, text: string, role: 'user' | 'bot' = 'user'): NewDirectLineActivity {
  return { type: 'message', text, timestamp: '2026-11-27T03:00:00.000Z', channelId: 'directline', conversation: { id: conversationId }, from: { id: role === 'user' ? 'u' : 'bot', role } };
}

/** The inbox and outbox, Direct Line conversations and bot state: every adapter must pass this suite. */
export function channelStoresContract(name: string, open: () => Promise<ChannelStores>): void {
  let stores: ChannelStores;
  let queue: ChannelQueueStore;
  beforeEach(async () => {
    stores = await open();
    queue = stores.queue;
  });
  afterEach(async () => {
    await stores.close();
  });

  describe(`${name}: the inbox`, () => {
    test('a replayed event is stored once; ignored events are recorded but never handed out; the interaction opens the reply window', async () => {
      expect(await queue.enqueueInbound([inboundEvent('m1', 'a', { interaction: { userId: 'a', at: 5_000 } }), inboundEvent('m2', 'a')])).toBe(2);
      expect(await queue.enqueueInbound([inboundEvent('m1', 'a'), inboundEvent('m3', 'b', { ignored: true })])).toBe(1);
      expect(await queue.enqueueInbound([{ ...inboundEvent('m1', 'a'), channel: 'facebook', userKey: 'facebook:a' }])).toBe(1);
      expect(await queue.inboundByStatus()).toEqual({ pending: 3, done: 0, ignored: 1, failed: 0 });
      expect(await queue.lastInbound('zalo', 'a')).toBe(5_000);
      expect(await queue.lastInbound('zalo', 'b')).toBeUndefined();
      await queue.touchUser('zalo', 'a', 4_000);
      expect(await queue.lastInbound('zalo', 'a')).toBe(5_000);
      await queue.touchUser('zalo', 'a', 6_000);
      expect(await queue.lastInbound('zalo', 'a')).toBe(6_000);
    });

    test('an event without a valid time is refused, naming it, and nothing of its request is stored', async () => {
      await expect(queue.enqueueInbound([inboundEvent('ok', 'a'), inboundEvent('bad', 'a', { receivedAt: Number.NaN })])).rejects.toThrow('inbound event zalo:bad has no valid time');
      await expect(queue.enqueueInbound([inboundEvent('bad2', 'a', { interaction: { userId: 'a', at: Number.NaN } })])).rejects.toThrow(/zalo:bad2/);
      expect((await queue.inboundByStatus()).pending).toBe(0);
      expect(await queue.enqueueInbound([inboundEvent('ok', 'a')])).toBe(1);
    });

    test('ids carrying a NUL character (JSON allows it) are stored, recognised when replayed, and their person’s window kept', async () => {
      const odd = inboundEvent('m\u00001', 'a\u0000b', { interaction: { userId: 'a\u0000b', at: 5_000 } });
      expect(await queue.enqueueInbound([odd])).toBe(1);
      expect(await queue.enqueueInbound([odd])).toBe(0);
      expect(await queue.lastInbound('zalo', 'a\u0000b')).toBe(5_000);
      const [event] = await queue.claimInbound('w', 10_000, 60_000, 10);
      expect(await queue.completeInbound(event.id, 'w', 10_001, { status: 'done', replies: [reply('a\u0000b', 'đã nhận')], stateWrites: { 'zalo/users/a\u0000b': { n: 1 } } })).toBe(true);
      expect(await stores.botStorage.read(['zalo/users/a\u0000b'])).toEqual({ 'zalo/users/a\u0000b': { n: 1, eTag: expect.any(String) } });
      expect((await queue.claimOutbound('d', 10_002, 60_000, 10)).map((m) => m.payload.text)).toEqual(['đã nhận']);
    });

    test('per user only the earliest event is handed out, and none of that user while one is claimed; other users go on', async () => {
      await queue.enqueueInbound([inboundEvent('a1', 'a'), inboundEvent('a2', 'a'), inboundEvent('b1', 'b')]);
      const first = await queue.claimInbound('w1', 10_000, 60_000, 10);
      expect(first.map((e) => [e.dedupeKey, e.attempts])).toEqual([
        ['a1', 1],
        ['b1', 1],
      ]);
      expect(first[0]).toMatchObject({ channel: 'zalo', userKey: 'zalo:a', kind: 'message', payload: '{"text":"a1"}', receivedAt: 1_000 });
      expect(await queue.claimInbound('w2', 10_001, 60_000, 10)).toEqual([]);
      const a1 = first[0];
      expect(await queue.completeInbound(a1.id, 'w1', 11_000, { status: 'done', replies: [], stateWrites: {} })).toBe(true);
      expect((await queue.claimInbound('w2', 11_001, 60_000, 10)).map((e) => e.dedupeKey)).toEqual(['a2']);
      expect(await queue.inboundByStatus()).toEqual({ pending: 2, done: 1, ignored: 0, failed: 0 });
    });

    test('a lease that runs out is taken by another worker, and the first one can no longer finish the event', async () => {
      await queue.enqueueInbound([inboundEvent('a1', 'a')]);
      const [mine] = await queue.claimInbound('w1', 10_000, 1_000, 10);
      expect(await queue.claimInbound('w2', 10_999, 1_000, 10)).toEqual([]);
      const [theirs] = await queue.claimInbound('w2', 11_001, 1_000, 10);
      expect(theirs).toMatchObject({ id: mine.id, attempts: 2 });
      expect(await queue.completeInbound(mine.id, 'w1', 11_500, { status: 'done', replies: [reply('a', 'late')], stateWrites: { k: { n: 1 } } })).toBe(false);
      expect(await stores.botStorage.read(['k'])).toEqual({});
      expect((await queue.outboundByStatus()).pending).toBe(0);
      expect(await queue.completeInbound(theirs.id, 'w2', 11_600, { status: 'done', replies: [], stateWrites: {} })).toBe(true);
    });

    test('a released event is tried again, and set aside as failed after its last attempt; the next event of that person goes on', async () => {
      await queue.enqueueInbound([inboundEvent('a1', 'a'), inboundEvent('a2', 'a')]);
      const [first] = await queue.claimInbound('w', 10_000, 60_000, 10);
      await queue.releaseInbound(first.id, 'other-worker', 'not mine', 2);
      expect(await queue.claimInbound('w', 10_001, 60_000, 10)).toEqual([]);
      // Error texts may quote anything the turn saw, a NUL character included.
      await queue.releaseInbound(first.id, 'w', 'boom \u0000', 2);
      const [again] = await queue.claimInbound('w', 10_002, 60_000, 10);
      expect(again).toMatchObject({ id: first.id, attempts: 2 });
      await queue.releaseInbound(first.id, 'w', 'x'.repeat(2000), 2);
      expect(await queue.inboundByStatus()).toEqual({ pending: 1, done: 0, ignored: 0, failed: 1 });
      expect([await queue.inboxPending(), await queue.inboxFailed()]).toEqual([1, 1]);
      expect((await queue.claimInbound('w', 10_003, 60_000, 10)).map((e) => e.dedupeKey)).toEqual(['a2']);
    });

    test('a turn commits its state and replies with the event; a stale eTag fails the whole turn and leaves the event to retry', async () => {
      await stores.botStorage.write({ 'conv/1': { step: 1 } });
      const { 'conv/1': before } = await stores.botStorage.read(['conv/1']);
      await queue.enqueueInbound([inboundEvent('a1', 'a'), inboundEvent('b1', 'b')]);
      const [a1, b1] = await queue.claimInbound('w', 10_000, 60_000, 10);
      await expect(
        queue.completeInbound(a1.id, 'w', 11_000, { status: 'done', replies: [reply('a', 'x')], stateWrites: { 'conv/1': { step: 9, eTag: 'stale' } } }),
      ).rejects.toThrow('Storage: error writing "conv/1" due to eTag conflict.');
      expect((await queue.outboundByStatus()).pending).toBe(0);
      expect((await queue.inboundByStatus()).pending).toBe(2);
      expect(await queue.completeInbound(a1.id, 'w', 11_000, { status: 'done', replies: [reply('a', 'một'), reply('a', 'hai')], stateWrites: { 'conv/1': { step: 2, eTag: before.eTag }, 'user/a': { name: 'An' } } })).toBe(true);
      expect(await queue.completeInbound(b1.id, 'w', 11_000, { status: 'failed', error: 'bot error \u0000', replies: [], stateWrites: {} })).toBe(true);
      const state = await stores.botStorage.read(['conv/1', 'user/a']);
      expect(state['conv/1']).toMatchObject({ step: 2 });
      expect(state['conv/1'].eTag).not.toBe(before.eTag);
      expect(state['user/a']).toMatchObject({ name: 'An' });
      expect(await queue.inboundByStatus()).toEqual({ pending: 0, done: 1, ignored: 0, failed: 1 });
      expect((await queue.claimOutbound('d', 11_000, 60_000, 10)).map((m) => m.payload.text)).toEqual(['một']);
    });

    test('at a restart, the events claimed before it are free again at once', async () => {
      await queue.enqueueInbound([inboundEvent('a1', 'a'), inboundEvent('b1', 'b')]);
      const claimed = await queue.claimInbound('w', Date.now(), 3_600_000, 1);
      expect(claimed).toHaveLength(1);
      expect(await queue.recoverAfterRestart()).toEqual({ inbound: 1, interruptedSends: 0 });
      expect((await queue.claimInbound('w2', Date.now(), 60_000, 10)).map((e) => e.dedupeKey)).toEqual(['a1', 'b1']);
    });
  });

  describe(`${name}: the outbox`, () => {
    test('per recipient only the earliest message goes out, in order; a due retry waits for its time; others are not held up', async () => {
      await queue.enqueueOutbound([reply('a', 'a1', { source: 'HD-2026-000001' }), reply('a', 'a2'), { channel: 'email', recipient: 'x@example.vn', payload: { text: 'thân', subject: 'Trả lời' } }], 1_000);
      const first = await queue.claimOutbound('d1', 1_000, 60_000, 10);
      expect(first.map((m) => [m.channel, m.recipient, m.payload, m.attempts, m.createdAt])).toEqual([
        ['zalo', 'a', { text: 'a1' }, 1, 1_000],
        ['email', 'x@example.vn', { text: 'thân', subject: 'Trả lời' }, 1, 1_000],
      ]);
      expect(first[0].source).toBe('HD-2026-000001');
      expect(first[1].source).toBeUndefined();
      expect(await queue.claimOutbound('d2', 1_001, 60_000, 10)).toEqual([]);
      expect(await queue.outboundByStatus()).toEqual({ pending: 1, sending: 2, sent: 0, dead: 0, expired: 0, unknown: 0 });

      await queue.retryOutbound(first[0].id, 'd1', 5_000, 'HTTP 500 \u0000');
      expect(await queue.claimOutbound('d1', 4_999, 60_000, 10)).toEqual([]);
      const [retried] = await queue.claimOutbound('d1', 5_000, 60_000, 10);
      expect(retried).toMatchObject({ id: first[0].id, attempts: 2 });
      await queue.finishOutbound(retried.id, 'd1', 5_100, { status: 'sent', providerId: 'zalo-msg-1' });
      await queue.finishOutbound(first[1].id, 'someone-else', 5_100, { status: 'sent' });
      expect((await queue.claimOutbound('d1', 5_200, 60_000, 10)).map((m) => m.payload.text)).toEqual(['a2']);
      expect(await queue.outboundByStatus()).toEqual({ pending: 0, sending: 2, sent: 1, dead: 0, expired: 0, unknown: 0 });
    });

    test("a contact code's message, once sent, dead or recorded delivered, keeps its row but not the code; other messages keep their text", async () => {
      const code = (recipient: string, id: string): NewOutboundMessage => ({
        channel: 'zns',
        recipient,
        payload: { text: 'ZNS 123: mã xác nhận', template: { id: '123', data: { otp: '481516' } }, requestId: `contact-code:${id}`, fallback: { channel: 'sms', text: 'Ma xac nhan: 481516' } },
      });
      const mail: NewOutboundMessage = { channel: 'email', recipient: 'an@example.com', payload: { subject: 'Mã xác nhận', text: 'Mã của bạn: 271828', requestId: 'contact-code:m' } };
      await queue.enqueueOutbound([code('0912345678', 'z'), mail, code('0987654321', 'd'), reply('a', 'câu trả lời 123456'), code('0911111111', 'u')], 1_000);
      const [zns, email, dead, answer, unknown] = await queue.claimOutbound('d', 1_000, 60_000, 10);
      // While waiting to be sent, the code is there for the sender.
      expect(JSON.stringify(await stores.rows('outbox'))).toContain('481516');
      await queue.finishOutbound(zns.id, 'd', 1_100, { status: 'sent' });
      await queue.finishOutbound(email.id, 'd', 1_100, { status: 'sent' });
      await queue.finishOutbound(dead.id, 'd', 1_100, { status: 'dead', error: 'HTTP 400' });
      await queue.finishOutbound(answer.id, 'd', 1_100, { status: 'sent' });
      expect(await queue.recoverAfterRestart()).toEqual({ inbound: 0, interruptedSends: 1 });
      expect(await queue.settleUndelivered(unknown.id, 'delivered', 'seen', 2_000)).toEqual({ was: 'unknown' });
      const stored = JSON.stringify(await stores.rows('outbox'));
      expect(stored).not.toMatch(/481516|271828/);
      expect(stored).toContain('câu trả lời 123456');
      expect(await queue.outboundByStatus()).toMatchObject({ sent: 4, dead: 1 });
      const [shown] = await queue.undelivered(10);
      expect(shown.payload).toEqual({ text: '', template: { id: '123', data: { otp: '' } }, requestId: 'contact-code:d', fallback: { channel: 'sms', text: '' } });
      // Never sent again, blank: the citizen asks for a new code.
      expect(await queue.settleUndelivered(shown.id, 'resend', 'try again', 3_000)).toEqual({ conflict: 'dead' });
      expect(await queue.outboundByStatus()).toMatchObject({ dead: 1, pending: 0 });
    });

    test('dead, expired and interrupted messages wait for an admin, newest first, who has them sent again or records them delivered', async () => {
      await queue.enqueueOutbound([reply('a', 'chết'), reply('b', 'hết hạn'), reply('c', 'đang gửi')], Date.now());
      const [a, b, c] = await queue.claimOutbound('d', Date.now(), 60_000, 10);
      await queue.finishOutbound(a.id, 'd', Date.now(), { status: 'dead', error: 'HTTP 403 '.repeat(100) });
      await queue.finishOutbound(b.id, 'd', Date.now(), { status: 'expired', error: 'outside the window' });
      expect(await queue.recoverAfterRestart()).toEqual({ inbound: 0, interruptedSends: 1 });
      const waiting = await queue.undelivered(10);
      expect(waiting.map((m) => [m.id, m.status, m.payload.text])).toEqual([
        [c.id, 'unknown', 'đang gửi'],
        [b.id, 'expired', 'hết hạn'],
        [a.id, 'dead', 'chết'],
      ]);
      expect(waiting[0].lastError).toBe('the server stopped while sending');
      expect(waiting[2].lastError).toHaveLength(500);
      expect(await queue.undelivered(1)).toHaveLength(1);
      expect(await queue.undeliveredByStatus()).toEqual({ dead: 1, expired: 1, unknown: 1 });
      expect(await queue.claimOutbound('d', Date.now(), 60_000, 10)).toEqual([]);

      expect(await queue.settleUndelivered(b.id, 'delivered', 'admin', 9_000)).toEqual({ conflict: 'expired' });
      expect(await queue.settleUndelivered(9_999_999, 'resend', 'admin', 9_000)).toBeUndefined();
      expect(await queue.settleUndelivered(c.id, 'delivered', 'seen in the OA inbox', 9_000)).toEqual({ was: 'unknown' });
      expect(await queue.settleUndelivered(c.id, 'resend', 'again', 9_000)).toEqual({ conflict: 'sent' });
      expect(await queue.settleUndelivered(a.id, 'resend', 'resent by admin', 9_000)).toEqual({ was: 'dead' });
      const [resent] = await queue.claimOutbound('d', 9_000, 60_000, 10);
      expect(resent).toMatchObject({ id: a.id, attempts: 1 });
      expect(await queue.outboundByStatus()).toEqual({ pending: 0, sending: 1, sent: 1, dead: 0, expired: 1, unknown: 0 });
    });

    test('when the person writes again, the officers’ answers that expired go out first; the bot’s own old replies do not', async () => {
      await queue.enqueueOutbound([reply('a', 'câu trả lời', { payload: { text: 'câu trả lời', human: true } }), reply('a', 'lời chào cũ')], 1_000);
      const [answer] = await queue.claimOutbound('d', 1_000, 60_000, 10);
      await queue.finishOutbound(answer.id, 'd', 1_000, { status: 'expired' });
      const [greeting] = await queue.claimOutbound('d', 1_001, 60_000, 10);
      await queue.finishOutbound(greeting.id, 'd', 1_001, { status: 'expired' });
      await queue.enqueueInbound([inboundEvent('a1', 'a')]);
      const [event] = await queue.claimInbound('w', 2_000, 60_000, 10);
      await queue.completeInbound(event.id, 'w', 2_000, { status: 'done', replies: [reply('a', 'xin chào')], stateWrites: {}, from: { channel: 'zalo', recipient: 'a' } });
      const next = await queue.claimOutbound('d', 2_000, 60_000, 10);
      expect(next.map((m) => [m.payload.text, m.attempts])).toEqual([['câu trả lời', 1]]);
      await queue.finishOutbound(next[0].id, 'd', 2_001, { status: 'sent' });
      expect((await queue.claimOutbound('d', 2_002, 60_000, 10)).map((m) => m.payload.text)).toEqual(['xin chào']);
      expect((await queue.outboundByStatus()).expired).toBe(1);
    });

    test('a once-only key enqueues its messages the first time only; firstRecorded keeps the first time', async () => {
      expect(await queue.enqueueOnce('answer-notice:HD-2026-000001', [reply('a', 'đã trả lời')], 1_000)).toBe(true);
      expect(await queue.enqueueOnce('answer-notice:HD-2026-000001', [reply('a', 'đã trả lời')], 2_000)).toBe(false);
      expect((await queue.outboundByStatus()).pending).toBe(1);
      expect(await queue.firstRecorded('notices-enabled', 5_000)).toBe(5_000);
      expect(await queue.firstRecorded('notices-enabled', 9_000)).toBe(5_000);
      expect(await queue.firstRecorded('answer-notice:HD-2026-000001', 9_000)).toBe(1_000);
    });

    test('channel secrets: stored sealed with a key, readable back; without the key they cannot be read', async () => {
      const sealed = stores.queueWith(new SecretBox(Buffer.alloc(32, 7)));
      await sealed.setSecret('zalo.tokens', '{"refresh":"r-1"}', 1_000);
      await sealed.setSecret('zalo.tokens', '{"refresh":"r-2"}', 2_000);
      expect(await sealed.getSecret('zalo.tokens')).toBe('{"refresh":"r-2"}');
      expect(await sealed.getSecret('nothing')).toBeUndefined();
      expect(JSON.stringify(await stores.rows('channel_secrets'))).not.toContain('r-2');
      await expect(stores.queueWith(new SecretBox()).getSecret('zalo.tokens')).rejects.toThrow(/HOIDAP_SECRET_KEY/);
    });
  });

  describe(`${name}: Direct Line conversations`, () => {
    const store = () => stores.directLine;

    test('conversations: create, find, verify the token by its hash, expiry, refresh and rotation', async () => {
      const created = await store().createConversation({ id: 'c1', tokenHash: hashToken('secret-1'), userId: 'u-1', expiresAt: 2000, now: 1000 });
      expect(created).toEqual({ id: 'c1', userId: 'u-1', createdAt: 1000, expiresAt: 2000, lastActivityAt: 1000 });
      expect(await store().findConversation('c1')).toEqual(created);
      expect(await store().findConversation('c2')).toBeUndefined();

      expect(await store().verifyToken('c1', 'secret-1', 1500)).toEqual({ ok: true, conversation: created });
      expect(await store().verifyToken('c1', 'secret-2', 1500)).toEqual({ ok: false, reason: 'invalid-token' });
      expect(await store().verifyToken('c1', '', 1500)).toEqual({ ok: false, reason: 'invalid-token' });
      expect(await store().verifyToken('c1', 'secret-1', 2000)).toEqual({ ok: false, reason: 'expired-token' });
      expect(await store().verifyToken('c2', 'secret-1', 1500)).toEqual({ ok: false, reason: 'unknown-conversation' });

      expect(await store().refreshToken('c1', { expiresAt: 3000 })).toBe(true);
      expect((await store().verifyToken('c1', 'secret-1', 2500)).ok).toBe(true);
      expect(await store().refreshToken('c1', { expiresAt: 4000, tokenHash: hashToken('secret-2') })).toBe(true);
      expect((await store().verifyToken('c1', 'secret-1', 2500)).ok).toBe(false);
      expect((await store().verifyToken('c1', 'secret-2', 3500)).ok).toBe(true);
      expect(await store().refreshToken('c2', { expiresAt: 4000 })).toBe(false);
      // A conversation id from the URL may carry anything; one with a NUL character is simply unknown.
      expect(await store().verifyToken('c1\u0000', 'secret-2', 3500)).toEqual({ ok: false, reason: 'unknown-conversation' });
      expect(await store().findConversation('\u0000')).toBeUndefined();
      expect(await store().refreshToken('c1\u0000', { expiresAt: 4000 })).toBe(false);
      expect((await store().listActivities('c1\u0000', 0, 10)).activities).toEqual([]);

      expect(JSON.stringify(await stores.rows('dl_conversations'))).not.toContain('secret-');
    });

    test('portal identities: created by the hash of their secret; used only with it, before expiry; each use moves the expiry on, never back', async () => {
      const created = await store().createIdentity({ id: 'i1', secretHash: hashToken('i1.key-1'), expiresAt: 10_000, now: 1000 });
      expect(created).toEqual({ id: 'i1', createdAt: 1000, expiresAt: 10_000, lastUsedAt: 1000 });
      await store().createIdentity({ id: 'i2', secretHash: hashToken('i2.key-2'), expiresAt: 10_000, now: 1000 });

      expect(await store().useIdentity('i1', hashToken('i1.key-1'), 5000, 20_000)).toEqual({ ok: true, identity: { id: 'i1', createdAt: 1000, expiresAt: 20_000, lastUsedAt: 5000 } });
      // An earlier expiry than the stored one (a clock behind) does not shorten it.
      expect(await store().useIdentity('i1', hashToken('i1.key-1'), 6000, 15_000)).toEqual({ ok: true, identity: { id: 'i1', createdAt: 1000, expiresAt: 20_000, lastUsedAt: 6000 } });
      // Another identity's secret, a wrong one, an unknown id: refused, and the row is not touched.
      expect(await store().useIdentity('i1', hashToken('i2.key-2'), 7000, 30_000)).toEqual({ ok: false, reason: 'invalid-secret' });
      expect(await store().useIdentity('i1', hashToken(''), 7000, 30_000)).toEqual({ ok: false, reason: 'invalid-secret' });
      expect(await store().useIdentity('i3', hashToken('i1.key-1'), 7000, 30_000)).toEqual({ ok: false, reason: 'unknown-identity' });
      expect(await store().useIdentity('i1\u0000', hashToken('i1.key-1'), 7000, 30_000)).toEqual({ ok: false, reason: 'unknown-identity' });
      expect(await store().useIdentity('i2', hashToken('i2.key-2'), 10_000, 40_000)).toEqual({ ok: false, reason: 'expired-identity' });
      expect(await store().useIdentity('i1', hashToken('i1.key-1'), 19_999, 50_000)).toMatchObject({ ok: true, identity: { expiresAt: 50_000 } });
      // Refused. Checked by outcome rather than rejects.toThrow(): in full runs the SQLite refusal was reported as "did not throw" (better-sqlite3 sets its error constructor once per process, lib/database.js isInitialized, so in later test files of a worker its errors come from another realm and fail jest's instanceof Error check).
      const duplicate = await store()
        .createIdentity({ id: 'i1', secretHash: hashToken('i1.other'), expiresAt: 99_000, now: 1 })
        .then(
          () => 'created',
          () => 'refused',
        );
      expect(duplicate).toBe('refused');
      expect(await store().useIdentity('i1', hashToken('i1.other'), 20_000, 60_000)).toEqual({ ok: false, reason: 'invalid-secret' });

      expect(JSON.stringify(await stores.rows('portal_identities'))).not.toContain('key-');
    });

    test('activities: one sequence per conversation, ids from it, pages after a watermark', async () => {
      await store().createConversation({ id: 'a', tokenHash: hashToken('x'), userId: 'u', expiresAt: 10, now: 1 });
      await store().createConversation({ id: 'b', tokenHash: hashToken('y'), userId: 'u', expiresAt: 10, now: 1 });
      const a1 = await store().appendActivity('a', portalMessage('a', 'một'), 5);
      const b1 = await store().appendActivity('b', portalMessage('b', 'khác'), 6);
      const a2 = await store().appendActivity('a', portalMessage('a', 'hai'), 7);
      expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2]);
      expect(a2.activity.id).toBe(activityId('a', 2));
      expect(a2.activity.id).toBe('a|0000002');
      expect((await store().findConversation('a'))?.lastActivityAt).toBe(7);

      expect((await store().listActivities('a', 0, 100)).activities.map((x) => x.activity.text)).toEqual(['một', 'hai']);
      expect(await store().listActivities('a', 1, 100)).toEqual({ activities: [a2], watermark: 2 });
      expect(await store().listActivities('a', 2, 100)).toEqual({ activities: [], watermark: 2 });
      expect(await store().listActivities('a', 99, 100)).toEqual({ activities: [], watermark: 2 });
      expect((await store().listActivities('a', 0, 1)).watermark).toBe(1);
      expect((await store().listActivities('b', 0, 100)).activities.map((x) => x.activity.text)).toEqual(['khác']);
      await expect(store().appendActivity('zzz', portalMessage('zzz', 'x'), 1)).rejects.toBeInstanceOf(UnknownConversationError);
    });

    test('twenty appends at once to one conversation get twenty different sequence numbers', async () => {
      await store().createConversation({ id: 'a', tokenHash: hashToken('x'), userId: 'u', expiresAt: 10, now: 1 });
      const saved = await Promise.all(Array.from({ length: 20 }, (_, i) => store().appendActivity('a', portalMessage('a', `tin ${i}`), 10 + i)));
      expect(saved.map((s) => s.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store().listActivities('a', 0, 100)).activities).toHaveLength(20);
    });

    test('citizens’ messages whose turn has not finished are found, oldest first, until marked handled; the bot’s own never are', async () => {
      await store().createConversation({ id: 'a', tokenHash: hashToken('x'), userId: 'u', expiresAt: 10, now: 1 });
      await store().createConversation({ id: 'b', tokenHash: hashToken('y'), userId: 'u', expiresAt: 10, now: 1 });
      const a1 = await store().appendActivity('a', portalMessage('a', 'câu hỏi'), 100);
      await store().appendActivity('a', portalMessage('a', 'trả lời', 'bot'), 101);
      const b1 = await store().appendActivity('b', portalMessage('b', 'xin chào'), 102);
      await store().appendActivity('a', { ...portalMessage('a', ''), type: 'typing' }, 103);
      const later = await store().appendActivity('a', portalMessage('a', 'sau'), 200);
      expect((await store().unhandledActivities(10, 200)).map((x) => x.activity.id)).toEqual([a1.activity.id, b1.activity.id]);
      expect((await store().unhandledActivities(1, 200)).map((x) => x.activity.text)).toEqual(['câu hỏi']);
      await store().markHandled(a1.activity);
      expect(await store().unhandledActivities(10, 201)).toEqual([b1, later]);
    });
  });

  describe(`${name}: bot state`, () => {
    test('reads what was written, with an eTag; a stale eTag fails and writes nothing of its batch; "*" or none overwrites', async () => {
      const storage = stores.botStorage;
      expect(await storage.read(['missing'])).toEqual({});
      await storage.write({ a: { step: 'hỏi', n: 1 }, b: { x: [1, 2] } });
      const first = await storage.read(['a', 'b', 'missing']);
      expect(Object.keys(first).sort()).toEqual(['a', 'b']);
      expect(first.a).toEqual({ step: 'hỏi', n: 1, eTag: expect.any(String) });

      await storage.write({ a: { ...first.a, n: 2 } });
      const second = await storage.read(['a']);
      expect(second.a.n).toBe(2);
      expect(second.a.eTag).not.toBe(first.a.eTag);

      await expect(storage.write({ b: { x: [] }, a: { ...first.a, n: 3 } })).rejects.toThrow('Storage: error writing "a" due to eTag conflict.');
      expect((await storage.read(['a', 'b'])).b.x).toEqual([1, 2]);
      expect((await storage.read(['a'])).a.n).toBe(2);

      await storage.write({ a: { n: 4, eTag: '*' } });
      await storage.write({ a: { n: 5 } });
      expect((await storage.read(['a'])).a.n).toBe(5);
      await storage.write({ fresh: { n: 1, eTag: 'from-nowhere' } });
      expect((await storage.read(['fresh'])).fresh.n).toBe(1);

      await storage.delete(['a', 'missing']);
      expect(Object.keys(await storage.read(['a', 'b']))).toEqual(['b']);
    });
  });
}
