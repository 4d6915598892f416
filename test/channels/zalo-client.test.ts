import { splitText } from '../../src/channels/send-support';
import { ZaloClient, ZaloSendError, zaloWindowOpen, ZALO_WINDOW_MS, type TokenStore, type ZaloTokens } from '../../src/channels/zalo/client';
import { captureLogs } from '../fakes/log-capture';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';

const HOUR = 60 * 60 * 1000;
const USER = '6142494823012345678';

/** Records every save with how many requests the fake had seen when it started and when it completed. */
class MemoryTokenStore implements TokenStore {
  readonly saves: Array<{ tokens: ZaloTokens; requestsSeen: number; requestsSeenAtStart: number }> = [];
  loads = 0;
  failSaves = 0;
  /** A slow disk widens the window in which a client that does not wait for the save would already send. */
  saveDelayMs = 0;

  constructor(
    private tokens: ZaloTokens | undefined,
    private readonly fake: ZaloFake,
  ) {}

  async load(): Promise<ZaloTokens | undefined> {
    this.loads += 1;
    return this.tokens && { ...this.tokens };
  }

  async save(tokens: ZaloTokens): Promise<void> {
    const requestsSeenAtStart = this.fake.requests.length;
    await new Promise((resolve) => (this.saveDelayMs > 0 ? setTimeout(resolve, this.saveDelayMs) : setImmediate(resolve)));
    if (this.failSaves > 0) {
      this.failSaves -= 1;
      throw new Error('disk full');
    }
    this.saves.push({ tokens: { ...tokens }, requestsSeen: this.fake.requests.length, requestsSeenAtStart });
    this.tokens = { ...tokens };
  }

  get current(): ZaloTokens | undefined {
    return this.tokens;
  }
}

async function sendError(promise: Promise<unknown>): Promise<ZaloSendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ZaloSendError) return error;
    throw error;
  }
  throw new Error('expected a ZaloSendError');
}

