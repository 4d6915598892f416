import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A loopback stand-in for Zalo's and Meta's photo CDNs over TLS: a certificate made for the
 * allowed host names (`*.zadn.vn`, `*.fbcdn.net`) and, for the fetcher, a name resolution
 * that sends every name to 127.0.0.1. Paths: /photo.jpg, /photo.png, /webp, /big (over the
 * limit, no declared length), /declared-big, /page.jpg (HTML under an image name),
 * /redirect-out (to a host off the list), /redirect-in (to /photo.jpg), /hang (never answers).
 */

export const JPEG_BYTES = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.alloc(5000, 0x42)]);
export const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 1)]);
export const WEBP_BYTES = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(64, 2)]);

export interface CdnFake {
  port: number;
  /** The certificate to trust (PEM). */
  ca: string;
  /** Resolves every name to the fake. */
  lookup: LookupFunction;
  /** A URL on an allowed Zalo CDN name. */
  zalo(pathname: string): string;
  /** A URL on an allowed Messenger CDN name. */
  facebook(pathname: string): string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startCdnFake(maxBytes: number): Promise<CdnFake> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-cdn-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=photo-stal.zadn.vn', '-addext', 'subjectAltName=DNS:*.zadn.vn,DNS:*.fbcdn.net,DNS:*.xx.fbcdn.net,DNS:evil.example.com'], { stdio: 'ignore' });
  const requests: string[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const send = (type: string, body: Buffer) => res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) }).end(body);
    if (url === '/photo.jpg') return send('image/jpeg', JPEG_BYTES);
    if (url === '/photo.png') return send('image/jpeg', PNG_BYTES);
    if (url === '/webp') return send('application/octet-stream', WEBP_BYTES);
    if (url === '/page.jpg') return send('image/jpeg', Buffer.from('<html><script>alert(1)</script></html>'));
    if (url === '/declared-big') return send('image/jpeg', Buffer.concat([JPEG_BYTES, Buffer.alloc(maxBytes)]));
    if (url === '/big') {
      // Chunked, no length declared: the fetcher must count.
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(JPEG_BYTES);
      const chunk = Buffer.alloc(64 * 1024, 9);
      let sent = 0;
      const more = () => {
        while (sent <= maxBytes + chunk.length) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => undefined);
      return more();
    }
    if (url === '/redirect-out') return res.writeHead(302, { location: `https://evil.example.com:${port}/photo.jpg` }).end();
    if (url === '/redirect-http') return res.writeHead(302, { location: `http://photo-stal.zadn.vn:${port}/photo.jpg` }).end();
    if (url === '/redirect-in') return res.writeHead(302, { location: '/photo.jpg' }).end();
    if (url === '/hang') return void hanging.add(res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const lookup = ((_hostname: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    if (typeof options === 'object' && options !== null && (options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  }) as LookupFunction;
  return {
    port,
    ca: fs.readFileSync(cert, 'utf8'),
    lookup,
    zalo: (p) => `https://photo-stal.zadn.vn:${port}${p}`,
    facebook: (p) => `https://scontent-sin6-1.xx.fbcdn.net:${port}${p}`,
    requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
