import Database from 'better-sqlite3';
import { parseStaffCommand } from '../../src/backoffice/commands';
import { waitVi } from '../../src/backoffice/accounts';
import { LINK_CODE_ALPHABET, normalizeLinkCode, SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { channelsConfig, eventually, postMessenger, postZalo, zaloText } from '../helpers/channels';
import { hoidap } from '../helpers/cli';
import { captureLogs } from '../fakes/log-capture';
import { botFrameworkActivity, dataWith, DirectLineClient, postBotFramework, startLocal, tempDb, withEnv, type LocalServer, channelFakes } from './helpers';

/**
 * Finding 6: link codes were six digits, 5 wrong tries per conversation counted in memory only
 * (a restart cleared them), no cap per code or overall, and nobody was told when an account got
 * linked; there was no way to deactivate an account, revoke a token or unlink a chat. Now: codes
 * of 10 characters from a 30-symbol alphabet, single use, void after `triesPerCode` wrong tries,
 * wrong tries stored in the database; an identity or an address over its free tries waits, longer
 * with each wrong try; many wrong tries overall alert the admins (data/policy.json `linking`),
 * admins told in chat and the log on every link, and `account deactivate|revoke-tokens|unlink`
 * in the CLI and the REST API.
 *
 * Red-team follow-up: the per-address and overall limits were hard blocks, so 100 wrong codes
 * from anywhere locked every officer out of linking for an hour. The overall count now only
 * alerts; the per-code void is what stops guessing.
 */
const LINKING = { codeTtlMinutes: 60, triesPerCode: 3, failureWindowMinutes: 60, perIdentity: 4, perAddress: 6, firstDelaySeconds: 600, maxDelayMinutes: 60, alertOverall: 1000 };
const WRONG = 'Mã liên kết không đúng hoặc đã hết hạn';
const BLOCKED = 'quá nhiều lần nhập sai mã liên kết';

const fakes = channelFakes();

async function start(dbFile = tempDb(), linking: Record<string, number> = LINKING): Promise<LocalServer> {
  // Behind a trusted proxy (here: loopback) X-Forwarded-For names the client: the tests come from many addresses.
  return startLocal({
    data: dataWith({ policy: { linking } }),
    dbFile,
    channels: channelsConfig(fakes.zalo, fakes.graph),
    // An attacker may open many conversations: the per-IP conversation limit is not what stops them here.
    portalLimits: { startConversation: { burst: 500, perMinute: 500 }, postActivity: { burst: 500, perMinute: 500 } },
    messaging: { processor: { pollMs: 20 }, dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
  });
}

/** A well-formed code that is not `avoid` (random: the attacker does not know the real one). */
function guess(n: number, avoid: string): string {
  let code = '';
  for (let i = 0; i < 10; i += 1) code += LINK_CODE_ALPHABET[(n * 7 + i * 13 + n * i) % LINK_CODE_ALPHABET.length];
  return code === avoid.replace('-', '') ? guess(n + 1, avoid) : `${code.slice(0, 5)}-${code.slice(5)}`;
}

function identities(dbFile: string): unknown[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT channel, user_id FROM chat_identities').all();
  } finally {
    db.close();
  }
}

function failures(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM link_failures').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function zaloSays(userId: string, text: string): Promise<string> {
  const before = fakes.zalo.sent.length;
  expect((await postZalo(`http://127.0.0.1:${current.server.port}`, fakes.zalo.appId, zaloText(fakes.zalo.appId, userId, text))).status).toBe(200);
  return (await eventually(() => fakes.zalo.sent.slice(before).find((m) => m.userId === userId), `a Zalo reply to ${userId}`))?.text ?? '';
}

async function messengerSays(psid: string, text: string): Promise<string> {
  const before = fakes.graph.sent.length;
  const t = Date.now();
  const event = { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: `m-${psid}-${t}-${Math.random()}`, text } }] }] };
  expect((await postMessenger(`http://127.0.0.1:${current.server.port}`, event)).status).toBe(200);
  return (await eventually(() => fakes.graph.sent.slice(before).find((m) => m.psid === psid), `a Messenger reply to ${psid}`))?.text ?? '';
}

let current: LocalServer;

