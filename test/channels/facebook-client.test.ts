import {
  MessengerClient,
  messengerPolicy,
  MessengerSendError,
  type MessengerClientConfig,
} from '../../src/channels/facebook/client';
import { startGraphFake, type GraphFake, type GraphFailure } from '../fakes/graph-fake';
import { captureLogs } from '../fakes/log-capture';

const PSID = '24687543219876543';
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function sendError(promise: Promise<unknown>): Promise<MessengerSendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MessengerSendError) return error;
    throw error;
  }
  throw new Error('expected a MessengerSendError');
}

describe('MessengerClient against the fake Graph API', () => {
  let fake: GraphFake;
  let client: MessengerClient;

  function makeClient(overrides: Partial<MessengerClientConfig> = {}): MessengerClient {
    return new MessengerClient({ graphBase: fake.url, pageToken: fake.pageToken, timeoutMs: 5000, humanAgentTag: true, ...overrides });
  }

  beforeEach(async () => {
    fake = await startGraphFake();
    client = makeClient();
  });

  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  });

  it('sends a RESPONSE text to /{version}/me/messages with the page token in the query', async () => {
    const ids = await client.sendText(PSID, 'Câu hỏi của bạn đã được tiếp nhận.', { messagingType: 'RESPONSE' });
    expect(ids).toEqual([fake.sent[0].messageId]);
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v24.0/me/messages');
    expect(request.query).toEqual({ access_token: fake.pageToken });
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.body).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Câu hỏi của bạn đã được tiếp nhận.' } });
  });

  it('sends a human agent reply outside 24 h as MESSAGE_TAG + HUMAN_AGENT', async () => {
    await client.sendText(PSID, 'Cán bộ trả lời', { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(fake.requests[0].body).toEqual({ recipient: { id: PSID }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Cán bộ trả lời' } });
  });

  it('refuses inconsistent tags, and HUMAN_AGENT when the Page does not have it, before calling Graph', async () => {
    expect((await sendError(client.sendText(PSID, 'x', { messagingType: 'MESSAGE_TAG' }))).kind).toBe('permanent');
    expect((await sendError(client.sendText(PSID, 'x', { messagingType: 'RESPONSE', tag: 'HUMAN_AGENT' }))).kind).toBe('permanent');
    const withoutPermission = makeClient({ humanAgentTag: false });
    expect((await sendError(withoutPermission.sendText(PSID, 'x', { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }))).message).toMatch(/not enabled/);
    expect((await sendError(client.sendText(PSID, '  ', { messagingType: 'RESPONSE' }))).kind).toBe('permanent');
    expect(fake.requests).toHaveLength(0);
  });

  it('uses the configured API version', async () => {
    await fake.close();
    fake = await startGraphFake({ apiVersion: 'v23.0' });
    await makeClient({ apiVersion: 'v23.0' }).sendText(PSID, 'Xin chào', { messagingType: 'UPDATE' });
    expect(fake.requests[0].path).toBe('/v23.0/me/messages');
  });

  it('sends quick replies with content_type text and titles cut to 20 characters at a word', async () => {
    await client.sendQuickReplies(PSID, 'Bạn hài lòng với câu trả lời?', [
      { title: 'Hài lòng', payload: '#rate:5' },
      { title: 'Chưa hài lòng với nội dung trả lời', payload: '#rate:1' },
    ]);
    const body = fake.requests[0].body as { messaging_type: string; message: { quick_replies: Array<{ content_type: string; title: string; payload: string }> } };
    expect(body.messaging_type).toBe('RESPONSE');
    expect(body.message.quick_replies).toEqual([
      { content_type: 'text', title: 'Hài lòng', payload: '#rate:5' },
      { content_type: 'text', title: 'Chưa hài lòng với…', payload: '#rate:1' },
    ]);
    await client.sendQuickReplies(PSID, 'x', [{ title: 'Khôngcókhoảngtrắngnàocả', payload: '#x' }]);
    expect(fake.sent[1].quickReplies?.[0].title).toBe('Khôngcókhoảngtrắngn…');
  });

  it('refuses empty or too many quick replies before calling Graph', async () => {
    expect((await sendError(client.sendQuickReplies(PSID, 'x', []))).kind).toBe('permanent');
    const many = Array.from({ length: 14 }, (_, i) => ({ title: `${i}`, payload: `#${i}` }));
    expect((await sendError(client.sendQuickReplies(PSID, 'x', many))).kind).toBe('permanent');
    expect(fake.requests).toHaveLength(0);
  });

  it('splits a long text into messages under 2,000 characters; quick replies go with the last', async () => {
    const sentence = 'Hồ sơ cần nộp gồm đơn đề nghị, bản sao giấy tờ tùy thân và giấy xác nhận của Ủy ban nhân dân cấp xã. ';
    const text = sentence.repeat(50).trim(); // ~5,000 characters
    const ids = await client.sendQuickReplies(PSID, text, [{ title: 'Cảm ơn', payload: '#thanks' }]);
    expect(ids).toHaveLength(3);
    expect(fake.sent.every((m) => m.text.length < 2000)).toBe(true);
    expect(fake.sent.every((m) => m.text.endsWith('cấp xã.'))).toBe(true);
    expect(fake.sent.map((m) => m.text).join(' ')).toBe(text);
    expect(fake.sent.map((m) => m.quickReplies === undefined)).toEqual([true, true, false]);
  });

  it('splits exactly at the limit: 1,999 characters is one message, 2,000 is two', async () => {
    await client.sendText(PSID, 'a'.repeat(1999), { messagingType: 'RESPONSE' });
    await client.sendText(PSID, 'b'.repeat(2000), { messagingType: 'RESPONSE' });
    expect(fake.sent.map((m) => m.text.length)).toEqual([1999, 1999, 1]);
  });

  describe('error classes', () => {
    it.each<[string, GraphFailure, string]>([
      ['10/2018278 outside the window', { code: 10, subcode: 2018278 }, 'window_closed'],
      ['551 person unavailable', 551, 'window_closed'],
      ['613 rate limit', 613, 'retryable'],
      ['4 app request limit', 4, 'retryable'],
      ['2 temporary', 2, 'retryable'],
      ['1200 temporary send failure', 1200, 'retryable'],
      ['190 invalid token', 190, 'auth'],
      ['100 invalid parameter', 100, 'permanent'],
      ['200 permissions', 200, 'permanent'],
      ['230 permissions', 230, 'permanent'],
      ['10 without the window subcode', { code: 10, subcode: 1 }, 'permanent'],
      ['HTTP 500 without a Graph body', 'http500', 'retryable'],
    ])('%s: %s', async (_name, how, kind) => {
      fake.failNext(1, how);
      const error = await sendError(client.sendText(PSID, 'Trả lời', { messagingType: 'RESPONSE' }));
      expect(error.kind).toBe(kind);
      expect(fake.requests).toHaveLength(1); // never retried inside the client
      if (typeof how === 'object') {
        expect(error.code).toBe(how.code);
        expect(error.subcode).toBe(how.subcode);
      }
    });

    it('a wrong page token is answered 190: auth', async () => {
      const error = await sendError(makeClient({ pageToken: 'revoked-token' }).sendText(PSID, 'x', { messagingType: 'RESPONSE' }));
      expect(error.kind).toBe('auth');
      expect(error.code).toBe(190);
    });

    it('no answer within timeoutMs: retryable', async () => {
      client = makeClient({ timeoutMs: 150 });
      fake.failNext(1, 'timeout');
      const error = await sendError(client.sendText(PSID, 'Trả lời', { messagingType: 'RESPONSE' }));
      expect(error.kind).toBe('retryable');
      expect(error.message).toMatch(/did not answer/);
    });

    it('a failure on the second part reports the first part as delivered', async () => {
      const text = 'Nội dung trả lời. '.repeat(200).trim(); // two parts
      fake.failNext(1, { code: 10, subcode: 2018278 }, { after: 1 });
      const error = await sendError(client.sendText(PSID, text, { messagingType: 'RESPONSE' }));
      expect(error.kind).toBe('window_closed');
      expect(fake.sent).toHaveLength(1);
      expect(error.sentMessageIds).toEqual([fake.sent[0].messageId]);
    });
  });

  it('never logs the page token or message texts, even at debug level', async () => {
    const logs = captureLogs('debug');
    const messages: string[] = [];
    try {
      await client.sendText(PSID, 'Nội dung bí mật', { messagingType: 'RESPONSE' });
      fake.failNext(1, 190);
      messages.push((await sendError(client.sendText(PSID, 'Nội dung bí mật', { messagingType: 'RESPONSE' }))).message);
      messages.push((await sendError(makeClient({ graphBase: fake.url.replace(/:\d+$/, ':1') }).sendText(PSID, 'Nội dung bí mật', { messagingType: 'RESPONSE' }))).message);
    } finally {
      await logs.stop();
    }
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const line of [...logs.lines, ...messages]) {
      expect(line).not.toContain(fake.pageToken);
      expect(line).not.toContain('bí mật');
    }
  });
});

describe('messengerPolicy', () => {
  const last = Date.UTC(2026, 10, 1, 8, 0);

  it('inside 24 hours: a RESPONSE, for the bot and for agents', () => {
    for (const [enabled, human] of [
      [false, false],
      [true, false],
      [true, true],
    ]) {
      expect(messengerPolicy(last, last + 23 * HOUR + 59 * MINUTE, enabled, human)).toEqual({ allowed: true, messagingType: 'RESPONSE' });
    }
  });

  it('at 24 h 01: closed for the bot; HUMAN_AGENT for a human agent only when enabled', () => {
    const at = last + 24 * HOUR + MINUTE;
    expect(messengerPolicy(last, at, false, false)).toEqual({ allowed: false, reason: 'window_closed' });
    expect(messengerPolicy(last, at, true, false)).toEqual({ allowed: false, reason: 'window_closed' });
    expect(messengerPolicy(last, at, false, true)).toEqual({ allowed: false, reason: 'window_closed' });
    expect(messengerPolicy(last, at, true, true)).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('at 6 days: only a human agent with HUMAN_AGENT enabled', () => {
    const at = last + 6 * DAY;
    expect(messengerPolicy(last, at, true, true)).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(messengerPolicy(last, at, false, true).allowed).toBe(false);
    expect(messengerPolicy(last, at, true, false).allowed).toBe(false);
  });

  it('at 8 days: closed for everyone', () => {
    const at = last + 8 * DAY;
    for (const [enabled, human] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      expect(messengerPolicy(last, at, enabled, human)).toEqual({ allowed: false, reason: 'window_closed' });
    }
  });

  it('bounds are exclusive; a user message stamped in the future counts as now', () => {
    expect(messengerPolicy(last, last + 24 * HOUR, false, false).allowed).toBe(false);
    expect(messengerPolicy(last, last + 7 * DAY, true, true).allowed).toBe(false);
    expect(messengerPolicy(last + MINUTE, last, false, false)).toEqual({ allowed: true, messagingType: 'RESPONSE' });
    expect(messengerPolicy(Number.NaN, last, true, true).allowed).toBe(false);
  });

  it('an allowed decision is accepted as send options', async () => {
    const fake = await startGraphFake();
    try {
      const client = new MessengerClient({ graphBase: fake.url, pageToken: fake.pageToken, humanAgentTag: true });
      const decision = messengerPolicy(last, last + 3 * DAY, true, true);
      if (!decision.allowed) throw new Error('expected an allowed decision');
      await client.sendText(PSID, 'Cán bộ trả lời', decision);
      expect(fake.requests[0].body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe('the Graph fake checks shapes', () => {
  let fake: GraphFake;
  beforeEach(async () => {
    fake = await startGraphFake();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers 400 and records a violation for malformed sends', async () => {
    const good = { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'x' } };
    const cases: Array<[string, unknown, RegExp]> = [
      ['', good, /access_token missing/],
      [`?access_token=${fake.pageToken}`, { ...good, tag: 'HUMAN_AGENT' }, /tag sent without/],
      [`?access_token=${fake.pageToken}`, { ...good, messaging_type: 'MESSAGE_TAG' }, /needs a known tag/],
      [`?access_token=${fake.pageToken}`, { ...good, message: { text: 'x'.repeat(2000) } }, /under 2000/],
      [`?access_token=${fake.pageToken}`, { ...good, recipient: { id: 42 } }, /recipient.id/],
      [`?access_token=${fake.pageToken}`, { ...good, message: { text: 'x', quick_replies: [{ content_type: 'text', title: 'x'.repeat(21), payload: 'p' }] } }, /title/],
    ];
    for (const [query, body, problem] of cases) {
      const response = await fetch(`${fake.url}/v24.0/me/messages${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect(fake.violations.at(-1)?.problems.join('; ')).toMatch(problem);
    }
    expect(fake.violations).toHaveLength(cases.length);
    expect(fake.sent).toHaveLength(0);
  });
});
