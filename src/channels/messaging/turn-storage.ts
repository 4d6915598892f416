import type { Storage, StoreItems } from 'botbuilder';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * botbuilder Storage that, inside `buffered(...)`, keeps the turn's writes in
 * memory so the caller can commit them in the same transaction as the turn's
 * replies and the inbound event's status: a crash mid-turn then replays the turn
 * from the state before it, never from half of it. Outside a buffered turn (the
 * portal, /api/messages) writes go straight through.
 */
export class TurnBufferedStorage implements Storage {
  private readonly turn = new AsyncLocalStorage<Map<string, StoreItems[string]>>();

  constructor(private readonly inner: Storage) {}

  async buffered<T>(fn: () => Promise<T>): Promise<{ result: T; writes: StoreItems }> {
    const writes = new Map<string, StoreItems[string]>();
    const result = await this.turn.run(writes, fn);
    return { result, writes: Object.fromEntries(writes) };
  }

  async read(keys: string[]): Promise<StoreItems> {
    const writes = this.turn.getStore();
    const missing = writes ? keys.filter((k) => !writes.has(k)) : keys;
    const items = missing.length > 0 ? await this.inner.read(missing) : {};
    if (writes) for (const k of keys) if (writes.has(k)) items[k] = structuredClone(writes.get(k));
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const writes = this.turn.getStore();
    if (!writes) return this.inner.write(changes);
    for (const [key, value] of Object.entries(changes)) writes.set(key, structuredClone(value));
  }

  async delete(keys: string[]): Promise<void> {
    const writes = this.turn.getStore();
    if (!writes) return this.inner.delete(keys);
    // An emptied state is written back as empty: the same for the next turn as no state at all.
    for (const key of keys) writes.set(key, { eTag: '*' });
  }
}
