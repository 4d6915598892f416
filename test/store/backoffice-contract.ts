import { createHash } from 'node:crypto';
import type { BackofficeStore } from '../../src/app/ports';
import type { StoreHarness } from './harness';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const MINUTE = 60_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The back-office store contract (accounts, API tokens, link codes, drafts, notification keys):
 * every adapter passes it. `open` gives a fresh, empty database; `backoffice` the adapter over a
 * ledger store of it (also over a second instance's, to check what two servers share).
 */
export function backofficeContract<L>(name: string, open: () => Promise<StoreHarness<L>>, backoffice: (ledger: L) => BackofficeStore): void {
  let db: StoreHarness<L>;
  let store: BackofficeStore;

  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = backoffice(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    describe(`accounts`, () => {
      test('ids look like acc_<random>; officers and approvers keep their agency, editors and admins have none', async () => {
        const officer = await store.createAccount({ name: 'Nguyễn Văn An', role: 'officer', agency: 'so-yte' }, T0);
        const editor = await store.createAccount({ name: 'Ban biên tập', role: 'editor', agency: 'vp-ubnd' }, T0);
        expect(officer).toEqual({ id: expect.stringMatching(/^acc_[0-9a-f]{16}$/), name: 'Nguyễn Văn An', role: 'officer', agency: 'so-yte', active: true, createdAt: T0 });
        expect(editor.agency).toBeUndefined();
        expect(officer.id).not.toBe(editor.id);
        expect(await store.getAccount(officer.id)).toEqual(officer);
        expect(await store.getAccount('acc_0000000000000000')).toBeUndefined();
        expect(await store.listAccounts({ role: 'officer' })).toEqual([officer]);
        expect(await store.listAccounts({ agency: 'so-yte', role: 'officer' })).toEqual([officer]);
        expect((await store.listAccounts()).map((a) => a.id).sort()).toEqual([officer.id, editor.id].sort());
        await expect(store.createAccount({ name: 'X', role: 'approver' }, T0)).rejects.toThrow(/agency/);
        await expect(store.createAccount({ name: '  ', role: 'admin' }, T0)).rejects.toThrow(/name/);
        await expect(store.setAccountActive('acc_0000000000000000', false)).rejects.toThrow(/no account/);
      });

      test('accountsFor: active accounts of the agency with the roles, editors and admins whatever the agency', async () => {
        const a = await store.createAccount({ name: 'A', role: 'approver', agency: 'h-baothang' }, T0);
        const b = await store.createAccount({ name: 'B', role: 'approver', agency: 'so-yte' }, T0 + 1);
        const c = await store.createAccount({ name: 'C', role: 'officer', agency: 'h-baothang' }, T0 + 2);
        const e = await store.createAccount({ name: 'E', role: 'editor' }, T0 + 3);
        const gone = await store.createAccount({ name: 'D', role: 'approver', agency: 'h-baothang' }, T0 + 4);
        await store.setAccountActive(gone.id, false);
        expect((await store.accountsFor('h-baothang', ['approver'])).map((x) => x.id)).toEqual([a.id]);
        expect((await store.accountsFor('h-baothang', ['officer', 'approver'])).map((x) => x.id)).toEqual([a.id, c.id]);
        expect((await store.accountsFor('so-yte', ['approver', 'editor'])).map((x) => x.id)).toEqual([b.id, e.id]);
        expect((await store.accountsFor(undefined, ['editor'])).map((x) => x.id)).toEqual([e.id]);
        expect(await store.accountsFor('so-yte', [])).toEqual([]);
      });

      test('an e-mail address is kept with the account, changed and removed; accountsFor carries it', async () => {
        const a = await store.createAccount({ name: 'Lãnh đạo', role: 'approver', agency: 'so-yte', email: 'ld@soyte.laocai.gov.vn' }, T0);
        expect(a.email).toBe('ld@soyte.laocai.gov.vn');
        expect((await store.getAccount(a.id))?.email).toBe('ld@soyte.laocai.gov.vn');
        await store.setAccountEmail(a.id, 'lanhdao@soyte.laocai.gov.vn');
        expect((await store.accountsFor('so-yte', ['approver']))[0].email).toBe('lanhdao@soyte.laocai.gov.vn');
        await store.setAccountEmail(a.id, undefined);
        expect(await store.getAccount(a.id)).not.toHaveProperty('email');
        await expect(store.setAccountEmail('acc_0000000000000000', 'x@y.vn')).rejects.toThrow(/no account/);
      });
    });

    describe(`API tokens`, () => {
      test('32 random bytes in base64url, stored only as their SHA-256 hash', async () => {
        const acc = await store.createAccount({ name: 'A', role: 'admin' }, T0);
        const token = await store.issueApiToken(acc.id, T0);
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(token, 'base64url')).toHaveLength(32);
        expect(await db.rows('SELECT * FROM api_tokens')).toEqual([{ token_hash: sha256(token), account_id: acc.id, created_ms: T0, revoked_ms: null }]);
        // Nowhere in the database in clear.
        expect(JSON.stringify(await db.rows('SELECT * FROM accounts'))).not.toContain(token);
        expect((await store.accountByApiToken(token))?.id).toBe(acc.id);
        expect(await store.accountByApiToken(sha256(token))).toBeUndefined();
        expect(await store.accountByApiToken(`${token}x`)).toBeUndefined();
        expect(await store.accountByApiToken('')).toBeUndefined();
        expect(await store.issueApiToken(acc.id, T0)).not.toBe(token);
        await expect(store.issueApiToken('acc_0000000000000000', T0)).rejects.toThrow(/no account/);
      });

      test('a deactivated account’s tokens stop working; reactivated, they work again', async () => {
        const acc = await store.createAccount({ name: 'A', role: 'officer', agency: 'so-yte' }, T0);
        const token = await store.issueApiToken(acc.id, T0);
        await store.setAccountActive(acc.id, false);
        expect(await store.accountByApiToken(token)).toBeUndefined();
        expect((await store.getAccount(acc.id))?.active).toBe(false);
        await store.setAccountActive(acc.id, true);
        expect((await store.accountByApiToken(token))?.id).toBe(acc.id);
      });

      test('revoked tokens are refused; revoking counts the live ones only', async () => {
        const acc = await store.createAccount({ name: 'A', role: 'admin' }, T0);
        const one = await store.issueApiToken(acc.id, T0);
        const two = await store.issueApiToken(acc.id, T0);
        expect(await store.revokeApiTokens(acc.id, T0 + 1)).toBe(2);
        expect(await store.revokeApiTokens(acc.id, T0 + 2)).toBe(0);
        expect(await store.accountByApiToken(one)).toBeUndefined();
        expect(await store.accountByApiToken(two)).toBeUndefined();
        expect((await db.rows('SELECT revoked_ms FROM api_tokens')).map((r) => r.revoked_ms)).toEqual([T0 + 1, T0 + 1]);
      });
    });

    describe(`link codes`, () => {
      const zalo = { channel: 'zalo', userId: 'zalo-user-1' };
      const limits = { triesPerCode: 3, failureWindowMs: 60 * MINUTE, perIdentity: 100, perAddress: 100, firstDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, alertOverall: 1000 };
      /** The linked account, or undefined when the code linked nothing. */
      const redeem = async (code: string, identity: { channel: string; userId: string }, reference: unknown, now: number, on: BackofficeStore = store) => {
        const outcome = await on.redeemLinkCode(code, identity, reference, now, { limits });
        return outcome.ok ? outcome.account : undefined;
      };
      const wrongSecret = (code: string, i = 0) => `${code.slice(0, 6)}${'ABCDEFGH'.split('').filter((ch) => ch !== code[6])[i]}${code.slice(7)}`;

      test('ten characters XXXXX-XXXXX, stored hashed, single use: the second redemption fails', async () => {
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
        expect(code).toMatch(/^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$/);
        expect(await db.rows('SELECT * FROM link_codes')).toEqual([
          { selector: code.slice(0, 3), secret_hash: sha256(code.replace('-', '')), account_id: acc.id, created_ms: T0, expires_ms: T0 + 15 * MINUTE, used_ms: null, failures: 0, voided_ms: null },
        ]);

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
        expect(await db.rows('SELECT account_id FROM link_codes')).toEqual([{ account_id: acc.id }]);
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

      test('wrong secrets void the code after the tries allowed; the right one then links nothing', async () => {
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
        const attempts = [];
        for (let i = 0; i < 3; i += 1) attempts.push(await store.redeemLinkCode(wrongSecret(code, i), zalo, {}, T0 + i, { limits }));
        expect(attempts).toEqual([{ ok: false, reason: 'wrong' }, { ok: false, reason: 'wrong' }, { ok: false, reason: 'wrong', voided: true }]);
        expect(await redeem(code, zalo, {}, T0 + 10)).toBeUndefined();
        expect(await db.rows('SELECT failures, voided_ms FROM link_codes')).toEqual([{ failures: 3, voided_ms: T0 + 2 }]);
      });

      test('past its free wrong tries an identity, an address, waits (the code not even looked at); other senders are not held back', async () => {
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const tight = { ...limits, perIdentity: 2, perAddress: 3 };
        const attempt = (identity: { channel: string; userId: string }, code: string, now: number, address?: string, on: BackofficeStore = store) =>
          on.redeemLinkCode(code, identity, {}, now, { limits: tight, ...(address ? { address } : {}) });
        const code = await store.createLinkCode(acc.id, T0, 120 * MINUTE);
        expect(await attempt(zalo, 'AAAAA-AAAAA', T0)).toEqual({ ok: false, reason: 'wrong' });
        expect(await attempt(zalo, 'AAAAA-AAAAB', T0 + 1)).toEqual({ ok: false, reason: 'wrong' });
        // Two free tries spent: even the right code waits a minute after the last wrong one, and that try counts nothing against the code.
        expect(await attempt(zalo, code, T0 + 2)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: MINUTE - 1 });
        expect(await attempt(zalo, wrongSecret(code), T0 + 3)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: MINUTE - 2 });
        expect(await db.rows('SELECT failures, voided_ms FROM link_codes')).toEqual([{ failures: 0, voided_ms: null }]);
        // The failures are in the database: a second instance makes the same identity wait too.
        const other = backoffice(await db.another());
        expect(await attempt(zalo, code, T0 + 4, undefined, other)).toMatchObject({ ok: false, reason: 'blocked', limit: 'identity' });
        // Three identities from one address spend its free tries; a fourth identity from it waits; another address does not.
        for (let i = 0; i < 3; i += 1) expect(await attempt({ channel: 'directline', userId: `dl-${i}` }, 'BBBBB-BBBBB', T0 + 10 + i, 'addr-1')).toEqual({ ok: false, reason: 'wrong' });
        expect(await attempt({ channel: 'directline', userId: 'dl-9' }, code, T0 + 20, 'addr-1')).toEqual({ ok: false, reason: 'blocked', limit: 'address', retryAfterMs: MINUTE - 8 });
        expect(await attempt({ channel: 'facebook', userId: 'fb-1' }, 'CCCCC-CCCCC', T0 + 21, 'addr-2')).toEqual({ ok: false, reason: 'wrong' });
        // Once the wait is over the right code links, from the identity that guessed wrong.
        expect(await attempt(zalo, code, T0 + 1 + MINUTE)).toMatchObject({ ok: true, account: { id: acc.id } });
      });

      test('wrong tries from everyone never block: the right code links past the alert threshold, which is said once', async () => {
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const alerting = { ...limits, perIdentity: 1, perAddress: 1, alertOverall: 5 };
        const outcomes = [];
        for (let i = 0; i < 8; i += 1) outcomes.push(await store.redeemLinkCode(`DDDDD-DDDD${'ABCDEFGH'[i]}`, { channel: 'zalo', userId: `z-${i}` }, {}, T0 + i, { limits: alerting, address: `addr-${i}` }));
        expect(outcomes.map((o) => (o.ok ? 'linked' : o.reason === 'wrong' ? (o.alertOverall ?? 'wrong') : o.reason))).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 5, 'wrong', 'wrong', 'wrong']);
        const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
        expect(await store.redeemLinkCode(code, { channel: 'facebook', userId: 'fb-officer' }, {}, T0 + 10, { limits: alerting, address: 'addr-officer' })).toMatchObject({ ok: true, account: { id: acc.id } });
        // Out of the window the old failures are forgotten: the count reaches the threshold again and is said again.
        const later = T0 + 60 * MINUTE + 100;
        const again = [];
        for (let i = 0; i < 5; i += 1) again.push(await store.redeemLinkCode('EEEEE-EEEEE', { channel: 'zalo', userId: `y-${i}` }, {}, later + i, { limits: alerting }));
        expect(again.map((o) => (!o.ok && o.reason === 'wrong' ? o.alertOverall : o))).toEqual([undefined, undefined, undefined, undefined, 5]);
      });

      test('the wait after the free tries doubles with each wrong try, up to the cap; after it, the right code links', async () => {
        const backoff = { ...limits, perIdentity: 2, firstDelayMs: MINUTE, maxDelayMs: 4 * MINUTE };
        const officer = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'so-yte' }, T0);
        const code = await store.createLinkCode(officer.id, T0, 60 * MINUTE);
        const me = { channel: 'zalo', userId: 'z-1' };
        // Each wrong guess names no live code (another selector), so the code itself is never voided.
        let n = 0;
        const other = code.startsWith('ZZZ') ? 'YYY' : 'ZZZ';
        const guess = () => `${other}${'ABCDEFGHJK'[Math.floor(n / 10) % 10]}${'ABCDEFGHJK'[n++ % 10]}-AAAAA`;
        const at = (t: number, c = guess()) => store.redeemLinkCode(c, me, {}, T0 + t, { limits: backoff });
        expect(await at(0)).toMatchObject({ ok: false, reason: 'wrong' });
        expect(await at(1)).toMatchObject({ ok: false, reason: 'wrong' });
        let t = 1;
        for (const wait of [MINUTE, 2 * MINUTE, 4 * MINUTE, 4 * MINUTE]) {
          expect(await at(t + 1, code)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: wait - 1 });
          expect(await at(t + wait - 1, code)).toEqual({ ok: false, reason: 'blocked', limit: 'identity', retryAfterMs: 1 });
          t += wait;
          expect(await at(t)).toMatchObject({ ok: false, reason: 'wrong' });
        }
        // The same wait applies to the right code (no oracle), and once it is over the right code links.
        expect(await at(t + 1, code)).toMatchObject({ ok: false, reason: 'blocked' });
        expect(await at(t + 4 * MINUTE, code)).toMatchObject({ ok: true, account: { id: officer.id } });
      });

      test('two instances redeeming the same code at once: it links exactly one identity', async () => {
        const other = backoffice(await db.another());
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
        const identities = Array.from({ length: 8 }, (_, i) => ({ channel: 'zalo', userId: `z-${i}` }));
        const linked = await Promise.all(identities.map((identity, i) => redeem(code, identity, {}, T0 + 1, i % 2 ? other : store)));
        expect(linked.filter((a) => a !== undefined)).toHaveLength(1);
        expect(await store.identitiesOf(acc.id)).toHaveLength(1);
      });
    });

    describe(`console sign-in with a link code`, () => {
      test('a sign-in spends the code like a chat link but links no chat identity; the spent code opens nothing again', async () => {
        const acc = await store.createAccount({ name: 'Quản trị', role: 'admin' }, T0);
        const limits = { triesPerCode: 3, failureWindowMs: 60 * MINUTE, perIdentity: 100, perAddress: 100, firstDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, alertOverall: 1000 };
        const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
        const fromConsole = { channel: 'console', userId: 'addr-1' };
        const outcome = await store.redeemLinkCode(code, fromConsole, undefined, T0 + 1, { limits, address: 'addr-1', signIn: true });
        expect(outcome).toEqual({ ok: true, account: expect.objectContaining({ id: acc.id }) });
        expect(await store.identitiesOf(acc.id)).toEqual([]);
        expect(await store.accountByIdentity(fromConsole)).toBeUndefined();
        expect((await store.redeemLinkCode(code, fromConsole, undefined, T0 + 2, { limits, address: 'addr-1', signIn: true })).ok).toBe(false);
        expect((await store.redeemLinkCode(code, { channel: 'zalo', userId: 'z1' }, {}, T0 + 3, { limits })).ok).toBe(false);
      });
    });

    describe(`closing an account's doors`, () => {
      test('unlink one identity or all of them; dropLinkCodes voids the unused code', async () => {
        const acc = await store.createAccount({ name: 'Cán bộ', role: 'officer', agency: 'h-baothang' }, T0);
        const limits = { triesPerCode: 3, failureWindowMs: 60 * MINUTE, perIdentity: 100, perAddress: 100, firstDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, alertOverall: 1000 };
        for (const identity of [{ channel: 'zalo', userId: 'z1' }, { channel: 'facebook', userId: 'f1' }, { channel: 'directline', userId: 'd1' }]) {
          const code = await store.createLinkCode(acc.id, T0, 15 * MINUTE);
          expect((await store.redeemLinkCode(code, identity, { id: identity.userId }, T0 + 1, { limits })).ok).toBe(true);
        }
        expect((await store.identitiesOf(acc.id)).map((i) => i.userId).sort()).toEqual(['d1', 'f1', 'z1']);
        expect(await store.unlinkIdentities(acc.id, { channel: 'zalo', userId: 'z1' })).toBe(1);
        expect(await store.unlinkIdentities(acc.id, { channel: 'zalo', userId: 'z1' })).toBe(0);
        expect(await store.accountByIdentity({ channel: 'zalo', userId: 'z1' })).toBeUndefined();
        expect(await store.unlinkIdentities(acc.id)).toBe(2);
        expect(await store.identitiesOf(acc.id)).toEqual([]);
        await expect(store.unlinkIdentities('acc_0000000000000000')).rejects.toThrow(/no account/);

        const code = await store.createLinkCode(acc.id, T0 + 2, 15 * MINUTE);
        await store.dropLinkCodes(acc.id);
        expect((await store.redeemLinkCode(code, { channel: 'zalo', userId: 'z2' }, {}, T0 + 3, { limits })).ok).toBe(false);
      });
    });

    describe(`drafts`, () => {
      test('saved pending, the latest per question, decided once', async () => {
        const d1 = await store.saveDraft({ q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời 1', author: 'acc_a' }, T0);
        const d2 = await store.saveDraft({ q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời 2', author: 'acc_a' }, T0 + 1);
        await store.saveDraft({ q: 'HD-2026-000002', agency: 'h-baothang', text: 'Khác', author: 'acc_b' }, T0 + 2);
        expect(d1).toEqual({ id: expect.any(Number), q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời 1', author: 'acc_a', status: 'pending', createdAt: T0 });
        expect((await store.latestDraft('HD-2026-000001'))?.id).toBe(d2.id);
        expect((await store.pendingDrafts('so-yte')).map((d) => d.id)).toEqual([d1.id, d2.id]);
        expect(await store.pendingDrafts()).toHaveLength(3);
        await store.decideDraft(d2.id, { status: 'returned', by: 'acc_boss', comment: 'Bổ sung căn cứ pháp lý' }, T0 + 5);
        expect(await store.latestDraft('HD-2026-000001')).toEqual({ ...d2, status: 'returned', comment: 'Bổ sung căn cứ pháp lý', decidedAt: T0 + 5, decidedBy: 'acc_boss' });
        await expect(store.decideDraft(d2.id, { status: 'approved', by: 'acc_boss' }, T0 + 6)).rejects.toThrow(/already returned/);
        await expect(store.decideDraft(999_999, { status: 'approved', by: 'acc_boss' }, T0 + 6)).rejects.toThrow(/no draft 999999/);
        await store.decideDraft(d1.id, { status: 'approved', by: 'acc_boss' }, T0 + 7);
        expect((await store.pendingDrafts('so-yte')).map((d) => d.id)).toEqual([]);
        expect(await store.latestDraft('HD-2026-000404')).toBeUndefined();
        expect((await store.draftsOf('HD-2026-000001')).map((d) => [d.id, d.status])).toEqual([
          [d1.id, 'approved'],
          [d2.id, 'returned'],
        ]);
        expect(await store.draftsOf('HD-2026-000404')).toEqual([]);
      });
    });

    describe(`texts with a NUL character`, () => {
      test('names and drafts carrying one are kept (the rest of the text intact); lookups with one find nothing and do not fail', async () => {
        const acc = await store.createAccount({ name: 'Nguyễn\u0000 Văn An', role: 'officer', agency: 'so-yte' }, T0);
        expect((await store.getAccount(acc.id))?.name.replace(/\u0000/g, '')).toBe('Nguyễn Văn An');
        const draft = await store.saveDraft({ q: 'HD-2026-000001', agency: 'so-yte', text: 'Trả lời\u0000 đầy đủ', author: acc.id }, T0);
        expect((await store.latestDraft('HD-2026-000001'))?.text.replace(/\u0000/g, '')).toBe('Trả lời đầy đủ');
        await store.decideDraft(draft.id, { status: 'returned', by: acc.id, comment: 'Bổ sung\u0000' }, T0 + 1);
        expect((await store.latestDraft('HD-2026-000001'))?.comment?.replace(/\u0000/g, '')).toBe('Bổ sung');
        expect(await store.getAccount('acc_\u0000')).toBeUndefined();
        expect(await store.accountByIdentity({ channel: 'zalo', userId: 'u\u0000' })).toBeUndefined();
        expect(await store.accountByApiToken('\u0000')).toBeUndefined();
        const limits = { triesPerCode: 3, failureWindowMs: 60 * MINUTE, perIdentity: 100, perAddress: 100, firstDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, alertOverall: 1000 };
        expect(await store.redeemLinkCode('AAAAA-AAAAA\u0000', { channel: 'directline', userId: 'dl\u0000' }, {}, T0, { limits, address: 'a\u0000' })).toEqual({ ok: false, reason: 'wrong' });
      });
    });

    describe(`notification keys`, () => {
      test('true the first time only, also through a second instance and after it restarts', async () => {
        const key = 'remind:HD-2026-000001:accept:2026-12-01';
        const b = backoffice(await db.another());
        expect(await store.claimNotification(key, T0)).toBe(true);
        expect(await store.claimNotification(key, T0 + 1)).toBe(false);
        expect(await b.claimNotification(key, T0 + 2)).toBe(false);
        expect(await b.claimNotification('remind:HD-2026-000001:answer:2026-12-14', T0 + 2)).toBe(true);
        const restarted = backoffice(await db.another());
        expect(await restarted.claimNotification(key, T0 + 3)).toBe(false);
      });

      test('two instances claiming the same keys at once: each key is claimed exactly once', async () => {
        const other = backoffice(await db.another());
        const keys = Array.from({ length: 10 }, (_, i) => `answer-hand-over:HD-2026-${String(i + 1).padStart(6, '0')}`);
        const claims = await Promise.all(keys.flatMap((key) => [store.claimNotification(key, T0), other.claimNotification(key, T0)]));
        for (let i = 0; i < keys.length; i += 1) expect([claims[2 * i], claims[2 * i + 1]].filter(Boolean)).toHaveLength(1);
        expect(await db.rows('SELECT count(*) AS n FROM notifications_sent')).toEqual([{ n: 10 }]);
      });
    });
  });
}
