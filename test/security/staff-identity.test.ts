import Database from 'better-sqlite3';
import { channelsConfig, eventually, zaloText, postZalo } from '../helpers/channels';
import { province } from '../helpers/province';
import { botFrameworkActivity, postBotFramework, startLocal, withEnv, type LocalServer, channelFakes } from './helpers';

/**
 * Finding 2: the staff identity was taken from the activity. Through /api/messages, an activity
 * with channelId "zalo" and a linked admin's Zalo user id read that admin's inbox (citizens'
 * names and phones) and recorded "tiếp nhận HD-..." as the admin. Now a staff identity comes
 * only from a channel whose sender the server verified itself (signed Zalo/Messenger webhooks,
 * Direct Line tokens it issued); even with the endpoint open to the Emulator, the claim is a
 * citizen's words.
 */
let local: LocalServer;
const ADMIN_ZALO_ID = '8412345678901234567';
const Q = 'HD-2026-000001';

const fakes = channelFakes();

test('an activity on /api/messages claiming channelId "zalo" and an admin’s Zalo id is a citizen: no inbox, no ledger action', async () => {
  await withEnv({ HOIDAP_BOTFRAMEWORK_OPEN: '1' }, async () => {
    local = await startLocal({
      data: province(),
      channels: channelsConfig(fakes.zalo, fakes.graph),
      messaging: { processor: { pollMs: 20 }, dispatcher: { pollMs: 20, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, ratePerSecond: {} } },
    });
    try {
      const { store: accounts, workflow } = local.server.backoffice!;
      const at = province().clock.format(Date.now());
      await workflow.ledger.record({ q: Q, type: 'submitted', at, channel: 'portal', text: 'Xin hỏi thủ tục cấp giấy phép xây dựng', asker: { name: 'Nguyễn Thị Bình', contact: '0987654321' } });
      await workflow.ledger.record({ q: Q, type: 'assigned', at, agency: 'x-xuanquang', by: 'bot' });
      const admin = await accounts.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
      const code = await accounts.createLinkCode(admin.id, Date.now(), 3_600_000);

      // The admin links their real Zalo account: a signed webhook event.
      expect((await postZalo(local.base, fakes.zalo.appId, zaloText(fakes.zalo.appId, ADMIN_ZALO_ID, `liên kết ${code}`))).status).toBe(200);
      await eventually(async () => (await accounts.identitiesOf(admin.id)).length === 1, 'the Zalo identity linked');
      expect((await accounts.identitiesOf(admin.id)).map((i) => [i.channel, i.userId])).toEqual([['zalo', ADMIN_ZALO_ID]]);

      // The attacker claims to be that Zalo user on the Bot Framework endpoint.
      const inbox = await postBotFramework(local.base, botFrameworkActivity({ text: 'câu hỏi mới', channelId: 'zalo', fromId: ADMIN_ZALO_ID }));
      expect(inbox.status).toBe(200);
      expect(inbox.texts.join('\n')).not.toContain(Q);
      expect(inbox.texts.join('\n')).not.toContain('0987654321');
      const accept = await postBotFramework(local.base, botFrameworkActivity({ text: `tiếp nhận ${Q}`, channelId: 'zalo', fromId: ADMIN_ZALO_ID }));
      expect(accept.texts.join('\n')).not.toMatch(/Đã tiếp nhận/);
      expect((await workflow.ledger.store.questionEvents(Q)).map((e) => e.type)).toEqual(['submitted', 'assigned']);
      // Nor can the claim link another identity: "liên kết" is refused on this channel, the code not even looked at.
      const code2 = await accounts.createLinkCode(admin.id, Date.now(), 3_600_000);
      const link = await postBotFramework(local.base, botFrameworkActivity({ text: `liên kết ${code2}`, channelId: 'directline', fromId: 'u-attacker' }));
      expect(link.texts.join('\n')).toMatch(/Không thể liên kết tài khoản cán bộ qua kênh này/);
      expect(await accounts.identitiesOf(admin.id)).toHaveLength(1);

      // The real admin, on the real (signed) Zalo channel, still gets the inbox.
      const before = fakes.zalo.sent.length;
      expect((await postZalo(local.base, fakes.zalo.appId, zaloText(fakes.zalo.appId, ADMIN_ZALO_ID, 'câu hỏi mới'))).status).toBe(200);
      const reply = await eventually(() => fakes.zalo.sent.slice(before).find((m) => m.userId === ADMIN_ZALO_ID), 'the admin’s inbox on Zalo');
      expect(reply?.text).toContain(Q);

      // Only the one identity the signed webhook linked exists.
      const db = new Database(local.dbFile, { readonly: true });
      try {
        expect(db.prepare('SELECT channel, user_id FROM chat_identities').all()).toEqual([{ channel: 'zalo', user_id: ADMIN_ZALO_ID }]);
      } finally {
        db.close();
      }
    } finally {
      await local.close();
    }
  });
});
