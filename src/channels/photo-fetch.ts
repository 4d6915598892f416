import dns from 'node:dns';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { hostAllowed, sniffPhotoType, type PhotoType } from '../domain/photo';

/**
 * Fetches a photo a citizen sent on Zalo or Messenger from the channel's CDN. The URL comes from
 * the webhook, so it is treated as hostile (SSRF): https only, only hosts on the allow-list of
 * data/photos.json on the https port (443) only, a name that resolves to a private, loopback,
 * link-local or unique-local address refused when connecting (after resolution, so a name changed
 * between check and use cannot get in), a redirect followed only to another allowed https host (at most 3), a size cap
 * checked on the declared length and on the bytes as they come, a time limit on the whole fetch,
 * and the bytes must be a JPEG, PNG or WebP whatever the server says they are.
 */

export type FetchRefusal = 'scheme' | 'host' | 'port' | 'address' | 'redirect' | 'http' | 'too_large' | 'not_image' | 'timeout' | 'network';

export type FetchedPhoto = { ok: true; bytes: Buffer; type: PhotoType } | { ok: false; reason: FetchRefusal };

export interface PhotoFetchOptions {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /** Name resolution (tests point allowed names at a loopback fake). */
  lookup?: LookupFunction;
  /** Extra trusted certificates (tests' self-signed fake). */
  ca?: string | Buffer;
  /**
   * Tests only: the loopback fake of the CDN. Its port is allowed besides 443 and its loopback address is
   * not refused. Never set in production (the composition root passes it only from test hooks).
   */
  testFake?: { port: number };
}

/** Addresses a CDN never has: private, loopback, link-local, unique-local, CGNAT, multicast, reserved. */
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');

/** Whether an address may be a CDN's: not private, loopback, link-local, unique-local or reserved (IPv4-mapped IPv6 checked as IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1] as string);
  // IPv4-mapped in hex form (::ffff:7f00:1): no CDN resolves to one (a BlockList rule for ::ffff:0:0/96 would match every IPv4).
  if (/^(0{0,4}:){0,5}:?ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A lookup that refuses names resolving to an address that is not public (checked where the socket connects). */
function publicOnly(lookup: LookupFunction, refused: () => void): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a))) {
        refused();
        const denied = Object.assign(new Error(`${hostname} resolves to an address that is not public`), { code: 'ENOTPUBLIC' });
        return callback(denied, address, family);
      }
      callback(null, address, family);
    });
  };
}

const MAX_REDIRECTS = 3;

/** Checks a URL against the rules; the parsed URL, or why it is refused. */
export function checkPhotoUrl(raw: string, allowedHosts: readonly string[]): URL | FetchRefusal {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'scheme';
  }
  if (url.protocol !== 'https:') return 'scheme';
  // user:password@ in a URL is a classic way to make a reader misjudge the host.
  if (url.username || url.password) return 'host';
  if (!hostAllowed(url.hostname, allowedHosts)) return 'host';
  return url;
}

/** A CDN serves on the https port: any other (https://s.zadn.vn:22/) is refused, except the tests' fake. */
function portAllowed(url: URL, testFake: PhotoFetchOptions['testFake']): boolean {
  return url.port === '' || url.port === '443' || (testFake !== undefined && url.port === String(testFake.port));
}

export function fetchPhoto(raw: string, options: PhotoFetchOptions): Promise<FetchedPhoto> {
  const deadline = Date.now() + options.timeoutMs;
  const attempt = (target: string, redirects: number): Promise<FetchedPhoto> =>
    new Promise((resolve) => {
      const url = checkPhotoUrl(target, options.allowedHosts);
      if (typeof url === 'string') return resolve({ ok: false, reason: redirects > 0 ? 'redirect' : url });
      if (!portAllowed(url, options.testFake)) return resolve({ ok: false, reason: redirects > 0 ? 'redirect' : 'port' });
      let notPublic = false;
      const baseLookup = options.lookup ?? (dns.lookup as unknown as LookupFunction);
      const lookup = options.testFake ? baseLookup : publicOnly(baseLookup, () => (notPublic = true));
      const left = deadline - Date.now();
      if (left <= 0) return resolve({ ok: false, reason: 'timeout' });
      let settled = false;
      const finish = (result: FetchedPhoto | Promise<FetchedPhoto>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = https.get(
        url,
        {
          headers: { accept: 'image/jpeg, image/png, image/webp', 'user-agent': 'hoidap-photo-fetch' },
          lookup,
          ...(options.ca ? { ca: options.ca } : {}),
          // No connection pooling: each photo is one request.
          agent: false,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            response.resume();
            const location = response.headers.location;
            if (!location || redirects >= MAX_REDIRECTS) return finish({ ok: false, reason: 'redirect' });
            return finish(attempt(new URL(location, url).toString(), redirects + 1));
          }
          if (status !== 200) {
            response.resume();
            return finish({ ok: false, reason: 'http' });
          }
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > options.maxBytes) {
            request.destroy();
            return finish({ ok: false, reason: 'too_large' });
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxBytes) {
              request.destroy();
              return finish({ ok: false, reason: 'too_large' });
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const type = sniffPhotoType(bytes);
            finish(type ? { ok: true, bytes, type } : { ok: false, reason: 'not_image' });
          });
          response.on('error', () => finish({ ok: false, reason: 'network' }));
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish({ ok: false, reason: 'timeout' });
      }, left);
      request.on('error', () => finish({ ok: false, reason: notPublic ? 'address' : 'network' }));
    });
  return attempt(raw, 0);
}
