import type { ActivityHandlerBase } from 'botbuilder';
import path from 'node:path';
import type { Stores } from './app/ports';
import { UnwiredNotifier, Workflow } from './backoffice/actions';
import { conversationKey, type ChatNotifier } from './backoffice/chat-notifier';
import { HeldQuestions } from './backoffice/held';
import { OutboxStaffMailer } from './backoffice/staff-mailer';
import type { Notifier } from './backoffice/notifier';
import type { BackofficeStore } from './backoffice/types';
import { botMetrics, createBot, type BotBuild, type BotSetup } from './bot/factory';
import { createMessaging, type Messaging, type MessagingSetup } from './channels/messaging';
import { dispatcherOptions, loadDeliveryPolicy } from './channels/messaging/delivery-policy';
import type { DispatcherOptions } from './channels/messaging/dispatcher';
import { TurnBufferedStorage } from './channels/messaging/turn-storage';
import { createPortal, PortalAdapter, type DirectLineLimits, type Portal } from './channels/portal';
import type { ChannelsConfig } from './config/channels';
import type { ProvinceData } from './config/data';
import { DEFAULT_DB_PATH } from './config/paths';
import { loadReminderPolicy, type ReminderPolicy } from './jobs/reminder-policy';
import { RetentionJob } from './jobs/retention';
import { loadRetentionPolicy, type RetentionPolicy } from './jobs/retention-policy';
import { DeadlineSweeper } from './jobs/sweeper';
import { Ledger } from './ledger/ledger';
import type { NotifyConfig } from './notify/config';
import { ContactConfirmation, confirmContactsFromEnv } from './notify/confirmation';
import { AnswerNotices, answerNoticeKey } from './notify/notices';
import { loadNoticePolicy, type NoticePolicy } from './notify/policy';
import { enabledChannels } from './notify/senders';
import { logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import type { RouteResult } from './routing/router';
import { submittedText } from './queries/question-text';
import { openStores } from './store/open';

/**
 * The composition root: the one place that builds the service from the province's data and one
 * Stores bundle (src/store/open.ts): the ledger, the bot with its router and dialogs, the back
 * office, citizens' notices, the portal and the Zalo/Messenger channels, the jobs. `serve`
 * (src/http/server.ts), the messaging worker thread and the CLI call it; nothing else does.
 */

/** Answers published within this window are handed over or noticed after a restart (Zalo's reply window). */
const CATCH_UP_MS = 7 * 86_400_000;

export interface Root {
  data: ProvinceData;
  stores: Stores;
  ledger: Ledger;
  close(): Promise<void>;
}

/** Opens the stores a location names (HOIDAP_DB or --db; the embedded file by default) and the ledger over them. */
export async function openRoot(data: ProvinceData, location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: { checkpoints?: boolean } = {}): Promise<Root> {
  const stores = await openStores(location, options);
  return { data, stores, ledger: new Ledger(stores.ledger, data), close: () => stores.close() };
}

/**
 * The editors' queue of questions over a daily limit, for a process without the bot (the CLI):
 * a released question reaches its citizen's chat once answered, its agency is told by the server.
 */
export function heldQueue(root: Root): HeldQuestions {
  const { data, stores, ledger } = root;
  return new HeldQuestions({
    data,
    ledger,
    store: stores.ledger,
    intake: stores.intake,
    rememberConversation: async (q, reference) => stores.botState.write({ [conversationKey(q)]: { reference } }),
  });
}

/** The policy files the service runs by, read and validated before anything is opened. */
export interface Policies {
  delivery: Partial<DispatcherOptions>;
  notices: NoticePolicy;
  reminders?: ReminderPolicy;
  retention?: RetentionPolicy;
}

/** Reads data/delivery.json, notices.json and, when the jobs run, reminders.json and retention.json: a mistake in one stops the start naming it. */
export function loadPolicies(data: ProvinceData, jobs: { sweeper?: boolean; retention?: boolean } = {}): Policies {
  return {
    delivery: dispatcherOptions(loadDeliveryPolicy(data.dataDir)),
    notices: loadNoticePolicy(data.dataDir, data.agencies.all.map((a) => a.name)),
    ...(jobs.sweeper ? { reminders: loadReminderPolicy(path.join(data.dataDir, 'reminders.json'), data.policy.deadlines) } : {}),
    ...(jobs.retention ? { retention: loadRetentionPolicy(path.join(data.dataDir, 'retention.json')) } : {}),
  };
}

export interface ServiceOptions {
  /**
   * 'server': the HTTP process (portal, webhooks, REST API, console, jobs); 'worker': the messaging
   * worker thread (Zalo and Messenger turns and deliveries on its own connection).
   */
  role: 'server' | 'worker';
  /** Zalo and Messenger settings. */
  channels: ChannelsConfig;
  /** Citizens' notification senders (SMTP, SMS gateway, ZNS); none configured when absent. */
  notify?: NotifyConfig;
  /** loadPolicies(data, ...): the sweeper runs when `reminders` is there, the retention job when `retention` is. */
  policies: Policies;
  /** The inbox processor and outbox dispatcher's tuning, and the worker thread to run them in. */
  messaging?: Omit<MessagingSetup, 'config' | 'notify' | 'queue' | 'storage' | 'bot' | 'metrics'>;
  /** A bot instead of hoidap's own (tests): no staff dialogs, no sweeper. */
  bot?: ActivityHandlerBase;
  metrics?: Metrics;
  portalLimits?: Partial<DirectLineLimits>;
  /**
   * Whether portal questions wait for a one-time code sent to the citizen's contact: data/policy.json
   * contactConfirmation.enabled unless HOIDAP_CONFIRM_CONTACTS or this says otherwise (the demo: off).
   */
  confirmContacts?: boolean;
  /** Test hooks for fetching Zalo/Messenger photos (name resolution, a fake CDN's certificate). */
  photoFetch?: BotSetup['photoFetch'];
  /** How the back office reaches people (default: chat through the channels that attach), and its clock (tests). */
  backoffice?: { notifier?: Notifier; now?: () => number };
}

export interface Service {
  root: Root;
  bot: ActivityHandlerBase;
  /** hoidap's own bot's parts (absent when a bot was given). */
  built?: BotBuild;
  /** Conversation and dialog state in the store, buffered per turn. */
  storage: TurnBufferedStorage;
  notices: AnswerNotices;
  messaging: Messaging;
  /** The portal channel (server only); its adapter serves proactive messages in the worker too. */
  portal?: Portal;
  portalAdapter: PortalAdapter;
  backoffice: { store: BackofficeStore; workflow: Workflow };
  /** The router the REST API suggests forwards with. */
  router?: { route(text: string): RouteResult };
  sweeper?: DeadlineSweeper;
  retention?: RetentionJob;
  /** Starts the channels and jobs, and catches up with what a stop left undone. */
  start(): Promise<void>;
  /** Stops the jobs and the channels (the HTTP server and the store are the caller's). */
  stop(): Promise<void>;
}

/** Builds the service once over an opened root. */
export async function composeService(root: Root, options: ServiceOptions): Promise<Service> {
  const { data, stores, ledger } = root;
  const { delivery, notices: noticePolicy, reminders: reminderPolicy, retention: retentionPolicy } = options.policies;

  // Conversation and dialog state live in the store, so a restart in the middle of a dialog loses nothing.
  const storage = new TurnBufferedStorage(stores.botState);
  // Citizens' notices share the Zalo/Messenger outbox; kicked once messaging exists.
  let kickOutbound: () => void = () => undefined;
  const notices = new AnswerNotices({
    policy: noticePolicy,
    enabled: enabledChannels(options.notify),
    data,
    store: stores.ledger,
    queue: stores.channels,
    kick: () => kickOutbound(),
  });
  // Approvers without a linked chat are told of new drafts by e-mail, through the same outbox.
  // Portal citizens confirm their contact with a code sent through the same outbox and senders.
  const confirmation = new ContactConfirmation({
    policy: data.policy.contactConfirmation,
    enabled: options.confirmContacts ?? confirmContactsFromEnv(),
    notices: noticePolicy,
    channels: enabledChannels(options.notify),
    clock: data.clock,
    codes: stores.contactCodes,
    queue: stores.channels,
    kick: () => kickOutbound(),
  });
  const staffMailer = new OutboxStaffMailer({ queue: stores.channels, enabled: enabledChannels(options.notify), kick: () => kickOutbound(), now: options.backoffice?.now });
  const built = options.bot
    ? undefined
    : await createBot({
        data,
        stores,
        storage,
        ...(options.metrics ? { metrics: botMetrics(options.metrics) } : {}),
        notifier: options.backoffice?.notifier,
        ...(options.photoFetch ? { photoFetch: options.photoFetch } : {}),
        now: options.backoffice?.now,
        notices,
        staffMailer,
        confirmation,
      });
  const bot = options.bot ?? (built as BotBuild).bot;
  const router = built?.services.router;

  const portalAdapter = new PortalAdapter({ store: stores.directLine });
  // Only the server takes portal requests; the worker appends officers' messages to the same conversations.
  const portal = options.role === 'server' ? createPortal({ store: stores.directLine, adapter: portalAdapter, bot, limits: options.portalLimits, identityTtlDays: data.policy.myQuestions?.portalIdentityTtlDays, photos: { store: stores.photos, policy: data.photos } }) : undefined;

  const messaging = createMessaging({
    config: options.channels,
    ...(options.notify ? { notify: options.notify } : {}),
    queue: stores.channels,
    storage,
    bot,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...options.messaging,
    // data/delivery.json, unless the caller (a test) tunes the dispatcher itself.
    dispatcher: { ...delivery, ...options.messaging?.dispatcher },
  });
  kickOutbound = () => messaging.kickOutbound();

  let backoffice: Service['backoffice'];
  let chat: ChatNotifier | undefined;
  if (built) {
    backoffice = { store: built.staff.backoffice, workflow: built.staff.workflow };
    chat = built.staff.chat;
  } else {
    const workflow = new Workflow({
      data,
      store: stores.ledger,
      ledger,
      backoffice: stores.backoffice,
      queries: stores.queries,
      notifier: options.backoffice?.notifier ?? new UnwiredNotifier(),
      mailer: staffMailer,
      router,
      now: options.backoffice?.now,
      onRecorded: async (event) => {
        if (event.type === 'answered') await notices.answerPublished(String(event.q));
      },
    });
    backoffice = { store: stores.backoffice, workflow };
  }
  // Chat notifications reach people through the channels of this process.
  chat?.attach('directline', portalAdapter);
  for (const [channel, adapter] of Object.entries(messaging.adapters)) if (adapter) chat?.attach(channel, adapter);

  const retention = retentionPolicy ? new RetentionJob({ store: stores.retention, policy: retentionPolicy, photos: stores.photos, pendingPhotoHours: data.photos.pendingHours }) : undefined;
  const sweeper =
    reminderPolicy && built
      ? new DeadlineSweeper({
          cases: stores.openCases,
          backoffice: { accountsFor: (agency, roles) => stores.backoffice.accountsFor(agency, roles), claimNotification: (key, now) => stores.notificationKeys.claimNotification(key, now) },
          notifier: built.staff.notifier,
          data,
          policy: reminderPolicy,
          outbox: stores.channels,
          drafts: { pendingDrafts: (agency) => stores.backoffice.pendingDrafts(agency), questionText: (q) => submittedText(stores.ledger, q) },
        })
      : undefined;

  const failed = (what: string) => (err: unknown) => logger.error(what, { error: err instanceof Error ? err.message : String(err) });
  const service: Service = {
    root,
    bot,
    built,
    storage,
    notices,
    messaging,
    portal,
    portalAdapter,
    backoffice,
    router,
    sweeper,
    retention,
    async start() {
      await messaging.start();
      // Portal messages a crash left stored but unanswered (as the webhook inbox does for Zalo and Messenger).
      void portal?.recover().catch(failed('portal recovery failed'));
      sweeper?.start();
      retention?.start();
      if (sweeper && built) {
        // Answers a crash left published but not handed to the citizen's channel (within Zalo's 7-day window).
        void stores.queries
          .unclaimedAnswersSince(Date.now() - CATCH_UP_MS)
          .then((answers) => built.staff.workflow.handOverUnclaimedAnswers(answers))
          .catch(failed('hand-over of answers after a restart failed'));
      }
      if (reminderPolicy) {
        // Answer notices a stop between publishing and queueing left out (answers of the last 7 days).
        void notices.catchUp((since) => stores.queries.answeredWithoutKey(since, answerNoticeKey('')), Date.now() - CATCH_UP_MS).catch(failed('answer notices after a restart failed'));
      }
    },
    async stop() {
      await sweeper?.stop();
      await retention?.stop();
      await messaging.stop();
    },
  };
  return service;
}
