import type { StaffMailer, StaffAccount } from '../app/use-case-ports';
import { logger } from '../observability/logger';
import type { ChannelQueueStore, NotificationChannel } from '../store/channel-types';

/**
 * E-mail to staff through the durable outbox (the citizens' notices' channel: same SMTP
 * sender, retries, dead letters). Queued once per key; nothing when e-mail is not configured.
 */
export class OutboxStaffMailer implements StaffMailer {
  constructor(
    private readonly deps: {
      queue: Pick<ChannelQueueStore, 'enqueueOnce'>;
      enabled: ReadonlySet<NotificationChannel>;
      /** New outbox messages: deliver them now (the dispatcher also polls). */
      kick?: () => void;
      now?: () => number;
    },
  ) {}

  async mailAccount(account: StaffAccount & { email: string }, message: { subject: string; text: string }, key: string): Promise<boolean> {
    if (!this.deps.enabled.has('email')) {
      logger.info('staff e-mail not sent: e-mail is not configured', { account: account.id });
      return false;
    }
    const now = (this.deps.now ?? Date.now)();
    const queued = await this.deps.queue.enqueueOnce(key, [{ channel: 'email', recipient: account.email, payload: { subject: message.subject, text: message.text, requestId: key } }], now);
    if (queued) {
      logger.info('staff e-mail queued', { account: account.id, key });
      this.deps.kick?.();
    }
    return queued;
  }
}
