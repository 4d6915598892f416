import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1 that keeps every message it
 * accepts, decoded enough for assertions: envelope, From/To, Subject (RFC 2047 words) and
 * the text body (quoted-printable or base64, UTF-8). No STARTTLS (its built-in certificate
 * is expired), optional plain-text AUTH.
 */

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  raw: string;
  user?: string;
}

export interface SmtpFake {
  port: number;
  received: ReceivedMail[];
  /** The next `n` messages are refused at DATA with `code` (451 temporary, 550 permanent). */
  failNext(n: number, code: 451 | 550): void;
  close(): Promise<void>;
}

export async function startSmtpFake(options: { port?: number; auth?: { user: string; pass: string } } = {}): Promise<SmtpFake> {
  const received: ReceivedMail[] = [];
  let failures: { n: number; code: number } = { n: 0, code: 451 };
  const server = new SMTPServer({
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    logger: false,
    onAuth(auth, _session, cb) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures.n > 0) {
          failures.n -= 1;
          return cb(Object.assign(new Error(failures.code === 451 ? 'Try again later' : 'Mailbox unavailable'), { responseCode: failures.code }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, body } = parseMessage(raw);
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          headers,
          subject: decodeWords(headers.subject ?? ''),
          text: decodeBody(body, headers['content-transfer-encoding'] ?? '7bit'),
          raw,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        cb(null, 'OK: queued');
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    failNext(n, code) {
      failures = { n, code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(split + 4) };
}

/** RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=), adjacent words joined. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
    );
}

function decodeBody(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  const text = enc === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : enc === 'quoted-printable' ? qp(body.replace(/=\r\n/g, '')) : body;
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '');
}

function qp(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
