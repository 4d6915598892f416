import { MemoryStorage, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { createBot, type BotBuild } from '../../src/bot/factory';
import { trustAdapter } from '../../src/bot/channels';
import type { Account, Role } from '../../src/backoffice/types';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { OutboxStaffMailer } from '../../src/backoffice/staff-mailer';
import { importDemo } from './bot';
import { province } from './province';

export interface Person {
  adapter: TestAdapter;
  channelId: string;
  userId: string;
}

export interface StaffRig extends BotBuild {
  store: SqliteLedgerStore;
  /** A chat participant on a channel of their own (so answers and notifications reach the right one). */
  person(name: string): Person;
  /** An account linked to a person's chat identity through a real link code and the bot. */
  linked(name: string, role: Role, agency?: string): Promise<{ person: Person; account: Account }>;
}

export async function staffRig(options: { demo?: boolean; now: number; /** Staff e-mail on, queued in the outbox of the rig's file. */ staffEmail?: boolean }): Promise<StaffRig> {
  const store = new SqliteLedgerStore(':memory:');
  if (options.demo) await importDemo(store);
  let clock = options.now;
  const stores = sqliteStores(store);
  const staffMailer = options.staffEmail ? new OutboxStaffMailer({ queue: stores.channels, enabled: new Set(['email']), now: () => clock }) : undefined;
  const build = await createBot({ data: province(), stores, storage: new MemoryStorage(), now: () => clock, ...(staffMailer ? { staffMailer } : {}) });
  const person = (name: string): Person => {
    const channelId = `chat-${name}`;
    const adapter = new TestAdapter(async (context) => build.bot.run(context), {
      channelId,
      from: { id: `u-${name}`, name },
      recipient: { id: 'bot', name: 'bot' },
      conversation: { id: `conv-${name}`, isGroup: false, name: '', conversationType: 'personal' },
    } as Partial<Activity>);
    // The rig's chat stands for a channel whose sender the server verified (as the portal's Direct Line does).
    trustAdapter(adapter, 'directline');
    // TestAdapter has no proactive messages: a turn context on it is enough (replies land in its queue).
    build.staff?.chat?.attach(channelId, {
      continueConversation: async (reference, logic) => {
        const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
        await logic(new TurnContext(adapter, activity));
      },
    });
    return { adapter, channelId, userId: `u-${name}` };
  };
  return {
    ...build,
    store,
    person,
    async linked(name, role, agency) {
      const backoffice = build.staff?.backoffice;
      if (!backoffice) throw new Error('no back office');
      const account = await backoffice.createAccount({ name, role, ...(agency ? { agency } : {}) }, clock);
      const code = await backoffice.createLinkCode(account.id, clock, 15 * 60 * 1000);
      const p = person(name);
      await p.adapter.send(`liên kết ${code}`).assertReply((a) => expect(a.text).toMatch(/^Đã liên kết tài khoản/)).startTest();
      return { person: p, account };
    },
    ...{ tick: (ms: number) => (clock += ms) },
  } as StaffRig;
}
