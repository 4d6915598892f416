import type { OutboundPayload } from '../../store/channel-types';
import type { ChannelSender } from '../messaging/dispatcher';
import { MESSENGER_MAX_QUICK_REPLIES, MessengerSendError, messengerPolicy, type MessengerClient } from './client';

/** Outbox messages to Messenger: RESPONSE inside 24 hours; HUMAN_AGENT (when enabled) for officers' answers up to 7 days. */
export class MessengerSender implements ChannelSender {
  constructor(
    private readonly client: MessengerClient,
    private readonly humanAgentEnabled: boolean,
  ) {}

  windowOpen(lastInbound: number | undefined, now: number, payload: OutboundPayload): boolean {
    return lastInbound !== undefined && messengerPolicy(lastInbound, now, this.humanAgentEnabled, payload.human === true).allowed;
  }

  async send(recipient: string, payload: OutboundPayload, lastInbound: number | undefined, now: number): Promise<{ providerId?: string }> {
    const decision = messengerPolicy(lastInbound ?? Number.NaN, now, this.humanAgentEnabled, payload.human === true);
    if (!decision.allowed) throw new MessengerSendError('window_closed', 'outside the Messenger reply window');
    const options = decision.messagingType === 'MESSAGE_TAG' ? { messagingType: decision.messagingType, tag: decision.tag } : { messagingType: decision.messagingType };
    const replies = (payload.buttons ?? []).slice(0, MESSENGER_MAX_QUICK_REPLIES).map((title) => ({ title, payload: title }));
    const ids = replies.length > 0 ? await this.client.sendQuickReplies(recipient, payload.text, replies, options) : await this.client.sendText(recipient, payload.text, options);
    return { providerId: ids.join(',') };
  }
}