test('a brute force through every entry point stops after the configured tries, across a restart, with nothing linked', async () => {
  await withEnv({ HOIDAP_BOTFRAMEWORK_OPEN: '1' }, async () => {
    current = await start();
    try {
      const dbFile = current.dbFile;
      const accounts = current.server.backoffice!.store;
      const officer = await accounts.createAccount({ name: 'Cán bộ Sở Y tế', role: 'officer', agency: 'so-yte' }, Date.now());
      const code = await accounts.createLinkCode(officer.id, Date.now(), 3_600_000);
      let n = 0;

      // /api/messages (open to the Emulator): "liên kết" is refused outright; the code is never looked at.
      for (let i = 0; i < 20; i += 1) {
        const res = await postBotFramework(current.base, botFrameworkActivity({ text: `liên kết ${guess((n += 1), code)}`, fromId: `bf-${i}` }));
        expect(res.texts.join('\n')).toMatch(/Không thể liên kết tài khoản cán bộ qua kênh này/);
      }
      expect(failures(dbFile)).toBe(0);

      // Direct Line, a new conversation (a new identity) for every guess from one address: perAddress (6) wrong tries.
      const dl: string[] = [];
      for (let i = 0; i < 8; i += 1) dl.push((await (await DirectLineClient.start(current.base)).say(`liên kết ${guess((n += 1), code)}`)).join('\n'));
      expect(dl.map((t) => (t.includes(WRONG) ? 'wrong' : t.includes(BLOCKED) ? 'blocked' : t))).toEqual([...Array(6).fill('wrong'), 'blocked', 'blocked']);
      // The right code from that address now waits too.
      expect((await (await DirectLineClient.start(current.base)).say(`liên kết ${code}`)).join('\n')).toContain(BLOCKED);

      // Zalo and Messenger (signed webhooks): one user gets perIdentity (4) wrong tries; the fifth waits.
      const z: string[] = [];
      for (let i = 0; i < 5; i += 1) z.push(await zaloSays('7000000000000000001', `liên kết ${guess((n += 1), code)}`));
      expect(z.map((t) => (t.includes(WRONG) ? 'wrong' : t.includes(BLOCKED) ? 'blocked' : t))).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'blocked']);
      expect(z[4]).toMatch(/thử lại sau 10 phút/);
      const m: string[] = [];
      for (let i = 0; i < 5; i += 1) m.push(await messengerSays('6000000000000009', `liên kết ${guess((n += 1), code)}`));
      expect(m.map((t) => (t.includes(WRONG) ? 'wrong' : t.includes(BLOCKED) ? 'blocked' : t))).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'blocked']);
      expect(failures(dbFile)).toBe(14);

      // The waits are in the database: a restart does not clear them.
      await current.close();
      current = await start(dbFile);
      expect(await messengerSays('6000000000000009', `liên kết ${code}`)).toContain(BLOCKED);
      expect(await zaloSays('7000000000000000001', `liên kết ${code}`)).toContain(BLOCKED);
      expect((await (await DirectLineClient.start(current.base)).say(`liên kết ${code}`)).join('\n')).toContain(BLOCKED);
      expect(failures(dbFile)).toBe(14);
      expect(identities(dbFile)).toEqual([]);
      // Nobody else is held back by those failures: the officer, on their own Messenger, links with the right code.
      expect(await messengerSays('6000000000000001', `liên kết ${code}`)).toMatch(/^Đã liên kết tài khoản Cán bộ Sở Y tế/);
    } finally {
      await current.close();
    }
  });
});

