/** The ledger's port lives in src/app/ports.ts; re-exported here for the adapters that import it from the store. */
export { ConflictError } from '../app/ports';
export type { LedgerStore, QuestionUpdate, StoredEvent } from '../app/ports';
