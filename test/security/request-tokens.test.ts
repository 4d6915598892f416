/**
 * Red-team follow-up: the caller's X-Request-Id was echoed in the response and written in every
 * log line whatever its length or content (a 16 kB header, or one with a forged log fragment);
 * Messenger's verify token was compared with `===` (time depends on the common prefix).
 */
import crypto from 'node:crypto';
import { channelRig, FB_VERIFY_TOKEN, type ChannelRig } from '../helpers/channels';
import { captureLogs } from '../fakes/log-capture';

let rig: ChannelRig;
beforeAll(async () => {
  rig = await channelRig();
});
afterAll(async () => {
  await rig.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  test('a short safe token from a proxy is kept, in the response and the log', async () => {
    const logs = captureLogs('http');
    try {
      const res = await fetch(`${rig.base}/healthz`, { headers: { 'x-request-id': 'nginx-7f3a.91_B' } });
      expect(res.headers.get('x-request-id')).toBe('nginx-7f3a.91_B');
      await new Promise((r) => setTimeout(r, 50));
      expect(logs.lines.some((l) => (JSON.parse(l) as { requestId?: string }).requestId === 'nginx-7f3a.91_B')).toBe(true);
    } finally {
      await logs.stop();
    }
  });

  test.each([
    ['8 kB long', 'a'.repeat(8000)],
    ['65 characters', 'a'.repeat(65)],
    ['a forged log fragment', 'x","level":"error","message":"admin login'],
    ['markup', '<script>alert(1)</script>'],
    ['spaces', 'id with spaces'],
  ])('%s: not echoed, a new id is given instead', async (_what, id) => {
    const logs = captureLogs('http');
    try {
      const res = await fetch(`${rig.base}/healthz`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(UUID);
      await new Promise((r) => setTimeout(r, 50));
      expect(logs.lines.join('\n')).not.toContain(id);
    } finally {
      await logs.stop();
    }
  });
});

describe('Messenger verification handshake', () => {
  const handshake = (query: string) => fetch(`${rig.base}/webhooks/facebook?hub.mode=subscribe&${query}`);

  test('the right token gets the challenge; a wrong one, a prefix, a repeated parameter or a missing one gets 403', async () => {
    const ok = await handshake(`hub.verify_token=${FB_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    for (const q of [
      `hub.verify_token=${FB_VERIFY_TOKEN.slice(0, -1)}&hub.challenge=1`,
      `hub.verify_token=${FB_VERIFY_TOKEN}x&hub.challenge=1`,
      `hub.verify_token=${FB_VERIFY_TOKEN}&hub.verify_token=${FB_VERIFY_TOKEN}&hub.challenge=1`,
      'hub.verify_token=&hub.challenge=1',
      'hub.challenge=1',
    ])
      expect((await handshake(q)).status).toBe(403);
  });

  test('a challenge that is not a short token is not echoed', async () => {
    expect((await handshake(`hub.verify_token=${FB_VERIFY_TOKEN}&hub.challenge=${encodeURIComponent('<script>x</script>')}`)).status).toBe(403);
    expect((await handshake(`hub.verify_token=${FB_VERIFY_TOKEN}&hub.challenge=${'1'.repeat(200)}`)).status).toBe(403);
  });

  test('the token is compared in constant time: digests of equal length through timingSafeEqual, never ===', async () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect((await handshake('hub.verify_token=wrong-and-much-longer-than-the-real-one&hub.challenge=1')).status).toBe(403);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
  });
});
