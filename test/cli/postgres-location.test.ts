import { dropSchema, freshSchemaLocation } from '../helpers/postgres';
import { hoidap } from '../helpers/cli';

/** The CLI on a postgres:// --db: the ledger commands work; a command whose store has no PostgreSQL adapter yet says so and changes nothing. */
describe('npx hoidap with --db postgres://', () => {
  const { location, schema } = freshSchemaLocation();
  afterAll(() => dropSchema(schema));

  test('export reads the ledger in PostgreSQL; backup points to pg_dump', async () => {
    expect(await hoidap(['export', '--db', location])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const backup = await hoidap(['backup', '--db', location, '--out', '/tmp/never-written.sqlite']);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toBe('hoidap backup: the store is PostgreSQL: back it up with pg_dump (or hoidap export for the ledger alone)\n');
  });

  test('account and held exit 2 naming the store they need', async () => {
    const accounts = await hoidap(['account', 'list', '--db', location]);
    expect(accounts.code).toBe(2);
    expect(accounts.stderr).toMatch(/^hoidap account: the back office: accounts, link codes, drafts \(BackofficeStore\) cannot be kept in PostgreSQL by this version of hoidap; use a SQLite file/);
    const held = await hoidap(['held', 'list', '--db', location]);
    expect(held.code).toBe(2);
    expect(held.stderr).toMatch(/^hoidap held: the daily question limits and the held queue \(QuestionIntake\) cannot be kept in PostgreSQL/);
  });
});
