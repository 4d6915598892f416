/**
 * Red-team pass 2: per-address limits (Direct Line conversations and posts, link-code waits,
 * questions per portal address, /hoi-dap searches) counted each IPv6 address on its own. Anyone
 * with an IPv6 line has a /64 (2^64 addresses) to pick from: a fresh limit for every request.
 * Now an IPv6 client counts as its /64.
 */
import { clientNetwork } from '../../src/domain/network';
import { province } from '../helpers/province';
import { startLocal, withEnv } from './helpers';

test('an IPv6 address counts as its /64; IPv4 and IPv4-mapped addresses as themselves', () => {
  expect(clientNetwork('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
  expect(clientNetwork('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
  expect(clientNetwork('2001:DB8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
  expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
  expect(clientNetwork('unknown')).toBe('unknown');
});

test('Direct Line: conversations from many addresses of one IPv6 /64 share one limit; another /64 has its own', async () => {
  await withEnv({ HOIDAP_TRUST_PROXY: 'loopback' }, async () => {
    const local = await startLocal({ data: province(), portalLimits: { startConversation: { burst: 2, perMinute: 2 } } });
    try {
      const start = async (ip: string) => (await fetch(`${local.base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: '{}' })).status;
      const statuses = [];
      for (const ip of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff::c', '2001:db8:1:2:dead:beef:0:1']) statuses.push(await start(ip));
      expect(statuses).toEqual([201, 201, 429, 429]);
      expect(await start('2001:db8:1:3::a')).toBe(201);
    } finally {
      await local.close();
    }
  });
});
