import fs from 'node:fs';
import path from 'node:path';
import { Ledger } from '../../src/ledger/ledger';
import { PostgresBackofficeStore } from '../../src/store/postgres-backoffice';
import { PostgresQuestionQueries } from '../../src/store/postgres-queries';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { answeredWithoutKey } from '../../src/store/sqlite-channels';
import { answeredCount, listQuestions, publicAnswers, SqliteQuestionQueries, unclaimedAnswersSince } from '../../src/store/sqlite-queries';
import { instant, province } from '../helpers/province';
import { postgresHarness, sqliteHarness } from './harness';
import { queriesContract } from './queries-contract';

queriesContract('SQLite', sqliteHarness, (ledger) => ({ queries: new SqliteQuestionQueries(ledger.db), backoffice: new SqliteBackofficeStore(ledger.db) }));
queriesContract('PostgreSQL', postgresHarness, (ledger) => ({ queries: new PostgresQuestionQueries(ledger), backoffice: new PostgresBackofficeStore(ledger) }));

describe('the demo ledger read on both databases', () => {
  test('the same lists, filters, pages and public answers on SQLite and PostgreSQL', async () => {
    const data = province();
    const lines = fs.readFileSync(path.join(data.dataDir, 'demo', 'ledger-2023.jsonl'), 'utf8').split(/\r?\n/);
    const sqlite = await sqliteHarness();
    const pg = await postgresHarness();
    try {
      for (const ledger of [sqlite.ledger, pg.ledger]) expect((await new Ledger(ledger, data).importLines(lines)).errors).toEqual([]);
      const pgQueries = new PostgresQuestionQueries(pg.ledger);
      const filters = [
        {},
        { agency: 'h-baothang' },
        { statuses: ['answered', 'deleted'] as const },
        { agency: 'so-gddt', statuses: ['answered'] as const, limit: 5, offset: 3 },
        { submittedFrom: instant('2023-03-01T00:00:00+07:00'), submittedTo: instant('2023-03-31T23:59:59.999+07:00') },
        { ids: ['HD-2023-000001', 'HD-2023-000150', 'HD-2023-000371'] },
      ];
      for (const filter of filters) {
        const expected = listQuestions(sqlite.ledger.db, filter);
        expect(expected.total).toBeGreaterThan(0);
        expect(await pgQueries.listQuestions(filter)).toEqual(expected);
      }
      expect(await pgQueries.answeredCount()).toBe(answeredCount(sqlite.ledger.db));
      const sqliteQueries = new SqliteQuestionQueries(sqlite.ledger.db);
      for (const range of [{ from: 0, to: Date.now() }, { from: instant('2023-04-01T00:00:00+07:00'), to: instant('2023-06-30T23:59:59.999+07:00'), agency: 'so-gddt' }]) {
        expect((await pgQueries.submittedTimes(range)).sort()).toEqual((await sqliteQueries.submittedTimes(range)).sort());
        expect(await pgQueries.ratingCounts(range)).toEqual(await sqliteQueries.ratingCounts(range));
      }
      expect((await pgQueries.ratingCounts({ from: 0, to: Date.now() })).length).toBeGreaterThan(1);
      expect(await pgQueries.publicAnswers()).toEqual(publicAnswers(sqlite.ledger.db));
      expect((await pgQueries.publicAnswers()).length).toBeGreaterThan(250);
      expect(await pgQueries.unclaimedAnswersSince(0)).toEqual(unclaimedAnswersSince(sqlite.ledger.db, 0));
      expect(await pgQueries.answeredWithoutKey(0, 'answer-notice:')).toEqual(answeredWithoutKey(sqlite.ledger.db, 0, 'answer-notice:'));
    } finally {
      await sqlite.close();
      await pg.close();
    }
  });
});
