import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ActivityEventNames,
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ActivityTimestamps,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { logger } from '../../observability/logger';
import { KeyedQueue } from './queue';
import type { DirectLineActivity, DirectLineStore, NewDirectLineActivity } from './store';

export const PORTAL_CHANNEL_ID = 'directline';

/** Shown to the citizen when a turn fails; the details go to the log only. */
export const APOLOGY_TEXT = 'Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.';

export interface PortalAdapterOptions {
  store: DirectLineStore;
  botId?: string;
  botName?: string;
  /** Put in activities' serviceUrl so conversation references say where they came from. */
  serviceUrl?: string;
  /** Injected clock (tests). */
  now?: () => number;
}

type TurnLogic = (context: TurnContext) => Promise<void>;

/** Activity types a channel does not deliver to the client. */
const NOT_DELIVERED = new Set<string>([ActivityTypes.Trace, ActivityTypes.InvokeResponse]);

function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * A botbuilder adapter for the self-hosted Direct Line channel of the portal: turns run
 * in-process, and what the bot sends is appended to the conversation in the store, where
 * Web Chat picks it up by polling. Turns of one conversation (incoming activities and
 * proactive `continueConversation`) run one at a time, in order.
 */
export class PortalAdapter extends BotAdapter {
  readonly store: DirectLineStore;
  readonly bot: ChannelAccount;
  readonly serviceUrl: string;
  private readonly now: () => number;
  private readonly queue = new KeyedQueue();
  /** Conversations whose turn is running in the current async context (re-entrant continueConversation). */
  private readonly inTurn = new AsyncLocalStorage<ReadonlySet<string>>();

  constructor(options: PortalAdapterOptions) {
    super();
    this.store = options.store;
    this.bot = { id: options.botId ?? 'hoidap-bot', name: options.botName ?? 'Hỏi - Đáp', role: 'bot' };
    this.serviceUrl = options.serviceUrl ?? 'urn:hoidap:portal';
    this.now = options.now ?? Date.now;
    this.onTurnError = async (context, error) => {
      logger.error('portal turn failed', {
        conversationId: context.activity.conversation?.id,
        activityId: context.activity.id,
        activityType: context.activity.type,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      await context.sendActivity({ type: ActivityTypes.Message, text: APOLOGY_TEXT, locale: 'vi-VN' });
    };
  }

  /** Runs a turn for an incoming activity, after the turns already queued for its conversation. */
  processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const conversationId = activity.conversation?.id;
    if (!conversationId) return Promise.reject(new Error('PortalAdapter.processActivity: activity.conversation.id is required'));
    return this.inConversation(conversationId, () => this.runMiddleware(new TurnContext(this, activity), logic));
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        // botbuilder's convention: a "delay" activity pauses the output for `value` ms (default 1 s).
        await new Promise((resolve) => setTimeout(resolve, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
        continue;
      }
      if (activity.type !== undefined && NOT_DELIVERED.has(activity.type)) {
        responses.push({ id: '' });
        continue;
      }
      const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
      if (!conversationId) throw new Error('PortalAdapter.sendActivities: no conversation id');
      const now = this.now();
      const outgoing = JSON.parse(JSON.stringify({ ...activity, timestamp: undefined, localTimestamp: undefined, id: undefined })) as Record<string, unknown>;
      const recipient = activity.recipient ?? context.activity.from;
      const stored: NewDirectLineActivity = compact({
        ...outgoing,
        type: activity.type ?? ActivityTypes.Message,
        // The server's clock orders the transcript, not the bot's.
        timestamp: new Date(now).toISOString(),
        channelId: PORTAL_CHANNEL_ID,
        serviceUrl: this.serviceUrl,
        conversation: { id: conversationId },
        from: { id: this.bot.id, name: activity.from?.name ?? this.bot.name, role: 'bot' },
        recipient: recipient ? compact({ id: recipient.id, name: recipient.name, role: 'user' }) : undefined,
        replyToId: activity.replyToId,
        // Web Chat renders markdown, where a single newline is no line break: keep the bot's lines as written.
        ...(typeof activity.text === 'string' && (activity.textFormat ?? 'markdown') === 'markdown' ? { text: activity.text.replace(/\n/g, '  \n') } : {}),
      });
      const { activity: saved } = await this.store.appendActivity(conversationId, stored, now);
      responses.push({ id: saved.id });
    }
    return responses;
  }

  async updateActivity(_context: TurnContext, _activity: Partial<Activity>): Promise<void> {
    throw new Error('PortalAdapter: updating a sent activity is not supported by the portal channel');
  }

  async deleteActivity(_context: TurnContext, _reference: Partial<ConversationReference>): Promise<void> {
    throw new Error('PortalAdapter: deleting a sent activity is not supported by the portal channel');
  }

  /** Proactive messages (e.g. an agency's answer reaching the citizen), queued with the conversation's turns. */
  continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId) return Promise.reject(new Error('PortalAdapter.continueConversation: reference.conversation.id is required'));
    const request = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: ActivityEventNames.ContinueConversation, channelId: PORTAL_CHANNEL_ID },
      { ...reference, channelId: PORTAL_CHANNEL_ID, bot: reference.bot ?? this.bot, serviceUrl: reference.serviceUrl ?? this.serviceUrl },
      true,
    );
    return this.inConversation(conversationId, async () => {
      if (!(await this.store.findConversation(conversationId))) throw new Error(`PortalAdapter.continueConversation: unknown conversation ${conversationId}`);
      await this.runMiddleware(new TurnContext(this, request), logic);
    });
  }

  /** The newer botbuilder signature; the app id or claims identity are not used on this channel. */
  override async continueConversationAsync(
    _botAppIdOrClaims: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('PortalAdapter.continueConversationAsync: logic is required');
    return this.continueConversation(reference, logic);
  }

  /** Turns queued or running. */
  get turnsInFlight(): number {
    return this.queue.size;
  }

  /** Resolves when every queued and running turn has finished. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private inConversation(conversationId: string, task: () => Promise<void>): Promise<void> {
    const active = this.inTurn.getStore();
    const run = () => this.inTurn.run(new Set([...(active ?? []), conversationId]), task);
    // Inside this conversation's own turn, waiting in its queue would wait for ourselves.
    if (active?.has(conversationId)) return run();
    return this.queue.run(conversationId, run);
  }
}

/** The botbuilder view of a stored user activity (Date timestamps, raw strings kept). */
export function toTurnActivity(stored: DirectLineActivity, bot: ChannelAccount): Partial<Activity> {
  const { timestamp, localTimestamp, ...rest } = stored;
  const activity = { ...rest, recipient: stored.recipient ?? bot } as Partial<ActivityTimestamps>;
  activity.timestamp = new Date(timestamp);
  activity.rawTimestamp = timestamp;
  if (typeof localTimestamp === 'string') {
    const local = new Date(localTimestamp);
    if (!Number.isNaN(local.getTime())) activity.localTimestamp = local;
    activity.rawLocalTimestamp = localTimestamp;
  }
  return activity;
}
