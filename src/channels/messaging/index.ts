import type { ActivityHandlerBase } from 'botbuilder';
import type express from 'express';
import type { ChannelsConfig } from '../../config/channels';
import { logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { ChannelQueueStore, MessagingChannel } from '../../store/channel-types';
import { MessengerClient } from '../facebook/client';
import { MessengerSender } from '../facebook/sender';
import { facebookWebhook } from '../facebook/webhook';
import { ZaloClient } from '../zalo/client';
import { ZaloSender, zaloTokenStore } from '../zalo/sender';
import { zaloWebhook, type WebhookHooks } from '../zalo/webhook';
import { MessagingAdapter } from './adapter';
import { OutboundDispatcher, type ChannelSender, type DispatcherOptions } from './dispatcher';
import { InboundProcessor, type ProcessorOptions } from './processor';
import type { TurnBufferedStorage } from './turn-storage';

export interface MessagingSetup {
  config: ChannelsConfig;
  queue: ChannelQueueStore;
  storage: TurnBufferedStorage;
  bot: ActivityHandlerBase;
  metrics?: Metrics;
  now?: () => number;
  processor?: Partial<ProcessorOptions>;
  dispatcher?: Partial<DispatcherOptions>;
}

export interface Messaging {
  adapters: Partial<Record<MessagingChannel, MessagingAdapter>>;
  processor: InboundProcessor;
  dispatcher: OutboundDispatcher;
  /** Mounts POST /webhooks/zalo and GET|POST /webhooks/facebook (404 for a channel that is off). */
  mount(app: express.Express): void;
  start(): Promise<void>;
  /** Stops taking new work, finishes the turns and sends in flight. */
  stop(): Promise<void>;
}

/** Zalo OA and Messenger: webhooks into the inbox, the bot's turns, the outbox out. */
export function createMessaging(setup: MessagingSetup): Messaging {
  const { config, queue, storage, bot, metrics } = setup;
  const now = setup.now ?? (() => Date.now());
  const adapters: Partial<Record<MessagingChannel, MessagingAdapter>> = {};
  const senders: Partial<Record<MessagingChannel, ChannelSender>> = {};
  if (config.zalo) {
    adapters.zalo = new MessagingAdapter('zalo', queue, storage, now);
    const client = new ZaloClient(
      { appId: config.zalo.appId, appSecret: config.zalo.appSecret, apiBase: config.zalo.apiBase, oauthBase: config.zalo.oauthBase, now },
      zaloTokenStore(queue, { accessToken: config.zalo.accessToken, refreshToken: config.zalo.refreshToken }, now),
    );
    senders.zalo = new ZaloSender(client);
  }
  if (config.facebook) {
    adapters.facebook = new MessagingAdapter('facebook', queue, storage, now);
    const client = new MessengerClient({ graphBase: config.facebook.graphBase, apiVersion: config.facebook.apiVersion, pageToken: config.facebook.pageToken, humanAgentTag: config.facebook.humanAgent });
    senders.facebook = new MessengerSender(client, config.facebook.humanAgent);
  }
  for (const off of config.off) logger.info(`${off.channel} channel is off: its webhook answers 404`, { channel: off.channel, missing: off.missing });

  const dispatcher = new OutboundDispatcher({
    queue,
    senders,
    now,
    ratePerSecond: { zalo: 60, facebook: 40 },
    onOutcome: (m, outcome) => metrics?.outbound.inc({ channel: m.channel, outcome }),
    ...setup.dispatcher,
  });
  const processor = new InboundProcessor({
    queue,
    adapters,
    bot,
    now,
    onTurn: (_event, outcome) => {
      if (outcome === 'done') dispatcher.kick();
    },
    ...setup.processor,
  });
  const hooks = (channel: MessagingChannel): WebhookHooks => ({
    onStored: () => processor.kick(),
    count: (result) => metrics?.webhookEvents.inc({ channel, result }),
  });

  return {
    adapters,
    processor,
    dispatcher,
    mount(app) {
      if (config.zalo) app.use('/webhooks/zalo', zaloWebhook({ appId: config.zalo.appId, oaSecretKey: config.zalo.oaSecret }, queue, hooks('zalo'), now));
      else app.all('/webhooks/zalo', (_req, res) => void res.status(404).json({ error: 'the Zalo channel is not configured' }));
      if (config.facebook) app.use('/webhooks/facebook', facebookWebhook({ appSecret: config.facebook.appSecret, verifyToken: config.facebook.verifyToken }, queue, hooks('facebook'), now));
      else app.all('/webhooks/facebook', (_req, res) => void res.status(404).json({ error: 'the Facebook channel is not configured' }));
    },
    async start() {
      const recovered = await queue.recoverAfterRestart();
      if (recovered.inbound > 0 || recovered.interruptedSends > 0) logger.warn('recovered after a restart', recovered);
      if (Object.keys(adapters).length === 0) return;
      processor.start();
      dispatcher.start();
    },
    async stop() {
      await processor.stop();
      await dispatcher.stop();
    },
  };
}
