import { MemoryStorage, type ActivityHandlerBase } from 'botbuilder';
import { botMetrics, createBot } from '../bot/factory';
import { Metrics } from '../observability/metrics';
import { SqliteBotStorage } from '../store/sqlite-bot-storage';
import { SqliteChannelQueueStore } from '../store/sqlite-channels';
import { channelsFromEnv, type ChannelsConfig } from '../config/channels';
import { createMessaging, type Messaging, type MessagingSetup } from '../channels/messaging';
import { TurnBufferedStorage } from '../channels/messaging/turn-storage';
import { botFrameworkAuthFromEnv } from './botframework';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { createPortal, PortalAdapter, SqliteDirectLineStore, type DirectLineLimits, type Portal } from '../channels/portal';
import type { ProvinceData } from '../config/data';
import { DEFAULT_DB_PATH } from '../config/paths';
import { openStore } from '../config/store';
import { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { SqliteLedgerStore } from '../store/sqlite';
import { createApp } from './app';
import { hardeningFromEnv, limitSlowClients, startMetricsListener } from './hardening';
import { DeadlineSweeper } from '../jobs/sweeper';
import { RetentionJob } from '../jobs/retention';
import { loadRetentionPolicy } from '../jobs/retention-policy';
import { SqliteRetention } from '../store/sqlite-retention';
import { unclaimedAnswersSince } from '../store/sqlite-queries';
import { dispatcherOptions, loadDeliveryPolicy } from '../channels/messaging/delivery-policy';
import { loadReminderPolicy } from '../jobs/reminder-policy';
import { SqliteOpenCases } from '../store/sqlite-sweeper';
import { UnwiredNotifier, Workflow } from '../backoffice/actions';
import type { Notifier } from '../backoffice/notifier';
import type { BackofficeStore } from '../backoffice/types';
import type { RouteResult } from '../routing/router';
import { SqliteBackofficeStore } from '../store/sqlite-backoffice';
import { answeredWithoutKey } from '../store/sqlite-channels';
import { notifyFromEnv, type NotifyConfig } from '../notify/config';
import { AnswerNotices, answerNoticeKey } from '../notify/notices';
import { loadNoticePolicy } from '../notify/policy';
import { enabledChannels } from '../notify/senders';

export interface ServerOptions {
  data: ProvinceData;
  port: number;
  /** HOIDAP_DB or --db; undefined means the embedded default file. */
  dbLocation?: string;
  host?: string;
  /** The bot; by default hoidap's own, built from data/ and intents/. */
  bot?: ActivityHandlerBase;
  portalLimits?: Partial<DirectLineLimits>;
  /** Zalo and Messenger settings; from the environment by default. */
  channels?: ChannelsConfig;
  /** Citizens' notification settings (SMTP, SMS gateway, ZNS); from the environment by default. */
  notify?: NotifyConfig;
  /** Tuning of the inbox processor and the outbox dispatcher (tests). */
  messaging?: Pick<MessagingSetup, 'processor' | 'dispatcher' | 'now' | 'worker'>;
  /**
   * Run the deadline sweeper (reminders, overdue notices, digests) and, once at start, hand over
   * answers a crash left undelivered: the `serve` command does.
   */
  sweeper?: boolean;
  /** Delete old channel traffic as data/retention.json says: the `serve` command does. */
  retention?: boolean;
  /** How long shutdown waits for bot turns in flight before closing the store anyway (default 15 s). */
  drainTimeoutMs?: number;
  /** The back office (REST API /api/v1): how it reaches people in chat, and its clock (tests). */
  backoffice?: { notifier?: Notifier; now?: () => number };
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Resolves when the server has shut down. */
  closed: Promise<void>;
  close(): Promise<void>;
  /** The portal channel's adapter, for proactive messages (`continueConversation`); absent without the SQLite store. */
  portalAdapter?: PortalAdapter;
  /** Zalo and Messenger (inbox processor, outbox dispatcher, adapters); absent without the SQLite store. */
  messaging?: Messaging;
  /** Accounts and the officers' workflow; absent without the SQLite store. */
  backoffice?: { store: BackofficeStore; workflow: Workflow };
}

/**
 * A newcomer's `npm start` sees real-looking data at once: the demo ledger goes into
 * an empty database when the default database is used (or HOIDAP_DEMO=1 asks for it).
 * An explicitly configured database is never filled with demo data unasked.
 */
async function loadDemoIfWanted(options: ServerOptions, ledger: Ledger): Promise<void> {
  const wanted = process.env.HOIDAP_DEMO === '1' || (options.dbLocation === undefined && process.env.HOIDAP_DEMO !== '0');
  if (!wanted) return;
  const counts = await ledger.store.counts();
  if (counts.events > 0) return;
  const file = path.join(options.data.dataDir, 'demo', 'ledger-2023.jsonl');
  if (!fs.existsSync(file)) return;
  const result = await ledger.importLines(fs.readFileSync(file, 'utf8').split(/\r?\n/));
  if (result.errors.length > 0) throw new Error(`demo ledger ${file} is invalid: line ${result.errors[0].line}: ${result.errors[0].reason}`);
  logger.warn('demo data loaded into an empty database', { file, events: result.imported, questions: result.questions });
}

/** Whether `promise` settles within `ms` (the timer does not keep the process alive). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // The policy files first: a mistake in one stops the start before anything is opened.
  const delivery = dispatcherOptions(loadDeliveryPolicy(options.data.dataDir));
  const retentionPolicy = options.retention ? loadRetentionPolicy(path.join(options.data.dataDir, 'retention.json')) : undefined;
  const reminderPolicy = options.sweeper ? loadReminderPolicy(path.join(options.data.dataDir, 'reminders.json'), options.data.policy.deadlines) : undefined;
  const noticePolicy = loadNoticePolicy(options.data.dataDir, options.data.agencies.all.map((a) => a.name));
  const notifyConfig = options.notify ?? notifyFromEnv(noticePolicy);
  // With a messaging worker on the same file, the worker runs the WAL checkpoints.
  const store = await openStore(options.dbLocation ?? DEFAULT_DB_PATH, { checkpoints: !options.messaging?.worker });
  const ledger = new Ledger(store, options.data);
  await loadDemoIfWanted(options, ledger);
  const metrics = new Metrics();
  // Conversation and dialog state live in the store, so a restart in the middle of a dialog loses nothing.
  const storage = new TurnBufferedStorage(store instanceof SqliteLedgerStore ? new SqliteBotStorage(store.db) : new MemoryStorage());
  // Citizens' notices share the Zalo/Messenger outbox (on the SQLite file); kicked once messaging exists.
  const channelQueue = store instanceof SqliteLedgerStore ? new SqliteChannelQueueStore(store.db) : undefined;
  let kickNotices: () => void = () => undefined;
  const notices = channelQueue
    ? new AnswerNotices({ policy: noticePolicy, enabled: enabledChannels(notifyConfig), data: options.data, store, queue: channelQueue, kick: () => kickNotices() })
    : undefined;
  const created = options.bot ? undefined : await createBot({ data: options.data, store, storage, metrics: botMetrics(metrics), notifier: options.backoffice?.notifier, now: options.backoffice?.now, notices });
  const bot = options.bot ?? (created as NonNullable<typeof created>).bot;
  const routeQuestion: { route(text: string): RouteResult } | undefined = created?.services.router;
  let portal: Portal | undefined;
  let portalAdapter: PortalAdapter | undefined;
  if (store instanceof SqliteLedgerStore) {
    const directLineStore = new SqliteDirectLineStore(store.db);
    portalAdapter = new PortalAdapter({ store: directLineStore });
    portal = createPortal({ store: directLineStore, adapter: portalAdapter, bot, limits: options.portalLimits });
  } else {
    logger.warn('portal channel not mounted: it needs the SQLite store', { store: store.kind });
  }
  // The Zalo/Messenger inbox and outbox: the webhooks, the /metrics gauges, the REST API and the sweeper share it.
  const queue = channelQueue;
  if (queue) metrics.watchQueues(queue);
  const messaging =
    queue
      ? createMessaging({
          config: options.channels ?? channelsFromEnv(),
          notify: notifyConfig,
          queue,
          storage,
          bot,
          metrics,
          ...options.messaging,
          // data/delivery.json, unless the caller (a test) tunes the dispatcher itself.
          dispatcher: { ...delivery, ...options.messaging?.dispatcher },
        })
      : undefined;
  kickNotices = () => messaging?.kickOutbound();
  let backoffice: RunningServer['backoffice'];
  if (created?.staff) {
    backoffice = { store: created.staff.backoffice, workflow: created.staff.workflow };
    // Chat notifications reach people through the channels that exist in this process.
    if (portalAdapter) created.staff.chat?.attach('directline', portalAdapter);
    for (const [channel, adapter] of Object.entries(messaging?.adapters ?? {})) if (adapter) created.staff.chat?.attach(channel, adapter);
  } else if (store instanceof SqliteLedgerStore) {
    const accounts = new SqliteBackofficeStore(store.db);
    const notifier = options.backoffice?.notifier ?? new UnwiredNotifier();
    const workflow = new Workflow({
      data: options.data,
      store,
      ledger,
      backoffice: accounts,
      notifier,
      router: routeQuestion,
      now: options.backoffice?.now,
      onRecorded: async (event) => {
        if (event.type === 'answered') await notices?.answerPublished(String(event.q));
      },
    });
    backoffice = { store: accounts, workflow };
  }
  const api = backoffice
    ? {
        backoffice: backoffice.store,
        workflow: backoffice.workflow,
        router: routeQuestion,
        ...(queue ? { outbox: queue } : {}),
        kickOutbox: () => messaging?.kickOutbound(),
        ...(created?.staff ? { held: created.staff.held } : {}),
      }
    : undefined;
  const retention =
    retentionPolicy && store instanceof SqliteLedgerStore ? new RetentionJob({ store: new SqliteRetention(store.db), policy: retentionPolicy }) : undefined;
  let sweeper: DeadlineSweeper | undefined;
  if (reminderPolicy && created?.staff && store instanceof SqliteLedgerStore) {
    sweeper = new DeadlineSweeper({
      cases: new SqliteOpenCases(store.db),
      backoffice: created.staff.backoffice,
      notifier: created.staff.notifier,
      data: options.data,
      policy: reminderPolicy,
      outbox: queue,
    });
  }
  const hardening = hardeningFromEnv();
  const app = createApp({ data: options.data, store, portal, metrics, botFramework: { bot, ...botFrameworkAuthFromEnv() }, messaging, api, hardening });
  const metricsServer = await startMetricsListener(metrics, hardening);
  await messaging?.start();
  // Portal messages a crash left stored but unanswered (as the webhook inbox does for Zalo and Messenger).
  void portal?.recover().catch((err: unknown) => logger.error('portal recovery failed', { error: err instanceof Error ? err.message : String(err) }));
  sweeper?.start();
  retention?.start();
  if (sweeper && created?.staff && store instanceof SqliteLedgerStore) {
    // Answers a crash left published but not handed to the citizen's channel (within Zalo's 7-day window).
    void created.staff.workflow
      .handOverUnclaimedAnswers(unclaimedAnswersSince(store.db, Date.now() - 7 * 86_400_000))
      .catch((err: unknown) => logger.error('hand-over of answers after a restart failed', { error: err instanceof Error ? err.message : String(err) }));
  }
  if (options.sweeper && notices && store instanceof SqliteLedgerStore) {
    // Answer notices a stop between publishing and queueing left out (answers of the last 7 days).
    void notices
      .catchUp((since) => answeredWithoutKey(store.db, since, answerNoticeKey('')), Date.now() - 7 * 86_400_000)
      .catch((err: unknown) => logger.error('answer notices after a restart failed', { error: err instanceof Error ? err.message : String(err) }));
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host ?? '0.0.0.0', () => resolve(s));
    limitSlowClients(s);
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info('hoidap listening', { port, store: store.kind });

  let closing: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = () =>
    (closing ??= (async () => {
      // Stop taking conversations and messages, let the turns in flight write their replies, then close the store.
      portal?.stopAccepting();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (portal) {
        const drained = await settlesWithin(portal.drain(), options.drainTimeoutMs ?? 15_000);
        if (!drained) logger.warn('shutdown: bot turns still running after the drain timeout; closing anyway');
      }
      await sweeper?.stop();
      await retention?.stop();
      await messaging?.stop();
      // Keep-alive connections (Web Chat polling) would otherwise hold the server open.
      server.closeIdleConnections();
      if (!(await settlesWithin(serverClosed, 5_000))) server.closeAllConnections();
      await serverClosed;
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await store.close();
      logger.info('hoidap stopped');
      resolveClosed();
    })());
  const onSignal = (signal: string) => {
    logger.info('shutting down', { signal });
    void close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { server, port, closed, close, portalAdapter, messaging, backoffice };
}
