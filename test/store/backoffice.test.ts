import { answerHandOverKey } from '../../src/backoffice/types';
import { Ledger } from '../../src/ledger/ledger';
import { PostgresLedgerStore } from '../../src/store/postgres';
import { PostgresBackofficeStore } from '../../src/store/postgres-backoffice';
import { PostgresQuestionQueries } from '../../src/store/postgres-queries';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { backofficeContract } from './backoffice-contract';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';
import { province } from '../helpers/province';
import { postgresHarness, sqliteHarness } from './harness';

backofficeContract('SQLite', sqliteHarness, (ledger) => new SqliteBackofficeStore(ledger.db));
backofficeContract('PostgreSQL', postgresHarness, (ledger) => new PostgresBackofficeStore(ledger));

describe('PostgreSQL: upgrading a ledger-only database', () => {
  test('the later migrations add their tables, and answers already published count as handed over (nobody is told twice)', async () => {
    const { location, schema } = freshSchemaLocation();
    try {
      const old = await PostgresLedgerStore.open(location);
      const q = 'HD-2026-000001';
      for (const event of [
        { q, type: 'submitted', at: '2026-11-30T08:00:00+07:00', channel: 'portal', text: 'Xin hỏi', asker: { name: 'An', contact: '0912345678' } },
        { q, type: 'assigned', at: '2026-11-30T08:05:00+07:00', agency: 'so-yte', by: 'bot' },
        { q, type: 'accepted', at: '2026-11-30T09:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-01' },
        { q, type: 'answered', at: '2026-12-01T09:00:00+07:00', agency: 'so-yte', by: 'officer:so-yte-lead', authorized: true, text: 'Trả lời' },
      ])
        await new Ledger(old, province()).record(event);
      // Back to the first release's schema: the ledger's tables only.
      const tables = await old.pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
      for (const { tablename } of tables.rows)
        if (!['events', 'questions', 'cases', 'counters', 'schema_migrations'].includes(tablename)) await old.pool.query(`DROP TABLE ${tablename}`);
      await old.pool.query('UPDATE schema_migrations SET version = 1');
      await old.close();

      const upgraded = await PostgresLedgerStore.open(location);
      try {
        const backoffice = new PostgresBackofficeStore(upgraded);
        expect(await backoffice.claimNotification(answerHandOverKey(q), Date.now())).toBe(false);
        expect(await new PostgresQuestionQueries(upgraded).unclaimedAnswersSince(0)).toEqual([]);
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
