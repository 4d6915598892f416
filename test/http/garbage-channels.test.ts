/**
 * Issue 12: "through /api/messages, Direct Line and the webhooks: 1,000 garbage messages in a row file
 * nothing". The real server on loopback with hoidap's own bot; Zalo and Messenger point at local fakes,
 * /api/messages at a local fake connector (Emulator mode). The garbage is seeded (test/helpers/garbage.ts).
 */
import Database from 'better-sqlite3';
import express from 'express';
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server';
import { startGraphFake, type GraphFake } from '../fakes/graph-fake';
import { startZaloFake, type ZaloFake } from '../fakes/zalo-fake';
import { channelsConfig, eventually, postMessenger, postZalo, zaloText } from '../helpers/channels';
import { garbageMessages } from '../helpers/garbage';
import { province } from '../helpers/province';

const N = Number(process.env.GARBAGE_N ?? 1000);
/** The bot's request to write the question, in either language. */
const ASKS_TO_WRITE = /chưa đọc được câu hỏi|could not read a question/;
/** Replies that would mean a garbage message went on towards filing. */
const FILING_STEP = /họ và tên|full name|số điện thoại hoặc email|phone number|Xin xác nhận lại|Đã gửi câu hỏi|Mã câu hỏi/;

let server: RunningServer;
let base: string;
let dbFile: string;
let zalo: ZaloFake;
let graph: GraphFake;
let connector: Server;
let serviceUrl: string;
const connectorTexts = new Map<string, string[]>();

beforeAll(async () => {
  process.env.HOIDAP_BOTFRAMEWORK_OPEN = '1';
  zalo = await startZaloFake();
  graph = await startGraphFake();
  const app = express();
  app.use(express.json());
  app.post('/v3/conversations/:id/activities{/:replyTo}', (req, res) => {
    const id = String(req.params.id);
    // Typing indicators go to the connector too: only messages are replies.
    if ((req.body as { type?: string }).type !== 'message') {
      res.json({ id: `t-${Math.random()}` });
      return;
    }
    connectorTexts.set(id, [...(connectorTexts.get(id) ?? []), String((req.body as { text?: string }).text ?? '')]);
    res.json({ id: `r-${Math.random()}` });
  });
  connector = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  serviceUrl = `http://127.0.0.1:${(connector.address() as { port: number }).port}`;
  dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-garbage-')), 'hoidap.sqlite');
  server = await startServer({
    data: province(),
    port: 0,
    host: '127.0.0.1',
    dbLocation: dbFile,
    channels: channelsConfig(zalo, graph),
    // One client sends 1,000 messages in a row: the per-address limits are not what this test is about.
    portalLimits: { postActivity: { burst: 5 * N, perMinute: 100 * N }, readActivities: { burst: 5 * N, perMinute: 100 * N } },
    messaging: { processor: { pollMs: 10 }, dispatcher: { pollMs: 10, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
  });
  base = `http://127.0.0.1:${server.port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await zalo?.close();
  await graph?.close();
  await new Promise((resolve) => connector?.close(resolve));
  delete process.env.HOIDAP_BOTFRAMEWORK_OPEN;
});

/** Questions in the ledger and questions held for an editor: both would be "filed". */
function filed(): { questions: number; held: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return { questions: one('SELECT count(*) AS n FROM questions'), held: one('SELECT count(*) AS n FROM held_questions') };
  } finally {
    db.close();
  }
}

/**
 * What the bot may answer garbage: the request to write the question; the menu (a scrap that is a chat command: "hi",
 * "ok", "k"); a knowledge-base entry, "did it help?" and then "Có/Không?" (a two- or three-letter scrap that is an
 * abbreviation of a procedure: "ks", "id", "mst"); "what is still unclear?" after a "k"; "glad it helped" after an "ok".
 */
const HARMLESS = [ASKS_TO_WRITE, /^(Xin chào!|Hello!)/, /^\[/, /có giúp ích|Did this help/, /"Có" hoặc "Không"|"Yes" or "No"/, /Bạn còn vướng mắc|What is still unclear/, /Rất vui|Glad|Không có gì|You are welcome/, /^Đã hủy|^Cancelled/, /Gõ "hủy"|Type "cancel"/];

function check(replies: string[] | undefined, what: string): void {
  const all = replies ?? [];
  expect(all.filter((r) => FILING_STEP.test(r))).toEqual([]);
  expect(all.filter((r) => !HARMLESS.some((h) => h.test(r))).map((r) => r.slice(0, 80))).toEqual([]);
  const asked = all.filter((r) => ASKS_TO_WRITE.test(r)).length;
  if (process.env.GARBAGE_DEBUG) console.log(what, `${asked} of ${all.length} replies ask to write the question`);
  // Most garbage is told to write the question; the rest is the scraps above and the prompts that follow them.
  expect({ what, mostAsked: asked >= all.length * 0.6 }).toEqual({ what, mostAsked: true });
}

test('Direct Line (the portal): 1,000 garbage messages in a row file nothing', async () => {
  const started = (await (await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { conversationId: string; token: string };
  const auth = { authorization: `Bearer ${started.token}` };
  for (const text of garbageMessages(N, 1)) {
    const res = await fetch(`${base}/v3/directline/conversations/${started.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ type: 'message', from: { id: 'ignored' }, text, locale: 'vi-VN' }),
    });
    expect(res.status).toBe(200);
  }
  const botReplies = async (): Promise<string[]> => {
    const out: string[] = [];
    let watermark = '';
    for (;;) {
      const page = (await (await fetch(`${base}/v3/directline/conversations/${started.conversationId}/activities?watermark=${watermark}`, { headers: auth })).json()) as {
        activities: Array<{ type: string; text?: string; from: { role?: string; id: string } }>;
        watermark: string;
      };
      const mine = page.activities.filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text ?? '');
      out.push(...mine);
      if (page.activities.length === 0 || page.watermark === watermark) return out;
      watermark = page.watermark;
    }
  };
  const replies = await eventually(async () => {
    const r = await botReplies();
    return r.length >= N ? r : undefined;
  }, 'a reply to each message', 6000);
  check(replies, 'directline');
  expect(filed()).toEqual({ questions: 0, held: 0 });
}, 300_000);

