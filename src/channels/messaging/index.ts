import type { ActivityHandlerBase } from 'botbuilder';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type express from 'express';
import type { ChannelsConfig } from '../../config/channels';
import { logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { ChannelQueueStore, MessagingChannel, OutboxChannel } from '../../store/channel-types';
import type { NotifyConfig } from '../../notify/config';
import { notificationSenders } from '../../notify/senders';
import { MessengerClient } from '../facebook/client';
import { MessengerSender } from '../facebook/sender';
import { facebookWebhook } from '../facebook/webhook';
import { ZaloClient } from '../zalo/client';
import { ZaloSender, zaloTokenStore } from '../zalo/sender';
import { zaloWebhook, type WebhookHooks } from '../zalo/webhook';
import { MessagingAdapter } from './adapter';
import { OutboundDispatcher, type ChannelSender, type DispatcherOptions } from './dispatcher';
import { InboundProcessor, type ProcessorOptions } from './processor';
import { WorkerSupervisor } from './supervisor';
import type { WorkerCommand } from './worker-protocol';
import type { TurnBufferedStorage } from './turn-storage';

export interface MessagingSetup {
  config: ChannelsConfig;
  /** Citizens' notifications (e-mail, SMS, ZNS): their senders share the outbox and its dispatcher. */
  notify?: NotifyConfig;
  /**
   * Run the bot's turns and the deliveries in a worker thread (the `serve` command):
   * webhooks stay fast on the main thread while turns use the other core. The worker
   * opens its own connection to the same SQLite file.
   */
  worker?: { dbLocation: string; dataDir: string };
  queue: ChannelQueueStore;
  storage: TurnBufferedStorage;
  /** The bot for in-process turns (not used in worker mode: the worker builds its own). */
  bot?: ActivityHandlerBase;
  metrics?: Metrics;
  now?: () => number;
  processor?: Partial<ProcessorOptions>;
  dispatcher?: Partial<DispatcherOptions>;
}

export interface Messaging {
  /** For proactive messages (answers published later); they go to the outbox. */
  adapters: Partial<Record<MessagingChannel, MessagingAdapter>>;
  /** In-process mode only (tests); in worker mode these run in the worker. */
  processor?: InboundProcessor;
  dispatcher?: OutboundDispatcher;
  /** New outbox messages: deliver them now. */
  kickOutbound(): void;
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
  // Set below: in-process, the dispatcher; in worker mode, a message to the worker.
  let kickOutbound: () => void = () => undefined;
  const senders: Partial<Record<OutboxChannel, ChannelSender>> = {};
  let zaloClient: ZaloClient | undefined;
  if (config.zalo) {
    adapters.zalo = new MessagingAdapter('zalo', queue, storage, now, () => kickOutbound());
    zaloClient = new ZaloClient(
      { appId: config.zalo.appId, appSecret: config.zalo.appSecret, apiBase: config.zalo.apiBase, oauthBase: config.zalo.oauthBase, now },
      zaloTokenStore(queue, { accessToken: config.zalo.accessToken, refreshToken: config.zalo.refreshToken }, now),
    );
    senders.zalo = new ZaloSender(zaloClient);
  }
  if (config.facebook) {
    adapters.facebook = new MessagingAdapter('facebook', queue, storage, now, () => kickOutbound());
    const client = new MessengerClient({ graphBase: config.facebook.graphBase, apiVersion: config.facebook.apiVersion, pageToken: config.facebook.pageToken, humanAgentTag: config.facebook.humanAgent });
    senders.facebook = new MessengerSender(client, config.facebook.humanAgent);
  }
  for (const off of config.off) logger.info(`${off.channel} channel is off: its webhook answers 404`, { channel: off.channel, missing: off.missing });
  // ZNS uses the OA's token pair: the same client as the OA channel when both are on (the refresh token is single-use).
  if (setup.notify) Object.assign(senders, notificationSenders(setup.notify, queue, zaloClient, now));
  const notifying = Object.keys(senders).some((c) => c === 'email' || c === 'sms' || c === 'zns');

  if (setup.worker) return workerMessaging(setup, adapters, metrics, notifying);

  const dispatcher = new OutboundDispatcher({
    queue,
    senders,
    now,
    onOutcome: (m, outcome) => metrics?.outbound.inc({ channel: m.channel, outcome }),
    ...setup.dispatcher,
  });
  kickOutbound = () => dispatcher.kick();
  const processor = new InboundProcessor({
    queue,
    adapters,
    bot: bot as ActivityHandlerBase,
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
    kickOutbound: () => dispatcher.kick(),
    mount(app) {
      mountWebhooks(app, config, queue, hooks, now);
    },
    async start() {
      await recoverAfterRestart(queue);
      if (Object.keys(adapters).length > 0) {
        if (!bot) throw new Error('messaging in-process needs the bot');
        processor.start();
      }
      if (Object.keys(adapters).length > 0 || notifying) dispatcher.start();
    },
    async stop() {
      await processor.stop();
      await dispatcher.stop();
    },
  };
}

/** Frees what a stopped process or worker held: its claimed events, and its sends in flight (marked 'unknown'). */
async function recoverAfterRestart(queue: ChannelQueueStore): Promise<void> {
  const recovered = await queue.recoverAfterRestart();
  if (recovered.inbound > 0 || recovered.interruptedSends > 0) logger.warn('recovered after a restart', recovered);
}

/** Worker mode: the main thread takes webhooks; a worker thread runs the processor and the dispatcher. */
function workerMessaging(setup: MessagingSetup, adapters: Partial<Record<MessagingChannel, MessagingAdapter>>, metrics: Metrics | undefined, notifying: boolean): Messaging {
  const { config, queue } = setup;
  let supervisor: WorkerSupervisor | undefined;
  const post = (message: WorkerCommand) => supervisor?.post(message);
  const hooks = (channel: MessagingChannel): WebhookHooks => ({
    onStored: () => post({ type: 'kick-inbound' }),
    count: (result) => metrics?.webhookEvents.inc({ channel, result }),
  });
  const messaging: Messaging = {
    adapters,
    kickOutbound: () => post({ type: 'kick-outbound' }),
    mount(app) {
      mountWebhooks(app, config, queue, hooks, setup.now ?? (() => Date.now()));
    },
    async start() {
      await recoverAfterRestart(queue);
      if (Object.keys(adapters).length === 0 && !notifying) return;
      const file = path.join(__dirname, `worker${path.extname(__filename)}`);
      const workerData: WorkerSetup = {
        dbLocation: (setup.worker as WorkerSetup).dbLocation,
        dataDir: (setup.worker as WorkerSetup).dataDir,
        config,
        ...(setup.notify ? { notify: setup.notify } : {}),
        processor: setup.processor,
        dispatcher: setup.dispatcher,
      };
      supervisor = new WorkerSupervisor({
        create: () => new Worker(file, { workerData }),
        onMessage: (m) => {
          if (m.type === 'turn') metrics?.turns.inc({ channel: m.channel });
          if (m.type === 'outbound') metrics?.outbound.inc({ channel: m.channel, outcome: m.outcome });
        },
        // This process is the only other user of the file: the dead worker's leases and sends in flight are its to free.
        beforeRestart: () => recoverAfterRestart(queue),
        onRestart: () => metrics?.workerRestarts.inc(),
      });
      await supervisor.start();
    },
    async stop() {
      await supervisor?.stop();
    },
  };
  for (const channel of Object.keys(adapters) as MessagingChannel[]) adapters[channel]?.onOutbound(() => messaging.kickOutbound());
  return messaging;
}

export function mountWebhooks(app: express.Express, config: ChannelsConfig, queue: ChannelQueueStore, hooks: (channel: MessagingChannel) => WebhookHooks, now: () => number): void {
  if (config.zalo) app.use('/webhooks/zalo', zaloWebhook({ appId: config.zalo.appId, oaSecretKey: config.zalo.oaSecret, maxEventAgeMs: config.webhookMaxAgeMs }, queue, hooks('zalo'), now));
  else app.all('/webhooks/zalo', (_req, res) => void res.status(404).json({ error: 'the Zalo channel is not configured' }));
  if (config.facebook) app.use('/webhooks/facebook', facebookWebhook({ appSecret: config.facebook.appSecret, verifyToken: config.facebook.verifyToken, maxEventAgeMs: config.webhookMaxAgeMs }, queue, hooks('facebook'), now));
  else app.all('/webhooks/facebook', (_req, res) => void res.status(404).json({ error: 'the Facebook channel is not configured' }));
}

export interface WorkerSetup {
  dbLocation: string;
  dataDir: string;
  config: ChannelsConfig;
  notify?: NotifyConfig;
  processor?: Partial<ProcessorOptions>;
  dispatcher?: Partial<DispatcherOptions>;
}
export type { WorkerCommand, WorkerEvent } from './worker-protocol';
