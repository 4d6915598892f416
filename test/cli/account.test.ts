import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { hoidap } from '../helpers/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-account-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshDb(): string {
  n += 1;
  return path.join(dir, `db${n}.sqlite`);
}

async function withStore<T>(db: string, fn: (store: SqliteBackofficeStore, ledger: SqliteLedgerStore) => Promise<T>): Promise<T> {
  const ledger = new SqliteLedgerStore(db);
  try {
    return await fn(new SqliteBackofficeStore(ledger.db), ledger);
  } finally {
    await ledger.close();
  }
}

describe('npx hoidap account', () => {
  test('create prints the id and the API token once; the token works and only its hash is stored', async () => {
    const db = freshDb();
    const run = await hoidap(['account', 'create', '--db', db, '--name', 'Nguyễn Văn An', '--role', 'officer', '--agency', 'bao thang']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const id = /^account (acc_[0-9a-f]{16}): Nguyễn Văn An, officer, h-baothang \(UBND huyện Bảo Thắng\)$/m.exec(run.stdout)?.[1];
    const token = /^API token \(shown only this once; keep it secret\): ([A-Za-z0-9_-]{43})$/m.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(token).toBeDefined();
    await withStore(db, async (store, ledger) => {
      expect(await store.accountByApiToken(token as string)).toMatchObject({ id, role: 'officer', agency: 'h-baothang', name: 'Nguyễn Văn An' });
      expect(ledger.db.prepare('SELECT token_hash FROM api_tokens').all()).toEqual([{ token_hash: createHash('sha256').update(token as string).digest('hex') }]);
    });
    // Listed without its token.
    const list = await hoidap(['account', 'list', '--db', db]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id} +officer +h-baothang +yes +\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d +- +Nguyễn Văn An$`, 'm'));
    expect(list.stdout).not.toContain(token);
  });

  test('admins and editors have no agency; bad input exits 2, names the option and changes nothing', async () => {
    const db = freshDb();
    expect((await hoidap(['account', 'create', '--db', db, '--name', 'Quản trị', '--role', 'admin'])).stdout).toMatch(/^account acc_[0-9a-f]{16}: Quản trị, admin$/m);
    const bad: Array<[string[], string]> = [
      [['--name', 'X', '--role', 'boss'], 'hoidap account: --role must be one of officer, approver, editor, admin; got "boss"\n'],
      [['--name', 'X', '--role', 'officer'], 'hoidap account: an officer works for one agency: give its code or name (agency)\n'],
      [['--name', 'X', '--role', 'editor', '--agency', 'so-yte'], 'hoidap account: an editor works for all agencies: leave --agency out\n'],
      [['--name', 'X', '--role', 'approver', '--agency', 'Sở Không Có'], 'hoidap account: --agency: no agency is called "Sở Không Có"; use a code from data/agencies.json such as so-yte\n'],
      [['--role', 'admin'], 'hoidap account: --name is required\n'],
    ];
    for (const [args, stderr] of bad) expect(await hoidap(['account', 'create', '--db', db, ...args])).toEqual({ code: 2, stdout: '', stderr });
    const other = freshDb();
    expect((await hoidap(['account', 'create', '--db', other, '--name', 'X', '--role', 'boss'])).code).toBe(2);
    expect(fs.existsSync(other)).toBe(false);
    expect((await hoidap(['account', 'list', '--db', db])).stdout.split('\n').filter((l) => l.startsWith('acc_'))).toHaveLength(1);
  });

  test('link-code prints a one-time code and how to send it to the bot; it links once', async () => {
    const db = freshDb();
    const created = await hoidap(['account', 'create', '--db', db, '--name', 'Lãnh đạo Sở Y tế', '--role', 'approver', '--agency', 'so-yte']);
    const id = /^account (acc_[0-9a-f]{16})/m.exec(created.stdout)?.[1] as string;
    const run = await hoidap(['account', 'link-code', '--db', db, '--id', id]);
    expect(run.code).toBe(0);
    const code = new RegExp(`^link code for ${id} \\(Lãnh đạo Sở Y tế\\): ([A-Z0-9]{5}-[A-Z0-9]{5})$`, 'm').exec(run.stdout)?.[1] as string;
    expect(code).toMatch(/^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$/);
    expect(run.stdout).toContain(`Gửi tin nhắn "LIEN KET ${code}" (hoặc "liên kết ${code}") cho bot Hỏi - Đáp`);
    expect(run.stdout).toMatch(/Mã chỉ dùng được một lần, hết hạn lúc \d\d\/\d\d\/\d{4} \d\d:\d\d\./);
    await withStore(db, async (store) => {
      const limits = { triesPerCode: 3, failureWindowMs: 3_600_000, perIdentity: 5, perAddress: 20, firstDelayMs: 60_000, maxDelayMs: 3_600_000, alertOverall: 100 };
      expect(await store.redeemLinkCode(code, { channel: 'facebook', userId: 'psid-1' }, { conversation: { id: 'c1' } }, Date.now(), { limits })).toMatchObject({ ok: true, account: { id } });
      expect(await store.redeemLinkCode(code, { channel: 'facebook', userId: 'psid-2' }, {}, Date.now(), { limits })).toMatchObject({ ok: false });
      expect((await store.accountByIdentity({ channel: 'facebook', userId: 'psid-1' }))?.id).toBe(id);
    });
  });

  test('usage errors: unknown account, missing database, unknown subcommand', async () => {
    const db = freshDb();
    await hoidap(['account', 'create', '--db', db, '--name', 'Quản trị', '--role', 'admin']);
    expect(await hoidap(['account', 'link-code', '--db', db, '--id', 'acc_nobody'])).toEqual({ code: 2, stdout: '', stderr: `hoidap account: no account acc_nobody; see npx hoidap account list --db ${db}\n` });
    const missing = path.join(dir, 'missing.sqlite');
    expect(await hoidap(['account', 'list', '--db', missing])).toEqual({ code: 2, stdout: '', stderr: `hoidap account: no database at ${missing}\n` });
    expect(fs.existsSync(missing)).toBe(false);
    expect((await hoidap(['account', 'delete', '--db', db])).stderr).toBe('hoidap account: unknown account command "delete"; use create, set-email, list, link-code, deactivate, revoke-tokens or unlink\n');
    expect((await hoidap(['help'])).stdout).toContain('account link-code --db PATH --id ID');
  });

  test('an e-mail address given at creation or changed later is the one approvers are told of drafts at; a bad one exits 2 and changes nothing', async () => {
    const db = freshDb();
    const created = await hoidap(['account', 'create', '--db', db, '--name', 'Lãnh đạo Sở Y tế', '--role', 'approver', '--agency', 'so-yte', '--email', ' LanhDao@SoYTe.LaoCai.gov.vn ']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^account acc_[0-9a-f]{16}: Lãnh đạo Sở Y tế, approver, so-yte \(Sở Y tế\), e-mail lanhdao@soyte.laocai.gov.vn$/m);
    const id = /^account (acc_[0-9a-f]{16})/m.exec(created.stdout)?.[1] as string;
    await withStore(db, async (store) => expect((await store.getAccount(id))?.email).toBe('lanhdao@soyte.laocai.gov.vn'));
    expect((await hoidap(['account', 'list', '--db', db])).stdout).toMatch(new RegExp(`^${id} +approver +so-yte +yes +\\S+ \\S+ +lanhdao@soyte\\.laocai\\.gov\\.vn +Lãnh đạo Sở Y tế$`, 'm'));

    expect(await hoidap(['account', 'create', '--db', db, '--name', 'X', '--role', 'admin', '--email', 'not-an-address'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'hoidap account: --email must be an e-mail address such as ten@laocai.gov.vn; got "not-an-address"\n',
    });

    expect(await hoidap(['account', 'set-email', '--db', db, '--id', id, '--email', 'van.thu@soyte.laocai.gov.vn'])).toEqual({
      code: 0,
      stdout: `account ${id} (Lãnh đạo Sở Y tế): e-mail van.thu@soyte.laocai.gov.vn\n`,
      stderr: '',
    });
    await withStore(db, async (store) => expect((await store.getAccount(id))?.email).toBe('van.thu@soyte.laocai.gov.vn'));
    expect(await hoidap(['account', 'set-email', '--db', db, '--id', id, '--email', 'a@b'])).toMatchObject({ code: 2, stderr: 'hoidap account: --email must be an e-mail address such as ten@laocai.gov.vn; got "a@b"\n' });
    expect(await hoidap(['account', 'set-email', '--db', db, '--id', 'acc_nobody', '--email', 'x@laocai.gov.vn'])).toMatchObject({ code: 2, stderr: 'hoidap account: no account acc_nobody\n' });
    expect(await hoidap(['account', 'set-email', '--db', db, '--id', id])).toMatchObject({ code: 2 });
    await withStore(db, async (store) => expect((await store.getAccount(id))?.email).toBe('van.thu@soyte.laocai.gov.vn'));

    expect(await hoidap(['account', 'set-email', '--db', db, '--id', id, '--email', ''])).toEqual({ code: 0, stdout: `account ${id} (Lãnh đạo Sở Y tế): no e-mail address\n`, stderr: '' });
    await withStore(db, async (store) => expect((await store.getAccount(id))?.email).toBeUndefined());
  });
});
