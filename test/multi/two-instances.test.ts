import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../src/config/paths';
import { parsePostgresLocation } from '../../src/store/postgres';
import { startGraphFake, type GraphFake } from '../fakes/graph-fake';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';
import { eventually, FB_APP_SECRET, FB_VERIFY_TOKEN, postMessenger, postZalo, zaloServeEnv, zaloText } from '../helpers/channels';
import { hoidap } from '../helpers/cli';
import { dataCopy } from '../helpers/data-copy';
import { freePort } from '../helpers/ports';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';

/**
 * Two `hoidap serve` processes (bin/hoidap.js, so `npm run build` first) on one PostgreSQL schema, as
 * behind a load balancer: webhook events and a Direct Line conversation spread over both, the deadline
 * sweeper running in both, then one instance killed with SIGKILL in the middle of a burst and started
 * again. Every event is handled once, every reply sent once (a send cut off by the kill: once the admin
 * has settled it, as test/crash/ does), the conversation goes on whichever instance a message reaches,
 * and the editor's daily digest arrives once.
 */
const USERS = Number(process.env.MULTI_USERS ?? 240);
const KILL_AFTER = Math.round(USERS * 0.35);
const DIGEST = /^Câu hỏi quá hạn ngày /;

jest.setTimeout(300_000);

