import { Ledger } from '../../src/ledger/ledger';
import type { LedgerStore, OpenCases } from '../../src/app/ports';
import { instant, province } from '../helpers/province';
import type { StoreHarness } from './harness';

const submitted = (q: string, at: string) => ({ q, type: 'submitted', at, channel: 'portal', text: 'Xin hỏi thủ tục', asker: { name: 'Lò Văn Dũng', contact: '0912345678' } });
const assigned = (q: string, at: string, agency: string) => ({ q, type: 'assigned', at, agency, by: 'bot' });

const LINES = [
  submitted('HD-2026-000001', '2026-11-02T09:00:00+07:00'),
  assigned('HD-2026-000001', '2026-11-02T09:05:00+07:00', 'so-yte'),
  submitted('HD-2026-000002', '2026-11-02T10:00:00+07:00'),
  assigned('HD-2026-000002', '2026-11-02T10:05:00+07:00', 'vp-ubnd'),
  { q: 'HD-2026-000002', type: 'forwarded', at: '2026-11-03T10:00:00+07:00', from: 'vp-ubnd', agency: 'x-baothang', by: 'officer:vp-ubnd-01', reason: 'Thuộc thẩm quyền của huyện' },
  submitted('HD-2026-000003', '2026-11-02T11:00:00+07:00'),
  assigned('HD-2026-000003', '2026-11-02T11:05:00+07:00', 'so-yte'),
  { q: 'HD-2026-000003', type: 'deleted', at: '2026-11-03T11:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-01', reason: 'duplicate' },
  submitted('HD-2026-000004', '2026-11-03T08:00:00+07:00'),
  assigned('HD-2026-000004', '2026-11-03T08:05:00+07:00', 'x-baothang'),
  { q: 'HD-2026-000004', type: 'accepted', at: '2026-11-03T09:00:00+07:00', agency: 'x-baothang', by: 'officer:h-baothang-01' },
  { q: 'HD-2026-000004', type: 'answered', at: '2026-11-04T09:00:00+07:00', agency: 'x-baothang', by: 'officer:h-baothang-01', authorized: true, text: 'Trả lời' },
  submitted('HD-2026-000005', '2026-11-20T08:00:00+07:00'),
  assigned('HD-2026-000005', '2026-11-20T08:05:00+07:00', 'x-baothang'),
].map((e) => JSON.stringify(e));

/** The sweeper's source of open cases: every adapter passes it. */
export function openCasesContract<L extends LedgerStore>(name: string, open: () => Promise<StoreHarness<L>>, cases: (ledger: L) => OpenCases): void {
  let db: StoreHarness<L>;

  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      expect((await new Ledger(db.ledger, province()).importLines(LINES)).errors).toEqual([]);
    });
    afterEach(async () => {
      await db.close();
    });

    test(`open cases of every agency started by the instant, with their position and deadlines, by agency and acceptance deadline`, async () => {
      const found = await cases(db.ledger).openCases(instant('2026-11-10T00:00:00+07:00'));
      expect(found.map((c) => [c.q, c.idx, c.agency])).toEqual([
        ['HD-2026-000001', 0, 'so-yte'],
        ['HD-2026-000002', 1, 'x-baothang'],
      ]);
      const [open, forwarded] = found;
      expect(open).toEqual({
        q: 'HD-2026-000001',
        idx: 0,
        agency: 'so-yte',
        start: instant('2026-11-02T09:05:00+07:00'),
        acceptDue: expect.any(Number),
        baseAnswerDue: expect.any(Number),
        answerDue: expect.any(Number),
      });
      expect(open.acceptDue).toBeGreaterThan(open.start);
      expect(open.answerDue).toBeGreaterThan(open.acceptDue);
      expect(forwarded.start).toBe(instant('2026-11-03T10:00:00+07:00'));
      // Cases not started by the instant are left out; closed ones never come back (the current state is read).
      expect((await cases(db.ledger).openCases(instant('2026-11-02T11:00:00+07:00'))).map((c) => [c.q, c.idx])).toEqual([['HD-2026-000001', 0]]);
      expect((await cases(db.ledger).openCases(instant('2026-11-20T09:00:00+07:00'))).map((c) => c.q)).toEqual(['HD-2026-000001', 'HD-2026-000002', 'HD-2026-000005']);
    });
  });
}
