import { PostgresRetention } from '../../src/store/postgres-retention';
import { SqliteRetention } from '../../src/store/sqlite-retention';
import { postgresHarness, sqliteHarness } from './harness';
import { retentionContract } from './retention-contract';

/**
 * The channel tables retention purges, as the channel stores' migration (branch pgchan) creates
 * them, with the columns retention reads. IF NOT EXISTS: once that migration is merged, it wins.
 */
const CHANNEL_TABLES = `
  CREATE TABLE IF NOT EXISTS bot_state (key TEXT PRIMARY KEY, etag TEXT NOT NULL, value TEXT NOT NULL, updated_ms BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS dl_conversations (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, user_id TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS dl_activities (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, activity TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));
  CREATE TABLE IF NOT EXISTS dl_pending (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, stored_ms BIGINT NOT NULL, owner INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq));
  CREATE TABLE IF NOT EXISTS inbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, channel TEXT NOT NULL, dedupe_key TEXT NOT NULL, user_key TEXT NOT NULL, kind TEXT NOT NULL,
    payload TEXT NOT NULL, received_ms BIGINT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT,
    lease_instance INTEGER, lease_until BIGINT, processed_ms BIGINT, error TEXT, UNIQUE (channel, dedupe_key));
  CREATE TABLE IF NOT EXISTS outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, channel TEXT NOT NULL, recipient TEXT NOT NULL, payload TEXT NOT NULL, source TEXT,
    created_ms BIGINT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL,
    lease_owner TEXT, lease_instance INTEGER, lease_until BIGINT, sent_ms BIGINT, provider_id TEXT, last_error TEXT);
`;

retentionContract('SQLite', sqliteHarness, (ledger) => new SqliteRetention(ledger.db));
retentionContract(
  'PostgreSQL',
  async () => {
    const harness = await postgresHarness();
    await harness.ledger.pool.query(CHANNEL_TABLES);
    return harness;
  },
  (ledger) => new PostgresRetention(ledger),
);
