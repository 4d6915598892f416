import type { Stores } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { backupPostgres } from './postgres-backup';
import { PostgresBotStorage } from './postgres-bot-storage';
import { PostgresChannelQueueStore } from './postgres-channels';
import { postgresBackStores } from './postgres-back-stores';
import { PostgresDirectLineStore } from './postgres-directline';

/** The PostgreSQL adapters of every port, sharing the ledger store's pool and schema. */
export async function openPostgresStores(ledger: PostgresLedgerStore): Promise<Stores> {
  const channels = new PostgresChannelQueueStore(ledger);
  // With HOIDAP_SECRET_KEY, secrets stored in clear before it was set are sealed now (the server's start), not at their next refresh.
  await channels.sealStoredSecrets();
  return {
    kind: ledger.kind,
    // Several server instances may share the database: nobody may free another's claims at start-up.
    singleProcess: false,
    ledger,
    channels,
    directLine: new PostgresDirectLineStore(ledger),
    botState: new PostgresBotStorage(ledger),
    ...postgresBackStores(ledger),
    backup: (target) => backupPostgres(ledger, target),
    close: () => ledger.close(),
  };
}