test('Zalo and Messenger webhooks: 1,000 garbage messages each, in a row from one user, file nothing', async () => {
  const zaloUser = '614249482399';
  let i = 0;
  for (const text of garbageMessages(N, 2)) {
    const res = await postZalo(base, zalo.appId, zaloText(zalo.appId, zaloUser, text, `gz-${(i += 1)}`, String(Date.now())));
    expect(res.status).toBe(200);
  }
  const psid = '7712004598123456';
  i = 0;
  for (const text of garbageMessages(N, 3)) {
    const t = Date.now() + (i += 1);
    const res = await postMessenger(base, { object: 'page', entry: [{ id: 'PAGE', time: t, messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: t, message: { mid: `gf-${i}`, text } }] }] });
    expect(res.status).toBe(200);
  }
  const zaloReplies = await eventually(() => {
    const r = zalo.sent.filter((m) => m.userId === zaloUser).map((m) => m.text);
    return r.length >= N ? r : undefined;
  }, 'a Zalo reply to each message', 30_000);
  const graphReplies = await eventually(() => {
    const r = graph.sent.filter((m) => m.psid === psid).map((m) => m.text);
    return r.length >= N ? r : undefined;
  }, 'a Messenger reply to each message', 30_000);
  check(zaloReplies, 'zalo');
  check(graphReplies, 'facebook');
  expect(filed()).toEqual({ questions: 0, held: 0 });
}, 600_000);

test('/api/messages (Bot Framework, Emulator mode): 1,000 garbage messages in a row file nothing', async () => {
  let i = 0;
  for (const text of garbageMessages(N, 4)) {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `bf-${(i += 1)}`,
        text,
        channelId: 'emulator',
        serviceUrl,
        from: { id: 'bf-user', name: 'User' },
        recipient: { id: 'bot', name: 'hoidap' },
        conversation: { id: 'bf-garbage' },
        timestamp: new Date().toISOString(),
      }),
    });
    expect(res.status).toBeLessThan(300);
  }
  const replies = await eventually(() => {
    const r = connectorTexts.get('bf-garbage') ?? [];
    return r.length >= N ? r : undefined;
  }, 'a connector reply to each message', 6000);
  check(replies, 'botframework');
  expect(filed()).toEqual({ questions: 0, held: 0 });
}, 300_000);
