import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const MINUTE = 60_000;

let ledger: SqliteLedgerStore;
let store: SqliteBackofficeStore;

beforeEach(() => {
  ledger = new SqliteLedgerStore(':memory:');
  store = new SqliteBackofficeStore(ledger.db);
});

afterEach(async () => {
  await ledger.close();
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('accounts', () => {
  test('ids look like acc_<random>; officers and approvers keep their agency, editors and admins have none', async () => {
    const officer = await store.createAccount({ name: 'Nguyễn Văn An', role: 'officer', agency: 'so-yte' }, T0);
    const editor = await store.createAccount({ name: 'Ban biên tập', role: 'editor', agency: 'vp-ubnd' }, T0);
    expect(officer).toEqual({ id: expect.stringMatching(/^acc_[0-9a-f]{16}$/), name: 'Nguyễn Văn An', role: 'officer', agency: 'so-yte', active: true, createdAt: T0 });
    expect(editor.agency).toBeUndefined();
    expect(officer.id).not.toBe(editor.id);
    expect(await store.getAccount(officer.id)).toEqual(officer);
    expect(await store.listAccounts({ role: 'officer' })).toEqual([officer]);
    await expect(store.createAccount({ name: 'X', role: 'approver' }, T0)).rejects.toThrow(/agency/);
  });

  test('accountsFor: active accounts of the agency with the roles, editors and admins whatever the agency', async () => {
    const a = await store.createAccount({ name: 'A', role: 'approver', agency: 'h-baothang' }, T0);
    const b = await store.createAccount({ name: 'B', role: 'approver', agency: 'so-yte' }, T0);
    const c = await store.createAccount({ name: 'C', role: 'officer', agency: 'h-baothang' }, T0);
    const e = await store.createAccount({ name: 'E', role: 'editor' }, T0);
    const gone = await store.createAccount({ name: 'D', role: 'approver', agency: 'h-baothang' }, T0);
    await store.setAccountActive(gone.id, false);
    expect((await store.accountsFor('h-baothang', ['approver'])).map((x) => x.id)).toEqual([a.id]);
    expect((await store.accountsFor('h-baothang', ['officer', 'approver'])).map((x) => x.id).sort()).toEqual([a.id, c.id].sort());
    expect((await store.accountsFor('so-yte', ['approver', 'editor'])).map((x) => x.id)).toEqual([b.id, e.id]);
    expect((await store.accountsFor(undefined, ['editor'])).map((x) => x.id)).toEqual([e.id]);
  });
});

describe('API tokens', () => {
  test('32 random bytes in base64url, stored only as their SHA-256 hash', async () => {
    const acc = await store.createAccount({ name: 'A', role: 'admin' }, T0);
    const token = await store.issueApiToken(acc.id, T0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = ledger.db.prepare('SELECT * FROM api_tokens').all() as Array<Record<string, unknown>>;
    expect(rows).toEqual([{ token_hash: sha256(token), account_id: acc.id, created_ms: T0, revoked_ms: null }]);
    // Nowhere in the file in clear.
    expect(JSON.stringify(ledger.db.prepare('SELECT * FROM accounts').all())).not.toContain(token);
    expect((await store.accountByApiToken(token))?.id).toBe(acc.id);
    expect(await store.accountByApiToken(sha256(token))).toBeUndefined();
    expect(await store.accountByApiToken(`${token}x`)).toBeUndefined();
    expect(await store.accountByApiToken('')).toBeUndefined();
    expect(await store.issueApiToken(acc.id, T0)).not.toBe(token);
  });

  test('a deactivated account’s tokens stop working; reactivated, they work again', async () => {
    const acc = await store.createAccount({ name: 'A', role: 'officer', agency: 'so-yte' }, T0);
    const token = await store.issueApiToken(acc.id, T0);
    await store.setAccountActive(acc.id, false);
    expect(await store.accountByApiToken(token)).toBeUndefined();
    await store.setAccountActive(acc.id, true);
    expect((await store.accountByApiToken(token))?.id).toBe(acc.id);
  });

  test('revoked tokens are refused', async () => {
    const acc = await store.createAccount({ name: 'A', role: 'admin' }, T0);
    const token = await store.issueApiToken(acc.id, T0);
    ledger.db.prepare('UPDATE api_tokens SET revoked_ms = ?').run(T0 + 1);
    expect(await store.accountByApiToken(token)).toBeUndefined();
  });
});

describe('link codes', () => {
  const zalo = { channel: 'zalo', userId: 'zalo-user-1' };
  const limits = { triesPerCode: 3, failureWindowMs: 60 * MINUTE, perIdentity: 100, perAddress: 100, firstDelayMs: 60_000, maxDelayMs: 3_600_000, alertOverall: 1000 };
  /** The linked account, or undefined when the code linked nothing. */
  const redeem = async (code: string, identity: { channel: string; userId: string }, reference: unknown, now: number) => {
    const outcome = await store.redeemLinkCode(code, identity, reference, now, { limits });
    return outcome.ok ? outcome.account : undefined;
  };

  test('ten characters XXXXX-XXXXX, stored hashed, single use: the second redemption fails', async () => {
    const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
    const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
    expect(code).toMatch(/^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$/);
    const row = ledger.db.prepare('SELECT * FROM link_codes').get() as Record<string, unknown>;
    expect(row).toEqual({ selector: code.slice(0, 3), secret_hash: sha256(code.replace('-', '')), account_id: acc.id, created_ms: T0, expires_ms: T0 + 15 * MINUTE, used_ms: null, failures: 0, voided_ms: null });

    const reference = { conversation: { id: 'conv-1' }, channelId: 'zalo' };
    expect((await redeem(code, zalo, reference, T0 + MINUTE))?.id).toBe(acc.id);
    expect((await store.accountByIdentity(zalo))?.id).toBe(acc.id);
    expect(await store.identitiesOf(acc.id)).toEqual([{ ...zalo, conversationReference: reference }]);

    const other = { channel: 'facebook', userId: 'fb-9' };
    expect(await redeem(code, other, {}, T0 + 2 * MINUTE)).toBeUndefined();
    expect(await store.accountByIdentity(other)).toBeUndefined();
  });

  test('an expired code links nothing', async () => {
    const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
    const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
    expect(await redeem(code, zalo, {}, T0 + 15 * MINUTE + 1)).toBeUndefined();
    expect(await store.accountByIdentity(zalo)).toBeUndefined();
  });

  test('a code is accepted at its last valid millisecond, typed with spaces; a wrong code links nothing', async () => {
    const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
    const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
    const wrong = `${code.slice(0, 10)}${code[10] === 'A' ? 'B' : 'A'}`;
    expect(await redeem(wrong, zalo, {}, T0)).toBeUndefined();
    expect(await redeem('abc', zalo, {}, T0)).toBeUndefined();
    expect((await redeem(` ${code.toLowerCase().replace('-', ' ')} `, zalo, {}, T0 + 15 * MINUTE))?.id).toBe(acc.id);
  });

  test('a new code replaces the account’s unused one', async () => {
    const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
    const first = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
    const second = await store.createLinkCode(acc.id, T0 + 1, 15 * MINUTE);
    if (first !== second) expect(await redeem(first, zalo, {}, T0 + 2)).toBeUndefined();
    expect((await redeem(second, zalo, {}, T0 + 3))?.id).toBe(acc.id);
  });

  test('a deactivated account cannot be linked, and its linked identity counts as nobody', async () => {
    const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
    const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
    await redeem(code, zalo, {}, T0);
    await store.setAccountActive(acc.id, false);
    expect(await store.accountByIdentity(zalo)).toBeUndefined();
    await store.setAccountActive(acc.id, true);
    const other = await store.createAccount({ name: 'Khác', role: 'officer', agency: 'so-yte' }, T0);
    const again = await store.createLinkCode(other.id, T0, 15 * MINUTE);
    await store.setAccountActive(other.id, false);
    expect(await redeem(again, { channel: 'zalo', userId: 'u2' }, {}, T0)).toBeUndefined();
  });
});

describe('drafts', () => {
  test('saved pending, the latest per question, decided once', async () => {
    const d1 = await store.saveDraft({ q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời 1', author: 'acc_a' }, T0);
    const d2 = await store.saveDraft({ q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời 2', author: 'acc_a' }, T0 + 1);
    await store.saveDraft({ q: 'HD-2026-000002', agency: 'h-baothang', text: 'Khác', author: 'acc_b' }, T0 + 2);
    expect(d1).toMatchObject({ id: expect.any(Number), status: 'pending', createdAt: T0 });
    expect((await store.latestDraft('HD-2026-000001'))?.id).toBe(d2.id);
    expect((await store.pendingDrafts('so-yte')).map((d) => d.id)).toEqual([d1.id, d2.id]);
    expect(await store.pendingDrafts()).toHaveLength(3);
    await store.decideDraft(d2.id, { status: 'returned', by: 'acc_boss', comment: 'Bổ sung căn cứ pháp lý' }, T0 + 5);
    expect(await store.latestDraft('HD-2026-000001')).toEqual({ ...d2, status: 'returned', comment: 'Bổ sung căn cứ pháp lý', decidedAt: T0 + 5, decidedBy: 'acc_boss' });
    await expect(store.decideDraft(d2.id, { status: 'approved', by: 'acc_boss' }, T0 + 6)).rejects.toThrow(/already returned/);
    expect(await store.latestDraft('HD-2026-000404')).toBeUndefined();
  });
});

describe('claimNotification', () => {
  test('true the first time only, also after a restart and through a second connection to the same file (as a second server would)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-bo-'));
    const file = path.join(dir, 'x.sqlite');
    const one = new SqliteLedgerStore(file);
    const two = new SqliteLedgerStore(file);
    try {
      const a = new SqliteBackofficeStore(one.db);
      const b = new SqliteBackofficeStore(two.db);
      expect(await a.claimNotification('remind:HD-2026-000001:accept:2026-12-01', T0)).toBe(true);
      expect(await a.claimNotification('remind:HD-2026-000001:accept:2026-12-01', T0 + 1)).toBe(false);
      expect(await b.claimNotification('remind:HD-2026-000001:accept:2026-12-01', T0 + 2)).toBe(false);
      expect(await b.claimNotification('remind:HD-2026-000001:answer:2026-12-14', T0 + 2)).toBe(true);
      await one.close();
      const reopened = new SqliteLedgerStore(file);
      expect(await new SqliteBackofficeStore(reopened.db).claimNotification('remind:HD-2026-000001:accept:2026-12-01', T0 + 3)).toBe(false);
      await reopened.close();
    } finally {
      await one.close();
      await two.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
