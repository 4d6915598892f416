import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { PoolClient } from 'pg';
import { PostgresLedgerStore } from './postgres';
import { inTransaction, lockFor, pgText } from './postgres-transaction';
import { SqliteLedgerStore } from './sqlite';
import { MigrationRefused } from './unavailable';

/**
 * The tables of one installation, in an order that respects their references: the ledger, the back
 * office, the channels' queues and conversations, the intake. Both stores have the same tables and
 * columns (PostgreSQL's few extra ones are derived below); a table this list forgets would be left
 * behind, so `migrateSqliteToPostgres` refuses a source with a table it does not know.
 */
const TABLES = [
  'events',
  'questions',
  'cases',
  'counters',
  'accounts',
  'api_tokens',
  'chat_identities',
  'link_codes',
  'link_failures',
  'drafts',
  'notifications_sent',
  'console_sessions',
  'question_photos',
  'question_intake',
  'held_questions',
  'contact_codes',
  'bot_state',
  'channel_users',
  'channel_secrets',
  'inbox',
  'outbox',
  'dl_conversations',
  'dl_activities',
  'dl_pending',
  'portal_identities',
] as const;

/** SQLite's own bookkeeping tables: not part of the installation. */
const SQLITE_INTERNAL = /^sqlite_/;

/** SQLite keeps staff e-mail addresses in a table of their own (added later); PostgreSQL on the accounts row. */
const FOLDED_INTO_ACCOUNTS = 'account_contacts';

const BATCH = 500;

export interface MigrationReport {
  /** Rows copied per table, in copy order. */
  tables: Array<{ table: string; rows: number }>;
}

/**
 * Copies a whole SQLite installation into a PostgreSQL schema, in one PostgreSQL transaction (a failure
 * leaves the target as it was). The target must hold no hoidap data unless `replace` says to empty it
 * first. The source is only read; its server should be stopped (a claim or a send it had in flight is
 * recovered as a restart would: the event is free again, the send 'unknown' for an admin to settle).
 * Channel secrets are copied as stored: encrypted ones need the same HOIDAP_SECRET_KEY on the new servers.
 */
