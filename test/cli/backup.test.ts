import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { importDemo } from '../helpers/bot';
import { hoidap } from '../helpers/cli';

let dir: string;
let dbFile: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-backup-'));
  dbFile = path.join(dir, 'hoidap.sqlite');
  const store = new SqliteLedgerStore(dbFile);
  await importDemo(store);
  await store.close();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('backup writes a complete, checked copy that opens as a store with the same ledger, while another connection writes', async () => {
  // Another connection (the running server) holds the file open and keeps writing.
  const server = new SqliteLedgerStore(dbFile);
  const writes = setInterval(() => server.db.prepare('INSERT INTO notifications_sent (key, created_ms) VALUES (?, ?)').run(`k${Math.random()}`, Date.now()), 1);
  const out = path.join(dir, 'copy.sqlite');
  try {
    const run = await hoidap(['backup', '--db', dbFile, '--out', out]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ bytes, 366 questions, schema version \\d+\\n$`));
  } finally {
    clearInterval(writes);
    await server.close();
  }
  expect(fs.readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  const copy = new Database(out, { readonly: true });
  expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
  copy.close();
  const original = new SqliteLedgerStore(dbFile);
  const restored = new SqliteLedgerStore(out);
  try {
    const lines = async (s: SqliteLedgerStore) => (s.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    expect(await lines(restored)).toBe(await lines(original));
    expect(await restored.questionEvents('HD-2023-000156')).toEqual(await original.questionEvents('HD-2023-000156'));
  } finally {
    await original.close();
    await restored.close();
  }
});

test('backup never overwrites, and says what is missing', async () => {
  const out = path.join(dir, 'exists.sqlite');
  fs.writeFileSync(out, 'precious');
  const again = await hoidap(['backup', '--db', dbFile, '--out', out]);
  expect(again).toMatchObject({ code: 2, stdout: '' });
  expect(again.stderr).toBe(`hoidap backup: ${out} already exists: a backup never overwrites a file\n`);
  expect(fs.readFileSync(out, 'utf8')).toBe('precious');
  expect((await hoidap(['backup', '--db', dbFile])).stderr).toBe('hoidap backup: --out FILE is required: where to write the copy\n');
  expect((await hoidap(['backup', '--db', path.join(dir, 'nope.sqlite'), '--out', path.join(dir, 'b.sqlite')])).stderr).toBe(`hoidap backup: no database at ${path.join(dir, 'nope.sqlite')}\n`);
  expect(fs.existsSync(path.join(dir, 'nope.sqlite'))).toBe(false);
});
