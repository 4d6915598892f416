import type Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import type { BotStateStorage } from '../app/ports';
import { randomUUID } from 'node:crypto';

/**
 * botbuilder's Storage on the SQLite file, so conversation and dialog state
 * survive a restart in the middle of a dialog. eTags follow MemoryStorage: a write
 * carrying a stale eTag fails, "*" or none overwrites.
 */
export class SqliteBotStorage implements Storage, BotStateStorage {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      get: db.prepare<[string], { etag: string; value: string }>('SELECT etag, value FROM bot_state WHERE key = ?'),
      put: db.prepare('INSERT OR REPLACE INTO bot_state (key, etag, value, updated_ms) VALUES (?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM bot_state WHERE key = ?'),
    };
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.stmt.get.get(key);
      if (row) items[key] = { ...(JSON.parse(row.value) as object), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    this.db.transaction(() => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...value } = (item ?? {}) as { eTag?: string };
        const current = this.stmt.get.get(key);
        if (current && eTag && eTag !== '*' && eTag !== current.etag)
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        this.stmt.put.run(key, randomUUID(), JSON.stringify(value), Date.now());
      }
    }).immediate();
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.stmt.remove.run(key);
  }
}