export async function migrateSqliteToPostgres(sqliteFile: string, pgLocation: string, options: { replace?: boolean } = {}): Promise<MigrationReport> {
  if (!fs.existsSync(sqliteFile)) throw new MigrationRefused(`no SQLite database at ${sqliteFile}`);
  // Opening through the adapter brings an older file to the current schema first.
  const source = new SqliteLedgerStore(sqliteFile);
  const target = await PostgresLedgerStore.open(pgLocation);
  try {
    const db = source.db;
    const present = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name).filter((n) => !SQLITE_INTERNAL.test(n));
    const unknown = present.filter((n) => !(TABLES as readonly string[]).includes(n) && n !== FOLDED_INTO_ACCOUNTS);
    if (unknown.length > 0) throw new MigrationRefused(`the SQLite file has tables this version cannot move: ${unknown.join(', ')}; use the hoidap version that wrote it`);

    return await inTransaction(target.pool, async (client) => {
      // Two migrations into one schema at once: the second waits, then finds the first's data.
      await lockFor(client, target.schema, 'migrate');
      const columnsOf = async (table: string) =>
        (
          await client.query<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [target.schema, table],
          )
        ).rows.map((r) => r.column_name);
      const occupied: string[] = [];
      for (const table of TABLES) {
        const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
        if (rows[0].any) occupied.push(table);
      }
      if (occupied.length > 0) {
        if (!options.replace) throw new MigrationRefused(`the target already holds data (${occupied.join(', ')}); give --replace to empty it first, or another schema`);
        await client.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
      }

      // One snapshot of the source, even if something writes to it meanwhile.
      db.prepare('BEGIN').run();
      const report: MigrationReport = { tables: [] };
      try {
        for (const table of TABLES) {
          if (!present.includes(table)) {
            report.tables.push({ table, rows: 0 });
            continue;
          }
          const sqliteColumns = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
          const pgColumns = await columnsOf(table);
          const copied = pgColumns.filter((c) => sqliteColumns.has(c));
          const missing = [...sqliteColumns].filter((c) => !pgColumns.includes(c));
          if (missing.length > 0) throw new MigrationRefused(`${table}: columns ${missing.join(', ')} have no place in PostgreSQL`);
          const derived = derivedColumns(table).filter((d) => pgColumns.includes(d.column) && !sqliteColumns.has(d.column));
          const columns = [...copied, ...derived.map((d) => d.column)];
          let rows = 0;
          let batch: unknown[][] = [];
          const flush = async () => {
            if (batch.length === 0) return;
            await insert(client, table, columns, batch);
            rows += batch.length;
            batch = [];
          };
          const order = table === 'events' ? ' ORDER BY seq' : '';
          for (const row of db.prepare(`SELECT * FROM ${table}${order}`).iterate() as Iterable<Record<string, unknown>>) {
            batch.push([...copied.map((c) => clean(row[c])), ...derived.map((d) => d.value(row))]);
            // Photos are megabytes each: a few per statement.
            if (batch.length >= (table === 'question_photos' ? 8 : BATCH)) await flush();
          }
          await flush();
          report.tables.push({ table, rows });
        }
        // Copied onto the accounts rows (not a table of its own in PostgreSQL).
        if (present.includes(FOLDED_INTO_ACCOUNTS)) {
          for (const row of db.prepare(`SELECT account_id, email FROM ${FOLDED_INTO_ACCOUNTS}`).iterate() as Iterable<{ account_id: string; email: string }>) {
            await client.query('UPDATE accounts SET email = $2 WHERE id = $1', [row.account_id, clean(row.email)]);
          }
        }
      } finally {
        db.prepare('COMMIT').run();
      }

      // Identity columns continue after the copied ids.
      for (const { table, column } of (
        await client.query<{ table: string; column: string }>(
          "SELECT table_name AS table, column_name AS column FROM information_schema.columns WHERE table_schema = $1 AND is_identity = 'YES'",
          [target.schema],
        )
      ).rows) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), GREATEST((SELECT max(${column}) FROM ${table}), 1), (SELECT max(${column}) FROM ${table}) IS NOT NULL)`);
      }
      // What the source's server had in flight, recovered as its restart would.
      await client.query("UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE status = 'pending' AND lease_owner IS NOT NULL");
      await client.query("UPDATE outbox SET status = 'unknown', lease_owner = NULL, lease_until = NULL, last_error = 'sending when the installation was moved to PostgreSQL' WHERE status = 'sending'");
      await client.query('UPDATE dl_conversations c SET last_seq = COALESCE((SELECT max(seq) FROM dl_activities a WHERE a.conversation_id = c.id), 0)');
      return report;
    });
  } finally {
    await target.close();
    await source.close();
  }
}

/** PostgreSQL columns SQLite does not keep, computed from the row (see the PostgreSQL migrations that added them). */
function derivedColumns(table: string): Array<{ column: string; value: (row: Record<string, unknown>) => unknown }> {
  const sourceOf = (body: unknown) => {
    try {
      const source = (JSON.parse(String(body)) as { source?: unknown }).source;
      return typeof source === 'string' ? pgText(source) : null;
    } catch {
      return null;
    }
  };
  switch (table) {
    case 'events':
      return [{ column: 'source', value: (row) => (row.type === 'submitted' ? sourceOf(row.body) : null) }];
    case 'held_questions':
      return [{ column: 'source', value: (row) => sourceOf(row.body) }];
    case 'dl_pending':
      // No instance holds lock 0: the first instance to look recovers these turns.
      return [{ column: 'owner', value: () => 0 }];
    default:
      return [];
  }
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return pgText(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

async function insert(client: PoolClient, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
  await client.query(`INSERT INTO ${table} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`, params);
}
