import { createHash } from 'node:crypto';
import { APOLOGY_TEXT } from '../../../src/channels/portal';
import { logger } from '../../../src/observability/logger';
import {
  activitiesAfter,
  DL,
  getActivities,
  message,
  postActivity,
  startConversation,
  startTestServer,
  type TestServer,
} from './helpers';

let t: TestServer;

afterEach(async () => {
  jest.restoreAllMocks();
  await t?.close();
});

describe('starting a conversation', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test('201 with an id, an opaque token valid 30 minutes, and the bot greets through a synthesized conversationUpdate', async () => {
    const res = await fetch(`${t.base}${DL}/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":{"id":"chosen-by-client"}}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { conversationId: string; token: string; expires_in: number; userId: string };
    expect(body.conversationId).toMatch(/^[\w-]{16,}$/);
    expect(body.token.length).toBeGreaterThanOrEqual(40);
    expect(body.expires_in).toBe(1800);
    // The server names the user (bot state is keyed by user id): a client cannot pick another citizen's id.
    expect(body.userId).not.toBe('chosen-by-client');

    await t.portal.drain();
    const page = await activitiesAfter(t.base, body);
    expect(page.activities).toHaveLength(1);
    expect(page.activities[0]).toMatchObject({ type: 'message', text: 'Xin chào! Mời bạn đặt câu hỏi.', from: { role: 'bot' }, channelId: 'directline' });
    expect(page.activities[0].recipient).toMatchObject({ id: body.userId });
    expect(page.watermark).toBe('1');
  });

  test('only a SHA-256 hash of the token is stored', async () => {
    const c = await startConversation(t.base);
    const rows = t.ledger.db.prepare('SELECT * FROM dl_conversations').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(c.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(c.token);
  });

  test("Web Chat posting /conversations again with the conversation's token gets the same conversation (200), no second greeting", async () => {
    const c = await startConversation(t.base);
    const again = await fetch(`${t.base}${DL}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' }, body: '{"user":{}}' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ conversationId: c.conversationId, token: c.token });
    const bogus = await fetch(`${t.base}${DL}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${c.token}x` } });
    expect(bogus.status).toBe(403);
    await t.portal.drain();
    expect((await activitiesAfter(t.base, c)).activities).toHaveLength(1);
    expect(t.ledger.db.prepare('SELECT count(*) AS n FROM dl_conversations').get()).toEqual({ n: 1 });
  });

  test('"Bearer undefined" (DirectLineJS before it has a token) starts a new conversation', async () => {
    const res = await fetch(`${t.base}${DL}/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
    expect(res.status).toBe(201);
  });
});

describe('posting and polling', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test("the user's activity is echoed with a server id and the client's clientActivityID, then the bot's reply", async () => {
    const c = await startConversation(t.base);
    const res = await postActivity(t.base, c.conversationId, c.token, message('Thủ tục cấp đổi sổ đỏ thế nào?', 'client-1'));
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).toBe(`${c.conversationId}|0000002`);

    await t.portal.drain();
    const page = await activitiesAfter(t.base, c, '1');
    expect(page.activities).toHaveLength(2);
    const [echo, reply] = page.activities;
    expect(echo).toMatchObject({
      id,
      type: 'message',
      text: 'Thủ tục cấp đổi sổ đỏ thế nào?',
      channelId: 'directline',
      conversation: { id: c.conversationId },
      // from.id is the conversation's user, whatever the client wrote.
      from: { id: c.userId, name: 'Công dân', role: 'user' },
      channelData: { clientActivityID: 'client-1' },
    });
    expect(new Date(echo.timestamp).toISOString()).toBe(echo.timestamp);
    expect(reply).toMatchObject({ type: 'message', text: 'Echo: Thủ tục cấp đổi sổ đỏ thế nào?', replyToId: id, from: { role: 'bot' }, recipient: { id: c.userId } });
    expect(reply.id).toBe(`${c.conversationId}|0000003`);
    // Web Chat orders by this sequence id, so the transcript follows the server's order.
    expect(page.activities.map((a) => a.channelData?.['webchat:sequence-id'])).toEqual([2, 3]);
    expect(page.watermark).toBe('3');
  });

  test('watermarks are strings; each poll returns only what is new; an empty poll keeps the watermark', async () => {
    const c = await startConversation(t.base);
    await t.portal.drain();
    const first = await activitiesAfter(t.base, c, '');
    expect(first.activities.map((a) => a.text)).toEqual(['Xin chào! Mời bạn đặt câu hỏi.']);
    expect(first.watermark).toBe('1');
    expect(await activitiesAfter(t.base, c, first.watermark)).toEqual({ activities: [], watermark: '1' });

    await postActivity(t.base, c.conversationId, c.token, message('một'));
    await postActivity(t.base, c.conversationId, c.token, message('hai'));
    await t.portal.drain();
    const second = await activitiesAfter(t.base, c, first.watermark);
    expect(second.activities.map((a) => `${a.from.role}:${a.text}`)).toEqual(['user:một', 'bot:Echo: một', 'user:hai', 'bot:Echo: hai']);
    expect(second.watermark).toBe('5');
    expect(await activitiesAfter(t.base, c, second.watermark)).toEqual({ activities: [], watermark: '5' });
    // The whole history again from the start (a reloaded page).
    expect((await activitiesAfter(t.base, c, '')).activities).toHaveLength(5);
    // A watermark past the end is pulled back rather than hiding later activities.
    expect((await activitiesAfter(t.base, c, '99')).watermark).toBe('5');
    expect((await getActivities(t.base, c.conversationId, c.token, 'abc')).status).toBe(400);
  });

  test("several replies in one turn keep their order; concurrent posts run one turn at a time, in the order stored", async () => {
    const c = await startConversation(t.base);
    await postActivity(t.base, c.conversationId, c.token, message('many'));
    await t.portal.drain();
    const many = await activitiesAfter(t.base, c, '1');
    expect(many.activities.map((a) => a.text)).toEqual(['many', 'Phần 1', 'Phần 2', 'Phần 3']);

    const texts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const results = await Promise.all(texts.map((text) => postActivity(t.base, c.conversationId, c.token, message(text))));
    expect(results.map((r) => r.status)).toEqual(texts.map(() => 200));
    await t.portal.drain();
    const page = await activitiesAfter(t.base, c, many.watermark);
    const userOrder = page.activities.filter((a) => a.from.role === 'user').map((a) => a.text);
    const botOrder = page.activities.filter((a) => a.from.role === 'bot').map((a) => a.text);
    expect([...(userOrder as string[])].sort()).toEqual(texts);
    expect(botOrder).toEqual(userOrder.map((text) => `Echo: ${text}`));
    expect(t.bot.maxActive).toBe(1);
    const seqs = page.activities.map((a) => a.channelData?.['webchat:sequence-id'] as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  test('typing is acknowledged but neither stored nor given to the bot; event activities are', async () => {
    const c = await startConversation(t.base);
    const typing = await postActivity(t.base, c.conversationId, c.token, { type: 'typing' });
    expect(typing.status).toBe(200);
    expect(((await typing.json()) as { id: string }).id).toContain(c.conversationId);
    const event = await postActivity(t.base, c.conversationId, c.token, { type: 'event', name: 'webchat/join', value: { language: 'vi-VN' } });
    expect(event.status).toBe(200);
    await t.portal.drain();
    const page = await activitiesAfter(t.base, c, '1');
    expect(page.activities.map((a) => a.type)).toEqual(['event']);
    expect(page.activities[0]).toMatchObject({ name: 'webchat/join', value: { language: 'vi-VN' }, from: { role: 'user' } });
  });

  test('invalid activities: unknown type, text over 2,000 characters, attachments, not JSON', async () => {
    const c = await startConversation(t.base);
    const invoke = await postActivity(t.base, c.conversationId, c.token, { type: 'invoke', name: 'x' });
    expect(invoke.status).toBe(400);
    expect(((await invoke.json()) as { error: { message: string } }).error.message).toMatch(/message, event, typing/);

    const long = await postActivity(t.base, c.conversationId, c.token, message('ạ'.repeat(2001)));
    expect(long.status).toBe(400);
    const longBody = (await long.json()) as { error: { code: string; message: string } };
    expect(longBody.error.code).toBe('MessageTooLong');
    expect(longBody.error.message).toContain('2.000 ký tự');
    expect((await postActivity(t.base, c.conversationId, c.token, message('ạ'.repeat(2000)))).status).toBe(200);

    const withFile = await postActivity(t.base, c.conversationId, c.token, { ...message('ảnh'), attachments: [{ contentType: 'image/png', contentUrl: 'blob:x' }] });
    expect(withFile.status).toBe(400);

    const notJson = await fetch(`${t.base}${DL}/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: '{"type": "message", ',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'BadArgument' } });
    await t.portal.drain();
    // Only the 2,000-character message (and its echo) got in.
    expect((await activitiesAfter(t.base, c, '1')).activities).toHaveLength(2);
  });

  test('a body over 64 kB is refused with 413 and a JSON error', async () => {
    const c = await startConversation(t.base);
    const res = await postActivity(t.base, c.conversationId, c.token, { ...message('x'), channelData: { clientActivityID: 'big', padding: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  test('uploads are refused with a clear message', async () => {
    const c = await startConversation(t.base);
    const res = await fetch(`${t.base}${DL}/conversations/${c.conversationId}/upload?userId=${c.userId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
    });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('tệp đính kèm');
  });

  test('CORS: preflight allows Authorization, Content-Type and x-ms-bot-agent; Retry-After is exposed', async () => {
    const res = await fetch(`${t.base}${DL}/conversations/x/activities`, {
      method: 'OPTIONS',
      headers: { origin: 'https://laocai.gov.vn', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent' },
    });
    expect(res.status).toBe(204);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['authorization', 'content-type', 'x-ms-bot-agent']) expect(allowed).toContain(h);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });
});

describe('bot typing', () => {
  test('is delivered while fresh and left out of later replays', async () => {
    t = await startTestServer({ fakeClock: true });
    const c = await startConversation(t.base);
    await t.portal.drain();
    await t.adapter.continueConversation({ conversation: { id: c.conversationId, isGroup: false, name: '', conversationType: '' }, user: { id: c.userId, name: '' } }, async (context) => {
      await context.sendActivity({ type: 'typing' });
      await context.sendActivity('Đang tra cứu…');
    });
    expect((await activitiesAfter(t.base, c, '1')).activities.map((a) => a.type)).toEqual(['typing', 'message']);
    t.clock.now += 60_000;
    const later = await activitiesAfter(t.base, c, '');
    expect(later.activities.map((a) => a.type)).toEqual(['message', 'message']);
    expect(later.watermark).toBe('3');
  });
});

describe('isolation between conversations', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test("403 with another conversation's token or without a token; 404 for an unknown conversation", async () => {
    const a = await startConversation(t.base);
    const b = await startConversation(t.base);
    await postActivity(t.base, a.conversationId, a.token, message('bí mật của A'));
    await t.portal.drain();

    expect((await getActivities(t.base, a.conversationId, b.token)).status).toBe(403);
    expect((await getActivities(t.base, a.conversationId, undefined)).status).toBe(403);
    expect((await getActivities(t.base, a.conversationId, 'garbage')).status).toBe(403);
    expect((await postActivity(t.base, a.conversationId, b.token, message('chen vào A'))).status).toBe(403);
    expect((await postActivity(t.base, a.conversationId, undefined, message('chen vào A'))).status).toBe(403);
    expect((await fetch(`${t.base}${DL}/conversations/${a.conversationId}`, { headers: { authorization: `Bearer ${b.token}` } })).status).toBe(403);

    expect((await getActivities(t.base, 'no-such-conversation', a.token)).status).toBe(404);
    expect((await postActivity(t.base, 'no-such-conversation', a.token, message('x'))).status).toBe(404);

    const bPage = await activitiesAfter(t.base, b);
    expect(JSON.stringify(bPage)).not.toContain('bí mật');
    expect(bPage.activities.every((x) => x.conversation.id === b.conversationId)).toBe(true);
    const aPage = await activitiesAfter(t.base, a);
    expect(aPage.activities.map((x) => x.text)).toEqual(['Xin chào! Mời bạn đặt câu hỏi.', 'bí mật của A', 'Echo: bí mật của A']);
  });
});

describe('tokens', () => {
  beforeEach(async () => {
    t = await startTestServer({ fakeClock: true });
  });

  test('refresh extends the same token; an expired token gets 403 everywhere', async () => {
    const c = await startConversation(t.base);
    t.clock.now += 1000 * 1000;
    const refreshed = await fetch(`${t.base}${DL}/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toEqual({ conversationId: c.conversationId, token: c.token, expires_in: 1800 });

    // 2,000 s after the start, alive thanks to the refresh.
    t.clock.now += 1000 * 1000;
    expect((await getActivities(t.base, c.conversationId, c.token)).status).toBe(200);

    t.clock.now += 801 * 1000;
    expect((await getActivities(t.base, c.conversationId, c.token)).status).toBe(403);
    expect((await postActivity(t.base, c.conversationId, c.token, message('muộn'))).status).toBe(403);
    const late = await fetch(`${t.base}${DL}/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
    expect(late.status).toBe(403);
    expect((await fetch(`${t.base}${DL}/tokens/refresh`, { method: 'POST' })).status).toBe(403);
  });

  test('resuming (GET /conversations/:id) hands out a fresh token and retires the old one', async () => {
    const c = await startConversation(t.base);
    const res = await fetch(`${t.base}${DL}/conversations/${c.conversationId}?watermark=`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(res.status).toBe(200);
    const resumed = (await res.json()) as { conversationId: string; token: string; expires_in: number };
    expect(resumed.conversationId).toBe(c.conversationId);
    expect(resumed.token).not.toBe(c.token);
    expect(resumed.expires_in).toBe(1800);
    expect((await getActivities(t.base, c.conversationId, c.token)).status).toBe(403);
    expect((await getActivities(t.base, c.conversationId, resumed.token)).status).toBe(200);
    expect((await fetch(`${t.base}${DL}/conversations/unknown-id`, { headers: { authorization: `Bearer ${resumed.token}` } })).status).toBe(404);
  });
});

describe('rate limits', () => {
  test('starting conversations: 429 with Retry-After once the burst is used', async () => {
    t = await startTestServer({ fakeClock: true, limits: { startConversation: { burst: 2, perMinute: 1 } } });
    await startConversation(t.base);
    await startConversation(t.base);
    const res = await fetch(`${t.base}${DL}/conversations`, { method: 'POST' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    // The bucket refills with time (the injected clock, not the wall clock).
    t.clock.now += 60_000;
    expect((await fetch(`${t.base}${DL}/conversations`, { method: 'POST' })).status).toBe(201);
  });

  test('posting activities: 429 once the burst is used', async () => {
    t = await startTestServer({ fakeClock: true, limits: { postActivity: { burst: 3, perMinute: 1 } } });
    const c = await startConversation(t.base);
    for (let i = 0; i < 3; i += 1) expect((await postActivity(t.base, c.conversationId, c.token, message(`câu ${i}`))).status).toBe(200);
    const res = await postActivity(t.base, c.conversationId, c.token, message('câu thừa'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    // Polling is not limited: replies keep arriving.
    expect((await getActivities(t.base, c.conversationId, c.token)).status).toBe(200);
  });
});

describe('errors in a turn', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test('are logged with the conversation id (not the text), and the citizen gets a short Vietnamese apology', async () => {
    // Captured, and kept out of the test output.
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => logger);
    const infos = jest.spyOn(logger, 'info').mockImplementation(() => logger);
    const c = await startConversation(t.base);
    const res = await postActivity(t.base, c.conversationId, c.token, message('explode số CCCD 012345678901'));
    expect(res.status).toBe(200);
    await t.portal.drain();
    const page = await activitiesAfter(t.base, c, '2');
    expect(page.activities).toHaveLength(1);
    expect(page.activities[0]).toMatchObject({ type: 'message', text: APOLOGY_TEXT, from: { role: 'bot' } });
    expect(APOLOGY_TEXT).toBe('Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.');
    const calls = errors.mock.calls as unknown as Array<[string, Record<string, unknown>]>;
    const turnErrors = calls.filter(([msg]) => msg === 'portal turn failed');
    expect(turnErrors).toHaveLength(1);
    expect(turnErrors[0][1]).toMatchObject({ conversationId: c.conversationId, error: 'the bot exploded again' });
    expect(JSON.stringify([errors.mock.calls, infos.mock.calls])).not.toContain('012345678901');

    // The conversation goes on.
    await postActivity(t.base, c.conversationId, c.token, message('còn đó không?'));
    await t.portal.drain();
    expect((await activitiesAfter(t.base, c, page.watermark)).activities.map((a) => a.text)).toEqual(['còn đó không?', 'Echo: còn đó không?']);
  });
});

describe('proactive messages', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test('continueConversation appends the bot’s message to that conversation', async () => {
    const c = await startConversation(t.base);
    await postActivity(t.base, c.conversationId, c.token, message('Khi nào có trả lời?'));
    await t.portal.drain();
    const reference = t.bot.references[0];
    await t.adapter.continueConversation(reference, async (context) => {
      expect(context.activity.conversation.id).toBe(c.conversationId);
      await context.sendActivity('Sở Tài nguyên và Môi trường đã trả lời câu hỏi HD-2026-000001 của bạn.');
    });
    const page = await activitiesAfter(t.base, c, '3');
    expect(page.activities).toHaveLength(1);
    expect(page.activities[0]).toMatchObject({ from: { role: 'bot' }, recipient: { id: c.userId }, text: expect.stringContaining('HD-2026-000001') });
    await expect(t.adapter.continueConversation({ ...reference, conversation: { id: 'nope', isGroup: false, name: '', conversationType: '' } }, async () => undefined)).rejects.toThrow(/unknown conversation/);
  });
});

describe('shutdown', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test('stopAccepting refuses new work with 503; drain waits for the turn in flight, whose reply is stored', async () => {
    const c = await startConversation(t.base);
    await t.portal.drain();
    const hold = t.bot.holdNextWait();
    expect((await postActivity(t.base, c.conversationId, c.token, message('wait'))).status).toBe(200);
    await hold.started;

    t.portal.stopAccepting();
    const refused = await postActivity(t.base, c.conversationId, c.token, message('sau khi dừng'));
    expect(refused.status).toBe(503);
    expect((await fetch(`${t.base}${DL}/conversations`, { method: 'POST' })).status).toBe(503);

    let drained = false;
    const draining = t.portal.drain().then(() => (drained = true));
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    expect(t.adapter.turnsInFlight).toBe(1);

    hold.release();
    await draining;
    expect(t.adapter.turnsInFlight).toBe(0);
    // Polling still works while shutting down, and the held turn's reply is there.
    expect((await activitiesAfter(t.base, c, '1')).activities.map((a) => a.text)).toEqual(['wait', 'Echo: wait']);
  });
});

describe('the app with the portal', () => {
  beforeEach(async () => {
    t = await startTestServer();
  });

  test('serves the page at /, the Web Chat bundle from the package, and keeps the other endpoints', async () => {
    const page = await fetch(`${t.base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Cổng Thông tin điện tử tỉnh Lào Cai — <span>Hỏi - Đáp</span>');
    expect(html).toContain('<script src="/static/webchat/webchat.js"></script>');
    expect(html).toContain('name="viewport"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");

    const script = await (await fetch(`${t.base}/static/portal/app.js`)).text();
    expect(script).toContain("location.origin + '/v3/directline'");
    expect(script).toContain('webSocket: false');
    expect(script).toContain('hideUploadButton: false');
    expect(script).toContain("uploadAccept: 'image/jpeg,image/png,image/webp'");
    expect(script).toContain("locale: 'vi-VN'");
    expect(script).not.toMatch(/https?:\/\//);

    const bundle = await fetch(`${t.base}/static/webchat/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.headers.get('content-encoding')).toBe('gzip');
    const code = await bundle.text();
    expect(code.length).toBeGreaterThan(1_000_000);
    expect(code).toContain('renderWebChat');
    const etag = bundle.headers.get('etag') ?? '';
    expect((await fetch(`${t.base}/static/webchat/webchat.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    expect((await fetch(`${t.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.base}/readyz`)).status).toBe(200);
    expect((await fetch(`${t.base}${DL}/nothing-here`)).status).toBe(404);
  });
});
