import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostAllowed, sniffPhotoType, type PhotoType } from '../domain/photo';

/**
 * Fetches a photo a citizen sent on Zalo or Messenger from the channel's CDN. The URL comes from
 * the webhook, so it is treated as hostile (SSRF): https only, only hosts on the allow-list of
 * data/photos.json, a redirect followed only to another allowed https host (at most 3), a size cap
 * checked on the declared length and on the bytes as they come, a time limit on the whole fetch,
 * and the bytes must be a JPEG, PNG or WebP whatever the server says they are.
 */

export type FetchRefusal = 'scheme' | 'host' | 'redirect' | 'http' | 'too_large' | 'not_image' | 'timeout' | 'network';

export type FetchedPhoto = { ok: true; bytes: Buffer; type: PhotoType } | { ok: false; reason: FetchRefusal };

export interface PhotoFetchOptions {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /** Name resolution (tests point allowed names at a loopback fake). */
  lookup?: LookupFunction;
  /** Extra trusted certificates (tests' self-signed fake). */
  ca?: string | Buffer;
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

export function fetchPhoto(raw: string, options: PhotoFetchOptions): Promise<FetchedPhoto> {
  const deadline = Date.now() + options.timeoutMs;
  const attempt = (target: string, redirects: number): Promise<FetchedPhoto> =>
    new Promise((resolve) => {
      const url = checkPhotoUrl(target, options.allowedHosts);
      if (typeof url === 'string') return resolve({ ok: false, reason: redirects > 0 ? 'redirect' : url });
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
          ...(options.lookup ? { lookup: options.lookup } : {}),
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
      request.on('error', () => finish({ ok: false, reason: 'network' }));
    });
  return attempt(raw, 0);
}
