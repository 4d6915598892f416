import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { province } from '../helpers/province';

const good = [
  '{"q":"HD-2023-000007","type":"submitted","at":"2023-05-24T09:12:00+07:00","channel":"portal","text":"Xin hỏi thủ tục cấp lại giấy chứng nhận quyền sử dụng đất","asker":{"name":"Nguyễn Văn A","contact":"0912345678","locality":"h-baothang"}}',
  '{"q":"HD-2023-000007","type":"assigned","at":"2023-05-24T10:00:00+07:00","agency":"h-baothang","by":"bot"}',
  '{"q":"HD-2023-000007","type":"accepted","at":"2023-06-20T08:30:00+07:00","agency":"h-baothang","by":"officer:bt-01"}',
  '{"q":"HD-2023-000007","type":"answered","at":"2023-06-25T15:00:00+07:00","agency":"h-baothang","by":"officer:bt-lead","authorized":true,"text":"Trả lời"}',
];

async function withLedger<T>(fn: (ledger: Ledger, store: SqliteLedgerStore) => Promise<T>): Promise<T> {
  const store = new SqliteLedgerStore(':memory:');
  try {
    return await fn(new Ledger(store, province()), store);
  } finally {
    await store.close();
  }
}

describe('importing a ledger', () => {
  test('a valid ledger is stored, and importing it again adds nothing', async () => {
    await withLedger(async (ledger, store) => {
      expect(await ledger.importLines(good)).toMatchObject({ imported: 4, questions: 1, alreadyPresent: 0, errors: [] });
      expect(await ledger.importLines(good)).toMatchObject({ imported: 0, alreadyPresent: 4, errors: [] });
      expect(await store.counts()).toEqual({ questions: 1, events: 4, cases: 1 });
    });
  });

  test('export gives back the same events, field for field', async () => {
    await withLedger(async (ledger) => {
      await ledger.importLines(good);
      const out: string[] = [];
      for await (const line of ledger.exportLines()) out.push(line);
      expect(out.map((l) => JSON.parse(l))).toEqual(good.map((l) => JSON.parse(l)));
    });
  });

  test('a later file may continue questions already stored', async () => {
    await withLedger(async (ledger, store) => {
      await ledger.importLines(good.slice(0, 2));
      expect(await ledger.importLines(good)).toMatchObject({ imported: 2, alreadyPresent: 2, errors: [] });
      expect((await store.loadQuestions(['HD-2023-000007'])).get('HD-2023-000007')?.status).toBe('answered');
    });
  });

  const broken: Array<[string, string[], Array<[number, RegExp]>]> = [
    ['bad JSON', [good[0], '{"q":"HD-2023-000007","type":"assigned",', good[1]], [[2, /not valid JSON/]]],
    ['an unknown agency', [good[0], good[1].replace('h-baothang', 'h-khongco')], [[2, /unknown agency code "h-khongco"/]]],
    ['an instant without offset', [good[0].replace('09:12:00+07:00', '09:12:00')], [[1, /field "at".*with an offset/]]],
    ['an answer before the assignment', [good[0], good[3], good[1]], [[2, /"answered" needs a current agency/]]],
    ['a second "assigned"', [good[0], good[1], good[1].replace('10:00:00', '11:00:00').replace('h-baothang', 'so-tnmt')], [[3, /"assigned" comes once; later moves are "forwarded"/]]],
    ['an unknown event type', [good[0], '{"q":"HD-2023-000007","type":"reopened","at":"2023-05-25T10:00:00+07:00"}'], [[2, /unknown event type "reopened"/]]],
    ['a missing field', [good[0], '{"q":"HD-2023-000007","type":"assigned","at":"2023-05-24T10:00:00+07:00"}'], [[2, /missing field "agency" \(required for assigned\)/]]],
    ['several bad lines at once', ['not json', good[0], good[2], good[1], '{"q":"HD-2023-000008","type":"rated","at":"2023-05-24T10:00:00+07:00","rating":5}'],
      [[1, /not valid JSON/], [3, /needs a current agency/], [5, /first event of question HD-2023-000008 must be "submitted"/]]],
  ];

  test.each(broken)('%s: each bad line is reported with its number and reason, and nothing is stored', async (_name, lines, expected) => {
    await withLedger(async (ledger, store) => {
      const result = await ledger.importLines(lines);
      expect(result.imported).toBe(0);
      expect(result.errors.map((e) => e.line)).toEqual(expected.map(([line]) => line));
      result.errors.forEach((e, i) => expect(e.reason).toMatch(expected[i][1]));
      expect(await store.counts()).toEqual({ questions: 0, events: 0, cases: 0 });
    });
  });

  test('a broken file leaves what was already stored untouched', async () => {
    await withLedger(async (ledger, store) => {
      await ledger.importLines(good.slice(0, 2));
      const result = await ledger.importLines([...good.slice(2), '{"q":"HD-2023-000009","type":"assigned","at":"2023-05-24T10:00:00+07:00","agency":"so-yte"}']);
      expect(result.errors).toHaveLength(1);
      expect(await store.counts()).toEqual({ questions: 1, events: 2, cases: 1 });
      expect((await store.loadQuestions(['HD-2023-000007'])).get('HD-2023-000007')?.status).toBe('assigned');
    });
  });

  test('recording a live event goes through the same rules', async () => {
    await withLedger(async (ledger) => {
      await ledger.importLines(good.slice(0, 2));
      await expect(ledger.record({ q: 'HD-2023-000007', type: 'accepted', at: '2023-05-25T08:00:00+07:00', agency: 'so-yte' })).rejects.toThrow(
        /names "so-yte" but the question is at "h-baothang"/,
      );
      const state = await ledger.record({ q: 'HD-2023-000007', type: 'accepted', at: '2023-05-25T08:00:00+07:00', agency: 'h-baothang' });
      expect(state.status).toBe('accepted');
    });
  });
});
