import type { BotAdapter, ConversationReference, Storage, TurnContext } from 'botbuilder';
import { logger } from '../observability/logger';
import type { ChatMessage, Notifier } from './notifier';
import type { Account, BackofficeStore } from './types';

/** Proactive delivery: what a channel's adapter offers (the portal's, Zalo's, Messenger's). */
export type ProactiveAdapter = Pick<BotAdapter, 'continueConversation'>;

export interface AnswerDelivery {
  /** Sends the published answer in the citizen's conversation and asks for a rating. */
  deliverAnswer(context: TurnContext, q: string, answerText: string, agencyName: string): Promise<void>;
}

/** Where a question's asker was talking to the bot, saved when the question was filed. */
export function conversationKey(q: string): string {
  return `conversation-of/${q}`;
}

/**
 * Chat messages from the back office, through the adapter of the channel each
 * person uses: officers' notifications to their linked identities, and answers
 * to citizens in the conversation they asked in. Adapters attach once the
 * channels exist.
 */
export class ChatNotifier implements Notifier {
  private readonly adapters = new Map<string, ProactiveAdapter>();
  private delivery: AnswerDelivery | undefined;

  constructor(
    private readonly backoffice: BackofficeStore,
    private readonly storage: Storage,
  ) {}

  attach(channelId: string, adapter: ProactiveAdapter): void {
    this.adapters.set(channelId, adapter);
  }

  attachBot(delivery: AnswerDelivery): void {
    this.delivery = delivery;
  }

  async toAccount(account: Account, message: ChatMessage): Promise<number> {
    let sent = 0;
    for (const identity of await this.backoffice.identitiesOf(account.id)) {
      const reference = identity.conversationReference as Partial<ConversationReference> | undefined;
      // The conversation's own channel (the same as the identity's on the portal, Zalo and Messenger).
      const adapter = this.adapters.get(reference?.channelId ?? identity.channel);
      if (!adapter || !reference) continue;
      try {
        await adapter.continueConversation(reference, async (context) => {
          await context.sendActivity(message.buttons?.length ? { type: 'message', text: message.text, suggestedActions: { to: [], actions: message.buttons.map((b) => ({ type: 'imBack', title: b, value: b })) } } : message.text);
        });
        sent += 1;
      } catch (err) {
        logger.warn('notification to an account failed', { account: account.id, channel: identity.channel, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return sent;
  }

  async answerToCitizen(q: string, answerText: string, agencyName: string): Promise<boolean> {
    const saved = (await this.storage.read([conversationKey(q)]))[conversationKey(q)] as { reference?: Partial<ConversationReference> } | undefined;
    const reference = saved?.reference;
    const adapter = reference?.channelId ? this.adapters.get(reference.channelId) : undefined;
    if (!reference || !adapter || !this.delivery) return false;
    const delivery = this.delivery;
    await adapter.continueConversation(reference, (context) => delivery.deliverAnswer(context, q, answerText, agencyName));
    return true;
  }
}
