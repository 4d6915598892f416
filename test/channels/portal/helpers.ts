import { ActivityHandler, TurnContext, type ConversationReference } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createPortal, PortalAdapter, SqliteDirectLineStore, type DirectLineLimits, type Portal } from '../../../src/channels/portal';
import type { DirectLineActivity } from '../../../src/channels/portal/store';
import { createApp } from '../../../src/http/app';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { sqliteStores } from '../../../src/store/open';
import { province } from '../../helpers/province';

/**
 * The small bot the channel tests talk to: greets, echoes, and has a few commands
 * ("many" sends three replies, "boom" throws, "wait" holds the turn until released).
 */
export class EchoBot extends ActivityHandler {
  active = 0;
  maxActive = 0;
  readonly references: Array<Partial<ConversationReference>> = [];
  private gate: { promise: Promise<void>; release: () => void; started: () => void } | undefined;

  constructor() {
    super();
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) await context.sendActivity('Xin chào! Mời bạn đặt câu hỏi.');
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      this.active += 1;
      this.maxActive = Math.max(this.maxActive, this.active);
      try {
        await this.respond(context);
      } finally {
        this.active -= 1;
      }
      await next();
    });
  }

  /** The next "wait" message blocks its turn until `release()`; `started` resolves when that turn begins. */
  holdNextWait(): { started: Promise<void>; release: () => void } {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release, started };
    return { started: startedPromise, release };
  }

  private async respond(context: TurnContext): Promise<void> {
    const text = context.activity.text ?? '';
    this.references.push(TurnContext.getConversationReference(context.activity));
    // Yield to the event loop so overlapping turns would show in maxActive.
    await new Promise((resolve) => setImmediate(resolve));
    if (text === 'boom') throw new Error('the bot exploded');
    if (text.startsWith('explode ')) throw new Error('the bot exploded again');
    if (text === 'many') {
      for (const n of [1, 2, 3]) await context.sendActivity(`Phần ${n}`);
      return;
    }
    if (text === 'wait' && this.gate) {
      const gate = this.gate;
      this.gate = undefined;
      gate.started();
      await gate.promise;
    }
    await context.sendActivity(`Echo: ${text}`);
  }
}

export interface TestServer {
  base: string;
  ledger: SqliteLedgerStore;
  store: SqliteDirectLineStore;
  adapter: PortalAdapter;
  portal: Portal;
  bot: EchoBot;
  clock: { now: number };
  close(): Promise<void>;
}

export async function startTestServer(options: { limits?: Partial<DirectLineLimits>; fakeClock?: boolean; identityTtlDays?: number } = {}): Promise<TestServer> {
  const ledger = new SqliteLedgerStore(':memory:');
  const store = new SqliteDirectLineStore(ledger.db);
  const clock = { now: Date.parse('2026-11-27T03:00:00.000Z') };
  const now = options.fakeClock ? () => clock.now : Date.now;
  const adapter = new PortalAdapter({ store, now });
  const bot = new EchoBot();
  const portal = createPortal({ store, adapter, bot, limits: options.limits, now, identityTtlDays: options.identityTtlDays });
  const app = createApp({ data: province(), stores: sqliteStores(ledger), portal });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    ledger,
    store,
    adapter,
    portal,
    bot,
    clock,
    async close() {
      await portal.drain();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger.close();
    },
  };
}

export interface Started {
  conversationId: string;
  token: string;
  expires_in: number;
  userId: string;
}

export const DL = '/v3/directline';

export async function startConversation(base: string): Promise<Started> {
  const res = await fetch(`${base}${DL}/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 201) throw new Error(`start conversation: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Started;
}

export function postActivity(base: string, conversationId: string, token: string | undefined, activity: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${DL}/conversations/${encodeURIComponent(conversationId)}/activities`, { method: 'POST', headers, body: JSON.stringify(activity) });
}

export function message(text: string, clientActivityID = `c-${Math.random().toString(36).slice(2)}`): Record<string, unknown> {
  return { type: 'message', text, from: { id: 'someone-else', name: 'Công dân', role: 'user' }, locale: 'vi-VN', channelData: { clientActivityID } };
}

export function getActivities(base: string, conversationId: string, token: string | undefined, watermark = ''): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${DL}/conversations/${encodeURIComponent(conversationId)}/activities?watermark=${watermark}`, { headers });
}

export async function activitiesAfter(base: string, c: Started, watermark = ''): Promise<{ activities: DirectLineActivity[]; watermark: string }> {
  const res = await getActivities(base, c.conversationId, c.token, watermark);
  if (res.status !== 200) throw new Error(`get activities: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { activities: DirectLineActivity[]; watermark: string };
}
