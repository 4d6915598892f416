import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { hoidap } from '../helpers/cli';

/** A province's edited data file is wrong: the operator is told which file and what, with no stack trace. */

function dataCopy(edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-data-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'data'), dir, { recursive: true });
  edit(dir);
  return dir;
}

const saved = process.env.HOIDAP_DATA_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.HOIDAP_DATA_DIR;
  else process.env.HOIDAP_DATA_DIR = saved;
});

test('a broken agencies.json: exit 1, the file and the problem', async () => {
  const dir = dataCopy((d) => fs.writeFileSync(path.join(d, 'agencies.json'), '{"agencies": [ {"code": "so-yte"} '));
  process.env.HOIDAP_DATA_DIR = dir;
  const run = await hoidap(['route', 'thủ tục cấp sổ đỏ']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(new RegExp(`^hoidap route: ${path.join(dir, 'agencies.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not valid JSON`));
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

test('serve with a retention limit that would break deduplication refuses to start and says why', () => {
  const dir = dataCopy((d) => {
    const file = path.join(d, 'retention.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), webhookEventsDays: 2 }));
  });
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(['serve']).then((c) => process.exit(c))"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOIDAP_DATA_DIR: dir, HOIDAP_DB: path.join(dir, 'hoidap.sqlite'), HOIDAP_DEMO: '0', PORT: '0', LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`hoidap serve: ${path.join(dir, 'retention.json')}: webhookEventsDays: must be at least 3 days`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});
