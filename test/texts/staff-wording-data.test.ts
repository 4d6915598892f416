import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DATA_DIR, PROJECT_ROOT } from '../../src/config/paths';
import { hoidap } from '../helpers/cli';

/**
 * Staff wording is data end to end: a process started on a copy of data/ whose vi.json says
 * something else prints that, and the same copy with a staff key removed refuses to run,
 * naming the file and the key.
 */

const DEMO = path.join(DEFAULT_DATA_DIR, 'demo', 'ledger-2023.jsonl');
let dir: string;
let db: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-staff-wording-'));
  db = path.join(dir, 'x.sqlite');
  expect((await hoidap(['import', '--db', db, DEMO])).code).toBe(0);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function dataCopy(name: string, edit: (vi: any) => void): string {
  const copy = path.join(dir, name);
  fs.cpSync(DEFAULT_DATA_DIR, copy, { recursive: true });
  const file = path.join(copy, 'texts', 'vi.json');
  const vi = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(vi);
  fs.writeFileSync(file, JSON.stringify(vi));
  return copy;
}

/** `hoidap overdue` in its own process (the texts are read once, when the process starts). */
function overdue(dataDir: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(process.argv.slice(1)).then((c) => process.exit(c))", 'overdue', '--db', db, '--agency', 'bao thang', '--at', '2023-09-25T17:00:00+07:00'],
    { cwd: PROJECT_ROOT, env: { ...process.env, HOIDAP_DATA_DIR: dataDir, LOG_LEVEL: 'error' }, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the CLI prints the staff wording the data says', () => {
  const copy = dataCopy('reworded', (vi) => {
    vi.staff.cli.overdue.heading = 'Danh sách quá hạn của {agency} ({code}) lúc {at}: {count} câu';
    vi.staff.deadline.answer = 'trả lời công dân';
  });
  const run = overdue(copy);
  expect(run.status).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toBe('Danh sách quá hạn của UBND huyện Bảo Thắng (h-baothang) lúc 25/09/2023 17:00: 5 câu');
  expect(lines.slice(1).every((l) => l.includes('quá hạn trả lời công dân '))).toBe(true);
}, 150_000);

test('a staff key missing from vi.json stops the command, naming the file and the key', () => {
  const copy = dataCopy('broken', (vi) => {
    delete vi.staff.cli.overdue.heading;
  });
  const run = overdue(copy);
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`${path.join(copy, 'texts', 'vi.json')}`);
  expect(run.stderr).toContain('staff.cli.overdue.heading: missing');
}, 150_000);
