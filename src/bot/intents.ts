import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import type { Normalizer } from '../routing/normalize';

export const CHAT_INTENTS = ['greeting', 'menu', 'help', 'cancel', 'ask_agency', 'check_status', 'faq', 'thanks', 'yes', 'no', 'english'] as const;
export type ChatIntent = (typeof CHAT_INTENTS)[number];

const ChatSchema = z.object({ intents: z.record(z.enum(CHAT_INTENTS), z.array(z.string().min(1)).min(1)) }).strict();

const TICKET = /\bHD[\s-]?(\d{4})[\s-]?(\d{1,6})\b/i;

/** Finds a ticket number in a message and writes it the canonical way (HD-2023-000123). */
export function findTicket(text: string): string | undefined {
  const m = TICKET.exec(text);
  return m ? `HD-${m[1]}-${m[2].padStart(6, '0')}` : undefined;
}

/**
 * The chat commands citizens type ("hủy", "menu", "có", "ko"...), from
 * intents/chat.json. A whole message must be the command (after folding), so a
 * question that merely contains "không" is never taken for "no".
 */
export class ChatIntents {
  private readonly exact = new Map<string, ChatIntent>();

  constructor(intents: Partial<Record<ChatIntent, string[]>>, private readonly normalizer: Normalizer) {
    for (const [intent, utterances] of Object.entries(intents) as Array<[ChatIntent, string[]]>)
      for (const u of utterances) {
        const key = this.key(u);
        if (key && !this.exact.has(key)) this.exact.set(key, intent);
      }
  }

  static load(intentsDir: string, normalizer: Normalizer): ChatIntents {
    const file = path.join(intentsDir, 'chat.json');
    return new ChatIntents(parseWith(ChatSchema, readJsonFile(file), file).intents, normalizer);
  }

  private key(text: string): string {
    return this.normalizer.fold(text.replace(/[!?.,;:…]+/g, ' ')).trim();
  }

  recognize(text: string): ChatIntent | undefined {
    return this.exact.get(this.key(text));
  }
}
