/**
 * Finding 10 (import): a hostile ledger file with 100,000-deep nesting crashed `hoidap import` with a stack
 * trace; duplicate keys in a line silently kept the last one. Both are now refused with the line number, the
 * whole file is rejected (exit 2) and nothing is imported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonShapeProblem } from '../../src/domain/json-shape';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { hoidap } from '../helpers/cli';

const GOOD = JSON.stringify({ q: 'HD-2026-000001', type: 'submitted', at: '2026-11-02T08:00:00+07:00', channel: 'portal', text: 'Thủ tục cấp giấy phép xây dựng cần giấy tờ gì?' });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-hostile-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function importFile(lines: string[]) {
  const file = path.join(dir, 'ledger.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const db = path.join(dir, 'x.sqlite');
  const run = await hoidap(['import', '--db', db, file]);
  const store = new SqliteLedgerStore(db);
  const counts = await store.counts();
  await store.close();
  return { run, counts };
}

test('a line nested 100,000 deep is refused with its line number, no stack trace, nothing imported', async () => {
  const deep = `{"q":"HD-2026-000002","type":"submitted","at":"2026-11-02T08:00:00+07:00","channel":"portal","text":"x","extra":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
  const { run, counts } = await importFile([GOOD, deep]);
  expect(run.code).toBe(2);
  expect(run.stderr + run.stdout).toMatch(/ledger\.jsonl:2: nested deeper than 8 levels/);
  expect(run.stderr + run.stdout).not.toMatch(/\n\s+at \S+ \(|RangeError|Maximum call stack/);
  expect(counts.events).toBe(0);
});

test('a line with the same key twice is refused with its line number (the last value is not silently kept)', async () => {
  const twice = GOOD.replace('"channel":"portal"', '"channel":"portal","text":"Câu hỏi khác","channel":"zalo"');
  const { run, counts } = await importFile([twice]);
  expect(run.code).toBe(2);
  expect(run.stderr + run.stdout).toMatch(/ledger\.jsonl:1: duplicate key "channel"/);
  expect(counts.events).toBe(0);
});

test('the shape check: escaped keys compare by value, keys in different objects are fine, strings with brackets are not nesting', () => {
  expect(jsonShapeProblem('{"a":1,"\\u0061":2}', 8)).toMatch(/duplicate key "a"/);
  expect(jsonShapeProblem('{"a":{"a":1},"b":[{"a":1},{"a":2}]}', 8)).toBeUndefined();
  expect(jsonShapeProblem(`{"text":"${'['.repeat(50)}\\"{"}`, 8)).toBeUndefined();
  expect(jsonShapeProblem('[[[[[[[[[]]]]]]]]]', 8)).toMatch(/nested deeper than 8/);
  expect(jsonShapeProblem(GOOD, 8)).toBeUndefined();
});

test('an ordinary file still imports', async () => {
  const { run, counts } = await importFile([GOOD]);
  expect(run.code).toBe(0);
  expect(counts.events).toBe(1);
});