test('an officer with a valid code links while an attacker floods wrong codes from many addresses and Zalo users; the admins are alerted once', async () => {
  await withEnv({ HOIDAP_TRUST_PROXY: 'loopback' }, async () => {
    current = await start(tempDb(), { ...LINKING, perIdentity: 2, perAddress: 3, alertOverall: 30 });
    const logs = captureLogs('info');
    try {
      const accounts = current.server.backoffice!.store;
      const admin = await accounts.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
      const adminChat = await DirectLineClient.start(current.base, { 'x-forwarded-for': '10.0.0.1' });
      expect((await adminChat.say(`liên kết ${await accounts.createLinkCode(admin.id, Date.now(), 3_600_000)}`)).join('\n')).toMatch(/^Đã liên kết/);
      const officer = await accounts.createAccount({ name: 'Cán bộ Sở Y tế', role: 'officer', agency: 'so-yte' }, Date.now());
      const onPortal = await accounts.createAccount({ name: 'Cán bộ Bảo Thắng', role: 'officer', agency: 'h-baothang' }, Date.now());
      const code = await accounts.createLinkCode(officer.id, Date.now(), 3_600_000);
      const portalCode = await accounts.createLinkCode(onPortal.id, Date.now(), 3_600_000);

      // The flood: 10 addresses × 4 tries (3 wrong, 1 told to wait) on the portal, 5 Zalo users × 3 tries (2 wrong, 1 told to wait).
      const outcomes: string[] = [];
      const label = (t: string) => (t.includes(WRONG) ? 'wrong' : t.includes(BLOCKED) ? 'blocked' : t);
      let n = 1000;
      await Promise.all(
        Array.from({ length: 10 }, async (_, a) => {
          for (let i = 0; i < 4; i += 1) {
            const chat = await DirectLineClient.start(current.base, { 'x-forwarded-for': `198.51.100.${a + 1}` });
            outcomes.push(label((await chat.say(`liên kết ${guess((n += 1), code)}`)).join('\n')));
          }
        }),
      );
      for (let u = 0; u < 5; u += 1) for (let i = 0; i < 3; i += 1) outcomes.push(label(await zaloSays(`70000000000001000${u}`, `liên kết ${guess((n += 1), code)}`)));
      expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(40);
      expect(outcomes.filter((o) => o === 'blocked')).toHaveLength(15);
      expect(failures(current.dbFile)).toBe(40);

      // Past the alert threshold (30): the officer links on Zalo, another on the portal from their own address.
      expect(await zaloSays('7000000000000000777', `liên kết ${code}`)).toMatch(/^Đã liên kết tài khoản Cán bộ Sở Y tế/);
      expect((await (await DirectLineClient.start(current.base, { 'x-forwarded-for': '203.0.113.7' })).say(`liên kết ${portalCode}`)).join('\n')).toMatch(/^Đã liên kết tài khoản Cán bộ Bảo Thắng/);

      // The admin was told once, in chat and in the log, when the count reached 30.
      const alerts = await eventually(async () => {
        const texts = (await adminChat.botMessages()).filter((t) => t.startsWith('Cảnh báo: 30 lần nhập sai mã liên kết trong 60 phút qua'));
        return texts.length > 0 ? texts : undefined;
      }, 'the admin alerted in chat');
      expect(alerts).toHaveLength(1);
      const logged = logs.lines.filter((l) => l.includes('link code failures reached the alert threshold')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.map((l) => [l.level, l.failures])).toEqual([['warn', 30]]);
    } finally {
      await logs.stop();
      await current.close();
    }
  });
});

test('the wait after the free tries doubles with each wrong try, up to the cap; after it, the right code links', async () => {
  const ledger = new SqliteLedgerStore(':memory:');
  try {
    const store = new SqliteBackofficeStore(ledger.db);
    const limits = { triesPerCode: 3, failureWindowMs: 3_600_000, perIdentity: 2, perAddress: 100, firstDelayMs: 60_000, maxDelayMs: 240_000, alertOverall: 1000 };
    const T0 = Date.UTC(2026, 0, 5, 2);
    const officer = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, T0);
    const code = await store.createLinkCode(officer.id, T0, 3_600_000);
    const me = { channel: 'zalo', userId: 'z-1' };
    const at = (t: number, c = guess(t, code)) => store.redeemLinkCode(c, me, {}, T0 + t, { limits });
    // Two free wrong tries, then waits of 1, 2, 4, 4 minutes after each further wrong one.
    expect(await at(0)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await at(1)).toMatchObject({ ok: false, reason: 'wrong' });
    let t = 1;
    for (const wait of [60_000, 120_000, 240_000, 240_000]) {
      expect(await at(t + 1, code)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: wait - 1 });
      expect(await at(t + wait - 1, code)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: 1 });
      t += wait;
      expect(await at(t)).toMatchObject({ ok: false, reason: 'wrong' });
    }
    // The same wait applies to the right code (no oracle), and once it is over the right code links.
    expect(await at(t + 1, code)).toMatchObject({ ok: false, reason: 'blocked' });
    expect(await at(t + 240_000, code)).toMatchObject({ ok: true, account: { id: officer.id } });
  } finally {
    ledger.close();
  }
});

test('the policy file says the linking numbers: the old hard overall cap is refused, with the file and entry named', () => {
  expect(() => dataWith({ policy: { linking: { ...LINKING, overall: 100 } } })).toThrow(/policy\.json: linking/);
  expect(() => dataWith({ policy: { linking: { ...LINKING, maxDelayMinutes: 120 } } })).toThrow(/policy\.json: linking\.maxDelayMinutes: maxDelayMinutes must not exceed failureWindowMinutes/);
});

