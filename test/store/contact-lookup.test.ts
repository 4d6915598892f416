import type { QuestionQueries } from '../../src/app/ports';
import { Ledger } from '../../src/ledger/ledger';
import { PostgresQuestionQueries } from '../../src/store/postgres-queries';
import { SqliteQuestionQueries } from '../../src/store/sqlite-queries';
import { province } from '../helpers/province';
import { postgresHarness, sqliteHarness, type StoreHarness } from './harness';
import type { LedgerStore } from '../../src/store/types';

/** "tra cứu" by a confirmed contact: the questions whose asker gave exactly that contact, on both databases. */
function contactLookupContract<L extends LedgerStore>(name: string, open: () => Promise<StoreHarness<L>>, queries: (ledger: L) => QuestionQueries): void {
  describe(name, () => {
    let db: StoreHarness<L>;
    beforeEach(async () => {
      db = await open();
    });
    afterEach(async () => {
      await db.close();
    });

    test('exact contacts only, newest first, at most the limit; a contact quoted in another event does not count', async () => {
      const ledger = new Ledger(db.ledger, province());
      const ask = async (q: string, day: number, contact: string) => {
        const at = `2026-11-${String(day).padStart(2, '0')}T09:00:00+07:00`;
        await ledger.record({ q, type: 'submitted', at, channel: 'portal', text: 'Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở?', asker: { name: 'Lê Thị Mai', contact } });
        await ledger.record({ q, type: 'assigned', at, agency: 'x-xuanquang', by: 'bot' });
      };
      await ask('HD-2026-000001', 2, 'mai_le%1@example.vn');
      await ask('HD-2026-000002', 3, 'maixle%1@example.vn');
      await ask('HD-2026-000003', 4, '0912345678');
      await ask('HD-2026-000004', 5, 'mai_le%1@example.vn');
      await ask('HD-2026-000005', 6, '10912345678');
      await ask('HD-2026-000006', 9, 'mai_le%1@example.vn');
      await ledger.record({ q: 'HD-2026-000005', type: 'accepted', at: '2026-11-10T09:00:00+07:00', agency: 'x-xuanquang', by: 'officer:o1' });
      await ledger.record({
        q: 'HD-2026-000005',
        type: 'answered',
        at: '2026-11-10T10:00:00+07:00',
        agency: 'x-xuanquang',
        authorized: true,
        by: 'approver:a1',
        text: 'Liên hệ "0912345678" để được hướng dẫn.',
      });
      const q = queries(db.ledger);
      // LIKE's wildcards in the address are literal; the newest first.
      expect(await q.questionsByContact('mai_le%1@example.vn', 10)).toEqual(['HD-2026-000006', 'HD-2026-000004', 'HD-2026-000001']);
      expect(await q.questionsByContact('mai_le%1@example.vn', 2)).toEqual(['HD-2026-000006', 'HD-2026-000004']);
      expect(await q.questionsByContact('0912345678', 10)).toEqual(['HD-2026-000003']);
      expect(await q.questionsByContact('912345678', 10)).toEqual([]);
    });
  });
}

contactLookupContract('SQLite', sqliteHarness, (ledger) => new SqliteQuestionQueries(ledger.db));
contactLookupContract('PostgreSQL', postgresHarness, (ledger) => new PostgresQuestionQueries(ledger));
