import { ConversationState, UserState, type Storage } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import { Ledger } from '../ledger/ledger';
import { FaqBase } from '../routing/faq';
import { buildRouter, DEFAULT_INTENTS_DIR, loadRoutingResources } from '../routing/load';
import { Moderation } from '../routing/moderation';
import type { LedgerStore } from '../store/types';
import type { Metrics } from '../observability/metrics';
import { HoidapBot, type BotMetrics } from './bot';
import { ChatIntents } from './intents';
import { AnsweredQuestions, type BotServices } from './services';

/** The bot's counters on a Prometheus registry. */
export function botMetrics(metrics: Metrics): BotMetrics {
  return {
    turn: (channel) => metrics.turns.inc({ channel }),
    error: (channel) => metrics.errors.inc({ channel }),
    dialogCompleted: (dialog, outcome) => metrics.dialogsCompleted.inc({ dialog, outcome }),
    questionFiled: (channel, triage) => metrics.questionsFiled.inc({ channel, triage: String(triage) }),
  };
}

export interface BotSetup {
  data: ProvinceData;
  store: LedgerStore;
  storage: Storage;
  now?: () => number;
  intentsDir?: string;
  metrics?: BotMetrics;
}

/** Loads and validates the routing, FAQ, moderation and chat data, trains the router (with the officers' corrections) and builds the bot. */
export async function createBot(setup: BotSetup): Promise<{ bot: HoidapBot; services: BotServices }> {
  const { data, store, storage } = setup;
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
    rememberConversation: async (q, reference) => storage.write({ [`conversation-of/${q}`]: { reference } }),
  };
  services.metrics = setup.metrics;
  const bot = new HoidapBot(new ConversationState(storage), new UserState(storage), services, setup.metrics);
  return { bot, services };
}
