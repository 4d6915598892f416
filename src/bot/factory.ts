import { ConversationState, UserState, type Storage } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import { Ledger } from '../ledger/ledger';
import { FaqBase } from '../routing/faq';
import { buildRouter, DEFAULT_INTENTS_DIR, loadRoutingResources } from '../routing/load';
import { Moderation } from '../routing/moderation';
import type { Stores } from '../app/ports';
import { StaffDialog } from '../../dialogs/officer/staffDialog';
import { loadAdminPhrases } from '../admin/query';
import { Workflow } from '../backoffice/actions';
import { HeldQuestions } from '../backoffice/held';
import { linkFailuresAlertVi } from '../backoffice/accounts';
import { ChatNotifier, conversationKey } from '../backoffice/chat-notifier';
import type { Notifier } from '../backoffice/notifier';
import type { StaffMailer } from '../app/use-case-ports';
import { questionText as textOfQuestion } from '../domain/question-text';
import { noticePromises, type NoticePromises } from '../notify/notices';
import { loadNoticePolicy } from '../notify/policy';
import { ContactConfirmation, confirmContactsFromEnv, type ContactConfirmer } from '../notify/confirmation';
import type { Account, BackofficeStore, ChatIdentity } from '../backoffice/types';
import type { QuestionState } from '../domain/lifecycle';
import { excerpt, fill } from '../domain/text';
import { STAFF_TEXTS } from './texts';
import type { Metrics } from '../observability/metrics';
import { HoidapBot } from './bot';
import { PhotoIntake, type PhotoIntakeDeps } from './photos';
import type { BotMetrics } from './services';
import { channelLabel } from './channels';
import { ChatIntents } from './intents';
import { AnsweredQuestions, type BotServices } from './services';

/** How a verified channel is called in messages to staff. */
const CHANNEL_NAMES_VI: Record<string, string> = STAFF_TEXTS.notices.linkedChannel;
const B = STAFF_TEXTS.buttons;

/** The bot's counters on a Prometheus registry. */
export function botMetrics(metrics: Metrics): BotMetrics {
  return {
    // A closed set of labels: a caller naming a new channelId on every request must not add a series each time.
    turn: (channel) => metrics.turns.inc({ channel: channelLabel(channel) }),
    error: (channel) => metrics.errors.inc({ channel: channelLabel(channel) }),
    dialogCompleted: (dialog, outcome) => metrics.dialogsCompleted.inc({ dialog, outcome }),
    questionFiled: (channel, triage) => metrics.questionsFiled.inc({ channel, triage: String(triage) }),
  };
}

/** The stores the bot works on (src/store/open.ts openStores, or sqliteStores in tests). */
export type BotStores = Pick<Stores, 'ledger' | 'queries' | 'backoffice' | 'intake' | 'channels' | 'contactCodes'> & Partial<Pick<Stores, 'photos'>>;

export interface BotSetup {
  data: ProvinceData;
  stores: BotStores;
  /** Conversation and user state (the stores' botState, buffered per turn by the caller; or memory in tests). */
  storage: Storage;
  now?: () => number;
  intentsDir?: string;
  metrics?: BotMetrics;
  /** How the back office reaches people; by default chat through the channels that attach to it. */
  notifier?: Notifier;
  /**
   * Citizens' notifications (src/notify): what the bot promises when a question is filed, and the
   * notice queued when its answer is published. By default none is configured, and the bot says so.
   */
  notices?: NoticePromises & { answerPublished?(q: string): Promise<unknown> };
  /** E-mail to staff with no linked chat (approvers told of new drafts). */
  staffMailer?: StaffMailer;
  /**
   * The one-time codes confirming a portal citizen's contact. By default: data/policy.json's switch
   * (or HOIDAP_CONFIRM_CONTACTS, or `confirmContacts`), with no notification channel configured.
   */
  confirmation?: ContactConfirmer;
  /** Overrides data/policy.json contactConfirmation.enabled for the default confirmation (the demo turns it off). */
  confirmContacts?: boolean;
  /** Test hooks for fetching Zalo/Messenger photos (name resolution, a fake CDN's certificate). */
  photoFetch?: PhotoIntakeDeps['fetch'];
}

export interface BotBuild {
  bot: HoidapBot;
  services: BotServices;
  /** The back office: accounts, the officers' workflow, chat notifications, the held queue. */
  staff: { backoffice: BackofficeStore; workflow: Workflow; notifier: Notifier; chat?: ChatNotifier; held: HeldQuestions };
}

