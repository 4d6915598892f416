import Database from 'better-sqlite3';
import fs from 'node:fs';
import { makePrivate } from './private-file';

/**
 * A consistent copy of the whole SQLite file (ledger, accounts, queues, conversations) into
 * `target`, which must not exist: VACUUM INTO copies one snapshot (a read transaction, so the
 * server keeps writing meanwhile) into a file that only gets its final name once it is complete
 * and has passed an integrity check.
 */
export async function backupSqlite(db: Database.Database, target: string): Promise<{ bytes: number; summary: string }> {
  const partial = `${target}.partial-${process.pid}`;
  try {
    // Created empty, owner-only, before SQLite writes into it (VACUUM INTO accepts an empty file).
    makePrivate(partial);
    db.prepare('VACUUM INTO ?').run(partial);
    const copy = new Database(partial, { readonly: true });
    let summary: string;
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
      const { n } = copy.prepare('SELECT count(*) AS n FROM questions').get() as { n: number };
      summary = `${n} questions, schema version ${String(copy.pragma('user_version', { simple: true }))}`;
    } finally {
      copy.close();
    }
    makePrivate(partial);
    fs.renameSync(partial, target);
    return { bytes: fs.statSync(target).size, summary };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
