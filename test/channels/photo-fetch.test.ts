import type { LookupFunction } from 'node:net';
import { fetchPhoto, isPublicAddress, type PhotoFetchOptions } from '../../src/channels/photo-fetch';
import { hostAllowed, sniffPhotoType } from '../../src/domain/photo';
import { JPEG_BYTES, PNG_BYTES, startCdnFake, WEBP_BYTES, type CdnFake } from '../fakes/cdn-fake';
import { province } from '../helpers/province';

const MAX = 64 * 1024;
let cdn: CdnFake;
let options: PhotoFetchOptions;

beforeAll(async () => {
  cdn = await startCdnFake(MAX);
  // The loopback fake listens on its own port at 127.0.0.1: allowed only through the explicit test override.
  options = { allowedHosts: province().photos.allowedHosts, maxBytes: MAX, timeoutMs: 1500, lookup: cdn.lookup, ca: cdn.ca, testFake: { port: cdn.port } };
});

afterAll(async () => {
  await cdn.close();
});

describe('fetching a channel photo from its CDN', () => {
  test('JPEG, PNG and WebP are taken by their bytes, whatever the server says they are', async () => {
    expect(await fetchPhoto(cdn.zalo('/photo.jpg'), options)).toEqual({ ok: true, type: 'image/jpeg', bytes: JPEG_BYTES });
    expect(await fetchPhoto(cdn.facebook('/photo.png'), options)).toEqual({ ok: true, type: 'image/png', bytes: PNG_BYTES });
    expect(await fetchPhoto(cdn.zalo('/webp'), options)).toEqual({ ok: true, type: 'image/webp', bytes: WEBP_BYTES });
    // A redirect within the allowed hosts is followed.
    expect(await fetchPhoto(cdn.zalo('/redirect-in'), options)).toMatchObject({ ok: true, type: 'image/jpeg' });
  });

  test('SSRF: only https, only the allowed hosts, no redirect elsewhere; nothing is requested from a refused URL', async () => {
    const before = cdn.requests.length;
    expect(await fetchPhoto(`http://photo-stal.zadn.vn:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'scheme' });
    expect(await fetchPhoto(`https://127.0.0.1:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto(`https://localhost:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto(`https://169.254.169.254/latest/meta-data/`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto(`https://zadn.vn.evil.example.com:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto(`https://photo-stal.zadn.vn@evil.example.com:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto(`https://user:pw@photo-stal.zadn.vn:${cdn.port}/photo.jpg`, options)).toEqual({ ok: false, reason: 'host' });
    expect(await fetchPhoto('file:///etc/passwd', options)).toEqual({ ok: false, reason: 'scheme' });
    expect(await fetchPhoto('not a url', options)).toEqual({ ok: false, reason: 'scheme' });
    expect(cdn.requests.length).toBe(before);
    expect(await fetchPhoto(cdn.zalo('/redirect-out'), options)).toEqual({ ok: false, reason: 'redirect' });
    expect(await fetchPhoto(cdn.zalo('/redirect-http'), options)).toEqual({ ok: false, reason: 'redirect' });
    // The redirects' targets were never requested.
    expect(cdn.requests.slice(before)).toEqual(['/redirect-out', '/redirect-http']);
  });

  test('SSRF: only the https port, and never a name that resolves to a private, loopback, link-local or unique-local address', async () => {
    const before = cdn.requests.length;
    const real: PhotoFetchOptions = { ...options, testFake: undefined };
    // Another port on an allowed host (the fake's too, without the test override) is refused before connecting.
    expect(await fetchPhoto('https://s.zadn.vn:22/photo.jpg', real)).toEqual({ ok: false, reason: 'port' });
    expect(await fetchPhoto(cdn.zalo('/photo.jpg'), real)).toEqual({ ok: false, reason: 'port' });
    expect(cdn.requests.length).toBe(before);
    // An allowed name resolving to loopback (the fake's lookup) on 443 is refused at connect time.
    expect(await fetchPhoto('https://photo-stal.zadn.vn/photo.jpg', real)).toEqual({ ok: false, reason: 'address' });
    for (const address of ['10.1.2.3', '192.168.1.1', '172.16.0.9', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:a00:1']) {
      const family = address.includes(':') ? 6 : 4;
      const lookup = ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) =>
        opts.all ? callback(null, [{ address, family }]) : callback(null, address, family)) as unknown as LookupFunction;
      expect([address, await fetchPhoto('https://scontent.xx.fbcdn.net/photo.jpg', { ...real, lookup })]).toEqual([address, { ok: false, reason: 'address' }]);
    }
    expect(cdn.requests.length).toBe(before);
    for (const address of ['8.8.8.8', '157.240.1.35', '2a03:2880:f10c:83:face:b00c:0:25de']) expect([address, isPublicAddress(address)]).toEqual([address, true]);
    for (const address of ['127.0.0.1', '10.0.0.1', 'fc00::1', '::', 'not an ip']) expect([address, isPublicAddress(address)]).toEqual([address, false]);
  });

  test('size, type and time limits', async () => {
    expect(await fetchPhoto(cdn.zalo('/declared-big'), options)).toEqual({ ok: false, reason: 'too_large' });
    expect(await fetchPhoto(cdn.zalo('/big'), options)).toEqual({ ok: false, reason: 'too_large' });
    expect(await fetchPhoto(cdn.zalo('/page.jpg'), options)).toEqual({ ok: false, reason: 'not_image' });
    expect(await fetchPhoto(cdn.zalo('/missing.jpg'), options)).toEqual({ ok: false, reason: 'http' });
    expect(await fetchPhoto(cdn.zalo('/hang'), { ...options, timeoutMs: 300 })).toEqual({ ok: false, reason: 'timeout' });
    // A server whose certificate is not trusted is not a CDN.
    expect(await fetchPhoto(cdn.zalo('/photo.jpg'), { ...options, ca: undefined })).toEqual({ ok: false, reason: 'network' });
  });

  test('the host allow-list and the magic bytes', () => {
    expect(hostAllowed('photo-stal.zadn.vn', ['.zadn.vn'])).toBe(true);
    expect(hostAllowed('zadn.vn', ['.zadn.vn'])).toBe(false);
    expect(hostAllowed('evilzadn.vn', ['.zadn.vn'])).toBe(false);
    expect(hostAllowed('cdn.example.com', ['cdn.example.com'])).toBe(true);
    expect(hostAllowed('x.cdn.example.com', ['cdn.example.com'])).toBe(false);
    expect(sniffPhotoType(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffPhotoType(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeUndefined();
    expect(sniffPhotoType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });
});
