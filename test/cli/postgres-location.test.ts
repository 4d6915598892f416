import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropSchema, freshSchemaLocation, TEST_PG } from '../helpers/postgres';
import { hoidap } from '../helpers/cli';
import { PROJECT_ROOT } from '../../src/config/paths';

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');

/** The CLI on a postgres:// --db: every command works on PostgreSQL as on the SQLite file. */
describe('npx hoidap with --db postgres://', () => {
  const { location, schema } = freshSchemaLocation();
  const restored = `hoidap_test_restored_${schema.slice(-12)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-pgcli-'));
  afterAll(async () => {
    await dropSchema(schema);
    await dropSchema(restored);
  });

  test('import, export and the report read and write the ledger in PostgreSQL', async () => {
    expect(await hoidap(['export', '--db', location])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const imported = await hoidap(['import', '--db', location, DEMO]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/^imported 1601 event\(s\) of 366 question\(s\); 0 already present/);
    const exported = await hoidap(['export', '--db', location]);
    expect(exported.stdout.trim().split('\n')).toHaveLength(1601);
    const report = await hoidap(['report', '--db', location, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'csv']);
    expect(report.stdout).toContain('so-gddt,Sở Giáo dục và Đào tạo,78,73,0,0,5,73,0,18');
    // The export of one store imports into the other, line for line; importing it again adds nothing.
    const out = path.join(dir, 'ledger.jsonl');
    expect((await hoidap(['export', '--db', location, '--out', out])).code).toBe(0);
    const file = path.join(dir, 'copy.sqlite');
    expect((await hoidap(['import', '--db', file, out])).stdout).toMatch(/^imported 1601 event\(s\) of 366 question\(s\)/);
    expect((await hoidap(['export', '--db', file])).stdout).toBe(fs.readFileSync(out, 'utf8'));
    expect((await hoidap(['import', '--db', location, out])).stdout).toMatch(/^imported 0 event\(s\) of 0 question\(s\); 1601 already present/);
    fs.rmSync(file);
    fs.rmSync(out);
  });

  test('accounts and the held queue are kept in PostgreSQL: an account created by one command is listed by the next; a held id that does not exist exits 2', async () => {
    const created = await hoidap(['account', 'create', '--db', location, '--name', 'Trần Thị Bình', '--role', 'editor']);
    expect(created.code).toBe(0);
    const id = /^account (acc_[0-9a-f]+):/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = await hoidap(['account', 'list', '--db', location]);
    expect(listed.stdout).toContain(`${id} editor`);
    expect(listed.stdout).toContain('Trần Thị Bình');
    expect(await hoidap(['held', 'list', '--db', location])).toMatchObject({ code: 0, stdout: 'Không có câu hỏi nào đang chờ Ban biên tập xem xét.\n' });
    expect((await hoidap(['held', 'release', '--db', location, '--id', '7'])).code).toBe(2);
  });

  test('backup writes a pg_dump of the schema that pg_restore loads back with the same questions; it never overwrites', async () => {
    const target = path.join(dir, 'hoidap.pgdump');
    const backup = await hoidap(['backup', '--db', location, '--out', target]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/: \d+ bytes, 366 questions, \d+ tables of schema /);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['hoidap.pgdump']);
    const again = await hoidap(['backup', '--db', location, '--out', target]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');

    // Restored under another schema name (the dump names its schema: rename the original meanwhile).
    const psql = (sql: string) => execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', TEST_PG, '-c', sql], { env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
    psql(`ALTER SCHEMA ${schema} RENAME TO ${restored}`);
    try {
      execFileSync('pg_restore', ['-d', TEST_PG, target]);
      const url = new URL(location);
      url.searchParams.set('schema', schema);
      const report = await hoidap(['report', '--db', url.toString(), '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'csv']);
      expect(report.stdout).toContain('so-gddt,Sở Giáo dục và Đào tạo,78,73,0,0,5,73,0,18');
      expect((await hoidap(['account', 'list', '--db', url.toString()])).stdout).toContain('Trần Thị Bình');
    } finally {
      psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      psql(`ALTER SCHEMA ${restored} RENAME TO ${schema}`);
    }
  });

  test('without pg_dump on PATH, backup says what to install and writes nothing', async () => {
    const target = path.join(dir, 'none.pgdump');
    const before = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-tools-here');
    try {
      const backup = await hoidap(['backup', '--db', location, '--out', target]);
      expect(backup.code).toBe(2);
      expect(backup.stderr).toMatch(/^hoidap backup: pg_dump was not found on PATH: install PostgreSQL's client tools/);
    } finally {
      process.env.PATH = before;
    }
    expect(fs.existsSync(target)).toBe(false);
  });
});
