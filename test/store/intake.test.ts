import { PostgresQuestionIntake } from '../../src/store/postgres-intake';
import { SqliteQuestionIntake } from '../../src/store/sqlite-intake';
import { postgresHarness, sqliteHarness } from './harness';
import { intakeContract } from './intake-contract';

intakeContract('SQLite', sqliteHarness, (ledger) => new SqliteQuestionIntake(ledger.db));
intakeContract('PostgreSQL', postgresHarness, (ledger) => new PostgresQuestionIntake(ledger));
