/**
 * Found by a red-team pass after the merge: requests the server must refuse with a 4xx, not a 500
 * (which also fills the error log), and a conversation an attacker inflates then reads in a loop.
 */
import { province } from '../helpers/province';
import { startLocal, type LocalServer } from './helpers';

let local: LocalServer;
beforeAll(async () => {
  local = await startLocal({ data: province() });
});
afterAll(async () => {
  await local.close();
});

async function conversation(): Promise<{ id: string; token: string }> {
  const res = await fetch(`${local.base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await res.json()) as { conversationId: string; token: string };
  return { id: body.conversationId, token: body.token };
}

function post(c: { id: string; token: string }, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${local.base}/v3/directline/conversations/${c.id}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}`, ...headers },
    body,
  });
}

describe('Direct Line refuses what it cannot store cheaply', () => {
  test('a value nested thousands of levels deep is 413, not a 500 from the store', async () => {
    const c = await conversation();
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await post(c, `{"type":"event","name":"n","value":${deep}}`);
    expect(res.status).toBe(413);
  });

  test('a value of 60 kB is 413: every later poll of the conversation would carry it', async () => {
    const c = await conversation();
    const res = await post(c, JSON.stringify({ type: 'event', name: 'n', value: 'x'.repeat(60_000) }));
    expect(res.status).toBe(413);
    const ordinary = await post(c, JSON.stringify({ type: 'message', text: 'xin chào', channelData: { clientActivityID: 'abc', clientTimestamp: new Date().toISOString() } }));
    expect(ordinary.status).toBe(200);
  });

  test('a body that does not decompress, or an encoding it does not know, is 4xx', async () => {
    const c = await conversation();
    expect((await post(c, '\x1f\x8b\x08\x00garbage', { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(c, '{}', { 'content-encoding': 'br' })).status).toBe(400);
  });

  test('a conversation id that does not decode is 400', async () => {
    const c = await conversation();
    const res = await fetch(`${local.base}/v3/directline/conversations/%ZZ/activities`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(res.status).toBe(400);
  });

  test('reading a conversation in a loop from one address is rate limited (429 after the burst)', async () => {
    const c = await conversation();
    const statuses: number[] = [];
    for (let i = 0; i < 140; i += 1)
      statuses.push((await fetch(`${local.base}/v3/directline/conversations/${c.id}/activities`, { headers: { authorization: `Bearer ${c.token}` } })).status);
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses).toContain(429);
  });
});

describe('the console refuses unreadable bodies with a 4xx', () => {
  test('a sign-in form that does not decompress is 400; one over the limit is 413', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: local.base };
    const broken = await fetch(`${local.base}/quan-tri/dang-nhap`, { method: 'POST', headers: { ...form, 'content-encoding': 'gzip' }, body: '\x1f\x8b\x08\x00garbage' });
    expect(broken.status).toBe(400);
    const large = await fetch(`${local.base}/quan-tri/dang-nhap`, { method: 'POST', headers: form, body: `token=${'x'.repeat(200_000)}` });
    expect(large.status).toBe(413);
  });
});
