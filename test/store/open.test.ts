import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileQuestion } from '../../src/backoffice/held';
import { Ledger } from '../../src/ledger/ledger';
import { openStores } from '../../src/store/open';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';
import { instant, province } from '../helpers/province';

const NOW = instant('2026-11-30T09:00:00+07:00');
const FILING = {
  channel: 'portal' as const,
  text: 'Xin hỏi thủ tục cấp lại giấy khai sinh bản chính',
  asker: { name: 'Nguyễn Văn A', contact: '0912345678' },
  lang: 'vi',
  agency: 'so-tuphap',
  confidence: 0.9,
  triage: false,
};

describe('openStores', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-open-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a SQLite location opens every store on one file: what one store writes, the others and a later opening see', async () => {
    const file = path.join(dir, 'hoidap.sqlite');
    const data = province();
    const stores = await openStores(`sqlite:${file}`);
    expect(stores.kind).toBe('sqlite');
    const { q } = await fileQuestion({ data, ledger: new Ledger(stores.ledger, data), store: stores.ledger }, FILING, NOW);
    // The read model reads the rows the ledger wrote.
    expect((await stores.queries.listQuestions({ agency: 'so-tuphap' })).rows.map((r) => r.state.id)).toEqual([q]);
    // One table of notification keys: a key the sweeper claimed is not sent again by the outbox.
    expect(await stores.notificationKeys.claimNotification(`reminder:${q}`, NOW)).toBe(true);
    expect(await stores.backoffice.claimNotification(`reminder:${q}`, NOW)).toBe(false);
    expect(await stores.channels.enqueueOnce(`reminder:${q}`, [{ channel: 'email', recipient: 'a@example.vn', payload: { text: 'x' } }], NOW)).toBe(false);
    const account = await stores.backoffice.createAccount({ name: 'Cán bộ Sở Tư pháp', role: 'officer', agency: 'so-tuphap' }, NOW);
    await stores.close();

    // The same file by its plain path.
    const again = await openStores(file);
    try {
      expect((await again.ledger.counts()).questions).toBe(1);
      expect((await again.backoffice.getAccount(account.id))?.name).toBe('Cán bộ Sở Tư pháp');
      expect(await again.notificationKeys.firstRecorded(`reminder:${q}`, NOW + 1000)).toBe(NOW);
    } finally {
      await again.close();
    }
  });

  test('a backup of a SQLite store is a checked copy; a location that names no file is refused', async () => {
    const stores = await openStores(path.join(dir, 'a.sqlite'));
    try {
      const target = path.join(dir, 'copy.sqlite');
      const { bytes, summary } = await stores.backup!(target);
      expect(bytes).toBe(fs.statSync(target).size);
      expect(summary).toMatch(/^0 questions, schema version \d+$/);
    } finally {
      await stores.close();
    }
    await expect(openStores('sqlite:')).rejects.toThrow(/names no file/);
  });

  test('a postgres:// location keeps every store in PostgreSQL: a second opening (another instance) sees what the first wrote', async () => {
    const { location, schema } = freshSchemaLocation();
    const stores = await openStores(location);
    const other = await openStores(location);
    try {
      expect(stores.kind).toBe('postgres');
      expect(stores.singleProcess).toBe(false);
      // pg_dump of the schema (test/cli/postgres-location.test.ts restores one).
      expect(typeof stores.backup).toBe('function');
      const data = province();
      const { q } = await fileQuestion({ data, ledger: new Ledger(stores.ledger, data), store: stores.ledger }, FILING, NOW);
      expect((await other.ledger.questionEvents(q)).map((e) => e.type)).toEqual(['submitted', 'assigned']);
      const account = await stores.backoffice.createAccount({ name: 'Nguyễn Thị Hoa', role: 'editor' }, NOW);
      expect((await other.backoffice.listAccounts()).map((a) => a.id)).toEqual([account.id]);
      expect(await stores.notificationKeys.claimNotification('digest:2026-12-05:x', NOW)).toBe(true);
      expect(await other.notificationKeys.claimNotification('digest:2026-12-05:x', NOW)).toBe(false);
    } finally {
      await other.close();
      await stores.close();
      await dropSchema(schema);
    }
  });
});
