import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvinceData } from '../../src/config/data';
import { DEFAULT_DATA_DIR } from '../../src/config/paths';
import { ContactConfirmation } from '../../src/notify/confirmation';
import { loadNoticePolicy, type NoticePolicy } from '../../src/notify/policy';
import type { NewOutboundMessage, NotificationChannel } from '../../src/store/channel-types';
import { sqliteStores } from '../../src/store/open';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { province } from '../helpers/province';

/** A copy of data/ with one JSON file edited. */
function edited(file: string, edit: (json: Record<string, any>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-confirm-data-'));
  fs.cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const full = path.join(dir, file);
  const json = JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, any>;
  edit(json);
  fs.writeFileSync(full, JSON.stringify(json, null, 2));
  return dir;
}

test('a mistake in contactConfirmation (data/policy.json) stops the start naming the file and the key', () => {
  expect(() => loadProvinceData(edited('policy.json', (p) => (p.contactConfirmation.codeLength = 2)))).toThrow(/policy\.json: contactConfirmation\.codeLength: /);
  expect(() => loadProvinceData(edited('policy.json', (p) => delete p.contactConfirmation.enabled))).toThrow(/policy\.json: contactConfirmation\.enabled: /);
  expect(() => loadProvinceData(edited('policy.json', (p) => (p.contactConfirmation.codesPerAddressPerDay = 1)))).toThrow(
    /policy\.json: contactConfirmation\.codesPerAddressPerDay: codesPerAddressPerDay must be at least codesPerContactPerRequesterPerDay/,
  );
  expect(() => loadProvinceData(edited('policy.json', (p) => (p.contactConfirmation.codesPerContactPerDay = 4)))).toThrow(
    /policy\.json: contactConfirmation\.codesPerContactPerDay: codesPerContactPerDay must be at least codesPerContactPerRequesterPerDay/,
  );
  expect(() => loadProvinceData(edited('policy.json', (p) => (p.contactConfirmation.confirmedForMinutes = 0)))).toThrow(/policy\.json: contactConfirmation\.confirmedForMinutes: /);
  expect(province().policy.contactConfirmation).toEqual({
    enabled: true,
    codeLength: 6,
    validityMinutes: 10,
    triesPerCode: 5,
    codesPerContactPerDay: 15,
    codesPerContactPerRequesterPerDay: 5,
    codesPerAddressPerDay: 20,
    resendAfterSeconds: 60,
    confirmedForMinutes: 60,
  });
});

test('a mistake in the code messages (data/notifications.json code) names the entry', () => {
  const load = (edit: (p: Record<string, any>) => void) => () => loadNoticePolicy(edited('notifications.json', edit));
  expect(load((p) => (p.code.sms = 'Ma xac nhan Hoi dap Lao Cai'))).toThrow(/notifications\.json: code\.sms: must contain \{code\}/);
  expect(load((p) => (p.code.email.text = 'Mã {code} cho câu hỏi {ticket}'))).toThrow(/notifications\.json: code\.email\.text: unknown placeholder \{ticket\}/);
  expect(load((p) => (p.code.sms = 'Mã xác nhận: {code}'))).toThrow(/notifications\.json: code\.sms: must be one SMS part in GSM-7/);
});

describe('how a code reaches a phone', () => {
  async function sendTo(contact: string, channels: NotificationChannel[], notices: NoticePolicy): Promise<NewOutboundMessage[]> {
    const data = province();
    const stores = sqliteStores(new SqliteLedgerStore(':memory:'));
    const queued: NewOutboundMessage[] = [];
    const confirmation = new ContactConfirmation({
      policy: data.policy.contactConfirmation,
      notices,
      channels: new Set(channels),
      clock: data.clock,
      codes: stores.contactCodes,
      queue: { enqueueOutbound: async (messages) => void queued.push(...messages) },
    });
    expect(await confirmation.send(contact, undefined, Date.now())).toMatchObject({ sent: true });
    return queued;
  }

  test('ZNS where the province has an OTP template (the SMS as fallback), the SMS otherwise; the summary the admins see has no code', async () => {
    const shipped = loadNoticePolicy(province().dataDir);
    const withTemplate: NoticePolicy = { ...shipped, code: { ...shipped.code, zns: { templateId: '301234', params: { otp: '{code}' } } } };
    const [zns] = await sendTo('+84 912 345 678', ['zns', 'sms'], withTemplate);
    expect(zns).toMatchObject({ channel: 'zns', recipient: '0912345678', payload: { template: { id: '301234' } } });
    const code = zns.payload.template?.data.otp as string;
    expect(code).toMatch(/^\d{6}$/);
    expect(zns.payload.fallback?.text).toContain(code);
    expect(zns.payload.text).not.toContain(code);
    // The shipped file has no ZNS code template: a mobile gets the SMS even with ZNS on.
    const [sms] = await sendTo('0912345678', ['zns', 'sms'], shipped);
    expect(sms).toMatchObject({ channel: 'sms', recipient: '0912345678' });
  });
});
