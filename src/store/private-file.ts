import fs from 'node:fs';

/** Owner read and write only: the SQLite file holds citizens' contacts, tokens' hashes and channel secrets. */
export const PRIVATE_MODE = 0o600;

/**
 * Makes `file` (created empty if absent) and its SQLite companions (-wal, -shm, -journal) readable by
 * the owner only. SQLite gives the companions it creates the database file's own permissions, so a
 * database created through here never has a world-readable part.
 */
export function makePrivate(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, PRIVATE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const companion of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(companion).mode & 0o777) !== PRIVATE_MODE) fs.chmodSync(companion, PRIVATE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
