import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ActivityHandlerBase,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE } from '../../bot/turn-state';
import { splitText } from '../send-support';
import type { ChannelQueueStore, InboundEvent, MessagingChannel, NewOutboundMessage, TurnResult } from '../../store/channel-types';
import type { TurnBufferedStorage } from './turn-storage';

/** What a webhook keeps of an event: enough to make the bot's activity. */
export interface InboundPayload {
  userId: string;
  /** The OA or Page id the user wrote to. */
  botId: string;
  kind: 'message' | 'attachment' | 'follow';
  text?: string;
  attachments?: Array<{ type: string; url?: string }>;
  /** Epoch ms of the event on the channel. */
  timestamp: number;
}

const REPLIES = Symbol('hoidap.replies');
const TEXT_LIMIT: Record<MessagingChannel, number> = { zalo: 2000, facebook: 1999 };

/**
 * Zalo and Messenger turns: an inbox event becomes a Bot Framework activity; what
 * the bot sends goes to the outbox, committed with the turn's state and the event's
 * status in one transaction (see TurnBufferedStorage). Proactive messages (answers
 * pushed later) go to the outbox directly.
 */
export class MessagingAdapter extends BotAdapter {
  constructor(
    readonly channel: MessagingChannel,
    private readonly queue: ChannelQueueStore,
    private readonly storage: TurnBufferedStorage,
    private readonly now: () => number = () => Date.now(),
    private outboundListener: () => void = () => undefined,
  ) {
    super();
  }

  /** Called when proactive messages were put in the outbox (to deliver them now). */
  onOutbound(listener: () => void): void {
    this.outboundListener = listener;
  }

  toActivity(event: InboundEvent): Partial<Activity> {
    const p = JSON.parse(event.payload) as InboundPayload;
    const common = {
      id: event.dedupeKey,
      channelId: this.channel,
      serviceUrl: `${this.channel}:`,
      timestamp: new Date(p.timestamp),
      from: { id: p.userId, name: '', role: 'user' },
      recipient: { id: p.botId, name: '', role: 'bot' },
      conversation: { id: `${this.channel}:${p.userId}`, isGroup: false, name: '', conversationType: 'personal' },
      locale: 'vi-VN',
    };
    if (p.kind === 'follow') return { ...common, type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: p.userId, name: '' }] };
    return {
      ...common,
      type: ActivityTypes.Message,
      text: p.text ?? '',
      ...(p.attachments ? { attachments: p.attachments.map((a) => ({ contentType: a.type, ...(a.url ? { contentUrl: a.url } : {}) })) } : {}),
    };
  }

  /** Runs the bot on one inbox event and returns what to commit. */
  async processInbound(event: InboundEvent, bot: ActivityHandlerBase): Promise<TurnResult> {
    const replies: NewOutboundMessage[] = [];
    const context = new TurnContext(this, this.toActivity(event));
    context.turnState.set(REPLIES, replies);
    context.turnState.set(EVENT_SOURCE, `${this.channel}:${event.dedupeKey}`);
    const { writes } = await this.storage.buffered(() => this.runMiddleware(context, (ctx) => bot.run(ctx)));
    const from = context.activity.from?.id;
    return { status: 'done', replies, stateWrites: writes, ...(from ? { from: { channel: this.channel, recipient: from } } : {}) };
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const buffer = context.turnState.get(REPLIES) as NewOutboundMessage[] | undefined;
    const out: NewOutboundMessage[] = [];
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      responses.push({ id: randomUUID() });
      if (activity.type !== undefined && activity.type !== ActivityTypes.Message) continue; // typing, delays: not on these channels
      const recipient = activity.recipient?.id ?? context.activity.from?.id;
      if (!recipient || !activity.text) continue;
      const buttons = (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value)).filter(Boolean);
      // One outbox row per part: a retry then resends exactly the part that failed.
      const parts = splitText(activity.text, TEXT_LIMIT[this.channel]);
      parts.forEach((text, i) =>
        out.push({
          channel: this.channel,
          recipient,
          payload: {
            text,
            ...(i === parts.length - 1 && buttons.length > 0 ? { buttons } : {}),
            ...((activity.channelData as { hoidapHuman?: boolean } | undefined)?.hoidapHuman ? { human: true } : {}),
          },
          source: String(context.activity.id ?? ''),
        }),
      );
    }
    if (buffer) buffer.push(...out);
    else if (out.length > 0) {
      await this.queue.enqueueOutbound(out, this.now());
      this.outboundListener();
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error(`${this.channel}: messages cannot be edited`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`${this.channel}: messages cannot be deleted`);
  }

  /** Proactive messages (an answer published later): what the logic sends goes straight to the outbox. */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
