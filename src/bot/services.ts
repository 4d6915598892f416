import type { ConversationReference } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import type { Ledger } from '../ledger/ledger';
import type { FaqBase } from '../routing/faq';
import type { Gazetteer } from '../routing/gazetteer';
import type { Moderation } from '../routing/moderation';
import type { Normalizer } from '../routing/normalize';
import type { Router } from '../routing/router';
import { TextIndex } from '../routing/similarity';
import type { LedgerStore } from '../store/types';
import type { ChatIntents } from './intents';

export interface AnsweredQuestion {
  q: string;
  agency: string;
  question: string;
  answer: string;
}

/** Questions already answered, to offer before a citizen files the same question again. */
export class AnsweredQuestions {
  private readonly index: TextIndex<AnsweredQuestion>;

  constructor(normalizer: Normalizer, readonly threshold = 0.55) {
    this.index = new TextIndex(normalizer);
  }

  add(item: AnsweredQuestion): void {
    this.index.add(item, item.question);
  }

  similar(text: string, limit = 2): AnsweredQuestion[] {
    return this.index.search(text, limit, this.threshold).map((r) => r.item);
  }
}

/** What the dialogs need, passed in so tests can build it around an in-memory store and a fixed clock. */
export interface BotServices {
  data: ProvinceData;
  store: LedgerStore;
  ledger: Ledger;
  router: Router;
  faq: FaqBase;
  moderation: Moderation;
  answered: AnsweredQuestions;
  gazetteer: Gazetteer;
  normalizer: Normalizer;
  intents: ChatIntents;
  now(): number;
  metrics?: BotMetrics;
  /** A question reached an agency: tell its officers. */
  onAssigned?(q: string, agency: string, state: import('../domain/lifecycle').QuestionState): Promise<void>;
  /** Keeps where to reach the citizen when the answer is published. */
  rememberConversation?(q: string, reference: Partial<ConversationReference>): Promise<void>;
  /** How the citizen will be told of the answer (e-mail, SMS, Zalo, chat, or plainly not): src/notify. */
  noticePromise?(channelId: string | undefined, contact: string | undefined, lang: string): string;
  /** The daily limits on questions filed (data/policy.json questionsPerDay) and the editors' held queue; with the SQLite store. */
  held?: import('../backoffice/held').HeldQuestions;
  /** One-time codes that confirm a portal citizen's contact before the question is filed (data/policy.json contactConfirmation). */
  confirmation?: import('../notify/confirmation').ContactConfirmer;
  /** The tickets filed with exactly this contact, newest first ("tra cứu" by a confirmed contact). */
  questionsByContact?(contact: string): Promise<string[]>;
  /** Photos sent while asking, kept with the question (src/bot/photos.ts); without it they are refused. */
  photos?: import('./photos').PhotoIntake;
}

/** What the bot counts (Prometheus through src/observability in production, nothing in dialog tests). */
export interface BotMetrics {
  turn(channel: string): void;
  error(channel: string): void;
  dialogCompleted(dialog: string, outcome: string): void;
  questionFiled(channel: string, triage: boolean): void;
}