describe('ZaloClient against the fake Zalo OA API', () => {
  let fake: ZaloFake;
  let store: MemoryTokenStore;
  let client: ZaloClient;
  const now = 1_760_000_000_000;

  function makeClient(overrides: { timeoutMs?: number } = {}): ZaloClient {
    return new ZaloClient({ apiBase: fake.url, oauthBase: fake.url, appId: fake.appId, appSecret: fake.appSecret, timeoutMs: overrides.timeoutMs ?? 5000, now: () => now }, store);
  }

  beforeEach(async () => {
    fake = await startZaloFake();
    store = new MemoryTokenStore({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresAt: now + 20 * HOUR }, fake);
    client = makeClient();
  });

  afterEach(async () => {
    // Every test must have sent only well-formed requests.
    expect(fake.violations).toEqual([]);
    await fake.close();
  });

  it('sends a text as a CS message with the access_token header and returns its id', async () => {
    const ids = await client.sendText(USER, 'Câu hỏi của bạn đã được chuyển đến Sở Y tế.');
    expect(ids).toEqual([fake.sent[0].messageId]);
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v3.0/oa/message/cs');
    expect(request.headers.access_token).toBe('zalo-at-initial');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({ recipient: { user_id: USER }, message: { text: 'Câu hỏi của bạn đã được chuyển đến Sở Y tế.' } });
    expect(fake.oauthRequests()).toHaveLength(0);
  });

  it('sends buttons as a template of oa.query.hide buttons with string payloads', async () => {
    const ids = await client.sendButtons(USER, 'Bạn muốn làm gì?', [
      { title: 'Đặt câu hỏi', payload: '#btn:ask' },
      { title: 'Tra cứu câu trả lời', payload: '#btn:lookup' },
    ]);
    expect(ids).toHaveLength(1);
    expect(fake.requests[0].body).toEqual({
      recipient: { user_id: USER },
      message: {
        text: 'Bạn muốn làm gì?',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Đặt câu hỏi', type: 'oa.query.hide', payload: '#btn:ask' },
              { title: 'Tra cứu câu trả lời', type: 'oa.query.hide', payload: '#btn:lookup' },
            ],
          },
        },
      },
    });
  });

  it('refuses an empty or oversized button list before calling Zalo', async () => {
    expect((await sendError(client.sendButtons(USER, 'x', []))).kind).toBe('permanent');
    const six = Array.from({ length: 6 }, (_, i) => ({ title: `Mục ${i}`, payload: `#btn:${i}` }));
    expect((await sendError(client.sendButtons(USER, 'x', six))).kind).toBe('permanent');
    expect((await sendError(client.sendText(USER, '   '))).kind).toBe('permanent');
    expect(fake.requests).toHaveLength(0);
  });

  it('splits a text over 2,000 characters at sentence ends into several messages', async () => {
    const sentence = 'Theo quy định, cơ quan tiếp nhận phải trả lời trong vòng mười ngày làm việc kể từ ngày tiếp nhận câu hỏi. ';
    const text = sentence.repeat(45).trim(); // ~4,700 characters
    const ids = await client.sendText(USER, text);
    expect(ids.length).toBe(3);
    const texts = fake.sent.map((m) => m.text);
    for (const part of texts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(part.endsWith('câu hỏi.')).toBe(true);
    }
    expect(texts.join(' ')).toBe(text);
    expect(ids).toEqual(fake.sent.map((m) => m.messageId));
  });

  it('puts the buttons on the last part of a long text', async () => {
    const text = 'Nội dung trả lời chi tiết. '.repeat(120).trim();
    await client.sendButtons(USER, text, [{ title: 'Hài lòng', payload: '#btn:rate:5' }]);
    expect(fake.sent.length).toBeGreaterThan(1);
    expect(fake.sent.slice(0, -1).every((m) => m.buttons === undefined)).toBe(true);
    expect(fake.sent.at(-1)?.buttons).toEqual([{ title: 'Hài lòng', type: 'oa.query.hide', payload: '#btn:rate:5' }]);
  });

  it('cuts a text without spaces hard, never inside a surrogate pair', async () => {
    const text = '😀'.repeat(1500); // 3,000 code units, no space anywhere
    await client.sendText(USER, text);
    expect(fake.sent.map((m) => m.text).join('')).toBe(text);
    for (const part of fake.sent) {
      expect(part.text.length).toBeLessThanOrEqual(2000);
      expect(part.text.length % 2).toBe(0);
    }
  });

  describe('expired access token', () => {
    it.each([-216, -220])('on %i refreshes once, saves the new pair, then retries once with the new token', async (code) => {
      fake.failNext(1, code);
      store.saveDelayMs = 30;
      const ids = await client.sendText(USER, 'Xin chào');
      expect(ids).toHaveLength(1);

      // Log: rejected send, token refresh, retried send.
      expect(fake.requests.map((r) => `${r.endpoint}:${r.outcome}`)).toEqual([`message:injected:${code}`, 'oauth:ok', 'message:ok']);
      const [, oauth, retry] = fake.requests;
      expect(oauth.method).toBe('POST');
      expect(oauth.path).toBe('/v4/oa/access_token');
      expect(oauth.headers.secret_key).toBe(fake.appSecret);
      expect(oauth.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(oauth.body).toEqual({ refresh_token: 'zalo-rt-initial', app_id: fake.appId, grant_type: 'refresh_token' });

      // The rotated pair was saved after the refresh answer and before the retried send went out.
      expect(store.saves).toHaveLength(1);
      expect(store.saves[0].requestsSeenAtStart).toBe(2);
      expect(store.saves[0].requestsSeen).toBe(2);
      expect(store.saves[0].tokens).toEqual({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresAt: now + 90_000 * 1000 });
      expect(retry.headers.access_token).toBe(store.saves[0].tokens.accessToken);
    });

    it('uses the rotated refresh token next time; the spent one is refused by the server', async () => {
      fake.expireAccessToken();
      await client.sendText(USER, 'một');
      const first = fake.issued[0];
      fake.expireAccessToken();
      await client.sendText(USER, 'hai');
      expect(fake.oauthRequests().map((r) => (r.body as { refresh_token: string }).refresh_token)).toEqual(['zalo-rt-initial', first.refreshToken]);
      expect(store.current?.refreshToken).toBe(fake.issued[1].refreshToken);

      // A second process still holding the spent pair cannot refresh: that is an admin alert.
      const stale = new ZaloClient(
        { apiBase: fake.url, oauthBase: fake.url, appId: fake.appId, appSecret: fake.appSecret, now: () => now },
        { load: async () => ({ accessToken: first.accessToken, refreshToken: first.refreshToken, expiresAt: now + HOUR * 20 }), save: async () => undefined },
      );
      const error = await sendError(stale.sendText(USER, 'ba'));
      expect(error.kind).toBe('auth');
      expect(fake.oauthRequests().at(-1)?.outcome).toMatch(/^rejected:/);
      expect((fake.oauthRequests().at(-1)?.response as { error: number }).error).toBeLessThan(0);
    });

    it('refreshes before sending when the stored token has expired', async () => {
      store = new MemoryTokenStore({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresAt: now - 1 }, fake);
      client = makeClient();
      fake.expireAccessToken();
      await client.sendText(USER, 'Xin chào');
      expect(fake.requests.map((r) => `${r.endpoint}:${r.outcome}`)).toEqual(['oauth:ok', 'message:ok']);
      expect(store.saves[0].requestsSeen).toBe(1);
    });

    it('concurrent sends that hit the expired token share one refresh', async () => {
      fake.expireAccessToken();
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => client.sendText(USER, `Tin ${i}`)));
      expect(results.every((ids) => ids.length === 1)).toBe(true);
      expect(fake.oauthRequests()).toHaveLength(1);
      expect(store.saves).toHaveLength(1);
      expect(fake.sent).toHaveLength(5);
      expect(fake.sent.every((m) => m.accessToken === fake.accessToken)).toBe(true);
    });

    it('concurrent sends with an expired stored token share one refresh before sending', async () => {
      store = new MemoryTokenStore({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresAt: now - 1 }, fake);
      client = makeClient();
      await Promise.all([client.sendText(USER, 'a'), client.sendText(USER, 'b'), client.sendButtons(USER, 'c', [{ title: 'OK', payload: '#ok' }]), client.refreshAccessToken()]);
      expect(fake.oauthRequests()).toHaveLength(1);
      expect(store.saves).toHaveLength(1);
      expect(store.loads).toBe(1);
      expect(fake.messageRequests().every((r) => r.headers.access_token === fake.accessToken)).toBe(true);
    });

    it('does not refresh twice: a second rejection after the refresh is an auth error', async () => {
      fake.failNext(2, -216);
      const error = await sendError(client.sendText(USER, 'Xin chào'));
      expect(error.kind).toBe('auth');
      expect(error.code).toBe(-216);
      expect(fake.oauthRequests()).toHaveLength(1);
      expect(fake.messageRequests()).toHaveLength(2);
    });

    it('a refused refresh is an auth error and nothing is saved', async () => {
      fake.failNext(1, -216);
      fake.failNext(1, -14020, { endpoint: 'oauth' });
      const error = await sendError(client.sendText(USER, 'Xin chào'));
      expect(error.kind).toBe('auth');
      expect(store.saves).toHaveLength(0);
      expect(fake.messageRequests()).toHaveLength(1);
    });

    it('a refresh that times out is retryable, not an admin alert', async () => {
      client = makeClient({ timeoutMs: 150 });
      fake.failNext(1, -216);
      fake.failNext(1, 'timeout', { endpoint: 'oauth' });
      const error = await sendError(client.sendText(USER, 'Xin chào'));
      expect(error.kind).toBe('retryable');
      expect(store.saves).toHaveLength(0);
    });

    it('when the new pair cannot be saved, it is not used; the next send saves it first without spending it again', async () => {
      fake.failNext(1, -216);
      store.failSaves = 1;
      const error = await sendError(client.sendText(USER, 'một'));
      expect(error.kind).toBe('retryable');
      expect(fake.messageRequests()).toHaveLength(1);

      await client.sendText(USER, 'hai');
      expect(fake.oauthRequests()).toHaveLength(1);
      expect(store.saves).toHaveLength(1);
      expect(store.current?.refreshToken).toBe(fake.refreshToken);
      expect(fake.messageRequests().at(-1)?.headers.access_token).toBe(fake.accessToken);
    });

    it('without stored tokens the OA needs authorising: auth', async () => {
      store = new MemoryTokenStore(undefined, fake);
      client = makeClient();
      expect((await sendError(client.sendText(USER, 'x'))).kind).toBe('auth');
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('never logs tokens, the app secret or message texts, even at debug level', async () => {
    const logs = captureLogs('debug');
    const errors: string[] = [];
    try {
      fake.failNext(1, -216);
      await client.sendText(USER, 'Nội dung bí mật của công dân');
      fake.failNext(1, -216);
      fake.failNext(1, -14020, { endpoint: 'oauth' });
      errors.push((await sendError(client.sendText(USER, 'Nội dung bí mật của công dân'))).message);
    } finally {
      await logs.stop();
    }
    expect(logs.lines.length).toBeGreaterThan(0);
    const secrets = ['zalo-at-initial', 'zalo-rt-initial', fake.accessToken, fake.refreshToken, fake.appSecret, 'bí mật'];
    for (const line of [...logs.lines, ...errors]) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });

  describe('error classes', () => {
    it.each([-230, -232, -213])('%i: window_closed, sent once and never retried', async (code) => {
      fake.failNext(1, code);
      const error = await sendError(client.sendText(USER, 'Trả lời'));
      expect(error.kind).toBe('window_closed');
      expect(error.code).toBe(code);
      expect(fake.requests).toHaveLength(1);
    });

    it.each([
      [-32, 'retryable'],
      [-201, 'permanent'],
      [-204, 'permanent'],
      [-205, 'permanent'],
      [-999, 'permanent'],
    ])('%i: %s', async (code, kind) => {
      fake.failNext(1, code);
      const error = await sendError(client.sendText(USER, 'Trả lời'));
      expect(error.kind).toBe(kind);
      expect(error.code).toBe(code);
      expect(fake.requests).toHaveLength(1);
    });

    it('HTTP 500: retryable', async () => {
      fake.failNext(1, 'http500');
      const error = await sendError(client.sendText(USER, 'Trả lời'));
      expect(error.kind).toBe('retryable');
      expect(error.httpStatus).toBe(500);
    });

    it('no answer within timeoutMs: retryable', async () => {
      client = makeClient({ timeoutMs: 150 });
      fake.failNext(1, 'timeout');
      const error = await sendError(client.sendText(USER, 'Trả lời'));
      expect(error.kind).toBe('retryable');
      expect(error.message).toMatch(/did not answer/);
      expect(fake.requests).toHaveLength(1);
    });

    it('a refused connection: retryable', async () => {
      const url = fake.url;
      client = new ZaloClient({ apiBase: url.replace(/:\d+$/, ':1'), oauthBase: url, appId: fake.appId, appSecret: fake.appSecret, now: () => now }, store);
      expect((await sendError(client.sendText(USER, 'x'))).kind).toBe('retryable');
    });

    it('a failure in the middle of a split text reports the parts already delivered', async () => {
      const text = 'Câu trả lời rất dài. '.repeat(150).trim(); // two parts
      fake.failNext(1, -230, { after: 1 });
      const error = await sendError(client.sendText(USER, text));
      expect(error.kind).toBe('window_closed');
      expect(fake.sent).toHaveLength(1);
      expect(error.sentMessageIds).toEqual([fake.sent[0].messageId]);
      expect(fake.messageRequests()).toHaveLength(2);
    });
  });
});

describe('splitText', () => {
  it('prefers a paragraph break, then a line break, then a sentence end, then a space', () => {
    expect(splitText('Một hai ba.\n\nBốn năm sáu. Bảy', 20)).toEqual(['Một hai ba.', 'Bốn năm sáu. Bảy']);
    expect(splitText('Một hai ba\nbốn. Năm sáu bảy', 20)).toEqual(['Một hai ba', 'bốn. Năm sáu bảy']);
    expect(splitText('Một hai ba bốn. Năm sáu bảy', 20)).toEqual(['Một hai ba bốn.', 'Năm sáu bảy']);
    expect(splitText('Một hai ba bốn năm sáu bảy tám', 20)).toEqual(['Một hai ba bốn năm', 'sáu bảy tám']);
  });

  it('ignores a boundary that would leave a part less than half full', () => {
    expect(splitText('Ừ. Thủ tục cấp giấy phép xây dựng nhà ở', 20)).toEqual(['Ừ. Thủ tục cấp giấy', 'phép xây dựng nhà ở']);
  });

  it('never separates a combining mark from its letter when it must cut inside a word', () => {
    const nfd = 'Nguyễn'.normalize('NFD').repeat(10); // no spaces, combining marks throughout
    const parts = splitText(nfd, 9);
    expect(parts.join('')).toBe(nfd);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(9);
      expect(/^\p{M}/u.test(part)).toBe(false);
    }
  });

  it('gives nothing for blank text and keeps short text whole', () => {
    expect(splitText(' \n ', 10)).toEqual([]);
    expect(splitText('  Xin chào  ', 10)).toEqual(['Xin chào']);
  });
});

