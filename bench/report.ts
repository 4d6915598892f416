/**
 * Import and Phụ biểu 02 at the scale of a large province: 200,000 questions.
 * Prints the time to import the ledger and to compute a 9-month report, next to
 * the time to merely read and JSON-parse the same file, measured in the same run.
 * Target: the report in under 2 s. Run: npm run bench:report [-- --questions N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvinceData } from '../src/config/data';
import { parseDay } from '../src/domain/time';
import { Ledger } from '../src/ledger/ledger';
import { appendix02Report } from '../src/reports/appendix02';
import { SqliteLedgerStore } from '../src/store/sqlite';

const argIndex = process.argv.indexOf('--questions');
const QUESTIONS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 200_000;
const data = loadProvinceData();
const { clock, calendar } = data;
const HOUR = 3_600_000;
const codes = data.agencies.all.map((a) => a.code);

function buildLedger(file: string): number {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const first = parseDay('2023-01-01') as number;
  const span = (parseDay('2023-09-25') as number) - first;
  const out = fs.openSync(file, 'w');
  let events = 0;
  const lines: string[] = [];
  const flush = () => {
    fs.writeSync(out, lines.join('\n') + '\n');
    lines.length = 0;
  };
  for (let i = 0; i < QUESTIONS; i += 1) {
    const q = `HD-2023-${String(i + 1).padStart(6, '0')}`;
    const submitted = clock.startOfDay(first + Math.floor((i / QUESTIONS) * span)) + (7 + rand() * 14) * HOUR;
    const agency = codes[Math.floor(rand() * codes.length)];
    const e = (fields: Record<string, unknown>, at: number) => {
      lines.push(JSON.stringify({ q, ...fields, at: clock.format(at) }));
      events += 1;
    };
    e({ type: 'submitted', channel: 'portal', text: `Câu hỏi thử số ${i + 1} về thủ tục hành chính`, asker: { name: 'Người dân', contact: '0900000000' } }, submitted);
    const assigned = submitted + 0.5 * HOUR;
    e({ type: 'assigned', agency, by: 'bot' }, assigned);
    const roll = rand();
    if (roll < 0.1) {
      e({ type: 'deleted', agency, reason: 'duplicate' }, assigned + 24 * HOUR);
    } else if (roll < 0.95) {
      const accepted = clock.startOfDay(calendar.addWorkingDays(clock.dayOf(assigned), 1)) + 9 * HOUR;
      e({ type: 'accepted', agency }, accepted);
      const answered = clock.startOfDay(calendar.addWorkingDays(clock.dayOf(assigned), 1 + Math.floor(rand() * 12))) + 15 * HOUR;
      e({ type: 'answered', agency, authorized: true, text: 'Nội dung trả lời' }, Math.max(answered, accepted + HOUR));
    }
    if (lines.length > 10_000) flush();
  }
  flush();
  fs.closeSync(out);
  return events;
}

function time<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const result = fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-bench-'));
  const ledgerFile = path.join(dir, 'ledger.jsonl');
  const [events, buildSeconds] = time(() => buildLedger(ledgerFile));
  const size = fs.statSync(ledgerFile).size;
  console.log(`ledger: ${QUESTIONS} questions, ${events} events, ${(size / 1e6).toFixed(1)} MB (built in ${buildSeconds.toFixed(2)} s)`);

  const [parsed, parseSeconds] = time(() => {
    let n = 0;
    for (const line of fs.readFileSync(ledgerFile, 'utf8').split('\n')) if (line) (JSON.parse(line), (n += 1));
    return n;
  });
  console.log(`baseline  read + JSON.parse      ${parseSeconds.toFixed(2)} s  (${parsed} lines)`);

  const store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  const ledger = new Ledger(store, data);
  const [result, importSeconds] = await timeAsync(() => ledger.importLines(fs.readFileSync(ledgerFile, 'utf8').split('\n')));
  if (result.errors.length > 0) throw new Error(`bench ledger invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  console.log(`import    validate + store       ${importSeconds.toFixed(2)} s  (${(importSeconds / parseSeconds).toFixed(1)}× the baseline)`);

  const period = { fromDay: parseDay('2023-01-01') as number, toDay: parseDay('2023-09-25') as number };
  const [report, reportSeconds] = await timeAsync(() => appendix02Report(store, data, period));
  console.log(`report    9 months, ${report.table.rows.length} agencies  ${reportSeconds.toFixed(2)} s  (${(reportSeconds / parseSeconds).toFixed(2)}× the baseline)`);
  const [, secondSeconds] = await timeAsync(() => appendix02Report(store, data, period));
  console.log(`report    again (warm)           ${secondSeconds.toFixed(2)} s`);
  console.log(`totals: ${report.table.totals.total} cases, ${report.table.totals.answered} answered`);
  console.log(`target: report under 2 s -> ${reportSeconds < 2 ? 'met' : 'NOT met'}`);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
