import { SqliteDirectLineStore } from '../../src/channels/portal/store';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { PostgresBotStorage } from '../../src/store/postgres-bot-storage';
import { PostgresChannelQueueStore } from '../../src/store/postgres-channels';
import { PostgresDirectLineStore } from '../../src/store/postgres-directline';
import { SqliteBotStorage } from '../../src/store/sqlite-bot-storage';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SecretBox } from '../../src/store/secret-box';
import { openFreshPostgresStore } from '../helpers/postgres';
import { channelStoresContract, type ChannelStores } from './channels-contract';

channelStoresContract('SQLite', async (): Promise<ChannelStores> => {
  const ledger = new SqliteLedgerStore(':memory:');
  return {
    queue: new SqliteChannelQueueStore(ledger.db, new SecretBox()),
    directLine: new SqliteDirectLineStore(ledger.db),
    botStorage: new SqliteBotStorage(ledger.db),
    queueWith: (secrets) => new SqliteChannelQueueStore(ledger.db, secrets),
    rows: async (table) => ledger.db.prepare(`SELECT * FROM ${table}`).all(),
    close: () => ledger.close(),
  };
});

channelStoresContract('PostgreSQL', async (): Promise<ChannelStores> => postgresStores(await openFreshPostgresStore()));

function postgresStores(ledger: PostgresLedgerStore): ChannelStores {
  return {
    queue: new PostgresChannelQueueStore(ledger, new SecretBox()),
    directLine: new PostgresDirectLineStore(ledger),
    botStorage: new PostgresBotStorage(ledger),
    queueWith: (secrets) => new PostgresChannelQueueStore(ledger, secrets),
    rows: async (table) => (await ledger.pool.query(`SELECT * FROM ${table}`)).rows,
    close: () => ledger.close(),
  };
}
