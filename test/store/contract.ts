import { parseEvent } from '../../src/domain/events';
import { applyEvent, lifecycleContext, type LifecycleContext, type QuestionState } from '../../src/domain/lifecycle';
import { ConflictError, type LedgerStore, type StoredEvent } from '../../src/store/types';
import { instant, province } from '../helpers/province';

/**
 * The storage contract: every adapter (SQLite, MongoDB) must pass this suite.
 * `open` returns a fresh, empty store.
 */
export function storeContract(name: string, open: () => Promise<LedgerStore>): void {
  const data = province();
  const ctx: LifecycleContext = lifecycleContext(data.calendar, data.rules, data.agencies);
  let store: LedgerStore;

  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  /** Builds the state and stored events of a question from event objects. */
  function history(q: string, ...events: Array<Record<string, unknown>>): { state: QuestionState; events: StoredEvent[] } {
    let state: QuestionState | undefined;
    const stored: StoredEvent[] = [];
    events.forEach((fields, i) => {
      const raw = { q, ...fields };
      const parsed = parseEvent(raw);
      if (!parsed.ok) throw new Error(parsed.reason);
      const result = applyEvent(state, parsed.event, instant(parsed.event.at), ctx);
      if (!result.ok) throw new Error(result.reason);
      state = result.state;
      stored.push({ q, key: `${q}:${i}`, type: parsed.event.type, at: instant(parsed.event.at), body: JSON.stringify(raw) });
    });
    return { state: state as QuestionState, events: stored };
  }

  const submitted = (at: string) => ({ type: 'submitted', at, channel: 'portal', text: 'Xin hỏi thủ tục khai tử' });
  const assigned = (at: string, agency: string) => ({ type: 'assigned', at, agency });

  describe(`${name}: the ledger store contract`, () => {
    test('stores events with the question state, and reads both back', async () => {
      const a = history('HD-2023-000001', submitted('2023-09-14T09:00:00+07:00'), assigned('2023-09-14T09:05:00+07:00', 'h-baothang'));
      await store.commit([{ state: a.state, expectedEventCount: 0, events: a.events }]);
      const loaded = await store.loadQuestions(['HD-2023-000001', 'HD-2023-999999']);
      expect([...loaded.keys()]).toEqual(['HD-2023-000001']);
      expect(loaded.get('HD-2023-000001')).toEqual(a.state);
      expect((await store.questionEvents('HD-2023-000001')).map((e) => e.body)).toEqual(a.events.map((e) => e.body));
      expect(await store.existingEventKeys(['HD-2023-000001:0', 'nope'])).toEqual(new Set(['HD-2023-000001:0']));
      expect(await store.counts()).toEqual({ questions: 1, events: 2, cases: 1 });
    });

    test('a stale update is refused and leaves nothing behind, whole batch included', async () => {
      const a = history('HD-2023-000001', submitted('2023-09-14T09:00:00+07:00'));
      await store.commit([{ state: a.state, expectedEventCount: 0, events: a.events }]);
      const b = history('HD-2023-000002', submitted('2023-09-14T09:00:00+07:00'));
      const again = history('HD-2023-000001', submitted('2023-09-14T09:00:00+07:00'), assigned('2023-09-14T10:00:00+07:00', 'so-yte'));
      await expect(
        store.commit([
          { state: b.state, expectedEventCount: 0, events: b.events },
          { state: again.state, expectedEventCount: 0, events: again.events.slice(1) },
        ]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.counts()).toEqual({ questions: 1, events: 1, cases: 0 });
    });

    test('events come back in the order they were appended', async () => {
      const first = history('HD-2023-000002', submitted('2023-09-14T09:00:00+07:00'));
      const second = history('HD-2023-000001', submitted('2023-09-15T09:00:00+07:00'));
      await store.commit([{ state: first.state, expectedEventCount: 0, events: first.events }]);
      await store.commit([{ state: second.state, expectedEventCount: 0, events: second.events }]);
      const seen: string[] = [];
      for await (const e of store.events()) seen.push(e.q);
      expect(seen).toEqual(['HD-2023-000002', 'HD-2023-000001']);
    });

    test('cases of a period are those that start in it', async () => {
      const a = history('HD-2023-000001', submitted('2023-06-30T22:00:00+07:00'), assigned('2023-06-30T23:59:00+07:00', 'so-yte'));
      const b = history('HD-2023-000002', submitted('2023-06-30T22:00:00+07:00'), assigned('2023-07-01T00:00:00+07:00', 'so-yte'));
      await store.commit([
        { state: a.state, expectedEventCount: 0, events: a.events },
        { state: b.state, expectedEventCount: 0, events: b.events },
      ]);
      const july = await store.casesStartingBetween(instant('2023-07-01T00:00:00+07:00'), instant('2023-07-31T23:59:59.999+07:00'));
      expect(july.map((c) => c.q)).toEqual(['HD-2023-000002']);
    });

    test('overdue candidates: open cases past the acceptance deadline, and cases closed only after the instant asked about', async () => {
      const open = history('HD-2023-000001', submitted('2023-09-14T09:00:00+07:00'), assigned('2023-09-14T09:05:00+07:00', 'h-baothang'));
      const answeredLater = history(
        'HD-2023-000002',
        submitted('2023-09-14T09:00:00+07:00'),
        assigned('2023-09-14T09:05:00+07:00', 'h-baothang'),
        { type: 'answered', at: '2023-09-28T09:00:00+07:00', agency: 'h-baothang', authorized: true, text: 'Trả lời' },
      );
      const otherAgency = history('HD-2023-000003', submitted('2023-09-14T09:00:00+07:00'), assigned('2023-09-14T09:05:00+07:00', 'so-yte'));
      const fresh = history('HD-2023-000004', submitted('2023-09-25T09:00:00+07:00'), assigned('2023-09-25T09:05:00+07:00', 'h-baothang'));
      await store.commit([open, answeredLater, otherAgency, fresh].map((h) => ({ state: h.state, expectedEventCount: 0, events: h.events })));
      const at25 = await store.overdueCandidates('h-baothang', instant('2023-09-25T17:00:00+07:00'));
      expect(at25.map((c) => c.q).sort()).toEqual(['HD-2023-000001', 'HD-2023-000002']);
      const at30 = await store.overdueCandidates('h-baothang', instant('2023-09-30T17:00:00+07:00'));
      expect(at30.map((c) => c.q).sort()).toEqual(['HD-2023-000001', 'HD-2023-000004']);
    });

    test('ticket numbers follow the highest stored number of the year and are never handed out twice', async () => {
      const a = history('HD-2023-000041', submitted('2023-09-14T09:00:00+07:00'));
      await store.commit([{ state: a.state, expectedEventCount: 0, events: a.events }]);
      expect(await store.allocateQuestionId(2023)).toBe('HD-2023-000042');
      expect(await store.allocateQuestionId(2023)).toBe('HD-2023-000043');
      expect(await store.allocateQuestionId(2024)).toBe('HD-2024-000001');
    });

    test('finds the question filed from a channel event by its source key', async () => {
      const a = history('HD-2026-000001', { ...submitted('2026-11-30T09:00:00+07:00'), source: 'zalo:msg-1' });
      await store.commit([{ state: a.state, expectedEventCount: 0, events: a.events }]);
      expect(await store.questionFromSource('zalo:msg-1')).toBe('HD-2026-000001');
      expect(await store.questionFromSource('zalo:msg-2')).toBeUndefined();
    });

    test('a question whose text carries a NUL character is stored as received and found by its source', async () => {
      const a = history('HD-2026-000001', { ...submitted('2026-11-30T09:00:00+07:00'), text: 'Xin hỏi\u0000 thủ tục', source: 'directline:c1|0000001' });
      await store.commit([{ state: a.state, expectedEventCount: 0, events: a.events }]);
      expect((await store.questionEvents('HD-2026-000001')).map((e) => e.body)).toEqual(a.events.map((e) => e.body));
      expect(await store.questionFromSource('directline:c1|0000001')).toBe('HD-2026-000001');
    });

    test('answers a readiness ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
