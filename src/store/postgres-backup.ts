import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { PostgresLedgerStore } from './postgres';
import { makePrivate } from './private-file';
import { PgToolMissingError } from './unavailable';

/** Runs a PostgreSQL client tool; resolves with its stdout, rejects with its stderr's last line. */
function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new PgToolMissingError(tool) : e));
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${tool} failed (exit ${String(code)}): ${Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? ''}`));
    });
  });
}

/**
 * A consistent copy of the store's schema (every table of hoidap: ledger, back office, queues,
 * conversations, secrets) with pg_dump's custom format, safe while instances run (pg_dump reads one
 * snapshot). Like the SQLite backup it gets its final name only once pg_restore has read its table
 * of contents, and never overwrites. Restore: `pg_restore -d DB FILE` into a database without that schema.
 */
export async function backupPostgres(store: PostgresLedgerStore, target: string): Promise<{ bytes: number; summary: string }> {
  const url = new URL(store.connectionString);
  // The password goes through the environment, not the command line other users can read.
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  url.password = '';
  const partial = `${target}.partial-${process.pid}`;
  try {
    makePrivate(partial);
    await runTool('pg_dump', ['--format=custom', `--schema=${store.schema}`, `--file=${partial}`, `--dbname=${url.toString()}`], env);
    const contents = await runTool('pg_restore', ['--list', partial], env);
    const tables = contents.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
    if (tables === 0) throw new Error('the copy lists no table data');
    const { questions } = await store.counts();
    makePrivate(partial);
    fs.renameSync(partial, target);
    return { bytes: fs.statSync(target).size, summary: `${questions} questions, ${tables} tables of schema ${store.schema} (pg_dump custom format; restore with pg_restore)` };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
