import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../../src/http/server';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { province } from '../../helpers/province';
import { metricsText, withMetricsToken } from '../../helpers/channels';
import { activitiesAfter, EchoBot, message, postActivity, startConversation } from './helpers';

const running: RunningServer[] = [];

function tempDb(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-portal-')), 'hoidap.sqlite');
}

afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

describe('startServer with the portal channel', () => {
  test('hoidap’s own bot greets in Vietnamese and answers a procedure question through the portal; /metrics counts the turn', async () => {
    const server = await withMetricsToken(() => startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: tempDb() }));
    running.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/`)).text()).toContain('Hỏi - Đáp');
    const c = await startConversation(base);
    await postActivity(base, c.conversationId, c.token, message('thu tuc dang ky khai tu o dau'));
    // Without access to the drain here, poll until the replies are there (bounded by the count, not the clock).
    let texts: Array<string | undefined> = [];
    for (let i = 0; i < 1000 && texts.length < 4; i += 1) {
      texts = (await activitiesAfter(base, c)).activities.map((a) => a.text);
      if (texts.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(texts[0]).toMatch(/^Xin chào!/);
    expect(texts[1]).toBe('thu tuc dang ky khai tu o dau');
    expect(texts[2]).toMatch(/^\[Đăng ký khai tử\]/);
    expect(texts[3]).toMatch(/^Thông tin này có giúp ích/);
    const metrics = await metricsText(base);
    expect(metrics).toMatch(/hoidap_bot_turns_total\{channel="directline"\} 1/);
  });

  test('close() (what SIGTERM runs) lets the turn in flight finish and store its reply before the database closes', async () => {
    const file = tempDb();
    const bot = new EchoBot();
    const server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation: file, bot });
    const base = `http://127.0.0.1:${server.port}`;
    const c = await startConversation(base);
    const hold = bot.holdNextWait();
    expect((await postActivity(base, c.conversationId, c.token, message('wait'))).status).toBe(200);
    await hold.started;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    hold.release();
    await closing;
    await server.closed;

    const reopened = new SqliteLedgerStore(file);
    const rows = reopened.db.prepare('SELECT activity FROM dl_activities WHERE conversation_id = ? ORDER BY seq').all(c.conversationId) as Array<{ activity: string }>;
    await reopened.close();
    expect(rows.map((r) => (JSON.parse(r.activity) as { text?: string }).text)).toEqual(['Xin chào! Mời bạn đặt câu hỏi.', 'wait', 'Echo: wait']);
  });
});
