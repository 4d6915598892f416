import { activityId, hashToken, SqliteDirectLineStore, UnknownConversationError, type NewDirectLineActivity } from '../../../src/channels/portal/store';
import { SqliteLedgerStore } from '../../../src/store/sqlite';

function activity(conversationId: string, text: string): NewDirectLineActivity {
  return { type: 'message', text, timestamp: '2026-11-27T03:00:00.000Z', channelId: 'directline', conversation: { id: conversationId }, from: { id: 'u', role: 'user' } };
}

describe('SqliteDirectLineStore', () => {
  let ledger: SqliteLedgerStore;
  let store: SqliteDirectLineStore;

  beforeEach(() => {
    ledger = new SqliteLedgerStore(':memory:');
    store = new SqliteDirectLineStore(ledger.db);
  });
  afterEach(() => ledger.close());

  test('conversations: create, find, verify the token by its hash, expiry, refresh and rotation', async () => {
    const created = await store.createConversation({ id: 'c1', tokenHash: hashToken('secret-1'), userId: 'u-1', expiresAt: 2000, now: 1000 });
    expect(created).toEqual({ id: 'c1', userId: 'u-1', createdAt: 1000, expiresAt: 2000, lastActivityAt: 1000 });
    expect(await store.findConversation('c1')).toEqual(created);
    expect(await store.findConversation('c2')).toBeUndefined();

    expect(await store.verifyToken('c1', 'secret-1', 1500)).toEqual({ ok: true, conversation: created });
    expect(await store.verifyToken('c1', 'secret-2', 1500)).toEqual({ ok: false, reason: 'invalid-token' });
    expect(await store.verifyToken('c1', '', 1500)).toEqual({ ok: false, reason: 'invalid-token' });
    expect(await store.verifyToken('c1', 'secret-1', 2000)).toEqual({ ok: false, reason: 'expired-token' });
    expect(await store.verifyToken('c2', 'secret-1', 1500)).toEqual({ ok: false, reason: 'unknown-conversation' });

    expect(await store.refreshToken('c1', { expiresAt: 3000 })).toBe(true);
    expect((await store.verifyToken('c1', 'secret-1', 2500)).ok).toBe(true);
    expect(await store.refreshToken('c1', { expiresAt: 4000, tokenHash: hashToken('secret-2') })).toBe(true);
    expect((await store.verifyToken('c1', 'secret-1', 2500)).ok).toBe(false);
    expect((await store.verifyToken('c1', 'secret-2', 3500)).ok).toBe(true);
    expect(await store.refreshToken('c2', { expiresAt: 4000 })).toBe(false);

    const raw = JSON.stringify(ledger.db.prepare('SELECT * FROM dl_conversations').all());
    expect(raw).not.toContain('secret-');
  });

  test('activities: one sequence per conversation, ids from it, pages after a watermark', async () => {
    await store.createConversation({ id: 'a', tokenHash: hashToken('x'), userId: 'u', expiresAt: 10, now: 1 });
    await store.createConversation({ id: 'b', tokenHash: hashToken('y'), userId: 'u', expiresAt: 10, now: 1 });
    const a1 = await store.appendActivity('a', activity('a', 'một'), 5);
    const b1 = await store.appendActivity('b', activity('b', 'khác'), 6);
    const a2 = await store.appendActivity('a', activity('a', 'hai'), 7);
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2]);
    expect(a2.activity.id).toBe(activityId('a', 2));
    expect(a2.activity.id).toBe('a|0000002');
    expect((await store.findConversation('a'))?.lastActivityAt).toBe(7);

    expect((await store.listActivities('a', 0, 100)).activities.map((x) => x.activity.text)).toEqual(['một', 'hai']);
    expect(await store.listActivities('a', 1, 100)).toEqual({ activities: [a2], watermark: 2 });
    expect(await store.listActivities('a', 2, 100)).toEqual({ activities: [], watermark: 2 });
    expect((await store.listActivities('a', 0, 1)).watermark).toBe(1);
    expect((await store.listActivities('b', 0, 100)).activities.map((x) => x.activity.text)).toEqual(['khác']);
    await expect(store.appendActivity('zzz', activity('zzz', 'x'), 1)).rejects.toBeInstanceOf(UnknownConversationError);
  });
});
