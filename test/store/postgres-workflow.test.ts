import { Workflow } from '../../src/backoffice/actions';
import { HeldQuestions } from '../../src/backoffice/held';
import { Ledger } from '../../src/ledger/ledger';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import type { Account } from '../../src/app/ports';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { postgresBackStores } from '../../src/store/postgres-back-stores';
import { instant, province } from '../helpers/province';
import { postgresHarness, type StoreHarness } from './harness';

/** One server instance on the shared PostgreSQL schema: its own pool, stores, notifier and workflow. */
function instance(ledger: PostgresLedgerStore, clock: { now: number }) {
  const stores = postgresBackStores(ledger);
  const notifier = new RecordingNotifier();
  const workflow = new Workflow({ data: province(), store: ledger, backoffice: stores.backoffice, queries: stores.queries, notifier, now: () => clock.now });
  return { stores, notifier, workflow };
}

describe('the back-office workflow on PostgreSQL, two instances behind a load balancer', () => {
  let db: StoreHarness<PostgresLedgerStore>;
  beforeEach(async () => {
    db = await postgresHarness();
  });
  afterEach(async () => {
    await db.close();
  });

  test('accepted on one, drafted on the other, approved on both at once: published once, handed to the citizen once, listed for the officer', async () => {
    const clock = { now: instant('2026-11-30T09:00:00+07:00') };
    const a = instance(db.ledger, clock);
    const b = instance(await db.another(), clock);
    const t = instant('2026-11-01T08:00:00+07:00');
    const officer: Account = await a.stores.backoffice.createAccount({ name: 'Lò Văn Bình', role: 'officer', agency: 'x-baothang' }, t);
    const approver: Account = await b.stores.backoffice.createAccount({ name: 'Phó Chủ tịch huyện', role: 'approver', agency: 'x-baothang' }, t);
    const q = 'HD-2026-000001';
    await a.workflow.ledger.record({ q, type: 'submitted', at: '2026-11-30T08:00:00+07:00', channel: 'zalo', text: 'Xin hỏi thủ tục đính chính sổ đỏ', asker: { name: 'Nguyễn Văn An', contact: '0912345678' } });
    await b.workflow.ledger.record({ q, type: 'assigned', at: '2026-11-30T08:05:00+07:00', agency: 'x-baothang', by: 'bot' });

    await b.workflow.accept(officer, q);
    const { draft, notified } = await a.workflow.draft(officer, q, { text: 'Ông nộp hồ sơ tại Bộ phận một cửa huyện.' });
    expect(notified).toBe(1);
    expect(a.notifier.toAccounts.map((m) => m.account.id)).toEqual([approver.id]);
    expect((await b.stores.backoffice.pendingDrafts('x-baothang')).map((d) => d.id)).toEqual([draft.id]);

    clock.now = instant('2026-12-01T10:00:00+07:00');
    const results = await Promise.allSettled([a.workflow.approve(approver, q), b.workflow.approve(approver, q)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect([...a.notifier.toCitizens, ...b.notifier.toCitizens]).toEqual([{ q, answerText: 'Ông nộp hồ sơ tại Bộ phận một cửa huyện.', agencyName: expect.any(String) }]);
    expect((await db.ledger.questionEvents(q)).filter((e) => e.type === 'answered')).toHaveLength(1);
    expect((await a.stores.backoffice.latestDraft(q))?.status).toBe('approved');

    const list = await b.workflow.listQuestions(officer);
    expect(list.items.map((i) => [i.q, i.status])).toEqual([[q, 'answered']]);
    expect(await a.stores.queries.unclaimedAnswersSince(instant('2026-11-30T00:00:00+07:00'))).toEqual([]);
  });

  test('an answer a crash left without its hand-over is handed over once, whichever instances start', async () => {
    const clock = { now: instant('2026-12-01T10:00:00+07:00') };
    const a = instance(db.ledger, clock);
    const b = instance(await db.another(), clock);
    const q = 'HD-2026-000002';
    for (const event of [
      { q, type: 'submitted', at: '2026-11-30T08:00:00+07:00', channel: 'portal', text: 'Xin hỏi lịch tiêm chủng', asker: { name: 'Nguyễn Văn An', contact: 'an@example.vn' } },
      { q, type: 'assigned', at: '2026-11-30T08:05:00+07:00', agency: 'so-yte', by: 'bot' },
      { q, type: 'accepted', at: '2026-11-30T09:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-01' },
      { q, type: 'answered', at: '2026-12-01T09:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-lead', authorized: true, text: 'Ngày 10 hằng tháng tại trạm y tế xã.' },
    ])
      await a.workflow.ledger.record(event);
    const since = instant('2026-11-24T10:00:00+07:00');
    const left = await a.stores.queries.unclaimedAnswersSince(since);
    expect(left).toEqual([{ q, text: 'Ngày 10 hằng tháng tại trạm y tế xã.', agency: 'so-yte' }]);
    // Both instances start and find it; the claim decides which one hands it over.
    expect(await b.stores.queries.unclaimedAnswersSince(since)).toEqual(left);
    const handed = await Promise.all([a.workflow.handOverUnclaimedAnswers(left), b.workflow.handOverUnclaimedAnswers(left)]);
    expect(handed[0] + handed[1]).toBe(1);
    expect(a.notifier.toCitizens.length + b.notifier.toCitizens.length).toBe(1);
    expect(await b.stores.queries.unclaimedAnswersSince(since)).toEqual([]);
  });
});

describe('the held queue on PostgreSQL, two instances', () => {
  let db: StoreHarness<PostgresLedgerStore>;
  beforeEach(async () => {
    db = await postgresHarness();
  });
  afterEach(async () => {
    await db.close();
  });

  test('over the limit the question waits; two editors releasing it at once on two instances file it once', async () => {
    const data = province();
    const held = async (ledger: PostgresLedgerStore) => new HeldQuestions({ data, ledger: new Ledger(ledger, data), store: ledger, intake: postgresBackStores(ledger).intake });
    const [a, b] = [await held(db.ledger), await held(await db.another())];
    const filing = {
      source: 'directline:c1|0000003',
      channel: 'portal' as const,
      text: 'Xin hỏi thủ tục cấp chứng chỉ hành nghề khám bệnh',
      asker: { name: 'Nguyễn Văn An', contact: '0912345678' },
      lang: 'vi',
      agency: 'so-yte',
      confidence: 0.9,
      triage: false,
    };
    const sender = { channel: 'directline', userId: 'dl-1', address: 'addr-1' };
    const now = instant('2026-12-01T09:00:00+07:00');
    const perDay = data.policy.questionsPerDay.perIdentity;
    for (let i = 0; i < perDay; i += 1) expect(await a.admitOrHold({ ...filing, source: `directline:c1|${i}` }, sender, now + i)).toEqual({ admitted: true });
    const over = await b.admitOrHold(filing, sender, now + perDay);
    expect(over).toEqual({ admitted: false, id: expect.any(Number), reason: 'identity' });
    const id = (over as { id: number }).id;
    expect((await a.waiting()).map((h) => h.id)).toEqual([id]);

    const results = await Promise.allSettled([a.release(id, 'acc_editor_1', now + 3_600_000), b.release(id, 'acc_editor_2', now + 3_600_000)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const q = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ q: string }>).value.q;
    expect(await db.ledger.questionFromSource(filing.source)).toBe(q);
    expect((await db.ledger.counts()).questions).toBe(1);
    expect(await b.waiting()).toEqual([]);
  });
});
