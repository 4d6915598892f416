import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workflow } from '../../src/backoffice/actions';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import { PROJECT_ROOT } from '../../src/config/paths';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { hoidap } from '../helpers/cli';
import { instant, province } from '../helpers/province';

/** One naming convention for JSON keys, CLI and API alike: camelCase (values such as codes stay as they are). */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-json-'));
const db = path.join(dir, 'x.sqlite');
const AT = '2023-09-25T17:00:00+07:00';

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  return out;
}

beforeAll(async () => {
  expect((await hoidap(['import', '--db', db, path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl')])).code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('`overdue --format json` and `report --format json` use camelCase keys only', async () => {
  const overdue = JSON.parse((await hoidap(['overdue', '--db', db, '--agency', 'bao thang', '--at', AT, '--format', 'json'])).stdout);
  const report = JSON.parse((await hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'json'])).stdout);
  for (const value of [overdue, report]) for (const key of keysOf(value)) expect(key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
  expect(overdue.overdue[0]).toEqual(expect.objectContaining({ workingDaysOverdue: expect.any(Number), caseStart: expect.any(String) }));
  expect(report.rows[0]).toEqual(expect.objectContaining({ awaitingAnswer: expect.any(Number), awaitingAcceptance: expect.any(Number) }));
});

test('the CLI’s overdue rows have the same keys and figures as the API’s (GET /api/v1/overdue)', async () => {
  const cli = JSON.parse((await hoidap(['overdue', '--db', db, '--agency', 'h-baothang', '--at', AT, '--format', 'json'])).stdout);
  const data = province();
  const store = new SqliteLedgerStore(db);
  try {
    const backoffice = new SqliteBackofficeStore(store.db);
    const workflow = new Workflow({ data, store, ledger: new Ledger(store, data), backoffice, notifier: new RecordingNotifier(), now: () => instant(AT) });
    const editor = await backoffice.createAccount({ name: 'Ban biên tập', role: 'editor' }, instant(AT));
    const api = JSON.parse(JSON.stringify(await workflow.overdue(editor, { agency: 'h-baothang', at: instant(AT) })));
    const apiRows = api.agencies[0].items as Array<Record<string, unknown>>;
    expect(apiRows.length).toBe(cli.overdue.length);
    const shared = (row: Record<string, unknown>) => ({ q: row.q, deadline: row.deadline, due: row.due, workingDaysOverdue: row.workingDaysOverdue, caseStart: row.caseStart });
    expect(cli.overdue.map(shared)).toEqual(apiRows.map(shared));
  } finally {
    await store.close();
  }
});
