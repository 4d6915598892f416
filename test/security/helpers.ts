import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvinceData, type ProvinceData } from '../../src/config/data';
import { DEFAULT_DATA_DIR } from '../../src/config/paths';
import { startServer, type RunningServer, type ServerOptions } from '../../src/http/server';
import { startGraphFake, type GraphFake } from '../fakes/graph-fake';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';

/**
 * The security tests attack the real server as an attacker would: over HTTP, on loopback,
 * started as `npm start` starts it (startServer), with the policy files of data/ (or a copy of
 * them with the limits a test needs, so that loops stay short).
 */

/** A copy of data/ with `policy.json` entries replaced (shallow per top-level key). */
export function dataWith(patch: { policy?: Record<string, unknown>; botframework?: Record<string, unknown> }): ProvinceData {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-sec-data-'));
  fs.cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const edit = (file: string, changes: Record<string, unknown> | undefined) => {
    if (!changes) return;
    const full = path.join(dir, file);
    fs.writeFileSync(full, JSON.stringify({ ...(JSON.parse(fs.readFileSync(full, 'utf8')) as object), ...changes }, null, 2));
  };
  edit('policy.json', patch.policy);
  edit('botframework.json', patch.botframework);
  return loadProvinceData(dir);
}

export interface LocalServer {
  server: RunningServer;
  base: string;
  dbFile: string;
  close(): Promise<void>;
}

export function tempDb(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-sec-')), 'hoidap.sqlite');
}

/** The server on 127.0.0.1, an ephemeral port, its own SQLite file (no demo data unless HOIDAP_DEMO=1). */
export async function startLocal(options: Partial<ServerOptions> & { data: ProvinceData; dbFile?: string }): Promise<LocalServer> {
  const dbFile = options.dbFile ?? tempDb();
  const server = await startServer({ port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: { off: [] }, ...options });
  return { server, base: `http://127.0.0.1:${server.port}`, dbFile, close: () => server.close() };
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface DlActivity {
  id: string;
  type: string;
  text?: string;
  replyToId?: string;
  from: { id: string; role?: string };
}

/** A Web Chat-like Direct Line client: one conversation, its token, and the bot's replies by the message they answer. */
export class DirectLineClient {
  private watermark = '';
  readonly seen: DlActivity[] = [];

  private constructor(
    readonly base: string,
    readonly conversationId: string,
    private readonly token: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** `headers` go with every request (e.g. X-Forwarded-For, to come from another address through a trusted proxy). */
  static async start(base: string, headers: Record<string, string> = {}): Promise<DirectLineClient> {
    const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    if (res.status !== 201) throw new Error(`start conversation: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { conversationId: string; token: string };
    return new DirectLineClient(base, body.conversationId, body.token, headers);
  }

  /** Sends a message and returns the texts of the bot's replies to it (waits, by a bounded number of polls, for the first). */
  async say(text: string): Promise<string[]> {
    const res = await fetch(`${this.base}/v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}`, ...this.headers },
      body: JSON.stringify({ type: 'message', from: { id: 'ignored-by-the-server' }, text }),
    });
    if (res.status !== 200) throw new Error(`post activity: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    for (let i = 0; i < 500; i += 1) {
      await this.poll();
      const replies = this.seen.filter((a) => a.replyToId === id && a.type === 'message');
      // The turn has ended when the bot answered and a later poll brings nothing new for it.
      if (replies.length > 0) {
        await new Promise((r) => setTimeout(r, 30));
        await this.poll();
        return this.seen.filter((a) => a.replyToId === id && a.type === 'message').map((a) => a.text ?? '');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no reply to "${text}"`);
  }

  /** Every bot message so far (notifications included). */
  async botMessages(): Promise<string[]> {
    await this.poll();
    return this.seen.filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text ?? '');
  }

  private async poll(): Promise<void> {
    const res = await fetch(`${this.base}/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, {
      headers: { authorization: `Bearer ${this.token}`, ...this.headers },
    });
    const body = (await res.json()) as { activities: DlActivity[]; watermark: string };
    this.seen.push(...body.activities);
    this.watermark = body.watermark;
  }
}

/** The citizen's whole ask-an-agency dialog over Direct Line; returns the last reply (the ticket, or what happened instead). */
export async function askOverDirectLine(client: DirectLineClient, contact: string, name = 'Nguyen Van An'): Promise<string> {
  await client.say('Gửi câu hỏi');
  await client.say('cho toi hoi gia dinh toi o thon Lang Chung xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi');
  await client.say(name);
  await client.say(contact);
  await client.say('bo qua');
  return (await client.say('co')).join('\n');
}

/** A Bot Framework activity as the Emulator (or an attacker) posts it to /api/messages. */
export function botFrameworkActivity(fields: { text: string; channelId?: string; fromId?: string; serviceUrl?: string; conversationId?: string; expectReplies?: boolean; id?: string }) {
  return {
    type: 'message',
    id: fields.id ?? `act-${Math.random().toString(36).slice(2)}`,
    text: fields.text,
    channelId: fields.channelId ?? 'emulator',
    serviceUrl: fields.serviceUrl ?? 'http://127.0.0.1:9',
    from: { id: fields.fromId ?? 'attacker', name: 'x' },
    recipient: { id: 'bot', name: 'hoidap' },
    conversation: { id: fields.conversationId ?? `conv-${Math.random().toString(36).slice(2)}` },
    timestamp: new Date().toISOString(),
    ...(fields.expectReplies === false ? {} : { deliveryMode: 'expectReplies' }),
  };
}

export async function postBotFramework(base: string, activity: unknown, headers: Record<string, string> = {}): Promise<{ status: number; texts: string[] }> {
  const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const raw = await res.text();
  let texts: string[] = [];
  try {
    texts = ((JSON.parse(raw) as { activities?: Array<{ text?: string }> }).activities ?? []).map((a) => a.text ?? '');
  } catch {
    // not JSON: no replies
  }
  return { status: res.status, texts };
}

/** Local fakes of the Zalo and Graph APIs for the whole test file (started before, closed after). */
export function channelFakes(): { readonly zalo: ZaloFake; readonly graph: GraphFake } {
  const fakes = {} as { zalo: ZaloFake; graph: GraphFake };
  beforeAll(async () => {
    fakes.zalo = await startZaloFake();
    fakes.graph = await startGraphFake();
  });
  afterAll(async () => {
    await fakes.zalo.close();
    await fakes.graph.close();
  });
  return fakes;
}
