import { OutboundDispatcher } from '../../src/channels/messaging/dispatcher';
import type { NotifyConfig } from '../../src/notify/config';
import { AnswerNotices, answerNoticeKey } from '../../src/notify/notices';
import { loadNoticePolicy, type NoticePolicy } from '../../src/notify/policy';
import { enabledChannels, notificationSenders } from '../../src/notify/senders';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { captureLogs } from '../fakes/log-capture';
import { startSmsFake, ESMS_PATH, type SmsFake } from '../fakes/sms-fake';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';
import { startZnsFake, type ZnsFake } from '../fakes/zns-fake';
import { freePort } from '../helpers/ports';
import { instant, province } from '../helpers/province';
import { ANSWER, answerQuestion, fileQuestion } from './helpers';

/** Monday 30/11/2026 09:00 Lào Cai time; answers on Friday 04/12. */
const FILED = instant('2026-11-30T09:00:00+07:00');
const ANSWERED = instant('2026-12-04T10:30:00+07:00');
const MAX_ATTEMPTS = 3;

const dispatchers: OutboundDispatcher[] = [];
afterEach(async () => {
  for (const d of dispatchers.splice(0)) await d.stop();
});

interface Rig {
  store: SqliteLedgerStore;
  queue: SqliteChannelQueueStore;
  notices: AnswerNotices;
  dispatcher: OutboundDispatcher;
  /** Delivers what is due, then moves the clock past the longest backoff; `rounds` times (bounded). */
  deliver(rounds?: number): Promise<void>;
  outbox(): Array<{ id: number; channel: string; recipient: string; status: string; attempts: number; last_error: string | null; payload: string }>;
}

function rig(notify: NotifyConfig, policy: NoticePolicy = loadNoticePolicy(province().dataDir)): Rig {
  const store = new SqliteLedgerStore(':memory:');
  const queue = new SqliteChannelQueueStore(store.db);
  let now = ANSWERED;
  const clock = () => now;
  const notices = new AnswerNotices({ policy, enabled: enabledChannels(notify), data: province(), store, queue, now: clock });
  const dispatcher = new OutboundDispatcher({
    queue,
    senders: notificationSenders(notify, queue, undefined, clock),
    now: clock,
    maxAttempts: MAX_ATTEMPTS,
    baseDelayMs: 1_000,
    maxDelayMs: 4_000,
    random: () => 0.5,
    pollMs: 3_600_000,
  });
  dispatcher.start();
  dispatchers.push(dispatcher);
  return {
    store,
    queue,
    notices,
    dispatcher,
    async deliver(rounds = 1) {
      for (let i = 0; i < rounds; i += 1) {
        await dispatcher.flush();
        now += 5_000;
      }
    },
    outbox: () => store.db.prepare('SELECT id, channel, recipient, status, attempts, last_error, payload FROM outbox ORDER BY id').all() as ReturnType<Rig['outbox']>,
  };
}

const emailConfig = (port: number, extra: Partial<NonNullable<NotifyConfig['email']>> = {}): NotifyConfig => ({
  email: { host: '127.0.0.1', port, secure: false, requireTls: false, from: 'Hỏi đáp Lào Cai <hoidap@laocai.gov.vn>', ...extra },
  off: [],
});

