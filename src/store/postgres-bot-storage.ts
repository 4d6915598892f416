import type { Storage, StoreItems } from 'botbuilder';
import type { PoolClient } from 'pg';
import type { BotStateStorage } from '../app/ports';
import { pgKeyText, writeBotState } from './postgres-channels';
import type { PostgresLedgerStore } from './postgres';

/**
 * botbuilder's Storage in PostgreSQL (table bot_state), shared by every instance: a turn of a
 * conversation may run on any of them. eTags as SqliteBotStorage and MemoryStorage: a write
 * carrying a stale eTag fails and writes nothing of the batch, "*" or none overwrites.
 */
export class PostgresBotStorage implements Storage, BotStateStorage {
  private readonly pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = ledger.pool;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    // Keys as stored (see `pgKeyText`), mapped back to the keys asked for.
    const asked = new Map(keys.map((key) => [pgKeyText(key), key]));
    const rows = await this.pool.query<{ key: string; etag: string; value: string }>('SELECT key, etag, value FROM bot_state WHERE key = ANY($1::text[])', [[...asked.keys()]]);
    for (const row of rows.rows) items[asked.get(row.key) ?? row.key] = { ...(JSON.parse(row.value) as object), eTag: row.etag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await writeBotState(client, changes, Date.now());
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query('DELETE FROM bot_state WHERE key = ANY($1::text[])', [keys.map(pgKeyText)]);
  }
}
