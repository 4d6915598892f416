import type { ContactCodeLimits, ContactCodes, NewContactCode } from '../../src/app/ports';
import type { StoreHarness } from './harness';

const DAY = 86_400_000;
const DAY_START = Date.UTC(2026, 11, 4, 17, 0, 0); // 00:00 on 5/12/2026 in Vietnam
const LIMITS: ContactCodeLimits = { perContact: 3, perContactPerRequester: 3, perAddress: 4, resendAfterMs: 60_000 };
const HASH = (n: number) => n.toString(16).padStart(64, '0');

function code(id: string, contact: string, createdAt: number, extra: Partial<NewContactCode> = {}): NewContactCode {
  return { id, contact, codeHash: HASH(1), createdAt, expiresAt: createdAt + 10 * 60_000, tries: 3, ...extra };
}

/** The contact confirmation codes' contract (daily limits, resend wait, tries, expiry): every adapter passes it. */
export function contactCodesContract<L>(name: string, open: () => Promise<StoreHarness<L>>, codes: (ledger: L) => ContactCodes): void {
  let db: StoreHarness<L>;
  let store: ContactCodes;

  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = codes(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    test('a contact gets its codes of the day, one a minute; the address limit counts every contact from it', async () => {
      const at = (minutes: number) => DAY_START + 8 * 3_600_000 + minutes * 60_000;
      expect(await store.issue(code('a1', 'c-1', at(0), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: true });
      // Within the resend wait: refused, with the moment it may be sent.
      expect(await store.issue(code('a2', 'c-1', at(0.5), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: false, reason: 'wait', retryAt: at(1) });
      expect(await store.issue(code('a3', 'c-1', at(1), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: true });
      expect(await store.issue(code('a4', 'c-1', at(2)), DAY_START, LIMITS)).toEqual({ ok: true });
      // A fourth code the same day to the same contact.
      expect(await store.issue(code('a5', 'c-1', at(3)), DAY_START, LIMITS)).toEqual({ ok: false, reason: 'contact' });
      // Other contacts from the same address: two more, then the address limit (4).
      expect(await store.issue(code('b1', 'c-2', at(4), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: true });
      expect(await store.issue(code('b2', 'c-3', at(5), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: true });
      expect(await store.issue(code('b3', 'c-4', at(6), { address: 'addr' }), DAY_START, LIMITS)).toEqual({ ok: false, reason: 'address' });
      // Another address is not concerned; the next day starts afresh.
      expect(await store.issue(code('b4', 'c-4', at(6), { address: 'other' }), DAY_START, LIMITS)).toEqual({ ok: true });
      expect(await store.issue(code('a6', 'c-1', at(3) + DAY, { address: 'addr' }), DAY_START + DAY, LIMITS)).toEqual({ ok: true });
      // Refused codes were not stored; what is stored is the hash, never a code.
      expect(await db.rows('SELECT id FROM contact_codes ORDER BY id')).toEqual(['a1', 'a3', 'a4', 'a6', 'b1', 'b2', 'b4'].map((id) => ({ id })));
      // Codes older than two days are dropped when a new one is issued.
      expect(await store.issue(code('z1', 'c-9', at(0) + 3 * DAY), DAY_START + 3 * DAY, LIMITS)).toEqual({ ok: true });
      expect(await db.rows('SELECT id FROM contact_codes ORDER BY id')).toEqual([{ id: 'a6' }, { id: 'z1' }]);
    });

    test("one requester cannot use up a contact's codes for others: its own share, then the overall cap; the wait is per requester", async () => {
      const limits: ContactCodeLimits = { perContact: 4, perContactPerRequester: 2, perAddress: 10, resendAfterMs: 60_000 };
      const at = (minutes: number) => DAY_START + 9 * 3_600_000 + minutes * 60_000;
      // A stranger's two codes to the victim's contact, then refused.
      expect(await store.issue(code('s1', 'victim', at(0), { address: 'stranger' }), DAY_START, limits)).toEqual({ ok: true });
      // The victim, just after: no wait for them (the stranger's code is not theirs to know of).
      expect(await store.issue(code('v1', 'victim', at(0.5), { address: 'home' }), DAY_START, limits)).toEqual({ ok: true });
      expect(await store.issue(code('s2', 'victim', at(1), { address: 'stranger' }), DAY_START, limits)).toEqual({ ok: true });
      expect(await store.issue(code('s3', 'victim', at(2), { address: 'stranger' }), DAY_START, limits)).toEqual({ ok: false, reason: 'requester' });
      // The victim still gets their own: the stranger's refused tries used nothing up.
      expect(await store.issue(code('v2', 'victim', at(3), { address: 'home' }), DAY_START, limits)).toEqual({ ok: true });
      // Now four codes to the contact today: the overall cap holds against a third address.
      expect(await store.issue(code('t1', 'victim', at(4), { address: 'third' }), DAY_START, limits)).toEqual({ ok: false, reason: 'contact' });
      // Codes without an address count as one requester of their own.
      expect(await store.issue(code('n1', 'other', at(4)), DAY_START, limits)).toEqual({ ok: true });
      expect(await store.issue(code('n2', 'other', at(4.5)), DAY_START, limits)).toEqual({ ok: false, reason: 'wait', retryAt: at(5) });
      expect(await store.issue(code('n3', 'other', at(4.5), { address: 'home' }), DAY_START, limits)).toEqual({ ok: true });
      expect(await store.issue(code('n4', 'other', at(6)), DAY_START, limits)).toEqual({ ok: true });
      expect(await store.issue(code('n5', 'other', at(8)), DAY_START, limits)).toEqual({ ok: false, reason: 'requester' });
      expect(await db.rows('SELECT id FROM contact_codes ORDER BY id')).toEqual(['n1', 'n3', 'n4', 's1', 's2', 'v1', 'v2'].map((id) => ({ id })));
    });

    test('wrong tries count down to none; the right code confirms once; an expired code is refused', async () => {
      const t0 = DAY_START + 9 * 3_600_000;
      await store.issue(code('k1', 'c-1', t0, { codeHash: HASH(7) }), DAY_START, LIMITS);
      expect(await store.attempt('k1', HASH(8), t0 + 1000)).toEqual({ outcome: 'wrong', triesLeft: 2 });
      expect(await store.attempt('k1', HASH(7), t0 + 2000)).toEqual({ outcome: 'confirmed' });
      // Once confirmed, it cannot confirm again.
      expect(await store.attempt('k1', HASH(7), t0 + 3000)).toEqual({ outcome: 'used' });

      await store.issue(code('k2', 'c-2', t0, { codeHash: HASH(7) }), DAY_START, LIMITS);
      expect(await store.attempt('k2', HASH(1), t0 + 1000)).toEqual({ outcome: 'wrong', triesLeft: 2 });
      expect(await store.attempt('k2', HASH(2), t0 + 1000)).toEqual({ outcome: 'wrong', triesLeft: 1 });
      expect(await store.attempt('k2', HASH(3), t0 + 1000)).toEqual({ outcome: 'wrong', triesLeft: 0 });
      // The right code after the last wrong try: void.
      expect(await store.attempt('k2', HASH(7), t0 + 1000)).toEqual({ outcome: 'exhausted' });

      await store.issue(code('k3', 'c-3', t0, { codeHash: HASH(7) }), DAY_START, LIMITS);
      expect(await store.attempt('k3', HASH(7), t0 + 10 * 60_000)).toEqual({ outcome: 'expired' });
      expect(await store.attempt('nothing', HASH(7), t0)).toEqual({ outcome: 'unknown' });
    });

    test('tries made at once through two instances are each counted: never more than the code allows', async () => {
      const t0 = DAY_START + 9 * 3_600_000;
      await store.issue(code('p1', 'c-1', t0, { codeHash: HASH(7), tries: 3 }), DAY_START, LIMITS);
      const other = codes(await db.another());
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).attempt('p1', HASH(100 + i), t0 + 1000)));
      expect(results.filter((r) => r.outcome === 'wrong')).toHaveLength(3);
      expect(results.filter((r) => r.outcome === 'exhausted')).toHaveLength(5);
      expect(await store.attempt('p1', HASH(7), t0 + 2000)).toEqual({ outcome: 'exhausted' });
    });
  });
}
