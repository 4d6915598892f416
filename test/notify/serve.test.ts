import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake';
import { eventually } from '../helpers/channels';
import { freePort } from '../helpers/ports';
import { fileQuestion } from './helpers';

jest.setTimeout(60_000);

/**
 * `hoidap serve` as deployed (built CLI, the messaging worker thread on, settings from the
 * environment): an answer approved through the REST API in the main thread is mailed by the
 * worker's dispatcher; the channels that are off are said once; the contact is not logged.
 * Needs `npm run build`.
 */
let smtp: SmtpFake;
afterEach(async () => smtp?.close());

test('serve mails the answer notice from the worker thread, says the channels that are off once, and never logs the contact', async () => {
  smtp = await startSmtpFake();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-serve-notify-'));
  const dbFile = path.join(dir, 'hoidap.sqlite');
  const store = new SqliteLedgerStore(dbFile);
  const q = await fileQuestion(store, Date.now(), { contact: 'serve.citizen@example.vn' });
  const accounts = new SqliteBackofficeStore(store.db);
  const approver = await accounts.createAccount({ name: 'Lãnh đạo', role: 'approver', agency: 'x-xuanquang' }, Date.now());
  const token = await accounts.issueApiToken(approver.id, Date.now());
  await store.close();

  const port = await freePort();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'hoidap.js'), 'serve'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: String(port), HOIDAP_DB: dbFile, HOIDAP_DEMO: '0', LOG_LEVEL: 'debug', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'hoidap@laocai.gov.vn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  try {
    await eventually(() => output.includes('"hoidap listening"') || child.exitCode !== null, 'the server to listen', 3000);
    expect(child.exitCode).toBeNull();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/questions/${q}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hồ sơ gồm đơn đề nghị và bản vẽ thiết kế.' }),
    });
    expect(res.status).toBe(200);
    await eventually(() => smtp.received.length > 0, 'the e-mail', 3000);
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['serve.citizen@example.vn']]);
    expect(smtp.received[0].subject).toContain(q);
    const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await ended;
    expect(output.match(/sms notifications are off/g)).toHaveLength(1);
    expect(output.match(/zns notifications are off/g)).toHaveLength(1);
    expect(output).not.toMatch(/email notifications are off/);
    expect(output).toContain('"answer notice queued"');
    expect(output).not.toContain('serve.citizen');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    child.stdout.destroy();
    child.stderr.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
