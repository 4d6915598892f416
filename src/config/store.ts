import type { LedgerStore } from '../store/types';
import { SqliteLedgerStore } from '../store/sqlite';
import { DEFAULT_DB_PATH } from './paths';

/** Whether a HOIDAP_DB value or --db path names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** Opens the store a HOIDAP_DB value or --db path names: a postgres:// or postgresql:// URI selects PostgreSQL, anything else is a SQLite file. */
export async function openStore(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: { checkpoints?: boolean } = {}): Promise<LedgerStore> {
  if (isPostgresLocation(location)) {
    // Loaded only when asked for: the SQLite default never pays for pg.
    const { PostgresLedgerStore } = await import('../store/postgres');
    return PostgresLedgerStore.open(location);
  }
  return new SqliteLedgerStore(location, options);
}
