import { MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import fs from 'node:fs';
import path from 'node:path';
import { createBot } from '../../src/bot/factory';
import type { ContactConfirmer } from '../../src/notify/confirmation';
import type { NoticePromises } from '../../src/notify/notices';
import type { BotServices } from '../../src/bot/services';
import { PROJECT_ROOT } from '../../src/config/paths';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { instant, province } from './province';

/** Monday 30/11/2026 09:00: a question now is due for acceptance on 02/12 and for an answer on 14/12. */
export const NOW = instant('2026-11-30T09:00:00+07:00');

export interface TestBot {
  adapter: TestAdapter;
  services: BotServices;
  store: SqliteLedgerStore;
}

export async function importDemo(store: SqliteLedgerStore): Promise<void> {
  const lines = fs.readFileSync(path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl'), 'utf8').split('\n');
  const result = await new Ledger(store, province()).importLines(lines);
  if (result.errors.length > 0) throw new Error('demo ledger invalid');
}

/** A bot over a fresh in-memory store (optionally with the demo ledger) behind botbuilder's TestAdapter. */
export async function testBot(
  options: { demo?: boolean; storage?: Storage; store?: SqliteLedgerStore; channelId?: string; confirmation?: ContactConfirmer; notices?: NoticePromises; now?: () => number } = {},
): Promise<TestBot> {
  const store = options.store ?? new SqliteLedgerStore(':memory:');
  if (options.demo) await importDemo(store);
  const { bot, services } = await createBot({
    data: province(),
    stores: sqliteStores(store),
    storage: options.storage ?? new MemoryStorage(),
    now: options.now ?? (() => NOW),
    ...(options.confirmation ? { confirmation: options.confirmation } : {}),
    ...(options.notices ? { notices: options.notices } : {}),
  });
  const adapter = new TestAdapter(async (context) => bot.run(context), options.channelId ? ({ channelId: options.channelId } as Partial<Activity>) : undefined);
  return { adapter, services, store };
}

/** The text of a reply, whatever buttons it carries. */
export function textOf(activity: Partial<Activity>): string {
  return activity.text ?? '';
}

export function buttonsOf(activity: Partial<Activity>): string[] {
  return (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value));
}

/** An assertion for TestFlow.assertReply: the reply text matches. */
export function says(pattern: RegExp | string) {
  return (activity: Partial<Activity>) => {
    const text = textOf(activity);
    if (typeof pattern === 'string' ? !text.includes(pattern) : !pattern.test(text))
      throw new Error(`expected the bot to say ${pattern}, it said: ${JSON.stringify(text)}`);
  };
}

/** A question that routes to UBND xã Xuân Quang (a local topic naming a commune; UBND huyện Bảo Thắng before 2025-07-01), typed without diacritics. */
export const BAO_THANG_QUESTION = 'cho toi hoi gia dinh toi o thon Lang Chung xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi';

/** The citizen's whole "send a question" dialog, confirmed; the last reply is the ticket. */
export function fileQuestion(adapter: TestAdapter, onFiled: (activity: Partial<Activity>) => void = () => undefined) {
  return adapter
    .send('Gửi câu hỏi')
    .assertReply(() => undefined)
    .send(BAO_THANG_QUESTION)
    .assertReply(() => undefined)
    .send('Nguyen Van An')
    .assertReply(() => undefined)
    .send('0912345678')
    .assertReply(() => undefined)
    .send('bo qua')
    .assertReply(() => undefined)
    .send('co')
    .assertReply(onFiled);
}
