import nodemailer from 'nodemailer';
import type { ChannelSender } from '../channels/messaging/dispatcher';
import type { OutboundPayload } from '../store/channel-types';
import type { EmailConfig } from './config';
import { NotifySendError } from './errors';

/** nodemailer's error fields (notifications.md §3.2). */
interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  permanent?: boolean;
  message?: string;
}

/**
 * How the outbox treats an SMTP failure: a refused or dropped connection, a timeout and
 * 4xx replies are retried; a rejected login waits longest for an admin ('auth'); a 5xx
 * refusal of the recipient or message is final ('permanent', a dead letter at once).
 */
export function smtpFailure(err: unknown): NotifySendError {
  const e = (err ?? {}) as SmtpError;
  const what = `SMTP ${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}${e.command ? ` at ${e.command}` : ''}`;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.responseCode === 535 || e.responseCode === 530) return new NotifySendError('auth', `${what}: the mail server refused the login`);
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS') return new NotifySendError('auth', `${what}: TLS could not be set up with the mail server`);
  if (e.responseCode !== undefined && e.responseCode >= 500 && e.permanent !== false) return new NotifySendError('permanent', `${what}: refused for good`);
  if (e.code === 'EENVELOPE' && e.responseCode === undefined) return new NotifySendError('permanent', `${what}: the address is not usable`);
  // Connection failures say why (refused, timed out, certificate); their messages name the server, never the recipient.
  const why = ['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'EDNS'].includes(e.code ?? '') && e.message ? `: ${e.message.slice(0, 200)}` : '';
  return new NotifySendError('retryable', `${what}${why}`);
}

/** E-mail over SMTP (nodemailer): one connection per message, bounded timeouts within the outbox's lease. */
export class EmailSender implements ChannelSender {
  private readonly transport;

  constructor(private readonly config: EmailConfig) {
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTls,
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
      // The recipient is a citizen's address: never in nodemailer's own log lines.
      logger: false,
      debug: false,
    });
  }

  windowOpen(): boolean {
    return true;
  }

  async send(recipient: string, payload: OutboundPayload): Promise<{ providerId?: string }> {
    let info: { messageId?: string; rejected?: unknown[] };
    try {
      info = await this.transport.sendMail({
        from: this.config.from,
        to: recipient,
        subject: payload.subject ?? '',
        text: payload.text,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (err) {
      throw smtpFailure(err);
    }
    if ((info.rejected ?? []).length > 0) throw new NotifySendError('permanent', 'SMTP: the recipient was refused');
    return { providerId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}
