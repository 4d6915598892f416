import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../../src/store/sqlite-channels';
import { captureLogs } from '../../fakes/log-capture';
import { channelRig, eventually, FB_VERIFY_TOKEN, metricsText, postMessenger, postZalo, zaloText, type ChannelRig } from '../../helpers/channels';

let rig: ChannelRig;

beforeEach(async () => {
  rig = await channelRig();
});
afterEach(async () => {
  await rig.close();
});

const zaloTexts = (userId: string) => rig.zalo.sent.filter((m) => m.userId === userId).map((m) => m.text);
const graphTexts = (psid: string) => rig.graph.sent.filter((m) => m.psid === psid).map((m) => m.text);

function inboxCounts() {
  const store = new SqliteLedgerStore(rig.dbFile);
  try {
    return store.db.prepare('SELECT status, count(*) AS n FROM inbox GROUP BY status').all() as Array<{ status: string; n: number }>;
  } finally {
    void store.close();
  }
}

describe('Zalo OA webhook', () => {
  test('a text message is stored, answered by the bot through the OA API with the menu as buttons', async () => {
    const res = await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, '614249482301', 'xin chào'));
    expect(res.status).toBe(200);
    await eventually(() => zaloTexts('614249482301').length === 1, 'the greeting reply');
    expect(zaloTexts('614249482301')[0]).toMatch(/^Xin chào! Tôi là trợ lý Hỏi - Đáp/);
    expect(rig.zalo.sent[0].buttons).toHaveLength(3);
    expect(rig.zalo.violations).toEqual([]);
  });

  test('a button click (user_send_text carrying the payload) continues the dialog', async () => {
    await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, '614249482302', 'Gửi câu hỏi'));
    await eventually(() => zaloTexts('614249482302').some((t) => t.includes('Mời bạn nhập nội dung câu hỏi')), 'the question prompt');
  });

  test('follow is greeted; unfollow is recorded and ignored; an image outside asking is told where photos are taken', async () => {
    const follow = { oa_id: '388613280879808645', follower: { id: '614249482303' }, user_id_by_app: '552172779717587730', event_name: 'follow', source: 'oa_profile', app_id: rig.zalo.appId, timestamp: String(Date.now()) };
    expect((await postZalo(rig.base, rig.zalo.appId, follow)).status).toBe(200);
    await eventually(() => zaloTexts('614249482303').length === 1, 'the greeting after follow');
    const image = {
      app_id: rig.zalo.appId,
      sender: { id: '614249482303' },
      recipient: { id: '388613280878808645' },
      user_id_by_app: '552177279717587730',
      event_name: 'user_send_image',
      message: { msg_id: 'img-1', attachments: [{ type: 'image', payload: { url: 'https://example.com/a.jpg', thumbnail: 'https://example.com/t.jpg' } }] },
      timestamp: String(Date.now()),
    };
    expect((await postZalo(rig.base, rig.zalo.appId, image)).status).toBe(200);
    await eventually(() => zaloTexts('614249482303').some((t) => t.includes('Ảnh chỉ được nhận kèm một câu hỏi gửi cơ quan')), 'the note on photos');
    expect((await postZalo(rig.base, rig.zalo.appId, { ...follow, event_name: 'unfollow', timestamp: String(Date.now() + 1) })).status).toBe(200);
    await eventually(() => inboxCounts().some((r) => r.status === 'ignored' && r.n === 1), 'the unfollow recorded as ignored');
  });

  test('a forged or missing signature gets 401 and stores nothing', async () => {
    const body = zaloText(rig.zalo.appId, '614249482304', 'xin chào');
    expect((await postZalo(rig.base, rig.zalo.appId, body, null)).status).toBe(401);
    expect((await postZalo(rig.base, rig.zalo.appId, body, `mac=${'0'.repeat(64)}`)).status).toBe(401);
    expect(inboxCounts()).toEqual([]);
  });

  test('a replayed delivery (same msg_id) creates nothing new', async () => {
    const body = zaloText(rig.zalo.appId, '614249482305', 'xin chào', 'same-msg-id');
    expect((await postZalo(rig.base, rig.zalo.appId, body)).status).toBe(200);
    await eventually(() => zaloTexts('614249482305').length === 1, 'the first reply');
    expect((await postZalo(rig.base, rig.zalo.appId, body)).status).toBe(200);
    await rig.server.messaging?.processor?.idle();
    await rig.server.messaging?.dispatcher?.flush();
    expect(zaloTexts('614249482305')).toHaveLength(1);
    expect(inboxCounts()).toEqual([{ status: 'done', n: 1 }]);
  });

  test('with the API failing then recovering, every reply is delivered exactly once', async () => {
    rig.zalo.failNext(3, 'http500');
    for (let i = 0; i < 3; i += 1) await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, `614249482306${i}`, 'menu'));
    await eventually(() => [0, 1, 2].every((i) => zaloTexts(`614249482306${i}`).length === 1), 'three replies after the failures');
    await rig.server.messaging?.dispatcher?.flush();
    expect([0, 1, 2].map((i) => zaloTexts(`614249482306${i}`).length)).toEqual([1, 1, 1]);
  });

  test('an expired access token is refreshed, the new pair saved before use, and the send retried once', async () => {
    rig.zalo.expireAccessToken();
    await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, '614249482307', 'menu'));
    await eventually(() => zaloTexts('614249482307').length === 1, 'the reply after a refresh');
    const store = new SqliteLedgerStore(rig.dbFile);
    const saved = JSON.parse((await new SqliteChannelQueueStore(store.db).getSecret('zalo.tokens')) as string);
    await store.close();
    expect(saved.refreshToken).toBe(rig.zalo.refreshToken);
    expect(rig.zalo.sent.find((m) => m.userId === '614249482307')?.accessToken).toBe(saved.accessToken);
    expect(rig.zalo.violations).toEqual([]);
  });

  test('outside the 7-day window (-230) a message is not retried: it is marked expired after one request', async () => {
    rig.zalo.failNext(1, -230);
    await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, '614249482308', 'menu'));
    const store = new SqliteLedgerStore(rig.dbFile);
    const queue = new SqliteChannelQueueStore(store.db);
    await eventually(async () => (await queue.outboundByStatus()).expired === 1, 'the message expired');
    expect(rig.zalo.messageRequests()).toHaveLength(1);
    await store.close();
  });

  test('replies go out while a backlog of turns is still being worked through', async () => {
    // 300 citizens' messages already in the inbox (as after a burst): the first replies must not wait for the last turns.
    const now = Date.now();
    const events = Array.from({ length: 300 }, (_, i) => {
      const userId = String(614249483000 + i);
      const payload = { userId, botId: '3662729599332560487', kind: 'message', text: 'menu', timestamp: now };
      return { channel: 'zalo' as const, dedupeKey: `backlog-${i}`, userKey: `zalo:${userId}`, kind: 'message', payload: JSON.stringify(payload), receivedAt: now, interaction: { userId, at: now } };
    });
    const store = new SqliteLedgerStore(rig.dbFile);
    const queue = new SqliteChannelQueueStore(store.db);
    try {
      expect(await queue.enqueueInbound(events)).toBe(300);
      rig.server.messaging?.processor?.kick();
      const pendingAtFirstReply = await eventually(async () => (rig.zalo.sent.length > 0 ? { pending: (await queue.inboundByStatus()).pending } : undefined), 'the first reply', 1000);
      expect(pendingAtFirstReply?.pending).toBeGreaterThan(0);
      await eventually(() => rig.zalo.sent.length === 300, 'all 300 replies', 2000);
    } finally {
      await store.close();
    }
  });

  test('an officer’s answer that expired outside the 7-day window goes out, once, as soon as the citizen writes again (the bot’s own old replies do not)', async () => {
    const citizen = '614249482310';
    const answer = 'Câu hỏi HD-2026-000042 đã được UBND huyện Bảo Thắng trả lời:\nHồ sơ gồm đơn đề nghị và bản sao giấy tờ về đất.';
    const store = new SqliteLedgerStore(rig.dbFile);
    const queue = new SqliteChannelQueueStore(store.db);
    try {
      // The citizen last wrote 8 days ago; the answer is published today.
      await queue.touchUser('zalo', citizen, Date.now() - 8 * 86_400_000);
      await queue.enqueueOutbound(
        [
          { channel: 'zalo', recipient: citizen, payload: { text: 'Tôi có thể giúp gì cho bạn?' } },
          { channel: 'zalo', recipient: citizen, payload: { text: answer, human: true } },
        ],
        Date.now(),
      );
      rig.server.messaging?.kickOutbound();
      await eventually(async () => (await queue.outboundByStatus()).expired === 2, 'both expired');
      expect(zaloTexts(citizen)).toEqual([]);

      await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, citizen, 'xin chào'));
      await eventually(() => zaloTexts(citizen).length === 2, 'the answer, then the greeting');
      expect(zaloTexts(citizen)[0]).toBe(answer);
      expect(zaloTexts(citizen)[1]).toMatch(/^Xin chào! Tôi là trợ lý Hỏi - Đáp/);
      await eventually(async () => (await queue.outboundByStatus()).sent === 2, 'the answer and the greeting marked sent');
      // The bot's own old reply is not sent late.
      expect((await queue.outboundByStatus()).expired).toBe(1);
      // Writing once more does not send the answer again.
      await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, citizen, 'menu'));
      await eventually(() => zaloTexts(citizen).length === 3, 'the menu');
      await rig.server.messaging?.dispatcher?.flush();
      expect(zaloTexts(citizen).filter((t) => t === answer)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  test('an event the bot cannot handle is set aside after its attempts, counted in /metrics, and the person’s next message is answered', async () => {
    const citizen = '614249482311';
    const store = new SqliteLedgerStore(rig.dbFile);
    const queue = new SqliteChannelQueueStore(store.db);
    const logs = captureLogs('error');
    try {
      // A stored event whose payload cannot be read (as if written by a broken release).
      await queue.enqueueInbound([{ channel: 'zalo', dedupeKey: 'broken-1', userKey: `zalo:${citizen}`, kind: 'message', payload: '{not json', receivedAt: Date.now() }]);
      rig.server.messaging?.processor?.kick();
      await eventually(async () => (await queue.inboundByStatus()).failed === 1, 'the event set aside as failed');
      expect((store.db.prepare("SELECT attempts FROM inbox WHERE dedupe_key = 'broken-1'").get() as { attempts: number }).attempts).toBe(5);
      expect(await metricsText(rig.base)).toContain('hoidap_inbox_failed_events 1');
      await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, citizen, 'menu'));
      await eventually(() => zaloTexts(citizen).length === 1, 'the reply to the next message');
      // Each attempt is logged as an error, with the event's id and no content.
      expect(logs.lines.filter((l) => l.includes('inbound event failed'))).toHaveLength(5);
    } finally {
      await logs.stop();
      await store.close();
    }
  });

  test('a message that keeps failing ends in the dead letters; an admin sees it and has it sent again, once', async () => {
    // As many failures as the rig's dispatcher makes attempts (5): then Zalo works again.
    rig.zalo.failNext(5, 'http500');
    await postZalo(rig.base, rig.zalo.appId, zaloText(rig.zalo.appId, '614249482309', 'menu'));
    const store = new SqliteLedgerStore(rig.dbFile);
    const queue = new SqliteChannelQueueStore(store.db);
    try {
      await eventually(async () => (await queue.outboundByStatus()).dead === 1, 'the message dead-lettered');
      expect(zaloTexts('614249482309')).toEqual([]);
      const metrics = async () => metricsText(rig.base);
      expect(await metrics()).toContain('hoidap_outbox_undelivered_messages{status="dead"} 1');
      expect(await metrics()).toContain('hoidap_inbox_pending_events 0');

      const admin = await rig.server.backoffice!.store.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
      const token = await rig.server.backoffice!.store.issueApiToken(admin.id, Date.now());
      const api = (method: string, url: string, body?: unknown) =>
        fetch(`${rig.base}/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const listed = (await (await api('GET', '/outbox/undelivered')).json()) as { items: Array<{ id: number }> };
      expect(listed.items).toEqual([expect.objectContaining({ channel: 'zalo', recipient: '614249482309', status: 'dead', attempts: 5, lastError: 'Zalo answered HTTP 500', text: expect.stringMatching(/^Xin chào! Tôi là trợ lý Hỏi - Đáp/) })]);
      const id = listed.items[0].id;

      // Zalo is back: the admin sends it again.
      const resent = await api('POST', `/outbox/${id}/resend`, { note: 'Zalo đã hoạt động lại' });
      expect(resent.status).toBe(200);
      expect(await resent.json()).toEqual({ id, was: 'dead', status: 'pending' });
      await eventually(() => zaloTexts('614249482309').length === 1, 'the message delivered after the resend');
      await eventually(async () => (await queue.outboundByStatus()).sent === 1, 'the message marked sent');
      expect((await (await api('GET', '/outbox/undelivered')).json()) as unknown).toEqual({ items: [] });
      expect(await metrics()).toContain('hoidap_outbox_undelivered_messages{status="dead"} 0');

      // Sent is final: neither decision applies to it; bad ids are said precisely.
      const again = await api('POST', `/outbox/${id}/resend`);
      expect(again.status).toBe(409);
      expect(await again.json()).toEqual({ code: 'invalid_state', error: `outbox message ${id} is sent; only dead, expired, unknown messages can be resent`, message: expect.stringContaining('không cho phép') });
      expect((await api('POST', `/outbox/${id}/delivered`)).status).toBe(409);
      expect(await (await api('POST', '/outbox/999999/resend')).json()).toEqual({ code: 'not_found', error: 'no outbox message 999999', message: 'Không tìm thấy nội dung yêu cầu.' });
      const bad = await api('POST', '/outbox/abc/resend');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ code: 'invalid_input', error: 'outbox message id must be a positive whole number, not "abc"', message: expect.stringContaining('không hợp lệ') });
      expect((await api('POST', `/outbox/${id}/resend`, { reason: 'x' })).status).toBe(400);
      await new Promise((r) => setTimeout(r, 100));
      expect(zaloTexts('614249482309')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('Facebook Messenger webhook', () => {
  test('the GET verification handshake echoes the challenge only for the right token', async () => {
    const ok = await fetch(`${rig.base}/webhooks/facebook?hub.mode=subscribe&hub.verify_token=${FB_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${rig.base}/webhooks/facebook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
  });

  test('batched entries are all handled, in timestamp order per user; echoes, reads and deliveries are ignored', async () => {
    const t = Date.now();
    const body = {
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          time: t,
          messaging: [
            { sender: { id: 'p-1' }, recipient: { id: 'PAGE' }, timestamp: t + 2, message: { mid: 'm-2', text: 'Tra cứu câu hỏi' } },
            { sender: { id: 'PAGE' }, recipient: { id: 'p-1' }, timestamp: t + 3, message: { mid: 'm-echo', is_echo: true, app_id: 1, text: 'x' } },
            { sender: { id: 'p-1' }, recipient: { id: 'PAGE' }, timestamp: t + 4, read: { watermark: t } },
          ],
        },
        {
          id: 'PAGE',
          time: t,
          messaging: [
            { sender: { id: 'p-1' }, recipient: { id: 'PAGE' }, timestamp: t + 1, message: { mid: 'm-1', text: 'chào bạn' } },
            { sender: { id: 'p-2' }, recipient: { id: 'PAGE' }, timestamp: t + 1, postback: { mid: 'pb-1', title: 'Thủ tục thường gặp', payload: 'Thủ tục thường gặp' } },
            { sender: { id: 'p-2' }, recipient: { id: 'PAGE' }, delivery: { mids: ['x'], watermark: t } },
          ],
        },
      ],
    };
    const res = await postMessenger(rig.base, body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('EVENT_RECEIVED');
    await eventually(() => graphTexts('p-1').length === 2 && graphTexts('p-2').length === 1, 'replies to both users');
    expect(graphTexts('p-1')[0]).toMatch(/^Xin chào!/);
    expect(graphTexts('p-1')[1]).toMatch(/nhập mã câu hỏi/);
    expect(graphTexts('p-2')[0]).toMatch(/Bạn muốn tìm hiểu thủ tục nào/);
    expect(rig.graph.sent.every((m) => m.messagingType === 'RESPONSE')).toBe(true);
    expect(rig.graph.violations).toEqual([]);
  });

  test('a quick reply is read by its payload; a forged signature gets 401', async () => {
    const t = Date.now();
    const quick = { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: 'p-3' }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: 'm-q', text: 'Gửi câu...', quick_reply: { payload: 'Gửi câu hỏi' } } }] }] };
    expect((await postMessenger(rig.base, quick, 'sha256=' + 'a'.repeat(64))).status).toBe(401);
    expect((await postMessenger(rig.base, quick)).status).toBe(200);
    await eventually(() => graphTexts('p-3').some((x) => x.includes('Mời bạn nhập nội dung câu hỏi')), 'the question prompt');
  });
});

describe('channels off', () => {
  test('without secrets a channel is off and its webhook answers 404', async () => {
    const { startServer } = await import('../../../src/http/server');
    const { province } = await import('../../helpers/province');
    const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: `${rig.dbFile}.off`, channels: { off: [{ channel: 'zalo', missing: ['ZALO_APP_ID'] }, { channel: 'facebook', missing: ['FB_APP_SECRET'] }] } });
    try {
      expect((await fetch(`http://127.0.0.1:${server.port}/webhooks/zalo`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/webhooks/facebook`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
