import type { Account } from './types';

export interface ChatMessage {
  text: string;
  /** Button titles; a click comes back as the title typed. */
  buttons?: string[];
}

/** Messages the back office sends in chat: to officers and leaders, and answers to citizens. */
export interface Notifier {
  /** Sends to every chat identity the account linked; returns how many identities it went to. */
  toAccount(account: Account, message: ChatMessage): Promise<number>;
  /**
   * Delivers a published answer to the citizen on the channel they asked on (through the
   * outbox, respecting the reply windows) and asks them to rate it. False when the citizen
   * cannot be reached in chat: they still read the answer on the portal and by ticket lookup.
   */
  answerToCitizen(q: string, answerText: string, agencyName: string): Promise<boolean>;
}

/** A notifier that keeps what it was asked to send (tests, and servers with no channel for a person). */
export class RecordingNotifier implements Notifier {
  readonly toAccounts: Array<{ account: Account; message: ChatMessage }> = [];
  readonly toCitizens: Array<{ q: string; answerText: string; agencyName: string }> = [];

  async toAccount(account: Account, message: ChatMessage): Promise<number> {
    this.toAccounts.push({ account, message });
    return 1;
  }

  async answerToCitizen(q: string, answerText: string, agencyName: string): Promise<boolean> {
    this.toCitizens.push({ q, answerText, agencyName });
    return true;
  }
}
