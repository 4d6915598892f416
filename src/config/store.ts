import type { LedgerStore } from '../store/types';
import { MongoLedgerStore } from '../store/mongo';
import { SqliteLedgerStore } from '../store/sqlite';
import { DEFAULT_DB_PATH } from './paths';

/** Opens the store a HOIDAP_DB value or --db path names: a mongodb:// or mongodb+srv:// URI selects MongoDB, anything else is a SQLite file. */
export async function openStore(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: { checkpoints?: boolean } = {}): Promise<LedgerStore> {
  if (/^mongodb(\+srv)?:\/\//.test(location)) return MongoLedgerStore.open(location);
  return new SqliteLedgerStore(location, options);
}