test('a code is void after triesPerCode wrong tries on it, even from many identities; then the right one fails too', async () => {
  current = await start(tempDb(), { ...LINKING, perIdentity: 100, perAddress: 100 });
  const logs = captureLogs('info');
  try {
    const accounts = current.server.backoffice!.store;
    const officer = await accounts.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, Date.now());
    const code = await accounts.createLinkCode(officer.id, Date.now(), 3_600_000);
    // The attacker somehow knows the first characters (they name the code), not the rest.
    for (let i = 0; i < 3; i += 1) {
      const wrong = `${code.slice(0, 6)}${guess(i + 1, code).slice(6)}`;
      expect(wrong).not.toBe(code);
      expect((await (await DirectLineClient.start(current.base)).say(`liên kết ${wrong}`)).join('\n')).toContain(WRONG);
    }
    expect((await (await DirectLineClient.start(current.base)).say(`liên kết ${code}`)).join('\n')).toContain(WRONG);
    expect(identities(current.dbFile)).toEqual([]);
    expect(logs.lines.some((l) => l.includes('link code void after too many wrong tries'))).toBe(true);
  } finally {
    await logs.stop();
    await current.close();
  }
});

test('codes: XXXXX-XXXXX from an alphabet without look-alikes, single use; a link tells the admins in chat and the log', async () => {
  current = await start();
  const logs = captureLogs('info');
  try {
    const accounts = current.server.backoffice!.store;
    const admin = await accounts.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
    const adminChat = await DirectLineClient.start(current.base);
    expect((await adminChat.say(`liên kết ${await accounts.createLinkCode(admin.id, Date.now(), 3_600_000)}`)).join('\n')).toMatch(/^Đã liên kết tài khoản Quản trị/);

    const officer = await accounts.createAccount({ name: 'Lò Văn Sáu', role: 'officer', agency: 'so-yte' }, Date.now());
    const token = await accounts.issueApiToken(admin.id, Date.now());
    const res = await fetch(`${current.base}/api/v1/accounts/${officer.id}/link-code`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    const { code, instructions } = (await res.json()) as { code: string; instructions: string };
    expect(code).toMatch(/^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$/);
    expect(LINK_CODE_ALPHABET).not.toMatch(/[01ILOU]/);
    expect(instructions).toContain(`"LIEN KET ${code}"`);

    // Typed in lower case with spaces, on Zalo.
    expect(await zaloSays('7000000000000000003', `Liên kết ${code.toLowerCase().replace('-', ' ')}`)).toMatch(/^Đã liên kết tài khoản Lò Văn Sáu \(so-yte\)\. [^\n]*\nQuản trị viên đã được thông báo/);
    // Single use: the same code from another identity links nothing.
    expect(await zaloSays('7000000000000000004', `liên kết ${code}`)).toContain(WRONG);
    const notices = await eventually(async () => {
      const texts = (await adminChat.botMessages()).filter((t) => t.includes('vừa được liên kết'));
      return texts.length > 0 ? texts : undefined;
    }, 'the admin told in chat');
    expect(notices?.[0]).toMatch(new RegExp(`^Tài khoản Lò Văn Sáu \\(${officer.id}, officer, so-yte\\) vừa được liên kết với một tài khoản Zalo lúc `));
    const linked = logs.lines.filter((l) => l.includes('chat identity linked to an account')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(linked.map((l) => [l.level, l.account, l.channel])).toEqual([
      ['warn', admin.id, 'directline'],
      ['warn', officer.id, 'zalo'],
    ]);
  } finally {
    await logs.stop();
    await current.close();
  }
});

test('deactivate, revoke tokens, unlink: REST for admins only and the CLI, each logged', async () => {
  current = await start();
  const logs = captureLogs('info');
  try {
    const accounts = current.server.backoffice!.store;
    const admin = await accounts.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
    const adminToken = await accounts.issueApiToken(admin.id, Date.now());
    const officer = await accounts.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, Date.now());
    const officerToken = await accounts.issueApiToken(officer.id, Date.now());
    expect(await zaloSays('7000000000000000005', `liên kết ${await accounts.createLinkCode(officer.id, Date.now(), 3_600_000)}`)).toMatch(/^Đã liên kết/);
    const api = (method: string, path: string, token: string, body: unknown = {}) =>
      fetch(`${current.base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}) });

    expect((await api('GET', '/questions', officerToken)).status).toBe(200);
    for (const route of ['deactivate', 'revoke-tokens', 'unlink']) expect((await api('POST', `/accounts/${officer.id}/${route}`, officerToken)).status).toBe(403);
    expect((await api('POST', `/accounts/${officer.id}/revoke-tokens`, adminToken)).status).toBe(200);
    expect((await api('GET', '/questions', officerToken)).status).toBe(401);

    expect(await (await api('GET', `/accounts/${officer.id}/identities`, adminToken)).json()).toEqual({ account: officer.id, identities: [{ channel: 'zalo', userId: '7000000000000000005' }] });
    expect((await api('POST', `/accounts/${officer.id}/unlink`, adminToken, { channel: 'zalo' })).status).toBe(400);
    expect(await (await api('POST', `/accounts/${officer.id}/unlink`, adminToken, { channel: 'zalo', userId: '7000000000000000005' })).json()).toEqual({ account: officer.id, unlinked: 1 });
    // Unlinked, the Zalo user is a citizen again: no staff inbox.
    expect(await zaloSays('7000000000000000005', 'câu hỏi mới')).not.toMatch(/câu hỏi đang chờ xử lý|Không có câu hỏi nào đang chờ xử lý/);

    const deactivated = await api('POST', `/accounts/${officer.id}/deactivate`, adminToken);
    expect(((await deactivated.json()) as { account: { active: boolean } }).account.active).toBe(false);
    expect((await api('POST', `/accounts/${officer.id}/link-code`, adminToken)).status).toBe(409);

    // The CLI, on the same file while the server runs.
    const other = await accounts.createAccount({ name: 'Người khác', role: 'editor' }, Date.now());
    const otherToken = await accounts.issueApiToken(other.id, Date.now());
    expect(await zaloSays('7000000000000000006', `liên kết ${await accounts.createLinkCode(other.id, Date.now(), 3_600_000)}`)).toMatch(/^Đã liên kết/);
    expect(await hoidap(['account', 'revoke-tokens', '--db', current.dbFile, '--id', other.id])).toEqual({ code: 0, stdout: `account ${other.id}: 1 API token revoked\n`, stderr: '' });
    expect((await api('GET', '/questions', otherToken)).status).toBe(401);
    expect(await hoidap(['account', 'unlink', '--db', current.dbFile, '--id', other.id])).toEqual({
      code: 0,
      stdout: `unlinking zalo 7000000000000000006\naccount ${other.id}: 1 chat identity unlinked\n`,
      stderr: '',
    });
    const cli = await hoidap(['account', 'deactivate', '--db', current.dbFile, '--id', other.id]);
    expect(cli.code).toBe(0);
    expect((await accounts.getAccount(other.id))?.active).toBe(false);
    expect((await hoidap(['account', 'deactivate', '--db', current.dbFile, '--id', 'acc_nobody'])).stderr).toBe('hoidap account: no account acc_nobody\n');

    const actions = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => /^(account|chat identities unlinked)/.test(String(l.message)));
    expect(actions.map((l) => [l.message, l.account, l.by])).toEqual([
      ['account API tokens revoked', officer.id, admin.id],
      ['chat identities unlinked from an account', officer.id, admin.id],
      ['account deactivated', officer.id, admin.id],
      ['account API tokens revoked', other.id, 'cli'],
      ['chat identities unlinked from an account', other.id, 'cli'],
      ['account deactivated', other.id, 'cli'],
    ]);
  } finally {
    await logs.stop();
    await current.close();
  }
});

test('what counts as a link attempt: a code-shaped text after "liên kết", not a citizen’s sentence', () => {
  expect(parseStaffCommand('liên kết ABCDE-FGHJK')).toEqual({ kind: 'link', code: 'abcdefghjk' });
  expect(parseStaffCommand('LIEN KET abcde fghjk')).toEqual({ kind: 'link', code: 'abcdefghjk' });
  // The six digits of old codes are still read as a try (and fail: those codes are void).
  expect(parseStaffCommand('liên kết 123 456')).toEqual({ kind: 'link', code: '123456' });
  expect(parseStaffCommand('liên kết với sở y tế')).toBeUndefined();
  expect(parseStaffCommand('liên kết giữa hai xã')).toBeUndefined();
  expect(normalizeLinkCode(' abcde-fghjk ')).toBe('ABCDEFGHJK');
  expect(normalizeLinkCode('ABCDE-FGHJ0')).toBeUndefined();
});

test('the wait is told in seconds under a minute, else in whole minutes rounded up', () => {
  expect([1, 999, 45_000, 59_001, 60_000, 61_000, 600_000, 3_599_999].map(waitVi)).toEqual(['1 giây', '1 giây', '45 giây', '1 phút', '1 phút', '2 phút', '10 phút', '60 phút']);
});
