import type { Pool, PoolClient } from 'pg';

/** Runs `work` in one transaction on one connection of the pool; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Serialises the transactions that take the same named lock (released at commit or rollback).
 * The schema is part of the name: provinces sharing a database do not wait for each other.
 */
export async function lockFor(client: PoolClient, schema: string, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}:${name}`]);
}

/** PostgreSQL's code for a unique key violation. */
export const UNIQUE_VIOLATION = '23505';

/**
 * A text as PostgreSQL can keep it: TEXT refuses the NUL character (SQLite keeps it), which
 * no one types on purpose; it is dropped rather than letting a stray one fail the whole write.
 */
export function pgText(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
}

function cleanParam(value: unknown): unknown {
  if (typeof value === 'string') return pgText(value);
  if (Array.isArray(value)) return value.map(cleanParam);
  return value;
}

function cleanQueries<T extends Pool | PoolClient>(target: T, wrapConnect: boolean): T {
  return new Proxy(target, {
    get(object, property) {
      if (property === 'query') return (text: unknown, params?: unknown) => Reflect.apply(object.query, object, [text, Array.isArray(params) ? params.map(cleanParam) : params]) as unknown;
      if (property === 'connect' && wrapConnect) return async () => cleanQueries(await (object as Pool).connect(), false);
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/**
 * The pool, with every text parameter made storable (pgText): a NUL character in a name, a draft
 * or an id typed in a URL would otherwise make PostgreSQL refuse the statement (an error where
 * SQLite answers). A lookup then reads the text without it.
 */
export function nulSafePool(pool: Pool): Pool {
  return cleanQueries(pool, true);
}
