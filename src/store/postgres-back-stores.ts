import type { Stores } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { PostgresBackofficeStore, PostgresNotificationKeys } from './postgres-backoffice';
import { PostgresConsoleSessions } from './postgres-console-sessions';
import { PostgresContactCodes } from './postgres-contact-codes';
import { PostgresQuestionIntake } from './postgres-intake';
import { PostgresQuestionQueries } from './postgres-queries';
import { PostgresRetention } from './postgres-retention';
import { PostgresOpenCases } from './postgres-sweeper';
import { PostgresPhotos } from './postgres-photos';

/** The stores of the back office, the read queries and the jobs in PostgreSQL, all on the ledger store's pool (for openStores). */
export type PostgresBackStores = Pick<Stores, 'queries' | 'backoffice' | 'intake' | 'retention' | 'openCases' | 'consoleSessions' | 'notificationKeys' | 'contactCodes' | 'photos'>;

export function postgresBackStores(ledger: PostgresLedgerStore): PostgresBackStores {
  return {
    queries: new PostgresQuestionQueries(ledger),
    backoffice: new PostgresBackofficeStore(ledger),
    intake: new PostgresQuestionIntake(ledger),
    retention: new PostgresRetention(ledger),
    openCases: new PostgresOpenCases(ledger),
    consoleSessions: new PostgresConsoleSessions(ledger),
    notificationKeys: new PostgresNotificationKeys(ledger),
    contactCodes: new PostgresContactCodes(ledger),
    photos: new PostgresPhotos(ledger),
  };
}
