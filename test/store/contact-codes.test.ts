import { PostgresContactCodes } from '../../src/store/postgres-contact-codes';
import { SqliteContactCodes } from '../../src/store/sqlite-contact-codes';
import { contactCodesContract } from './contact-codes-contract';
import { postgresHarness, sqliteHarness } from './harness';

contactCodesContract('SQLite', sqliteHarness, (ledger) => new SqliteContactCodes(ledger.db));
contactCodesContract('PostgreSQL', postgresHarness, (ledger) => new PostgresContactCodes(ledger));
