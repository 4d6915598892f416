import type { ChannelSender } from '../channels/messaging/dispatcher';
import { ZaloClient } from '../channels/zalo/client';
import { zaloTokenStore } from '../channels/zalo/sender';
import { logger } from '../observability/logger';
import type { ChannelQueueStore, NotificationChannel } from '../store/channel-types';
import type { NotifyConfig } from './config';
import { EmailSender } from './email';
import { SmsSender } from './sms';
import { ZnsSender } from './zns';

/**
 * The outbox senders for the notification channels that are configured; each channel that
 * is off is said once here (with the names of the settings it lacks).
 * `zaloClient` is the OA channel's client when that channel is on: ZNS then shares its tokens.
 */
export function notificationSenders(
  config: NotifyConfig,
  queue: ChannelQueueStore,
  zaloClient: ZaloClient | undefined,
  now: () => number,
): Partial<Record<NotificationChannel, ChannelSender>> {
  const senders: Partial<Record<NotificationChannel, ChannelSender>> = {};
  if (config.email) senders.email = new EmailSender(config.email);
  if (config.sms) senders.sms = new SmsSender(config.sms);
  if (config.zns) {
    const zns = config.zns;
    const client =
      zaloClient ??
      new ZaloClient({ appId: zns.appId, appSecret: zns.appSecret, oauthBase: zns.oauthBase, now }, zaloTokenStore(queue, { accessToken: zns.accessToken, refreshToken: zns.refreshToken }, now));
    senders.zns = new ZnsSender(zns, client, senders.sms);
  }
  for (const off of config.off) logger.info(`${off.channel} notifications are off: citizens who gave that kind of contact are not told when their answer is published`, { channel: off.channel, missing: off.missing });
  return senders;
}

/** The channels that are on. */
export function enabledChannels(config: NotifyConfig | undefined): Set<NotificationChannel> {
  const on = new Set<NotificationChannel>();
  if (config?.email) on.add('email');
  if (config?.sms) on.add('sms');
  if (config?.zns) on.add('zns');
  return on;
}
