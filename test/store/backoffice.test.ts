import { PostgresBackofficeStore } from '../../src/store/postgres-backoffice';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { backofficeContract } from './backoffice-contract';
import { postgresHarness, sqliteHarness } from './harness';

backofficeContract('SQLite', sqliteHarness, (ledger) => new SqliteBackofficeStore(ledger.db));
backofficeContract('PostgreSQL', postgresHarness, (ledger) => new PostgresBackofficeStore(ledger));
