import type { Stores } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { NotOnPostgresError } from './unavailable';

/**
 * The PostgreSQL adapters of every port, sharing the ledger store's pool and schema.
 * The ledger is here; each other port is filled in as its PostgreSQL adapter exists
 * (src/store/postgres-*.ts). Until then that port answers every call with an error that
 * says so (serve stops at start-up with it; ledger commands work).
 */
export async function openPostgresStores(ledger: PostgresLedgerStore): Promise<Stores> {
  return {
    kind: ledger.kind,
    // Several server instances may share the database: nobody may free another's claims at start-up.
    singleProcess: false,
    ledger,
    queries: notOnPostgres('the question lists and public answers (QuestionQueries)'),
    backoffice: notOnPostgres('the back office: accounts, link codes, drafts (BackofficeStore)'),
    intake: notOnPostgres('the daily question limits and the held queue (QuestionIntake)'),
    channels: notOnPostgres('the Zalo/Messenger inbox and outbox (ChannelQueueStore)'),
    directLine: notOnPostgres('the portal chat conversations (DirectLineStore)'),
    botState: notOnPostgres('the bot conversation state (BotStateStorage)'),
    retention: notOnPostgres('the retention of old channel traffic (Retention)'),
    openCases: notOnPostgres("the deadline sweeper's open cases (OpenCases)"),
    consoleSessions: notOnPostgres('the web console sessions (ConsoleSessionStore)'),
    notificationKeys: notOnPostgres('the once-only notification keys (NotificationKeys)'),
    close: () => ledger.close(),
  };
}

/** Every method of the placeholder rejects with NotOnPostgresError (all port methods are async). */
function notOnPostgres<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      // Not a thenable: awaiting the placeholder itself must not call it.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return () => Promise.reject(new NotOnPostgresError(port));
    },
  });
}
