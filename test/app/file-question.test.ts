import { fileQuestion } from '../../src/app/questions/file-question';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { instant, province } from '../helpers/province';

const data = province();
const NOW = instant('2026-11-30T09:00:00+07:00');
const filing = {
  source: 'zalo:msg-1',
  channel: 'zalo' as const,
  text: 'Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở tại Bảo Thắng',
  asker: { name: 'Nguyễn Thị Bình', contact: '0987654321' },
  lang: 'vi',
  agency: 'x-baothang',
  confidence: 0.93,
  triage: false,
};

describe('filing a question (the ask dialog’s last step, held questions released)', () => {
  test('a ticket, then submitted and assigned; the deadlines are the lifecycle’s; the same channel event again gives the same ticket and writes nothing', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const deps = { facts: data, ledger: store, writer: new Ledger(store, data) };
    const filed = await fileQuestion(deps, filing, NOW);
    expect(filed).toMatchObject({ q: 'HD-2026-000001', created: true, state: { status: 'assigned', agency: 'x-baothang' } });
    // Three working days to accept, fifteen to answer, from Monday 30/11/2026.
    expect(data.clock.formatDateVi(filed.current.acceptDue)).toBe('02/12/2026');
    expect(data.clock.formatDateVi(filed.current.answerDue)).toBe('14/12/2026');
    expect((await store.questionEvents(filed.q)).map((e) => e.type)).toEqual(['submitted', 'assigned']);

    const again = await fileQuestion(deps, filing, NOW + 60_000);
    expect(again).toMatchObject({ q: filed.q, created: false });
    expect(await store.counts()).toMatchObject({ questions: 1, events: 2 });
    await store.close();
  });

  test('an unknown agency or an empty question is refused before a ticket is taken', async () => {
    const store = new SqliteLedgerStore(':memory:');
    const deps = { facts: data, ledger: store, writer: new Ledger(store, data) };
    await expect(fileQuestion(deps, { ...filing, agency: 'nowhere' }, NOW)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(fileQuestion(deps, { ...filing, text: '   ' }, NOW)).rejects.toMatchObject({ code: 'invalid_input', message: 'text: text must not be empty' });
    expect(await fileQuestion(deps, { ...filing, source: undefined }, NOW)).toMatchObject({ q: 'HD-2026-000001' });
    await store.close();
  });
});
