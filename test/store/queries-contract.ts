import type { BackofficeStore, QuestionListRow, QuestionQueries } from '../../src/app/ports';
import { Ledger } from '../../src/ledger/ledger';
import type { LedgerStore } from '../../src/store/types';
import { instant, province } from '../helpers/province';
import type { StoreHarness } from './harness';

const asker = { name: 'Nguyễn Văn An', contact: '0912345678', locality: 'x-baothang' };
const submitted = (q: string, at: string, text: string, extra: Record<string, unknown> = {}) => ({ q, type: 'submitted', at, channel: 'portal', text, asker, ...extra });
const assigned = (q: string, at: string, agency: string) => ({ q, type: 'assigned', at, agency, by: 'bot' });
const accepted = (q: string, at: string, agency: string) => ({ q, type: 'accepted', at, agency, by: `officer:${agency}-01` });
const answered = (q: string, at: string, agency: string, text: string) => ({ q, type: 'answered', at, agency, by: `officer:${agency}-lead`, authorized: true, text });

/** Four questions: two answered (the later asked answered first), one open, one deleted. */
const LINES = [
  submitted('HD-2026-000001', '2026-11-02T09:00:00+07:00', 'Thủ tục cấp lại thẻ bảo hiểm y tế bị mất?', { lang: 'vi' }),
  assigned('HD-2026-000001', '2026-11-02T09:05:00+07:00', 'so-yte'),
  submitted('HD-2026-000002', '2026-11-03T09:00:00+07:00', 'Đường liên xã bị sạt lở, khi nào sửa?', { asker: { name: ' ', contact: 'dan@example.vn' } }),
  assigned('HD-2026-000002', '2026-11-03T09:05:00+07:00', 'x-baothang'),
  submitted('HD-2026-000003', '2026-11-04T09:00:00+07:00', 'Tiêm chủng mở rộng cho trẻ ở đâu?'),
  assigned('HD-2026-000003', '2026-11-04T09:05:00+07:00', 'so-yte'),
  accepted('HD-2026-000003', '2026-11-04T10:00:00+07:00', 'so-yte'),
  answered('HD-2026-000003', '2026-11-05T10:00:00+07:00', 'so-yte', 'Tại trạm y tế xã, vào ngày 10 hằng tháng.'),
  submitted('HD-2026-000004', '2026-11-05T09:00:00+07:00', 'Câu hỏi trùng'),
  assigned('HD-2026-000004', '2026-11-05T09:05:00+07:00', 'so-yte'),
  { q: 'HD-2026-000004', type: 'deleted', at: '2026-11-05T11:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-01', reason: 'duplicate' },
  accepted('HD-2026-000001', '2026-11-03T08:00:00+07:00', 'so-yte'),
  answered('HD-2026-000001', '2026-11-10T08:00:00+07:00', 'so-yte', 'Liên hệ cơ quan bảo hiểm xã hội huyện.'),
  { q: 'HD-2026-000001', type: 'rated', at: '2026-11-11T08:00:00+07:00', by: 'citizen', rating: 4 },
  { q: 'HD-2026-000003', type: 'rated', at: '2026-11-06T08:00:00+07:00', by: 'citizen', rating: 4 },
].map((e) => JSON.stringify(e));