describe('e-mail through a real SMTP server on loopback', () => {
  let smtp: SmtpFake;
  afterEach(async () => smtp?.close());

  test('the citizen who gave an e-mail gets one message: recipient, Vietnamese subject and body with the ticket, the answer and where to read it; the contact never in the logs', async () => {
    smtp = await startSmtpFake({ auth: { user: 'hoidap', pass: 's3cret' } });
    const r = rig(emailConfig(smtp.port, { user: 'hoidap', password: 's3cret' }));
    const q = await fileQuestion(r.store, FILED, { name: 'Nguyễn Thị Hoà', contact: 'Hoa.Nguyen@example.vn' });
    await answerQuestion(r.store, q, ANSWERED);
    const logs = captureLogs('info');
    try {
      expect(await r.notices.answerPublished(q)).toBe('email');
      await r.deliver();
    } finally {
      await logs.stop();
    }
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.rcptTo).toEqual(['hoa.nguyen@example.vn']);
    expect(mail.mailFrom).toBe('hoidap@laocai.gov.vn');
    expect(mail.user).toBe('hoidap');
    expect(mail.subject).toBe(`Câu hỏi ${q} đã có trả lời - Hỏi đáp Lào Cai`);
    expect(mail.headers['content-type']).toMatch(/charset=utf-8/i);
    expect(mail.text).toContain('Kính gửi Nguyễn Thị Hoà,');
    expect(mail.text).toContain(`Câu hỏi ${q} của bạn gửi chuyên mục Hỏi - Đáp của Cổng thông tin điện tử tỉnh Lào Cai đã được UBND xã Xuân Quang trả lời ngày 04/12/2026.`);
    expect(mail.text).toContain(ANSWER);
    expect(mail.text).toContain(`http://localhost:3978/hoi-dap/${q}`);
    expect(mail.text).toContain(`nhập mã ${q} vào ô trò chuyện tại http://localhost:3978`);
    expect(r.outbox()).toMatchObject([{ channel: 'email', status: 'sent', attempts: 1 }]);
    const logged = logs.lines.join('\n');
    expect(logged).toContain('answer notice queued');
    expect(logged).toContain(q);
    expect(logged.toLowerCase()).not.toContain('hoa.nguyen');
  });

  test('a refused connection is retried with backoff, and the message goes out once the server is up', async () => {
    const port = await freePort();
    const r = rig(emailConfig(port));
    const q = await fileQuestion(r.store, FILED, { contact: 'citizen@example.vn' });
    await answerQuestion(r.store, q, ANSWERED);
    await r.notices.answerPublished(q);
    await r.deliver();
    expect(r.outbox()).toMatchObject([{ status: 'pending', attempts: 1, last_error: expect.stringMatching(/^SMTP E\w+ at CONN: .*ECONNREFUSED/) }]);
    smtp = await startSmtpFake({ port });
    await r.deliver();
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['citizen@example.vn']]);
    expect(r.outbox()).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  test('a 4xx refusal is retried until the last attempt, then the message is a dead letter the admins see and can resend', async () => {
    smtp = await startSmtpFake();
    const r = rig(emailConfig(smtp.port));
    const q = await fileQuestion(r.store, FILED, { contact: 'citizen@example.vn' });
    await answerQuestion(r.store, q, ANSWERED);
    await r.notices.answerPublished(q);
    smtp.failNext(MAX_ATTEMPTS, 451);
    await r.deliver(MAX_ATTEMPTS + 2);
    expect(smtp.received).toHaveLength(0);
    expect(r.outbox()).toMatchObject([{ status: 'dead', attempts: MAX_ATTEMPTS, last_error: expect.stringMatching(/451/) }]);
    const undelivered = await r.queue.undelivered(10);
    expect(undelivered).toMatchObject([{ channel: 'email', recipient: 'citizen@example.vn', status: 'dead', source: q, payload: { subject: expect.stringContaining(q) } }]);
    expect(await r.queue.settleUndelivered(undelivered[0].id, 'resend', 'resent by admin', ANSWERED)).toEqual({ was: 'dead' });
    await r.deliver();
    expect(smtp.received).toHaveLength(1);
    expect(r.outbox()).toMatchObject([{ status: 'sent' }]);
  });

  test('a 5xx refusal of the recipient is a dead letter at once (no retries)', async () => {
    smtp = await startSmtpFake();
    const r = rig(emailConfig(smtp.port));
    const q = await fileQuestion(r.store, FILED, { contact: 'nobody@example.vn' });
    await answerQuestion(r.store, q, ANSWERED);
    await r.notices.answerPublished(q);
    smtp.failNext(1, 550);
    await r.deliver(3);
    expect(r.outbox()).toMatchObject([{ status: 'dead', attempts: 1, last_error: expect.stringMatching(/550.*refused for good/) }]);
  });
});

describe('once per answer', () => {
  test('publishing twice, or the trigger running again after a restart, queues one notice; a notice a stop left out is queued at the next start', async () => {
    const port = await freePort();
    const r = rig(emailConfig(port));
    // Notices start counting from the first start with them: earlier answers (imported ledgers) are never notified.
    await r.notices.catchUp(() => [], 0);
    const first = await fileQuestion(r.store, FILED, { contact: 'a@example.vn' });
    await answerQuestion(r.store, first, ANSWERED);
    expect(await r.notices.answerPublished(first)).toBe('email');
    expect(await r.notices.answerPublished(first)).toBeUndefined();
    // A second process on the same database (a restart): the key is in the database.
    const again = new AnswerNotices({ policy: loadNoticePolicy(province().dataDir), enabled: new Set(['email']), data: province(), store: r.store, queue: new SqliteChannelQueueStore(r.store.db), now: () => ANSWERED });
    expect(await again.answerPublished(first)).toBeUndefined();
    // An answer recorded but never queued (the process stopped in between).
    const second = await fileQuestion(r.store, FILED, { contact: 'b@example.vn' });
    await answerQuestion(r.store, second, ANSWERED + 1);
    const { answeredWithoutKey } = await import('../../src/store/sqlite-channels');
    const unnoticed = (since: number) => answeredWithoutKey(r.store.db, since, answerNoticeKey(''));
    expect(unnoticed(0)).toEqual([second]);
    expect(await again.catchUp(unnoticed, 0)).toBe(1);
    expect(await again.catchUp(unnoticed, 0)).toBe(0);
    expect(r.outbox().map((m) => m.recipient)).toEqual(['a@example.vn', 'b@example.vn']);
  });

  test('no notice for a Zalo or Messenger asker (told in chat), a landline, or a contact kind whose channel is off', async () => {
    const r = rig({ email: emailConfig(1).email, off: [] });
    for (const [channel, contact] of [['zalo', '0912345678'], ['facebook', 'x@example.vn'], ['portal', '02143840000'], ['portal', '0912345678']] as const) {
      const q = await fileQuestion(r.store, FILED, { channel, contact });
      await answerQuestion(r.store, q, ANSWERED);
      expect(await r.notices.answerPublished(q)).toBeUndefined();
    }
    expect(r.outbox()).toEqual([]);
  });
});

