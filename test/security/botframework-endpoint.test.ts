import { province } from '../helpers/province';
import { botFrameworkActivity, postBotFramework, startLocal, withEnv } from './helpers';

/**
 * Finding 1: POST /api/messages was open by default (no MicrosoftAppId): anyone could run the
 * bot with any channelId, from.id and `deliveryMode: "expectReplies"`, e.g. to guess link
 * codes at 600 a second. Now it exists only with an app id (Bot Connector tokens checked) or
 * in local Emulator mode (HOIDAP_BOTFRAMEWORK_OPEN=1), and then answers loopback callers only.
 */
describe('the Bot Framework endpoint', () => {
  test('with no MicrosoftAppId it is not there: 404, the bot never runs, nothing is linked', async () => {
    const local = await startLocal({ data: province() });
    try {
      const account = await local.server.backoffice!.store.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
      const code = await local.server.backoffice!.store.createLinkCode(account.id, Date.now(), 3_600_000);
      for (const text of [`liên kết ${code}`, 'xin chào', 'Gửi câu hỏi']) {
        const res = await postBotFramework(local.base, botFrameworkActivity({ text, channelId: 'zalo', fromId: 'zalo-attacker' }));
        expect(res).toEqual({ status: 404, texts: [] });
      }
      expect(await local.server.backoffice!.store.identitiesOf(account.id)).toEqual([]);
    } finally {
      await local.close();
    }
  });

  test('in local Emulator mode it answers loopback callers only: a request that came through a proxy is refused', async () => {
    await withEnv({ HOIDAP_BOTFRAMEWORK_OPEN: '1' }, async () => {
      const local = await startLocal({ data: province() });
      try {
        const direct = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào' }));
        expect(direct.status).toBe(200);
        expect(direct.texts.length).toBeGreaterThan(0);
        // A reverse proxy on the same machine makes every caller's socket look local; its header gives it away.
        const proxied = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào' }), { 'x-forwarded-for': '203.0.113.7' });
        expect(proxied).toEqual({ status: 403, texts: [] });
      } finally {
        await local.close();
      }
    });
  });

  test('with a MicrosoftAppId, a request without the Bot Connector’s signed token is refused', async () => {
    await withEnv({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' }, async () => {
      const local = await startLocal({ data: province() });
      try {
        const res = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào', serviceUrl: 'https://smba.trafficmanager.net/apac/' }));
        expect(res.status).toBe(401);
        expect(res.texts).toEqual([]);
      } finally {
        await local.close();
      }
    });
  });
});