/** data/ with the sweeper's working hours all day long and today a working day, so its digest is due at every start. */
function sweeperDueToday(): string {
  const dir = dataCopy({});
  const remindersFile = path.join(dir, 'reminders.json');
  const reminders = JSON.parse(fs.readFileSync(remindersFile, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  reminders.workingHours = { start: '00:00', end: '23:59' };
  reminders.digest.at = '00:00';
  // A sweep at each start and none in between (the editor is created and linked between A's start and B's).
  reminders.checkEveryMinutes = 720;
  fs.writeFileSync(remindersFile, JSON.stringify(reminders));
  const local = new Date(Date.now() + 7 * 3_600_000);
  const today = local.toISOString().slice(0, 10);
  const holidaysFile = path.join(dir, 'holidays-vn.csv');
  const rows = fs.readFileSync(holidaysFile, 'utf8').trimEnd().split('\n').filter((row) => !row.startsWith(`${today},`));
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
  const wasOff = rows.length !== fs.readFileSync(holidaysFile, 'utf8').trimEnd().split('\n').length;
  if (weekend || wasOff) rows.push(`${today},workday,"Ngày làm việc (kiểm thử)",confirmed`);
  fs.writeFileSync(holidaysFile, `${rows.join('\n')}\n`);
  return dir;
}

interface Instance {
  child: ChildProcess;
  base: string;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A Direct Line client whose requests may go to either instance: the conversation and its token are the store's. */
class PortalClient {
  private watermark = '';
  private readonly seen: Array<{ id: string; type: string; text?: string; replyToId?: string }> = [];

  constructor(
    readonly conversationId: string,
    private readonly token: string,
  ) {}

  static async start(base: string): Promise<PortalClient> {
    const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { conversationId: string; token: string };
    return new PortalClient(body.conversationId, body.token);
  }

  /** Posts to one instance and polls the other (when given) until the bot's replies to this message stop coming. */
  async say(postTo: string, text: string, pollFrom = postTo): Promise<string> {
    const res = await fetch(`${postTo}/v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ type: 'message', from: { id: 'web-chat' }, text }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const replies = () => this.seen.filter((a) => a.replyToId === id && a.type === 'message');
    await eventually(async () => {
      await this.poll(pollFrom);
      return replies().length > 0;
    }, `a reply to "${text}"`, 1500);
    await new Promise((r) => setTimeout(r, 50));
    await this.poll(pollFrom);
    return replies()
      .map((a) => a.text ?? '')
      .join('\n');
  }

  private async poll(base: string): Promise<void> {
    const res = await fetch(`${base}/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, { headers: { authorization: `Bearer ${this.token}` } });
    const body = (await res.json()) as { activities: PortalClient['seen']; watermark: string };
    this.seen.push(...body.activities);
    this.watermark = body.watermark;
  }
}

test('two instances on one PostgreSQL schema: events handled once, replies sent once, a portal conversation across both, one digest, a SIGKILL loses nothing acknowledged', async () => {
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist/src/cli/main.js'))) throw new Error('run `npm run build` first: this test starts bin/hoidap.js');
  const { location, schema } = freshSchemaLocation();
  const dataDir = sweeperDueToday();
  const zalo = await startZaloFake();
  const graph = await startGraphFake();
  const instances: Instance[] = [];
  const db = new Client({ connectionString: parsePostgresLocation(location).connectionString, options: `-c search_path=${schema}` });

  const start = async (port: number): Promise<Instance> => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/hoidap.js'), 'serve'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...zaloServeEnv(zalo, { port, dbFile: location, logLevel: process.env.MULTI_LOG_LEVEL }),
        HOIDAP_HOST: '127.0.0.1',
        HOIDAP_DATA_DIR: dataDir,
        FB_APP_SECRET,
        FB_VERIFY_TOKEN,
        FB_PAGE_TOKEN: graph.pageToken,
        FB_GRAPH_BASE: graph.url,
        FB_API_VERSION: graph.apiVersion,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const instance = { child, base: `http://127.0.0.1:${port}` };
    instances.push(instance);
    // A start trains the router (seconds of CPU): on a busy machine that takes a while, so the wait is longer than waitReady's.
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`hoidap serve exited with ${child.exitCode}`);
      try {
        return (await fetch(`${instance.base}/readyz`)).ok;
      } catch {
        return false;
      }
    }, `instance on port ${port} to be ready`, 12_000);
    return instance;
  };

  try {
    // The installation: an admin; the ledger is empty, so A's sweep at its start has nothing to say to anyone.
    const admin = await hoidap(['account', 'create', '--db', location, '--name', 'Quản trị', '--role', 'admin']);
    const adminToken = /API token[^:]*: (\S+)/.exec(admin.stdout)?.[1] as string;
    await db.connect();
    const [portA, portB] = [await freePort(), await freePort()];

    let a = await start(portA);
    // Then the demo ledger (overdue questions for the digest) and an editor: a sweep claims an account's digest even
    // when it cannot reach it yet, so the editor is created only now.
    expect((await hoidap(['import', '--db', location, path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl')])).code).toBe(0);
    const editor = await hoidap(['account', 'create', '--db', location, '--name', 'Biên tập viên', '--role', 'editor']);
    const editorId = /^account (acc_[0-9a-f]+):/.exec(editor.stdout)?.[1] as string;
    const linkCode = /^link code for [^:]+: (\S+)$/m.exec((await hoidap(['account', 'link-code', '--db', location, '--id', editorId])).stdout)?.[1] as string;
    expect([editorId, linkCode].every(Boolean)).toBe(true);
    // The editor links their Zalo chat through instance A; the sweeper there found nobody to tell at its start.
    const editorZalo = '8100000000000000001';
    expect((await postZalo(a.base, zalo.appId, zaloText(zalo.appId, editorZalo, `liên kết ${linkCode}`, 'link-1'))).status).toBe(200);
    await eventually(() => zalo.sent.some((m) => m.userId === editorZalo), 'the link confirmed in Zalo', 1500);

    // B starts: its sweeper finds the digest due and sends it.
    const b = await start(portB);
    const digests = () => zalo.sent.filter((m) => m.userId === editorZalo && DIGEST.test(m.text));
    await eventually(() => digests().length > 0, "the editor's digest", 1500);

    // A portal citizen asks an agency, each message to the other instance: the dialog goes on across both.
    const portal = await PortalClient.start(a.base);
    expect(await portal.say(a.base, 'Gửi câu hỏi')).not.toBe('');
    const steps: Array<[string, Instance]> = [
      ['cho toi hoi gia dinh toi o thon Lang Chung xa Xuan Quang huyen Bao Thang muon xin giay phep xay dung nha o thi can nhung giay to gi', b],
      ['Nguyen Van An', a],
      ['0912345678', b],
      ['bo qua', a],
    ];
    const said: string[] = [];
    for (const [text, to] of steps) said.push(await portal.say(to.base, text, to === a ? b.base : a.base));
    expect(said[0]).toContain('họ và tên');
    const filed = await portal.say(b.base, 'co', a.base);
    const ticket = /Mã câu hỏi của bạn: (HD-\d{4}-\d{6})/.exec(filed)?.[1];
    expect(ticket).toBeDefined();

    // The burst: one user per event (each must get exactly one reply), Zalo and Messenger, over both instances.
    const events = Array.from({ length: USERS }, (_, i) =>
      i % 2 === 0
        ? { kind: 'zalo' as const, user: String(7_200_000_000 + i), body: zaloText(zalo.appId, String(7_200_000_000 + i), 'menu', `multi-${i}`) }
        : {
            kind: 'facebook' as const,
            user: `psid-${i}`,
            body: { object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging: [{ sender: { id: `psid-${i}` }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid: `m-multi-${i}`, text: 'menu' } }] }] },
          },
    );
    const acked = new Set<number>();
    let killed = false;
    const deliver = async (indexes: number[], pick: (i: number) => Instance) => {
      let k = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (k < indexes.length) {
            const i = indexes[k++];
            const { base } = pick(i);
            try {
              const e = events[i];
              const res = e.kind === 'zalo' ? await postZalo(base, zalo.appId, e.body) : await postMessenger(base, e.body);
              if (res.status === 200) acked.add(i);
            } catch {
              // That instance is down: the channel delivers it again later.
            }
            if (!killed && acked.size >= KILL_AFTER) {
              killed = true;
              a.child.kill('SIGKILL');
            }
          }
        }),
      );
    };
    await deliver(
      events.map((_, i) => i),
      (i) => (i % 3 === 0 ? b : a),
    );
    expect(killed).toBe(true);
    await exited(a.child);
    const ackedBeforeRestart = new Set(acked);
    expect(ackedBeforeRestart.size).toBeLessThan(USERS);

    // The portal conversation goes on at the survivor, A being dead.
    expect(await portal.say(b.base, 'menu')).not.toBe('');

    a = await start(portA);
    // The channels redeliver what was not acknowledged, and some acknowledged events twice, to either instance.
    await deliver(
      events.map((_, i) => i).filter((i) => !acked.has(i) || i % 40 === 0),
      (i) => (i % 2 === 0 ? a : b),
    );
    expect(acked.size).toBe(USERS);

    const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0].n);
    await eventually(
      async () => (await count("SELECT count(*) AS n FROM inbox WHERE status NOT IN ('done', 'ignored')")) === 0 && (await count("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')")) === 0,
      'every event handled and every reply sent or settled',
      6000,
    );
    // Each burst event stored and handled once (a redelivery is a duplicate).
    expect(await count("SELECT count(*) AS n FROM inbox WHERE dedupe_key LIKE '%multi-%'")).toBe(USERS);

    // Sends cut off by the kill are 'unknown': the admin looks in the OA's and the page's inboxes (the fakes) and settles each.
    const received = () => {
      const counts = new Map<string, number>();
      for (const m of zalo.sent) counts.set(m.userId, (counts.get(m.userId) ?? 0) + 1);
      for (const m of graph.sent) counts.set(m.psid, (counts.get(m.psid) ?? 0) + 1);
      return counts;
    };
    const listed = (await (await fetch(`${b.base}/api/v1/outbox/undelivered`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { items: Array<{ id: number; recipient: string; status: string }> };
    expect(listed.items.every((m) => m.status === 'unknown')).toBe(true);
    // Only sends in flight when A died can be unknown (each dispatcher sends at most 4 at once).
    expect(listed.items.length).toBeLessThanOrEqual(4);
    for (const m of listed.items) {
      const decision = received().has(m.recipient) ? 'delivered' : 'resend';
      expect((await fetch(`${a.base}/api/v1/outbox/${m.id}/${decision}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    }
    await eventually(async () => (await count("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending', 'unknown')")) === 0, 'the settled sends', 6000);

    const final = received();
    expect(events.filter((e) => final.get(e.user) !== 1).map((e) => `${e.user}: ${final.get(e.user) ?? 0}`)).toEqual([]);
    expect(digests()).toHaveLength(1);
    // The restarted A ran its sweeper at start too: the digest key was taken, nothing more went out.
    expect(await count(`SELECT count(*) AS n FROM notifications_sent WHERE key LIKE 'digest:%:${editorId}'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM questions WHERE q = '${ticket}'`)).toBe(1);
    expect(zalo.violations).toEqual([]);
    expect(graph.violations).toEqual([]);
  } finally {
    for (const { child } of instances) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await db.end().catch(() => undefined);
    await zalo.close();
    await graph.close();
    await dropSchema(schema);
  }
});
