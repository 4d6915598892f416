import express from 'express';
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server';
import { eventually } from '../helpers/channels';
import { province } from '../helpers/province';

/**
 * The standard Bot Framework endpoint, as the Bot Framework Emulator uses it: the
 * activity comes in on POST /api/messages, the replies go to the serviceUrl's
 * connector API (here a local fake connector). Without an app id the endpoint exists only
 * in local Emulator mode (HOIDAP_BOTFRAMEWORK_OPEN=1).
 */
beforeEach(() => {
  process.env.HOIDAP_BOTFRAMEWORK_OPEN = '1';
});
afterEach(() => {
  delete process.env.HOIDAP_BOTFRAMEWORK_OPEN;
});

test('POST /api/messages runs hoidap’s bot through the CloudAdapter and replies through the connector', async () => {
  const received: Array<{ path: string; body: { text?: string; type?: string } }> = [];
  const connector = express();
  connector.use(express.json());
  connector.post('/v3/conversations/:id/activities{/:replyTo}', (req, res) => {
    received.push({ path: req.path, body: req.body });
    res.json({ id: `reply-${received.length}` });
  });
  const fake: Server = await new Promise((resolve) => {
    const s = connector.listen(0, '127.0.0.1', () => resolve(s));
  });
  const serviceUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  const dbLocation = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-bf-')), 'hoidap.sqlite');
  let server: RunningServer | undefined;
  try {
    server = await startServer({ data: province(), port: 0, host: '127.0.0.1', dbLocation });
    const res = await fetch(`http://127.0.0.1:${server.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'act-1',
        text: 'thu tuc dang ky khai tu',
        channelId: 'emulator',
        serviceUrl,
        from: { id: 'user-1', name: 'User' },
        recipient: { id: 'bot', name: 'hoidap' },
        conversation: { id: 'conv-1' },
        timestamp: new Date().toISOString(),
      }),
    });
    expect(res.status).toBeLessThan(300);
    await eventually(() => received.length >= 2, 'the bot’s replies at the connector');
    expect(received[0].path).toBe('/v3/conversations/conv-1/activities/act-1');
    expect(received[0].body.text).toMatch(/^\[Đăng ký khai tử\]/);
    expect(received[1].body.text).toMatch(/^Thông tin này có giúp ích/);
  } finally {
    await server?.close();
    await new Promise((resolve) => fake.close(resolve));
  }
});
