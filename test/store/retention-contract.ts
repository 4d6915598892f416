import type { Retention } from '../../src/app/ports';
import { RetentionJob } from '../../src/jobs/retention';
import type { RetentionPolicy } from '../../src/jobs/retention-policy';
import { instant } from '../helpers/province';
import type { StoreHarness } from './harness';

const DAY = 86_400_000;
const NOW = instant('2026-11-30T10:00:00+07:00');
const POLICY: RetentionPolicy = { checkEveryMinutes: 60, webhookEventsDays: 30, sentMessagesDays: 30, portalConversationsDays: 90, abandonedDialogsDays: 30, batchSize: 10 };
const ago = (days: number) => NOW - days * DAY;

/** Retention of old channel traffic: every adapter passes this (rows written with SQL both databases read alike). */
export function retentionContract<L>(name: string, open: () => Promise<StoreHarness<L>>, retention: (ledger: L) => Retention): void {
  let db: StoreHarness<L>;
  let store: Retention;
  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = retention(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    const inboxEvent = (key: string, receivedAt: number, status: string) =>
      db.rows(
        `INSERT INTO inbox (channel, dedupe_key, user_key, kind, payload, received_ms, status) VALUES ('zalo', '${key}', 'zalo:1', 'message', '{"text":"Số điện thoại của tôi là 0912345678"}', ${receivedAt}, '${status}')`,
      );
    const outboxMessage = (recipient: string, createdAt: number, status: string) =>
      db.rows(`INSERT INTO outbox (channel, recipient, payload, created_ms, next_attempt_ms, status) VALUES ('zalo', '${recipient}', '{"text":"Xin chào"}', ${createdAt}, ${createdAt}, '${status}')`);
    const portalConversation = async (id: string, lastAt: number) => {
      await db.rows(`INSERT INTO dl_conversations (id, token_hash, user_id, created_ms, expires_ms, last_ms) VALUES ('${id}', 'h', 'u', ${lastAt}, ${lastAt + 1_800_000}, ${lastAt})`);
      await db.rows(`INSERT INTO dl_activities (conversation_id, seq, activity) VALUES ('${id}', 1, '{"text":"tôi tên Nguyễn Văn An"}'), ('${id}', 2, '{"text":"0912345678"}')`);
    };
    const botState = (key: string, updatedAt: number) => db.rows(`INSERT INTO bot_state (key, etag, value, updated_ms) VALUES ('${key}', 'e', '{}', ${updatedAt})`);
    const column = async (sql: string) => (await db.rows(sql)).map((r) => Object.values(r)[0]);
    const run = (on: Retention = store) => new RetentionJob({ store: on, policy: POLICY }).runOnce(NOW);

    describe(`retention of old channel traffic`, () => {
      test('each kind past its own limit goes; recent, unfinished and awaiting-admin items stay; the ledger is untouched', async () => {
        await inboxEvent('old-done', ago(31), 'done');
        await inboxEvent('old-ignored', ago(45), 'ignored');
        await inboxEvent('old-pending', ago(40), 'pending');
        await inboxEvent('old-failed', ago(40), 'failed');
        await inboxEvent('recent-done', ago(29), 'done');
        await inboxEvent('purged-last-year', ago(400), 'purged');
        for (const [recipient, days, status] of [['old-sent', 31, 'sent'], ['old-expired', 60, 'expired'], ['old-dead', 60, 'dead'], ['old-unknown', 60, 'unknown'], ['old-pending', 60, 'pending'], ['recent-sent', 2, 'sent']] as const)
          await outboxMessage(recipient, ago(days), status);
        await portalConversation('c-old', ago(91));
        await portalConversation('c-recent', ago(89));
        await botState('zalo/conversations/7001/DialogState', ago(31));
        await botState('directline/conversations/c-x/DialogState', ago(31));
        await botState('zalo/users/7001/profile', ago(400));
        await botState('zalo/conversations/7002/DialogState', ago(3));
        // Portal identities go once expired, whatever their age; a live one stays however old.
        for (const [id, expiresAt] of [['i-expired', ago(1)], ['i-long-expired', ago(300)], ['i-live', NOW + DAY], ['i-old-live', NOW + 1]] as const)
          await db.rows(`INSERT INTO portal_identities (id, secret_hash, created_ms, expires_ms, last_ms) VALUES ('${id}', 'h', ${ago(400)}, ${expiresAt}, ${ago(2)})`);
        const eventsBefore = await column('SELECT count(*) FROM events');

        expect(await run()).toEqual({ webhookEvents: 2, sentMessages: 2, portalConversations: 1, abandonedDialogs: 2, expiredIdentities: 2 });
        expect(await column("SELECT dedupe_key FROM inbox WHERE status != 'purged' ORDER BY id")).toEqual(['old-pending', 'old-failed', 'recent-done']);
        // The handled events' ids stay a year (a replay is still a duplicate); their payloads, the citizens' messages, are gone.
        expect(await column("SELECT dedupe_key || ' ' || payload || ' ' || user_key FROM inbox WHERE status = 'purged' ORDER BY id")).toEqual(['old-done {} ', 'old-ignored {} ']);
        expect(await column('SELECT recipient FROM outbox ORDER BY id')).toEqual(['old-dead', 'old-unknown', 'old-pending', 'recent-sent']);
        expect(await column('SELECT id FROM dl_conversations')).toEqual(['c-recent']);
        expect(await column('SELECT DISTINCT conversation_id FROM dl_activities')).toEqual(['c-recent']);
        // The citizen's profile (language, ticket list) stays; only half-finished dialogs go.
        expect(await column('SELECT key FROM bot_state ORDER BY key')).toEqual(['zalo/conversations/7002/DialogState', 'zalo/users/7001/profile']);
        expect(await column('SELECT count(*) FROM events')).toEqual(eventsBefore);
        expect(await column('SELECT id FROM portal_identities ORDER BY id')).toEqual(['i-live', 'i-old-live']);

        // A second run finds nothing more.
        expect(await run()).toEqual({ webhookEvents: 0, sentMessages: 0, portalConversations: 0, abandonedDialogs: 0, expiredIdentities: 0 });
      });

      test('many old rows go in several batches within one run', async () => {
        for (let i = 0; i < 95; i += 1) await inboxEvent(`old-${i}`, ago(31) - i, 'done');
        await inboxEvent('recent', ago(1), 'done');
        expect((await run()).webhookEvents).toBe(95);
        expect(await column("SELECT dedupe_key FROM inbox WHERE status != 'purged'")).toEqual(['recent']);
      });

      test('two instances running it at once purge each row once', async () => {
        for (let i = 0; i < 45; i += 1) await outboxMessage(`sent-${i}`, ago(31) - i, 'sent');
        for (let i = 0; i < 25; i += 1) await portalConversation(`c-${i}`, ago(91) - i);
        const other = retention(await db.another());
        const [a, b] = await Promise.all([run(), run(other)]);
        expect(a.sentMessages + b.sentMessages).toBe(45);
        expect(a.portalConversations + b.portalConversations).toBe(25);
        expect(await column('SELECT count(*) FROM outbox')).toEqual([0]);
        expect(await column('SELECT count(*) FROM dl_activities')).toEqual([0]);
      });
    });
  });
}
