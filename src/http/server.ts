import type { ActivityHandlerBase } from 'botbuilder';
import { channelsFromEnv, type ChannelsConfig } from '../config/channels';
import type { Messaging, MessagingSetup } from '../channels/messaging';
import { botFrameworkAuthFromEnv } from './botframework';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { DirectLineLimits, PortalAdapter } from '../channels/portal';
import type { ProvinceData } from '../config/data';
import { DEFAULT_DB_PATH } from '../config/paths';
import type { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { createApp } from './app';
import { hardeningFromEnv, limitSlowClients, startMetricsListener } from './hardening';
import type { Workflow } from '../backoffice/actions';
import type { Notifier } from '../backoffice/notifier';
import type { BackofficeStore } from '../backoffice/types';
import { composeService, loadPolicies, openRoot, type Service, type ServiceOptions } from '../composition-root';
import { notifyFromEnv, type NotifyConfig } from '../notify/config';
import { confirmContactsFromEnv } from '../notify/confirmation';

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
  /** Portal questions wait for a confirmed contact (overrides HOIDAP_CONFIRM_CONTACTS, the demo's default and data/policy.json). */
  confirmContacts?: boolean;
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
  /** Tests: how Zalo/Messenger photos are fetched from a loopback fake of the CDN (name resolution, its certificate). */
  photoFetch?: ServiceOptions['photoFetch'];
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Resolves when the server has shut down. */
  closed: Promise<void>;
  close(): Promise<void>;
  /** The portal channel's adapter, for proactive messages (`continueConversation`). */
  portalAdapter: PortalAdapter;
  /** Zalo and Messenger (inbox processor, outbox dispatcher, adapters). */
  messaging: Messaging;
  /** Accounts and the officers' workflow. */
  backoffice: { store: BackofficeStore; workflow: Workflow };
}

/**
 * A newcomer's `npm start` sees real-looking data at once: the demo ledger goes into
 * an empty database when the default database is used (or HOIDAP_DEMO=1 asks for it).
 * An explicitly configured database is never filled with demo data unasked.
 */
function demoWanted(options: ServerOptions): boolean {
  return process.env.HOIDAP_DEMO === '1' || (options.dbLocation === undefined && process.env.HOIDAP_DEMO !== '0');
}

/**
 * Whether portal questions wait for a confirmed contact: HOIDAP_CONFIRM_CONTACTS when set, otherwise
 * off in the demo (no mail server to send codes) and data/policy.json's switch elsewhere. Said at start-up.
 */
function confirmContacts(options: ServerOptions): boolean {
  const fromEnv = options.confirmContacts ?? confirmContactsFromEnv();
  const demo = demoWanted(options);
  const on = fromEnv ?? (demo ? false : options.data.policy.contactConfirmation.enabled);
  if (on) logger.info('contact confirmation is on: a portal question is filed after the citizen types the code sent to their phone or e-mail');
  else if (demo && fromEnv === undefined)
    logger.warn('contact confirmation is off in the demo: portal questions are filed without confirming the phone or e-mail (HOIDAP_CONFIRM_CONTACTS=1 turns it on)');
  else logger.warn('contact confirmation is off: portal questions are filed without confirming the phone or e-mail');
  return on;
}

async function loadDemoIfWanted(options: ServerOptions, ledger: Ledger): Promise<void> {
  const wanted = demoWanted(options);
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
  const policies = loadPolicies(options.data, { sweeper: options.sweeper, retention: options.retention });
  const notify = options.notify ?? notifyFromEnv(policies.notices);
  // With a messaging worker on the same file, the worker runs the WAL checkpoints.
  const root = await openRoot(options.data, options.dbLocation ?? DEFAULT_DB_PATH, { checkpoints: !options.messaging?.worker });
  const { stores } = root;
  let service: Service;
  const metrics = new Metrics();
  try {
    await loadDemoIfWanted(options, root.ledger);
    service = await composeService(root, {
      role: 'server',
      channels: options.channels ?? channelsFromEnv(),
      notify,
      policies,
      confirmContacts: confirmContacts(options),
      ...(options.messaging ? { messaging: options.messaging } : {}),
      ...(options.bot ? { bot: options.bot } : {}),
      metrics,
      ...(options.portalLimits ? { portalLimits: options.portalLimits } : {}),
      ...(options.backoffice ? { backoffice: options.backoffice } : {}),
      ...(options.photoFetch ? { photoFetch: options.photoFetch } : {}),
    });
  } catch (err) {
    await root.close();
    throw err;
  }
  const { bot, messaging, portal, portalAdapter, backoffice } = service;
  // The Zalo/Messenger inbox and outbox: the webhooks, the /metrics gauges, the REST API and the sweeper share it.
  metrics.watchQueues(stores.channels);
  const api = {
    backoffice: backoffice.store,
    workflow: backoffice.workflow,
    router: service.router,
    outbox: stores.channels,
    kickOutbox: () => messaging.kickOutbound(),
    ...(service.built ? { held: service.built.staff.held } : {}),
  };
  const hardening = hardeningFromEnv();
  const app = createApp({ data: options.data, stores, portal, metrics, botFramework: { bot, ...botFrameworkAuthFromEnv() }, messaging, api, hardening });
  const metricsServer = await startMetricsListener(metrics, hardening);
  let server: Server;
  try {
    await service.start();
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port, options.host ?? '0.0.0.0', () => resolve(s));
      limitSlowClients(s);
      s.once('error', reject);
    });
  } catch (err) {
    // A store or channel that fails to start, a port in use: nothing is left running or open.
    await service.stop().catch(() => undefined);
    if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    await root.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info('hoidap listening', { port, store: stores.kind });

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
      await service.stop();
      // Keep-alive connections (Web Chat polling) would otherwise hold the server open.
      server.closeIdleConnections();
      if (!(await settlesWithin(serverClosed, 5_000))) server.closeAllConnections();
      await serverClosed;
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await root.close();
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
