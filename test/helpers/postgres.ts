import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PostgresLedgerStore } from '../../src/store/postgres';

/**
 * The PostgreSQL server the tests use: HOIDAP_TEST_PG, or the one every development and CI
 * machine runs. It is required, not optional: .ci/run starts it when it is stopped.
 */
export const TEST_PG = process.env.HOIDAP_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A location in a schema of its own, so that tests never see each other's rows. */
export function freshSchemaLocation(): { location: string; schema: string } {
  const schema = `hoidap_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_PG);
  url.searchParams.set('schema', schema);
  return { location: url.toString(), schema };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_PG });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL ledger store whose close() also drops its schema. */
export async function openFreshPostgresStore(): Promise<PostgresLedgerStore> {
  const { location, schema } = freshSchemaLocation();
  const store = await PostgresLedgerStore.open(location);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await dropSchema(schema);
  };
  return store;
}

/** The location of the schema a store already uses: a second instance on the same data (as a second server would open it). */
export function sameSchemaLocation(store: PostgresLedgerStore): string {
  const url = new URL(TEST_PG);
  url.searchParams.set('schema', store.schema);
  return url.toString();
}
