import type { HeldBody, IntakeLimits, QuestionIntake } from '../../src/app/ports';
import type { StoreHarness } from './harness';

const DAY = 86_400_000;
const DAY_START = Date.UTC(2026, 11, 3, 17, 0, 0); // 00:00 on 4/12/2026 in Vietnam
const LIMITS: IntakeLimits = { perIdentity: 3, perContact: 2, perAddress: 4, overall: 6 };

function filing(text: string, source?: string): HeldBody {
  return {
    ...(source ? { source } : {}),
    channel: 'portal',
    text,
    asker: { name: 'Nguyễn Văn An', contact: '0912345678' },
    lang: 'vi',
    agency: 'so-yte',
    confidence: 0.9,
    triage: false,
    reference: { conversation: { id: 'conv-1' } },
  };
}

/** The question-intake contract (daily limits, the held queue): every adapter passes it. */
export function intakeContract<L>(name: string, open: () => Promise<StoreHarness<L>>, intake: (ledger: L) => QuestionIntake): void {
  let db: StoreHarness<L>;
  let store: QuestionIntake;

  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      store = intake(db.ledger);
    });
    afterEach(async () => {
      await db.close();
    });

    describe(`daily limits on filed questions`, () => {
      test('each limit counts the day’s questions of its key; the one that would go over says which limit', async () => {
        const at = (i: number) => DAY_START + 8 * 3_600_000 + i;
        expect(await store.admit('id-1', 'c-1', undefined, DAY_START, at(0), LIMITS)).toEqual({ ok: true });
        expect(await store.admit('id-1', 'c-1', undefined, DAY_START, at(1), LIMITS)).toEqual({ ok: true });
        // Third from the same contact, under a new identity: the contact limit (2).
        expect(await store.admit('id-2', 'c-1', undefined, DAY_START, at(2), LIMITS)).toEqual({ ok: false, reason: 'contact' });
        expect(await store.admit('id-1', 'c-2', undefined, DAY_START, at(3), LIMITS)).toEqual({ ok: true });
        // Fourth from the same identity: the identity limit (3).
        expect(await store.admit('id-1', 'c-3', undefined, DAY_START, at(4), LIMITS)).toEqual({ ok: false, reason: 'identity' });
        // New identities and contacts from one address: the address limit (4) after one more.
        expect(await store.admit('id-3', 'c-4', 'addr', DAY_START, at(5), LIMITS)).toEqual({ ok: true });
        expect(await store.admit('id-4', 'c-5', 'addr', DAY_START, at(6), LIMITS)).toEqual({ ok: true });
        expect(await store.admit('id-5', 'c-6', 'addr', DAY_START, at(7), LIMITS)).toEqual({ ok: true });
        // Six admitted today: the overall limit, whoever asks.
        expect(await store.admit('id-9', 'c-9', undefined, DAY_START, at(8), LIMITS)).toEqual({ ok: false, reason: 'overall' });
        // Refused attempts were not counted; the next day starts afresh.
        expect(await store.admit('id-1', 'c-1', 'addr', DAY_START + DAY, at(0) + DAY, LIMITS)).toEqual({ ok: true });
        // Counts older than the day before are dropped.
        expect(await db.rows('SELECT count(*) AS n FROM question_intake')).toEqual([{ n: 7 }]);
        expect(await store.admit('id-1', 'c-1', undefined, DAY_START + 2 * DAY, at(0) + 2 * DAY, LIMITS)).toEqual({ ok: true });
        expect(await db.rows('SELECT count(*) AS n FROM question_intake')).toEqual([{ n: 2 }]);
      });

      test('the address limit applies only when the address and its limit are known', async () => {
        const noAddressLimit = { perIdentity: 10, perContact: 10, overall: 10 };
        for (let i = 0; i < 5; i += 1) expect(await store.admit(`id-${i}`, `c-${i}`, 'addr', DAY_START, DAY_START + i, noAddressLimit)).toEqual({ ok: true });
        for (let i = 0; i < 4; i += 1) expect((await store.admit(`x-${i}`, `y-${i}`, 'addr-2', DAY_START, DAY_START + i, { ...noAddressLimit, perAddress: 4 })).ok).toBe(true);
        expect(await store.admit('x-9', 'y-9', 'addr-2', DAY_START, DAY_START + 9, { ...noAddressLimit, perAddress: 4 })).toEqual({ ok: false, reason: 'address' });
      });

      test('without a contact (a channel-identified sender) the contact is neither checked nor counted; the other limits still apply', async () => {
        const limits = { perIdentity: 2, perContact: 1, overall: 10 };
        // The contact c-1 has spent its one question; a Zalo citizen who typed the same number is not held by it.
        expect(await store.admit('portal-1', 'c-1', undefined, DAY_START, DAY_START + 1, limits)).toEqual({ ok: true });
        expect(await store.admit('zalo-1', undefined, undefined, DAY_START, DAY_START + 2, limits)).toEqual({ ok: true });
        expect(await store.admit('zalo-1', undefined, undefined, DAY_START, DAY_START + 3, limits)).toEqual({ ok: true });
        expect(await store.admit('zalo-1', undefined, undefined, DAY_START, DAY_START + 4, limits)).toEqual({ ok: false, reason: 'identity' });
        // Nor did those questions spend any contact's count: a fresh contact still has its one question.
        expect(await store.admit('portal-2', 'c-2', undefined, DAY_START, DAY_START + 5, limits)).toEqual({ ok: true });
        expect(await store.admit('portal-3', 'c-1', undefined, DAY_START, DAY_START + 6, limits)).toEqual({ ok: false, reason: 'contact' });
      });

      test('two instances admitting at once never both take the last places', async () => {
        const other = intake(await db.another());
        const limits = { perIdentity: 100, perContact: 100, overall: 5 };
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).admit(`id-${i}`, `c-${i}`, undefined, DAY_START, DAY_START + i, limits)));
        expect(results.filter((r) => r.ok)).toHaveLength(5);
        expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 7 }, () => ({ ok: false, reason: 'overall' })));
      });
    });

    describe(`the held queue`, () => {
      test('held once per channel event, listed oldest first with everything needed to file it', async () => {
        const a = await store.hold(filing('Câu hỏi thứ nhất', 'zalo:msg-1'), 'identity', DAY_START + 1);
        const again = await store.hold(filing('Câu hỏi thứ nhất', 'zalo:msg-1'), 'identity', DAY_START + 2);
        const b = await store.hold(filing('Câu hỏi thứ hai'), 'overall', DAY_START + 3);
        const c = await store.hold(filing('Câu hỏi thứ ba'), 'contact', DAY_START + 4);
        expect(again).toBe(a);
        expect(new Set([a, b, c]).size).toBe(3);
        const waiting = await store.waiting();
        expect(waiting.map((h) => h.id)).toEqual([a, b, c]);
        expect(waiting[0]).toEqual({ id: a, heldAt: DAY_START + 1, reason: 'identity', body: filing('Câu hỏi thứ nhất', 'zalo:msg-1'), status: 'held' });
        expect((await store.waiting(2)).map((h) => h.id)).toEqual([a, b]);
        expect(await store.get(999_999)).toBeUndefined();
      });

      test('an editor decides once; a release that could not file goes back to the queue; a filed one keeps its ticket', async () => {
        const a = await store.hold(filing('Một'), 'identity', DAY_START);
        const b = await store.hold(filing('Hai'), 'identity', DAY_START);
        expect(await store.decide(a, { status: 'released', by: 'acc_editor' }, DAY_START + 10)).toBe(true);
        expect(await store.decide(a, { status: 'discarded', by: 'acc_other' }, DAY_START + 11)).toBe(false);
        expect(await store.get(a)).toMatchObject({ status: 'released', decidedAt: DAY_START + 10, decidedBy: 'acc_editor' });
        expect((await store.waiting()).map((h) => h.id)).toEqual([b]);
        await store.reopen(a);
        expect(await store.get(a)).toEqual({ id: a, heldAt: DAY_START, reason: 'identity', body: filing('Một'), status: 'held' });
        expect(await store.decide(a, { status: 'released', by: 'acc_editor' }, DAY_START + 12)).toBe(true);
        await store.setTicket(a, 'HD-2026-000007');
        await store.reopen(a);
        expect(await store.get(a)).toMatchObject({ status: 'released', q: 'HD-2026-000007' });
        expect(await store.decide(b, { status: 'discarded', by: 'acc_editor' }, DAY_START + 13)).toBe(true);
        expect(await store.waiting()).toEqual([]);
      });

      test('a held question whose text carries a NUL character comes back exactly', async () => {
        const body = filing('Câu hỏi\u0000 có ký tự lạ', 'portal:act-\u00001');
        const id = await store.hold(body, 'address', DAY_START);
        expect((await store.get(id))?.body).toEqual(body);
        expect(await store.hold(body, 'address', DAY_START + 1)).toBe(id);
      });

      test('two instances deciding the same held question: one decision stands', async () => {
        const other = intake(await db.another());
        const a = await store.hold(filing('Một'), 'overall', DAY_START);
        const decided = await Promise.all([
          store.decide(a, { status: 'released', by: 'acc_1' }, DAY_START + 1),
          other.decide(a, { status: 'discarded', by: 'acc_2' }, DAY_START + 1),
        ]);
        expect(decided.filter(Boolean)).toHaveLength(1);
        expect((await store.get(a))?.decidedBy).toBe(decided[0] ? 'acc_1' : 'acc_2');
      });
    });
  });
}
