import type { LedgerStore } from '../store/types';
import { SqliteLedgerStore } from '../store/sqlite';
import { DEFAULT_DB_PATH } from './paths';

/** Opens the store a HOIDAP_DB value or --db path names: a mongodb:// URI selects MongoDB, anything else is a SQLite file. */
export async function openStore(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: { checkpoints?: boolean } = {}): Promise<LedgerStore> {
  if (/^mongodb(\+srv)?:\/\//.test(location)) {
    throw new Error('MongoDB storage is not available in this version of hoidap yet; use a SQLite file path');
  }
  return new SqliteLedgerStore(location, options);
}