describe('brandname SMS through the gateway adapter (eSMS request shape) against a local fake', () => {
  let sms: SmsFake;
  afterEach(async () => sms?.close());
  const smsConfig = (fake: SmsFake): NotifyConfig => ({
    sms: { gateway: 'esms', url: `${fake.url}${ESMS_PATH}`, apiKey: fake.apiKey, secretKey: fake.secretKey, brandname: fake.brandname, sandbox: false },
    off: [],
  });

  test('a mobile number gets one SMS without the answer text, in one GSM-7 part, after two HTTP 500s; the request id makes a repeat harmless', async () => {
    sms = await startSmsFake();
    const r = rig(smsConfig(sms));
    const q = await fileQuestion(r.store, FILED, { contact: '+84 912 345 678' });
    await answerQuestion(r.store, q, ANSWERED);
    expect(await r.notices.answerPublished(q)).toBe('sms');
    sms.failNext(2, 'http500');
    await r.deliver(4);
    expect(sms.violations).toEqual([]);
    expect(sms.requests.filter((x) => x.endpoint === 'send')).toHaveLength(3);
    expect(sms.sent).toHaveLength(1);
    const [message] = sms.sent;
    expect(message).toMatchObject({ phone: '0912345678', unicode: false, requestId: answerNoticeKey(q) });
    expect(message.content).toBe(`Cau hoi ${q} tren Hoi dap Lao Cai da co tra loi. Xem tai http://localhost:3978/hoi-dap (tim ma ${q})`);
    expect(message.content.length).toBeLessThanOrEqual(160);
    expect(message.content).not.toContain('giay phep');
    expect(r.outbox()).toMatchObject([{ channel: 'sms', status: 'sent', attempts: 3 }]);
    // An admin resends it (say its first answer was lost): the gateway recognises the request id and nothing is sent twice.
    await r.store.db.prepare("UPDATE outbox SET status = 'unknown'").run();
    await r.queue.settleUndelivered(r.outbox()[0].id, 'resend', 'test', ANSWERED);
    await r.deliver();
    expect(sms.sent).toHaveLength(1);
    expect(r.outbox()).toMatchObject([{ status: 'sent' }]);
  });

  test('a gateway error code in a 200 answer: a wrong template (146) is a dead letter at once, an HTTP 500 every time ends in one after the last attempt', async () => {
    sms = await startSmsFake();
    const r = rig(smsConfig(sms));
    const a = await fileQuestion(r.store, FILED, { contact: '0912345678' });
    await answerQuestion(r.store, a, ANSWERED);
    await r.notices.answerPublished(a);
    sms.failNext(1, '146');
    await r.deliver();
    const b = await fileQuestion(r.store, FILED, { contact: '0987654321' });
    await answerQuestion(r.store, b, ANSWERED);
    await r.notices.answerPublished(b);
    sms.failNext(MAX_ATTEMPTS, 'http500');
    await r.deliver(MAX_ATTEMPTS + 2);
    expect(sms.violations).toEqual([]);
    expect(r.outbox()).toMatchObject([
      { recipient: '0912345678', status: 'dead', attempts: 1, last_error: 'SMS gateway error 146: Sai template Brandname CSKH' },
      { recipient: '0987654321', status: 'dead', attempts: MAX_ATTEMPTS, last_error: 'SMS gateway answered HTTP 500' },
    ]);
    expect(sms.sent).toEqual([]);
  });
});

