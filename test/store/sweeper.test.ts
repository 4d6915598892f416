import { PG_OPEN_CASES_SQL, PostgresOpenCases } from '../../src/store/postgres-sweeper';
import { SqliteOpenCases } from '../../src/store/sqlite-sweeper';
import { postgresHarness, sqliteHarness } from './harness';
import { openCasesContract } from './sweeper-contract';

openCasesContract('SQLite', sqliteHarness, (ledger) => new SqliteOpenCases(ledger.db));
openCasesContract('PostgreSQL', postgresHarness, (ledger) => new PostgresOpenCases(ledger));

test('PostgreSQL: the open-cases query reads the partial index of open cases, not every case started before now', async () => {
  const db = await postgresHarness();
  const client = await db.ledger.pool.connect();
  try {
    await client.query('SET enable_seqscan = off');
    const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${PG_OPEN_CASES_SQL}`, [1])).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/cases_open_by_agency/);
  } finally {
    client.release();
    await db.close();
  }
});