/** The read-query contract over the ledger's tables: every adapter passes it. */
export function queriesContract<L extends LedgerStore>(
  name: string,
  open: () => Promise<StoreHarness<L>>,
  adapters: (ledger: L) => { queries: QuestionQueries; backoffice: BackofficeStore },
): void {
  let db: StoreHarness<L>;
  let queries: QuestionQueries;
  let backoffice: BackofficeStore;

  // The hooks inside: each adapter opens only its own database for its own tests.
  describe(name, () => {
    beforeEach(async () => {
      db = await open();
      ({ queries, backoffice } = adapters(db.ledger));
      const imported = await new Ledger(db.ledger, province()).importLines(LINES);
      expect(imported.errors).toEqual([]);
    });
    afterEach(async () => {
      await db.close();
    });

    const ids = (result: { rows: QuestionListRow[] }) => result.rows.map((r) => r.state.id);

    describe(`question list`, () => {
      test('the most recently submitted first, with the submitted event as stored and the total before paging', async () => {
        const all = await queries.listQuestions({});
        expect(all.total).toBe(4);
        expect(ids(all)).toEqual(['HD-2026-000004', 'HD-2026-000003', 'HD-2026-000002', 'HD-2026-000001']);
        expect(all.rows[3].submitted).toEqual(JSON.parse(LINES[0]));
        expect(all.rows[3].state).toMatchObject({ id: 'HD-2026-000001', status: 'answered', agency: 'so-yte', eventCount: 5, rating: 4 });
        const page = await queries.listQuestions({ limit: 2, offset: 1 });
        expect(page.total).toBe(4);
        expect(ids(page)).toEqual(['HD-2026-000003', 'HD-2026-000002']);
        expect(ids(await queries.listQuestions({ offset: 3 }))).toEqual(['HD-2026-000001']);
      });

      test('filters by agency, statuses, submission time and ids, together', async () => {
        expect(ids(await queries.listQuestions({ agency: 'x-baothang' }))).toEqual(['HD-2026-000002']);
        expect(ids(await queries.listQuestions({ statuses: ['answered'] }))).toEqual(['HD-2026-000003', 'HD-2026-000001']);
        expect(ids(await queries.listQuestions({ statuses: ['answered', 'deleted'], agency: 'so-yte' }))).toEqual(['HD-2026-000004', 'HD-2026-000003', 'HD-2026-000001']);
        const from = instant('2026-11-03T09:00:00+07:00');
        const to = instant('2026-11-04T09:00:00+07:00');
        const window = await queries.listQuestions({ submittedFrom: from, submittedTo: to });
        expect([window.total, ids(window)]).toEqual([2, ['HD-2026-000003', 'HD-2026-000002']]);
        expect(ids(await queries.listQuestions({ ids: ['HD-2026-000001', 'HD-2026-000004', 'HD-2026-999999'] }))).toEqual(['HD-2026-000004', 'HD-2026-000001']);
        expect(await queries.listQuestions({ ids: [] })).toEqual({ total: 0, rows: [] });
        expect(await queries.listQuestions({ agency: 'so-nnmt' })).toEqual({ total: 0, rows: [] });
      });
    });

    describe(`the console's dashboard counts`, () => {
      test('submission instants and ratings of the questions submitted in a range, of one agency when asked', async () => {
        const november = { from: instant('2026-11-01T00:00:00+07:00'), to: instant('2026-11-30T23:59:59.999+07:00') };
        expect((await queries.submittedTimes(november)).sort()).toEqual(
          ['2026-11-02T09:00:00+07:00', '2026-11-03T09:00:00+07:00', '2026-11-04T09:00:00+07:00', '2026-11-05T09:00:00+07:00'].map(instant),
        );
        expect(await queries.submittedTimes({ ...november, agency: 'x-baothang' })).toEqual([instant('2026-11-03T09:00:00+07:00')]);
        expect(await queries.submittedTimes({ from: instant('2026-11-04T09:00:00+07:00'), to: instant('2026-11-04T09:00:00+07:00') })).toEqual([instant('2026-11-04T09:00:00+07:00')]);
        expect(await queries.ratingCounts(november)).toEqual([{ rating: 4, n: 2 }]);
        expect(await queries.ratingCounts({ ...november, agency: 'x-baothang' })).toEqual([]);
        expect(await queries.ratingCounts({ from: november.from, to: instant('2026-11-03T00:00:00+07:00') })).toEqual([{ rating: 4, n: 1 }]);
      });
    });

    describe(`published answers`, () => {
      test('counted, and listed for the public page latest answer first, with the asker’s name only', async () => {
        expect(await queries.answeredCount()).toBe(2);
        const answers = await queries.publicAnswers();
        expect(answers).toEqual([
          {
            q: 'HD-2026-000001',
            agency: 'so-yte',
            submittedAt: instant('2026-11-02T09:00:00+07:00'),
            answeredAt: instant('2026-11-10T08:00:00+07:00'),
            question: 'Thủ tục cấp lại thẻ bảo hiểm y tế bị mất?',
            answer: 'Liên hệ cơ quan bảo hiểm xã hội huyện.',
            askerName: 'Nguyễn Văn An',
            lang: 'vi',
          },
          {
            q: 'HD-2026-000003',
            agency: 'so-yte',
            submittedAt: instant('2026-11-04T09:00:00+07:00'),
            answeredAt: instant('2026-11-05T10:00:00+07:00'),
            question: 'Tiêm chủng mở rộng cho trẻ ở đâu?',
            answer: 'Tại trạm y tế xã, vào ngày 10 hằng tháng.',
            askerName: 'Nguyễn Văn An',
          },
        ]);
        expect(JSON.stringify(answers)).not.toContain('0912345678');
      });

      test('answers not yet handed over or notified since an instant, oldest first; a claimed key takes one out', async () => {
        const since = instant('2026-11-01T00:00:00+07:00');
        // Imported answers count as handed over only where the store says so: here nothing is claimed yet.
        await db.rows('DELETE FROM notifications_sent');
        expect(await queries.unclaimedAnswersSince(since)).toEqual([
          { q: 'HD-2026-000003', text: 'Tại trạm y tế xã, vào ngày 10 hằng tháng.', agency: 'so-yte' },
          { q: 'HD-2026-000001', text: 'Liên hệ cơ quan bảo hiểm xã hội huyện.', agency: 'so-yte' },
        ]);
        expect(await queries.unclaimedAnswersSince(instant('2026-11-06T00:00:00+07:00'))).toEqual([{ q: 'HD-2026-000001', text: 'Liên hệ cơ quan bảo hiểm xã hội huyện.', agency: 'so-yte' }]);
        expect(await backoffice.claimNotification('answer-hand-over:HD-2026-000003', since)).toBe(true);
        expect((await queries.unclaimedAnswersSince(since)).map((a) => a.q)).toEqual(['HD-2026-000001']);

        expect(await queries.answeredWithoutKey(since, 'answer-notice:')).toEqual(['HD-2026-000003', 'HD-2026-000001']);
        expect(await backoffice.claimNotification('answer-notice:HD-2026-000001', since)).toBe(true);
        expect(await queries.answeredWithoutKey(since, 'answer-notice:')).toEqual(['HD-2026-000003']);
        expect(await queries.answeredWithoutKey(instant('2026-11-11T00:00:00+07:00'), 'answer-notice:')).toEqual([]);
      });
    });
  });
}
