import type { LedgerStore } from '../store/types';
import { SqliteLedgerStore } from '../store/sqlite';
import { DEFAULT_DB_PATH } from './paths';

/** Opens the store a HOIDAP_DB value or --db path names: a mongodb:// or mongodb+srv:// URI selects MongoDB, anything else is a SQLite file. */
export async function openStore(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: { checkpoints?: boolean } = {}): Promise<LedgerStore> {
  if (/^mongodb(\+srv)?:\/\//.test(location)) {
    // Loaded only when asked for: mongoose adds about 0.1 s to every start of the CLI.
    const { MongoLedgerStore } = await import('../store/mongo');
    return MongoLedgerStore.open(location);
  }
  return new SqliteLedgerStore(location, options);
}