describe('Zalo ZNS template by phone against a local fake (OA token from a Zalo OAuth fake)', () => {
  let zalo: ZaloFake;
  let zns: ZnsFake;
  afterEach(async () => {
    await zns?.close();
    await zalo?.close();
  });

  const withTemplate = (): NoticePolicy => {
    const policy = loadNoticePolicy(province().dataDir);
    return { ...policy, zns: { ...policy.zns, templateId: '223750' } };
  };

  test('the template with the province mapping goes to 84…, the token renewed once when ZNS rejects it (-124), retried after a -100 and an HTTP 500, and the phone never in the logs', async () => {
    zalo = await startZaloFake();
    zns = await startZnsFake({ templates: { '223750': { params: { ma_cau_hoi: 30, co_quan: 30, ngay_tra_loi: 20 } } }, validToken: () => zalo.accessToken });
    const r = rig(
      { zns: { apiBase: zns.url, development: false, appId: zalo.appId, appSecret: zalo.appSecret, oauthBase: zalo.url, accessToken: zalo.accessToken, refreshToken: zalo.refreshToken }, off: [] },
      withTemplate(),
    );
    const q = await fileQuestion(r.store, FILED, { contact: '0912345678' });
    await answerQuestion(r.store, q, ANSWERED);
    const logs = captureLogs('info');
    try {
      expect(await r.notices.answerPublished(q)).toBe('zns');
      zns.failNext(1, -124);
      zns.failNext(1, -100);
      zns.failNext(1, 'http500');
      await r.deliver(4);
    } finally {
      await logs.stop();
    }
    expect(zns.violations).toEqual([]);
    expect(zns.sent).toEqual([
      { phone: '84912345678', templateId: '223750', data: { ma_cau_hoi: q, co_quan: 'UBND xã Xuân Quang', ngay_tra_loi: '04/12/2026' }, trackingId: `answer-notice_${q}`, msgId: expect.any(String) },
    ]);
    expect(zns.requests.every((x) => x.headers.access_token)).toBe(true);
    expect(zalo.oauthRequests().length).toBeGreaterThanOrEqual(1);
    expect(r.outbox()).toMatchObject([{ channel: 'zns', status: 'sent', attempts: 3 }]);
    expect(logs.lines.join('\n')).not.toMatch(/912345678/);
  });

  test('a number without Zalo (-118) gets the SMS instead when SMS is configured after ZNS', async () => {
    zalo = await startZaloFake();
    zns = await startZnsFake({ templates: { '223750': { params: { ma_cau_hoi: 30, co_quan: 30, ngay_tra_loi: 20 } } }, validToken: () => zalo.accessToken });
    const sms = await startSmsFake();
    try {
      const r = rig(
        {
          zns: { apiBase: zns.url, development: false, appId: zalo.appId, appSecret: zalo.appSecret, oauthBase: zalo.url, accessToken: zalo.accessToken, refreshToken: zalo.refreshToken },
          sms: { gateway: 'esms', url: `${sms.url}${ESMS_PATH}`, apiKey: sms.apiKey, secretKey: sms.secretKey, brandname: sms.brandname, sandbox: false },
          off: [],
        },
        withTemplate(),
      );
      const q = await fileQuestion(r.store, FILED, { contact: '0912345678' });
      await answerQuestion(r.store, q, ANSWERED);
      expect(await r.notices.answerPublished(q)).toBe('zns');
      zns.failNext(1, -118);
      await r.deliver(2);
      expect(zns.sent).toEqual([]);
      expect(sms.violations).toEqual([]);
      expect(sms.sent).toMatchObject([{ phone: '0912345678', requestId: answerNoticeKey(q), content: expect.stringContaining(q) }]);
      expect(r.outbox()).toMatchObject([{ channel: 'zns', status: 'sent', attempts: 1 }]);
      expect((r.store.db.prepare('SELECT provider_id FROM outbox').get() as { provider_id: string }).provider_id).toBe('sms:sms-1 (ZNS error -118)');
    } finally {
      await sms.close();
    }
  });

  test('a number without Zalo (-118) is a dead letter at once', async () => {
    zalo = await startZaloFake();
    zns = await startZnsFake({ templates: { '223750': { params: { ma_cau_hoi: 30, co_quan: 30, ngay_tra_loi: 20 } } }, validToken: () => zalo.accessToken });
    const r = rig(
      { zns: { apiBase: zns.url, development: false, appId: zalo.appId, appSecret: zalo.appSecret, oauthBase: zalo.url, accessToken: zalo.accessToken, refreshToken: zalo.refreshToken }, off: [] },
      withTemplate(),
    );
    const q = await fileQuestion(r.store, FILED, { contact: '0912345678' });
    await answerQuestion(r.store, q, ANSWERED);
    await r.notices.answerPublished(q);
    zns.failNext(1, -118);
    await r.deliver(2);
    expect(r.outbox()).toMatchObject([{ status: 'dead', attempts: 1, last_error: 'ZNS error -118: Zalo account not existed' }]);
  });
});
