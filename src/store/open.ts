import type { LedgerStore, Stores } from '../app/ports';
import { DEFAULT_DB_PATH } from '../config/paths';
import { SqliteDirectLineStore } from '../channels/portal/store';
import { SqliteLedgerStore } from './sqlite';
import { SqliteBackofficeStore } from './sqlite-backoffice';
import { backupSqlite } from './sqlite-backup';
import { SqliteBotStorage } from './sqlite-bot-storage';
import { SqliteChannelQueueStore } from './sqlite-channels';
import { SqliteConsoleSessions } from './sqlite-console-sessions';
import { SqliteContactCodes } from './sqlite-contact-codes';
import { SqliteQuestionIntake } from './sqlite-intake';
import { SqliteQuestionQueries } from './sqlite-queries';
import { SqliteRetention } from './sqlite-retention';
import { SqliteOpenCases } from './sqlite-sweeper';
import { SqlitePhotos } from './sqlite-photos';

/** Whether a HOIDAP_DB value or --db path names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

export interface OpenOptions {
  /** SQLite: leave WAL checkpoints to another connection to the same file (the messaging worker). */
  checkpoints?: boolean;
}

/**
 * Every store a location names (HOIDAP_DB or --db): a postgres:// or postgresql:// URI selects
 * PostgreSQL, anything else (a path, sqlite:FILE, :memory:) is one SQLite file. The only place
 * that chooses adapters: everything else sees the ports of src/app/ports.ts.
 */
export async function openStores(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: OpenOptions = {}): Promise<Stores> {
  if (isPostgresLocation(location)) {
    // Loaded only when asked for: the SQLite default never pays for pg.
    const { PostgresLedgerStore } = await import('./postgres');
    const { openPostgresStores } = await import('./postgres-stores');
    const ledger = await PostgresLedgerStore.open(location);
    try {
      return await openPostgresStores(ledger);
    } catch (err) {
      await ledger.close().catch(() => undefined);
      throw err;
    }
  }
  return sqliteStores(new SqliteLedgerStore(sqliteFile(location), options));
}

/** The ledger store alone (commands that read or write only the ledger; a caller that needs more calls openStores). */
export async function openStore(location: string = process.env.HOIDAP_DB ?? DEFAULT_DB_PATH, options: OpenOptions = {}): Promise<LedgerStore> {
  if (isPostgresLocation(location)) {
    const { PostgresLedgerStore } = await import('./postgres');
    return PostgresLedgerStore.open(location);
  }
  return new SqliteLedgerStore(sqliteFile(location), options);
}

/** The file of a SQLite location: `sqlite:FILE` or the path itself. */
export function sqliteFile(location: string): string {
  const file = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (file === '') throw new Error(`database location '${location}' names no file: give a path, sqlite:PATH, :memory: or a postgres:// URI`);
  return file;
}

/** The SQLite adapters of every port, all on the ledger store's one connection (so a turn's writes share its transactions). */
export function sqliteStores(ledger: SqliteLedgerStore): Stores {
  const { db } = ledger;
  const backoffice = new SqliteBackofficeStore(db);
  const channels = new SqliteChannelQueueStore(db);
  return {
    kind: ledger.kind,
    singleProcess: true,
    ledger,
    queries: new SqliteQuestionQueries(db),
    backoffice,
    intake: new SqliteQuestionIntake(db),
    channels,
    directLine: new SqliteDirectLineStore(db),
    botState: new SqliteBotStorage(db),
    retention: new SqliteRetention(db),
    openCases: new SqliteOpenCases(db),
    consoleSessions: new SqliteConsoleSessions(db),
    contactCodes: new SqliteContactCodes(db),
    // One table (notifications_sent) behind both: the back office claims keys, the outbox records first sightings.
    notificationKeys: {
      claimNotification: (key, now) => backoffice.claimNotification(key, now),
      firstRecorded: (key, now) => channels.firstRecorded(key, now),
    },
    photos: new SqlitePhotos(db),
    backup: (target) => backupSqlite(db, target),
    close: () => ledger.close(),
  };
}

/**
 * Moves a whole SQLite installation (`sqlite:FILE` or a path) into a PostgreSQL location: every table,
 * in one transaction. Refuses a target that holds data unless `replace` (src/store/migrate.ts).
 */
export async function migrateInstallation(from: string, to: string, options: { replace?: boolean } = {}): Promise<{ tables: Array<{ table: string; rows: number }> }> {
  if (isPostgresLocation(from)) throw new Error(`--from must be a SQLite file (sqlite:FILE), got a PostgreSQL location`);
  if (!isPostgresLocation(to)) throw new Error(`--to must be a postgres:// location, got '${to}'`);
  const { migrateSqliteToPostgres } = await import('./migrate');
  return migrateSqliteToPostgres(sqliteFile(from), to, options);
}
