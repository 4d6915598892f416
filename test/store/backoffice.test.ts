import { answerHandOverKey } from '../../src/backoffice/types';
import { Pool } from 'pg';
import { MIGRATIONS, PostgresLedgerStore } from '../../src/store/postgres';
import { PostgresBackofficeStore } from '../../src/store/postgres-backoffice';
import { PostgresQuestionQueries } from '../../src/store/postgres-queries';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { backofficeContract } from './backoffice-contract';
import { dropSchema, freshSchemaLocation, TEST_PG } from '../helpers/postgres';
import { instant } from '../helpers/province';
import { postgresHarness, sqliteHarness } from './harness';

backofficeContract('SQLite', sqliteHarness, (ledger) => new SqliteBackofficeStore(ledger.db));
backofficeContract('PostgreSQL', postgresHarness, (ledger) => new PostgresBackofficeStore(ledger));

describe('PostgreSQL: upgrading a ledger-only database', () => {
  test('the later migrations add their tables, answers already published count as handed over (nobody is told twice), filed questions keep their source', async () => {
    const { location, schema } = freshSchemaLocation();
    try {
      // The first release's schema (migration 1, the ledger only) holding a question filed from Zalo and answered.
      const q = 'HD-2026-000001';
      const submitted = { q, type: 'submitted', at: '2026-11-30T08:00:00+07:00', channel: 'zalo', text: 'Xin hỏi', asker: { name: 'An', contact: '0912345678' }, source: 'zalo:m1' };
      const answered = { q, type: 'answered', at: '2026-12-01T09:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-lead', authorized: true, text: 'Trả lời' };
      const first = new Pool({ connectionString: TEST_PG, options: `-c search_path=${schema}`, max: 1 });
      try {
        await first.query(`CREATE SCHEMA ${schema}`);
        await first.query(MIGRATIONS[0]);
        await first.query('CREATE TABLE schema_migrations (version INTEGER NOT NULL); INSERT INTO schema_migrations VALUES (1)');
        for (const [i, event] of [submitted, answered].entries())
          await first.query('INSERT INTO events (q, type, at_ms, key, body) VALUES ($1, $2, $3, $4, $5)', [q, event.type, instant(event.at), `${q}:${i}`, JSON.stringify(event)]);
        await first.query(
          `INSERT INTO questions (q, status, agency, channel, submitted_ms, last_event_ms, event_count, state) VALUES ($1, 'answered', 'so-yte', 'zalo', $2, $3, 2, '{}')`,
          [q, instant(submitted.at), instant(answered.at)],
        );
      } finally {
        await first.end();
      }
      const upgraded = await PostgresLedgerStore.open(location);
      try {
        const backoffice = new PostgresBackofficeStore(upgraded);
        expect(await backoffice.claimNotification(answerHandOverKey(q), Date.now())).toBe(false);
        expect(await new PostgresQuestionQueries(upgraded).unclaimedAnswersSince(0)).toEqual([]);
        expect(await upgraded.questionFromSource('zalo:m1')).toBe(q);
        const account = await backoffice.createAccount({ name: 'Quản trị', role: 'admin' }, Date.now());
        expect(await backoffice.getAccount(account.id)).toEqual(account);
      } finally {
        await upgraded.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