/** Loads and validates the routing, FAQ, moderation and chat data, trains the router (with the officers' corrections) and builds the bot. */
export async function createBot(setup: BotSetup): Promise<BotBuild> {
  const { data, stores, storage } = setup;
  const store = stores.ledger;
  const intentsDir = setup.intentsDir ?? DEFAULT_INTENTS_DIR;
  const resources = loadRoutingResources(data, intentsDir);
  const router = buildRouter(data, resources, await store.routingCorrections());
  const answered = new AnsweredQuestions(resources.normalizer);
  for (const a of await store.answeredQuestions()) answered.add(a);
  const services: BotServices = {
    data,
    store,
    ledger: new Ledger(store, data),
    router,
    faq: FaqBase.load(data, resources.normalizer),
    moderation: Moderation.load(data, resources.normalizer),
    answered,
    gazetteer: resources.gazetteer,
    normalizer: resources.normalizer,
    intents: ChatIntents.load(intentsDir, resources.normalizer),
    now: setup.now ?? (() => Date.now()),
    metrics: setup.metrics,
    rememberConversation: async (q, reference) => storage.write({ [conversationKey(q)]: { reference } }),
    noticePromise: (setup.notices ?? noticePromises(loadNoticePolicy(data.dataDir), new Set())).promise,
    questionsByContact: (contact) => stores.queries.questionsByContact(contact, 20),
    confirmation:
      setup.confirmation ??
      new ContactConfirmation({
        policy: data.policy.contactConfirmation,
        enabled: setup.confirmContacts ?? confirmContactsFromEnv(),
        notices: loadNoticePolicy(data.dataDir),
        channels: new Set(),
        clock: data.clock,
        codes: stores.contactCodes,
        queue: stores.channels,
      }),
  };
  if (stores.photos) services.photos = new PhotoIntake({ store: stores.photos, policy: data.photos, now: services.now, ...(setup.photoFetch ? { fetch: setup.photoFetch } : {}) });
  // The back office: accounts, the workflow, and chat notifications to officers and citizens.
  const { backoffice } = stores;
  const chat = setup.notifier ? undefined : new ChatNotifier(backoffice, storage);
  const notifier = setup.notifier ?? (chat as ChatNotifier);
  const now = services.now;
  const questionText = async (q: string) => textOfQuestion(await store.questionEvents(q));
  const notifyAgency = async (q: string, agency: string, state: QuestionState) => {
    const current = state.cases[state.cases.length - 1];
    const text = await questionText(q);
    const message = {
      text: fill(STAFF_TEXTS.notices.newQuestion, {
        q,
        agency: data.agencies.get(agency)?.name ?? agency,
        text: excerpt(text, 160),
        acceptDue: data.clock.formatDateVi(current.acceptDue),
        answerDue: data.clock.formatDateVi(current.answerDue),
      }),
      buttons: [B.accept, B.view, B.forward].map((b) => fill(b, { q })),
    };
    for (const account of await backoffice.accountsFor(agency, ['officer', 'approver'])) await notifier.toAccount(account, message);
  };
  const workflow = new Workflow({
    data,
    store,
    ledger: services.ledger,
    backoffice,
    queries: stores.queries,
    notifier,
    ...(setup.staffMailer ? { mailer: setup.staffMailer } : {}),
    router,
    now,
    onRecorded: async (event, state) => {
      if (event.type === 'forwarded') await notifyAgency(String(event.q), String(event.agency), state);
      // A new answer is offered from now on to citizens about to ask the same.
      if (event.type === 'answered') answered.add({ q: String(event.q), agency: String(event.agency), question: await questionText(String(event.q)), answer: String(event.text) });
      // The citizen who gave an e-mail or phone is told on it (once; queued in the outbox).
      if (event.type === 'answered') await setup.notices?.answerPublished?.(String(event.q));
    },
  });
  services.onAssigned = (q, agency, state) => notifyAgency(q, agency, state);
  const held = new HeldQuestions({
    data,
    ledger: services.ledger,
    store,
    intake: stores.intake,
    onAssigned: services.onAssigned,
    rememberConversation: services.rememberConversation,
  });
  services.held = held;
  const staffDialog = new StaffDialog({
    data,
    workflow,
    // intents/admin.json read and validated at start-up: a bad entry stops the server naming the file and the entry.
    admin: { data, store, normalizer: resources.normalizer, gazetteer: resources.gazetteer, now, phrases: loadAdminPhrases() },
    outbox: stores.channels,
    ...(stores.photos ? { photos: stores.photos } : {}),
  });
  // The owner reads the confirmation in the chat just linked (with a warning to report a link they did not make); the admins are told in theirs.
  const onLinked = async (account: Account, identity: ChatIdentity) => {
    const where = CHANNEL_NAMES_VI[identity.channel] ?? identity.channel;
    const when = data.clock.formatDateTimeVi(now());
    for (const admin of await backoffice.accountsFor(undefined, ['admin']))
      if (admin.id !== account.id)
        await notifier.toAccount(admin, {
          text: fill(STAFF_TEXTS.notices.accountLinked, { name: account.name, id: account.id, role: account.role, agency: account.agency ? `, ${account.agency}` : '', where, when }),
        });
  };
  const bot = new HoidapBot(new ConversationState(storage), new UserState(storage), services, setup.metrics, {
    backoffice,
    dialog: staffDialog,
    now,
    linking: data.policy.linking,
    onLinked,
    onLinkFailures: async (failures: number) => {
      for (const admin of await backoffice.accountsFor(undefined, ['admin'])) await notifier.toAccount(admin, { text: linkFailuresAlertVi(failures, data.policy.linking.failureWindowMinutes) });
    },
  });
  chat?.attachBot(bot);
  return { bot, services, staff: { backoffice, workflow, notifier, chat, held } };
}
