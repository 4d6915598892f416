import express from 'express';
import type { Server } from 'node:http';
import { serviceUrlAllowed, ServiceUrlPolicySchema } from '../../src/http/botframework';
import { eventually } from '../helpers/channels';
import { botFrameworkActivity, dataWith, postBotFramework, startLocal, withEnv } from './helpers';

/**
 * Finding 5 (SSRF): the bot POSTed its replies to whatever serviceUrl the activity named.
 * Now an activity whose serviceUrl is outside data/botframework.json is refused before the
 * bot runs: nothing is ever sent there. The fake connector stands for an internal service
 * the attacker wants the server to call; only "localhost" is allowed in this test's policy,
 * and the fake is reached as 127.0.0.1 (refused) and as localhost (the control).
 */
test('a reply is never POSTed to a serviceUrl outside the allowed list', async () => {
  const received: string[] = [];
  const target = express();
  target.use(express.json());
  target.post('/{*rest}', (req, res) => {
    received.push(req.path);
    res.json({ id: `r-${received.length}` });
  });
  const fake: Server = await new Promise((resolve) => {
    const s = target.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (fake.address() as { port: number }).port;
  await withEnv({ HOIDAP_BOTFRAMEWORK_OPEN: '1' }, async () => {
    const local = await startLocal({ data: dataWith({ botframework: { emulatorServiceUrls: ['http://localhost:*'] } }) });
    try {
      for (const serviceUrl of [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port}/latest/meta-data/`, `http://user:pw@localhost:${port}`, 'file:///etc/passwd', 'not a url']) {
        const res = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào', serviceUrl, expectReplies: false }));
        expect({ serviceUrl, status: res.status }).toEqual({ serviceUrl, status: 400 });
      }
      // The control, on an allowed serviceUrl: the replies arrive (so the refusals above were not a broken fake).
      const allowed = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào', serviceUrl: `http://localhost:${port}`, expectReplies: false }));
      expect(allowed.status).toBeLessThan(300);
      await eventually(() => received.length > 0, 'a reply at the allowed serviceUrl');
      // Every request the fake saw came from the allowed one (conversation ids are per activity).
      expect(received.every((p) => p.startsWith('/v3/conversations/'))).toBe(true);
    } finally {
      await local.close();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

test('the allow-list patterns: exact hosts, "*." subdomains, ports', () => {
  const azure = ['https://smba.trafficmanager.net', 'https://*.botframework.com'];
  expect(serviceUrlAllowed('https://smba.trafficmanager.net/apac/', azure)).toBe(true);
  expect(serviceUrlAllowed('https://europe.webchat.botframework.com/', azure)).toBe(true);
  expect(serviceUrlAllowed('https://botframework.com.evil.example/', azure)).toBe(false);
  expect(serviceUrlAllowed('https://evilbotframework.com/', azure)).toBe(false);
  expect(serviceUrlAllowed('http://smba.trafficmanager.net/', azure)).toBe(false);
  expect(serviceUrlAllowed('https://smba.trafficmanager.net:8443/', azure)).toBe(false);
  expect(serviceUrlAllowed('http://localhost:3978', ['http://localhost:*'])).toBe(true);
  expect(serviceUrlAllowed('http://[::1]:3978/', ['http://[::1]:*'])).toBe(true);
  expect(serviceUrlAllowed(42, azure)).toBe(false);
  expect(ServiceUrlPolicySchema.safeParse({ serviceUrls: ['https://*'], emulatorServiceUrls: [] }).success).toBe(false);
});

test('a mistake in data/botframework.json stops the start, naming the file and the entry', async () => {
  const data = (() => {
    try {
      return dataWith({ botframework: { serviceUrls: ['https://smba.trafficmanager.net', 'ftp://files.example'] } });
    } catch (err) {
      return err as Error;
    }
  })();
  expect(data).not.toBeInstanceOf(Error);
  await expect(startLocal({ data: data as Exclude<typeof data, Error> })).rejects.toThrow(/botframework\.json: serviceUrls\[1\]: must be scheme:\/\/host/);
});
