import { createHash } from 'node:crypto';
import { activitiesAfter, DL, message, postActivity, startTestServer, type Started, type TestServer } from './helpers';

/**
 * The portal's long-lived identity (issue 12, "câu hỏi của tôi"): a secret the server issues, the page keeps
 * in localStorage and presents when it starts a conversation; the conversation then has that identity's user
 * id, the same across tabs and days. Tried as an attacker would: nothing but the secret gives that user id.
 */

let t: TestServer;

afterEach(async () => {
  await t?.close();
});

type StartedWithIdentity = Started & { identity?: string };

async function start(body: unknown, headers: Record<string, string> = {}): Promise<StartedWithIdentity> {
  const res = await fetch(`${t.base}${DL}/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as StartedWithIdentity;
}

/** The user id the bot saw on the last message of a conversation (the echo bot records every turn). */
async function userIdTheBotSaw(c: Started, text: string): Promise<string | undefined> {
  expect((await postActivity(t.base, c.conversationId, c.token, { ...message(text), from: { id: 'forged-from-id', role: 'user' } })).status).toBe(200);
  await t.portal.drain();
  const seen = t.bot.references.filter((r) => r.conversation?.id === c.conversationId).pop();
  return seen?.user?.id;
}

describe('a portal identity across conversations', () => {
  beforeEach(async () => {
    t = await startTestServer({ fakeClock: true, identityTtlDays: 365 });
  });

  test('asked for, it is issued once (256-bit secret, only its hash stored); presented later, every conversation has the same user id', async () => {
    const first = await start({ locale: 'vi-VN', identity: true });
    expect(first.identity).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(first.userId).toMatch(/^p-/);
    const rows = t.ledger.db.prepare('SELECT * FROM portal_identities').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_hash).toBe(createHash('sha256').update(first.identity as string).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain((first.identity as string).split('.')[1]);

    // Another tab, then the same browser 200 days later: same user, no new secret handed out.
    const tab = await start({ identity: first.identity });
    t.clock.now += 200 * 24 * 3600 * 1000;
    const later = await start({ identity: first.identity });
    for (const c of [tab, later]) {
      expect(c.userId).toBe(first.userId);
      expect(c.identity).toBeUndefined();
      expect(c.conversationId).not.toBe(first.conversationId);
    }
    // The bot sees that user id on the citizen's messages, whatever from.id the activity claims.
    expect(await userIdTheBotSaw(later, 'câu hỏi của tôi')).toBe(first.userId);
    expect(t.ledger.db.prepare('SELECT count(*) AS n FROM portal_identities').get()).toEqual({ n: 1 });
  });

  test('each use moves the expiry on; unused for longer than the policy says, the secret is refused and a new identity issued', async () => {
    const first = await start({ identity: true });
    t.clock.now += 300 * 24 * 3600 * 1000;
    expect((await start({ identity: first.identity })).userId).toBe(first.userId);
    // 600 days after it was issued, 300 after its last use: still valid.
    t.clock.now += 300 * 24 * 3600 * 1000;
    expect((await start({ identity: first.identity })).userId).toBe(first.userId);
    t.clock.now += 366 * 24 * 3600 * 1000;
    const expired = await start({ identity: first.identity });
    expect(expired.userId).not.toBe(first.userId);
    expect(expired.identity).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(expired.identity).not.toBe(first.identity);
  });

  test('without an identity (localStorage unavailable, or an older page) each conversation is a new user, as before, and nothing is stored', async () => {
    const a = await start({ locale: 'vi-VN' });
    const b = await start({ locale: 'vi-VN' });
    expect(a.userId).not.toBe(b.userId);
    expect(a.identity).toBeUndefined();
    expect(t.ledger.db.prepare('SELECT count(*) AS n FROM portal_identities').get()).toEqual({ n: 0 });
  });
});

describe('an attacker cannot take another citizen’s identity', () => {
  beforeEach(async () => {
    t = await startTestServer({ fakeClock: true });
  });

  test('forged user ids in the token request, a guessed or altered secret, or the victim’s identity id alone give a new user', async () => {
    const victim = await start({ identity: true });
    const secret = victim.identity as string;
    const [victimIdentityId, victimKey] = secret.split('.');
    const attempts: unknown[] = [
      { user: { id: victim.userId } },
      { userId: victim.userId, user: { id: victim.userId, name: 'x' } },
      { identity: victim.userId },
      { identity: victimIdentityId },
      { identity: `${victimIdentityId}.` },
      { identity: `${victimIdentityId}.${'A'.repeat(43)}` },
      // The right key with one character changed.
      { identity: `${victimIdentityId}.${victimKey.slice(0, -1)}${victimKey.endsWith('A') ? 'B' : 'A'}` },
      // Another identity's key with the victim's id.
      { identity: `${victimIdentityId}.${((await start({ identity: true })).identity as string).split('.')[1]}` },
      { identity: { id: victimIdentityId, secret: victimKey } },
      { identity: [secret] },
    ];
    for (const body of attempts) {
      const c = await start(body);
      expect({ body, userId: c.userId }).not.toEqual({ body, userId: victim.userId });
      expect(await userIdTheBotSaw(c, 'câu hỏi của tôi')).toBe(c.userId);
    }
    // A secret in a header or the query string is not read either.
    const res = await fetch(`${t.base}${DL}/conversations?identity=${encodeURIComponent(secret)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hoidap-identity': secret },
      body: '{}',
    });
    expect(((await res.json()) as Started).userId).not.toBe(victim.userId);
  });

  test('activities claiming the victim’s user id reach the bot under the sender’s own id, and the victim’s conversation stays closed', async () => {
    const victim = await start({ identity: true });
    const attacker = await start({ identity: true });
    for (const from of [{ id: victim.userId, role: 'user' }, { id: victim.userId, name: 'Nguyễn Văn An' }, { id: victim.userId, role: 'bot' }]) {
      const res = await postActivity(t.base, attacker.conversationId, attacker.token, { ...message('câu hỏi của tôi'), from, channelData: { 'hoidap:identity': victim.identity } });
      expect(res.status).toBe(200);
    }
    await t.portal.drain();
    const seen = t.bot.references.filter((r) => r.conversation?.id === attacker.conversationId).map((r) => r.user?.id);
    expect(seen).toEqual([attacker.userId, attacker.userId, attacker.userId]);
    const stored = await activitiesAfter(t.base, attacker);
    for (const a of stored.activities.filter((x) => x.from.role !== 'bot')) expect(a.from.id).toBe(attacker.userId);
    // The attacker's token does not open the victim's conversation.
    expect((await postActivity(t.base, victim.conversationId, attacker.token, message('x'))).status).toBe(403);
  });
});