describe('zaloWindowOpen', () => {
  const last = Date.UTC(2026, 0, 1);
  it('is open for 7 days after the last interaction', () => {
    expect(zaloWindowOpen(last, last)).toBe(true);
    expect(zaloWindowOpen(last, last + 48 * HOUR)).toBe(true);
    expect(zaloWindowOpen(last, last + 6 * 24 * HOUR)).toBe(true);
    expect(zaloWindowOpen(last, last + ZALO_WINDOW_MS - 60_000)).toBe(true);
    expect(zaloWindowOpen(last, last + ZALO_WINDOW_MS)).toBe(false);
    expect(zaloWindowOpen(last, last + 8 * 24 * HOUR)).toBe(false);
    expect(zaloWindowOpen(Number.NaN, last)).toBe(false);
  });
});

describe('the Zalo fake checks shapes', () => {
  let fake: ZaloFake;
  beforeEach(async () => {
    fake = await startZaloFake();
  });
  afterEach(async () => {
    await fake.close();
  });

  const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${fake.url}${path}`, { method: 'POST', headers, body });

  it('answers 400 and records a violation for malformed sends', async () => {
    const cases: Array<[Record<string, string>, unknown, RegExp]> = [
      [{ 'content-type': 'application/json', authorization: `Bearer ${fake.accessToken}` }, { recipient: { user_id: USER }, message: { text: 'x' } }, /access_token missing/],
      [{ 'content-type': 'application/json', access_token: fake.accessToken }, { recipient: { user_id: 6142494823 }, message: { text: 'x' } }, /user_id/],
      [{ 'content-type': 'application/json', access_token: fake.accessToken }, { recipient: { user_id: USER }, message: { text: 'x'.repeat(2001) } }, /limit 2000/],
      [{ 'content-type': 'application/json', access_token: fake.accessToken }, { recipient: { user_id: USER }, message: { text: 'x', attachment: { type: 'template', payload: { buttons: [{ title: 'A', type: 'oa.query.hide', payload: { a: 1 } }] } } } }, /string payload/],
      [{ 'content-type': 'application/json', access_token: 'made-up' }, { recipient: { user_id: USER }, message: { text: 'x' } }, /not a token this server issued/],
    ];
    for (const [headers, body, problem] of cases) {
      const response = await post('/v3.0/oa/message/cs', headers, JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(fake.violations.at(-1)?.problems.join('; ')).toMatch(problem);
    }
    expect(fake.violations).toHaveLength(cases.length);
    expect(fake.sent).toHaveLength(0);
  });

  it('checks the token request and spends each refresh token once', async () => {
    const form = (refreshToken: string) => new URLSearchParams({ refresh_token: refreshToken, app_id: fake.appId, grant_type: 'refresh_token' }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', secret_key: fake.appSecret };

    expect((await post('/v4/oa/access_token', { 'content-type': 'application/x-www-form-urlencoded' }, form('zalo-rt-initial'))).status).toBe(400);
    expect((await post('/v4/oa/access_token', { ...formHeaders, 'content-type': 'application/json' }, JSON.stringify({ refresh_token: 'zalo-rt-initial' }))).status).toBe(400);
    expect(fake.violations).toHaveLength(2);

    const first = (await (await post('/v4/oa/access_token', formHeaders, form('zalo-rt-initial'))).json()) as Record<string, unknown>;
    expect(first).toEqual({ access_token: fake.accessToken, refresh_token: fake.refreshToken, expires_in: '90000' });
    const reused = (await (await post('/v4/oa/access_token', formHeaders, form('zalo-rt-initial'))).json()) as Record<string, unknown>;
    expect(reused.error).toBeLessThan(0);
    expect(reused.access_token).toBeUndefined();

    // The old access token no longer works; the new one does.
    const send = (token: string) => post('/v3.0/oa/message/cs', { 'content-type': 'application/json', access_token: token }, JSON.stringify({ recipient: { user_id: USER }, message: { text: 'x' } }));
    expect(((await (await send('zalo-at-initial')).json()) as { error: number }).error).toBe(-216);
    expect(((await (await send(String(first.access_token))).json()) as { error: number }).error).toBe(0);
    expect(fake.violations).toHaveLength(2);
  });
});
