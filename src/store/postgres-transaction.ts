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
