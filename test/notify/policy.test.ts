import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { notifyFromEnv } from '../../src/notify/config';
import { contactKind, noticePromises } from '../../src/notify/notices';
import { loadNoticePolicy, smsParts } from '../../src/notify/policy';
import { province } from '../helpers/province';

const shipped = () => JSON.parse(fs.readFileSync(path.join(province().dataDir, 'notifications.json'), 'utf8')) as Record<string, any>;

function loadEdited(edit: (policy: Record<string, any>) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-notices-'));
  const policy = shipped();
  edit(policy);
  fs.writeFileSync(path.join(dir, 'notifications.json'), JSON.stringify(policy));
  return () => loadNoticePolicy(dir, province().agencies.all.map((a) => a.name));
}

test('the shipped policy loads: SMS without diacritics in one GSM-7 part, ZNS off until the province has a template', () => {
  const policy = loadNoticePolicy(province().dataDir, province().agencies.all.map((a) => a.name));
  expect(policy.sms.unicode).toBe(false);
  expect(policy.zns.templateId).toBeNull();
  expect(notifyFromEnv(policy, {}).off.map((o) => o.channel)).toEqual(['email', 'sms', 'zns']);
});

test('a mistake in data/notifications.json names the file, the entry and the problem', () => {
  expect(loadEdited((p) => (p.sms.text = 'Cau hoi {ticket} {ticketNumber}'))).toThrow(/notifications\.json: sms\.text: unknown placeholder \{ticketNumber\}/);
  expect(loadEdited((p) => (p.sms.text = 'Tra loi: {answer}'))).toThrow(/notifications\.json: sms\.text: \{answer\} is not allowed here/);
  expect(loadEdited((p) => (p.zns.params = { ma: '{answer}' }))).toThrow(/notifications\.json: zns\.params\.ma: \{answer\} is not allowed here/);
  expect(loadEdited((p) => (p.zns.templateId = '223750', (p.zns.params = {})))).toThrow(/notifications\.json: zns\.params: a template id needs its parameter mapping/);
  expect(loadEdited((p) => (p.sms.text = 'Cau hoi {ticket} → xem {listUrl}'))).toThrow(/notifications\.json: sms\.text: has characters outside GSM-7 \(→\) although sms\.unicode is false/);
  expect(loadEdited((p) => (p.sms.text = `${'Cau hoi {ticket} da co tra loi cua {agency}. '.repeat(3)}`))).toThrow(/notifications\.json: sms\.text: takes 2 SMS parts \(gsm7\) with the longest agency name, more than sms\.maxParts 1/);
  expect(loadEdited((p) => delete p.promise.vi.emailOff)).toThrow(/notifications\.json: promise\.vi\.emailOff/);
});

test('SMS parts: GSM-7 160 / 153, UCS-2 70 / 67', () => {
  expect(smsParts('a'.repeat(160))).toEqual({ parts: 1, encoding: 'gsm7' });
  expect(smsParts('a'.repeat(161))).toEqual({ parts: 2, encoding: 'gsm7' });
  expect(smsParts('ă'.repeat(70))).toEqual({ parts: 1, encoding: 'ucs2' });
  expect(smsParts('ă'.repeat(71))).toEqual({ parts: 2, encoding: 'ucs2' });
});

test('the promise follows the contact kind and the channels that are on, in the province’s order for phones', () => {
  const policy = loadNoticePolicy(province().dataDir);
  const all = noticePromises(policy, new Set(['email', 'sms', 'zns']));
  expect(all.promise('directline', 'a@example.vn', 'vi')).toBe(policy.promise.vi.email);
  expect(all.promise('directline', '0912345678', 'vi')).toBe(policy.promise.vi.zns);
  expect(all.promise('directline', '0912345678', 'en')).toBe(policy.promise.en.zns);
  expect(all.promise('zalo', '0912345678', 'vi')).toBe(policy.promise.vi.chat);
  expect(all.promise('facebook', 'a@example.vn', 'vi')).toBe(policy.promise.vi.chat);
  expect(all.promise('directline', '02143840000', 'vi')).toBe(policy.promise.vi.unreachable);
  const smsOnly = noticePromises(policy, new Set(['sms']));
  expect(smsOnly.promise('directline', '0912345678', 'vi')).toBe(policy.promise.vi.sms);
  expect(smsOnly.promise('directline', 'a@example.vn', 'vi')).toBe(policy.promise.vi.emailOff);
  expect(noticePromises(policy, new Set()).promise('directline', '0912345678', 'vi')).toBe(policy.promise.vi.phoneOff);
  expect([contactKind('+84 912 345 678'), contactKind('0214 3840 000'), contactKind('x@y.vn'), contactKind(undefined)]).toEqual(['mobile', 'landline', 'email', 'none']);
});

test('settings from the environment: a channel missing a setting is off and says which, never with values', () => {
  const policy = { zns: { templateId: '223750', params: { a: '{ticket}' }, paramMaxLength: 30 } };
  const config = notifyFromEnv(policy, {
    SMTP_HOST: 'mail.laocai.gov.vn',
    SMTP_FROM: 'hoidap@laocai.gov.vn',
    SMTP_USER: 'hoidap',
    SMS_API_KEY: 'k',
    SMS_SECRET_KEY: 's',
    SMS_BRANDNAME: 'TOO-LONG-BRANDNAME',
    ZALO_APP_ID: '1',
    ZALO_APP_SECRET: 's',
    ZALO_REFRESH_TOKEN: 'r',
  });
  expect(config.email).toBeUndefined();
  expect(config.sms).toBeUndefined();
  expect(config.zns).toMatchObject({ apiBase: 'https://business.openapi.zalo.me', development: false });
  expect(config.off).toEqual([
    { channel: 'email', missing: ['SMTP_PASSWORD'] },
    { channel: 'sms', missing: ['SMS_BRANDNAME (at most 11 characters)'] },
  ]);
  const secure = notifyFromEnv(policy, { SMTP_HOST: 'h', SMTP_FROM: 'f', SMTP_SECURE: '1' });
  expect(secure.email).toMatchObject({ port: 465, secure: true, requireTls: false });
  expect(notifyFromEnv(policy, { SMTP_HOST: 'h', SMTP_FROM: 'f', SMTP_REQUIRE_TLS: '1' }).email).toMatchObject({ port: 587, secure: false, requireTls: true });
});

test('serve with a broken data/notifications.json refuses to start and names the file and the entry', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-data-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'data'), dir, { recursive: true });
  const file = path.join(dir, 'notifications.json');
  const policy = JSON.parse(fs.readFileSync(file, 'utf8'));
  policy.email.subject = 'Câu hỏi {ticket}: {answer}';
  fs.writeFileSync(file, JSON.stringify(policy));
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(['serve']).then((c) => process.exit(c))"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOIDAP_DATA_DIR: dir, HOIDAP_DB: path.join(dir, 'hoidap.sqlite'), HOIDAP_DEMO: '0', PORT: '0', LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`hoidap serve: ${file}: email.subject: {answer} is not allowed here`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});
