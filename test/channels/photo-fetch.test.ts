import { fetchPhoto, type PhotoFetchOptions } from '../../src/channels/photo-fetch';
import { hostAllowed, sniffPhotoType } from '../../src/domain/photo';
import { JPEG_BYTES, PNG_BYTES, startCdnFake, WEBP_BYTES, type CdnFake } from '../fakes/cdn-fake';
import { province } from '../helpers/province';

const MAX = 64 * 1024;
let cdn: CdnFake;
let options: PhotoFetchOptions;

beforeAll(async () => {
  cdn = await startCdnFake(MAX);
  options = { allowedHosts: province().photos.allowedHosts, maxBytes: MAX, timeoutMs: 1500, lookup: cdn.lookup, ca: cdn.ca };
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
