import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashToken } from '../../src/channels/portal/store';
import { PROJECT_ROOT } from '../../src/config/paths';
import { openStores } from '../../src/store/open';
import { hoidap } from '../helpers/cli';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';

/** A photo's bytes (a PNG's signature, then bytes including NUL, which bytea must keep). */
const PHOTO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 0, 255]);

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');

/** hoidap migrate: a whole SQLite installation into PostgreSQL, the same afterwards. */
describe('hoidap migrate --from sqlite:FILE --to postgres://', () => {
  const { location, schema } = freshSchemaLocation();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-migrate-')), 'hoidap.sqlite');
  afterAll(() => dropSchema(schema));

  test('the demo installation with accounts, a linked chat, a draft, a held question, queued messages and a portal identity moves whole; the target refuses a second move unless --replace', async () => {
    expect((await hoidap(['import', '--db', file, DEMO])).code).toBe(0);
    const created = await hoidap(['account', 'create', '--db', file, '--name', 'Lê Văn Cường', '--role', 'officer', '--agency', 'so-yte']);
    const id = /^account (acc_[0-9a-f]+):/.exec(created.stdout)?.[1] as string;
    const token = /API token[^:]*: (\S+)/.exec(created.stdout)?.[1] as string;
    // The rest of the installation, written through the SQLite adapters as the server would.
    const now = Date.now();
    const before = await openStores(`sqlite:${file}`);
    let held: number;
    try {
      await before.backoffice.setAccountEmail(id, 'cuong@soyte.laocai.gov.vn');
      const code = await before.backoffice.createLinkCode(id, now, 3_600_000);
      const linked = await before.backoffice.redeemLinkCode(code, { channel: 'zalo', userId: 'z-officer' }, { channelId: 'zalo', conversation: { id: 'z-officer' } }, now, {
        limits: { triesPerCode: 3, failureWindowMs: 3_600_000, perIdentity: 5, perAddress: 20, firstDelayMs: 60_000, maxDelayMs: 3_600_000, alertOverall: 200 },
      });
      expect(linked.ok).toBe(true);
      await before.backoffice.saveDraft({ q: 'HD-2023-000001', agency: 'so-yte', text: 'Dự thảo trả lời', author: id }, now);
      held = await before.intake.hold(
        { source: 'zalo:held-1', channel: 'zalo', text: 'Câu hỏi chờ biên tập', asker: { name: 'Phạm Thị Dung', contact: '0912000111' }, lang: 'vi', agency: 'so-yte', confidence: 0.9, triage: false },
        'contact',
        now,
      );
      await before.channels.enqueueOutbound([{ channel: 'zalo', recipient: 'z-citizen', payload: { text: 'Xin chào' } }], now);
      await before.channels.setSecret('zalo.refresh_token', 'rt-secret', now);
      // A contact confirmation code waiting to be typed (its hash only).
      expect(await before.contactCodes.issue({ id: 'code-1', contact: 'contact-key', codeHash: 'ab'.repeat(32), createdAt: now, expiresAt: now + 600_000, tries: 3 }, now - 3_600_000, { perContact: 5, perContactPerRequester: 5, perAddress: 20, resendAfterMs: 60_000 })).toEqual({ ok: true });
      await before.channels.enqueueInbound([{ channel: 'zalo', dedupeKey: 'zalo:msg-1', userKey: 'zalo:z-citizen', kind: 'text', payload: '{}', receivedAt: now }]);
      await before.directLine.createIdentity({ id: 'identity-1', secretHash: hashToken('identity-1.key'), expiresAt: now + 3_600_000, now });
      await before.photos.savePending({ id: 'photo-1', owner: 'zalo:z-citizen', channel: 'zalo', type: 'image/png', bytes: PHOTO, receivedAt: now });
      await before.photos.attach('HD-2023-000001', 'zalo:z-citizen', ['photo-1']);
    } finally {
      await before.close();
    }

    const moved = await hoidap(['migrate', '--from', `sqlite:${file}`, '--to', location]);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^events\s+1601$/m);
    expect(moved.stdout).toMatch(/^accounts\s+1$/m);
    expect(moved.stdout).toMatch(/^moved \d+ row\(s\) of 25 tables to PostgreSQL/m);
    expect(moved.stdout).toMatch(/^contact_codes\s+1$/m);

    // The same report, the same ledger export.
    const report = (db: string) => hoidap(['report', '--db', db, '--from', '2023-01-01', '--to', '2023-09-25', '--format', 'csv']);
    expect((await report(location)).stdout).toBe((await report(file)).stdout);
    expect((await hoidap(['export', '--db', location])).stdout).toBe((await hoidap(['export', '--db', file])).stdout);

    // The same accounts work: the token, the chat link, the draft, the held question, the queues, the secret.
    const after = await openStores(location);
    try {
      expect((await after.backoffice.accountByApiToken(token))?.id).toBe(id);
      expect((await after.backoffice.getAccount(id))?.email).toBe('cuong@soyte.laocai.gov.vn');
      expect((await after.backoffice.accountByIdentity({ channel: 'zalo', userId: 'z-officer' }))?.name).toBe('Lê Văn Cường');
      expect((await after.backoffice.latestDraft('HD-2023-000001'))?.text).toBe('Dự thảo trả lời');
      expect((await after.intake.waiting()).map((h) => [h.id, h.body.text])).toEqual([[held, 'Câu hỏi chờ biên tập']]);
      // A new held question gets a new id, after the moved ones.
      expect(await after.intake.hold({ source: 'zalo:held-2', channel: 'zalo', text: 'Câu khác', asker: { name: 'Võ Văn Em', contact: '0912000222' }, lang: 'vi', agency: 'so-yte', confidence: 0.9, triage: false }, 'contact', now)).toBeGreaterThan(held);
      expect(await after.channels.getSecret('zalo.refresh_token')).toBe('rt-secret');
      // A portal citizen's browser keeps its identity ("câu hỏi của tôi").
      expect(await after.directLine.useIdentity('identity-1', hashToken('identity-1.key'), now + 1, now + 2)).toMatchObject({ ok: true, identity: { id: 'identity-1' } });
      // The code moved with its tries: a wrong one counts down from 3.
      expect(await after.contactCodes.attempt('code-1', 'cd'.repeat(32), now + 1000)).toEqual({ outcome: 'wrong', triesLeft: 2 });
      // The photo sent with a question, byte for byte.
      expect(Buffer.compare((await after.photos.get('HD-2023-000001', 1))?.bytes ?? Buffer.alloc(0), PHOTO)).toBe(0);
      expect((await after.channels.claimOutbound('test', now, 60_000, 10)).map((m) => m.payload.text)).toEqual(['Xin chào']);
      expect(await after.channels.enqueueInbound([{ channel: 'zalo', dedupeKey: 'zalo:msg-1', userKey: 'zalo:z-citizen', kind: 'text', payload: '{}', receivedAt: now }])).toBe(0);
      // Ticket numbers go on after the moved ones.
      expect(await after.ledger.allocateQuestionId(2023)).not.toMatch(/^HD-2023-00000[01]$/);
    } finally {
      await after.close();
    }

    const again = await hoidap(['migrate', '--from', `sqlite:${file}`, '--to', location]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^hoidap migrate: the target already holds data \(events, questions, .*\); give --replace to empty it first/);
    const replaced = await hoidap(['migrate', '--from', file, '--to', location, '--replace']);
    expect(replaced.code).toBe(0);
    expect((await hoidap(['export', '--db', location])).stdout).toBe((await hoidap(['export', '--db', file])).stdout);
    const reopened = await openStores(location);
    try {
      // --replace emptied the target first: the held question written there after the first move is gone.
      expect((await reopened.intake.waiting()).map((h) => h.id)).toEqual([held]);
    } finally {
      await reopened.close();
    }
  });

  test('wrong locations are refused before anything is opened', async () => {
    expect(await hoidap(['migrate', '--from', location, '--to', location])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from must be the SQLite installation/) });
    expect(await hoidap(['migrate', '--from', file, '--to', '/tmp/other.sqlite'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--to must be a postgres:\/\/ location/) });
    expect(await hoidap(['migrate', '--from', '/nonexistent/hoidap.sqlite', '--to', location])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no SQLite database at \/nonexistent\/hoidap.sqlite/) });
  });
});
