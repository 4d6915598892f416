import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HeldQuestions } from '../../src/backoffice/held';
import { Workflow } from '../../src/backoffice/actions';
import { RecordingNotifier } from '../../src/backoffice/notifier';
import type { Account } from '../../src/backoffice/types';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import type { RouteResult } from '../../src/routing/router';
import { sqliteStores } from '../../src/store/open';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteBackofficeStore } from '../../src/store/sqlite-backoffice';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { SqliteQuestionIntake } from '../../src/store/sqlite-intake';
import { SqliteQuestionQueries } from '../../src/store/sqlite-queries';
import { importDemo } from './bot';
import { instant, province } from './province';

/**
 * The REST API on the real express app, listening on loopback over a copy of the demo ledger,
 * with an account of each kind and its token; the clock stands at 2023-10-02 09:00 (+07:00).
 */

export const STAFF = ['officerYT', 'officerBT', 'approverBT', 'editor', 'admin'] as const;
export type Staff = (typeof STAFF)[number];

export interface ApiRig {
  /** http://127.0.0.1:<port>/api/v1 */
  base: string;
  store: SqliteLedgerStore;
  backoffice: SqliteBackofficeStore;
  workflow: Workflow;
  ledger: Ledger;
  accounts: Record<Staff, Account>;
  tokens: Record<Staff, string>;
  /** A new question at h-baothang, just assigned (deadlines ahead). */
  fresh(text?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startApiRig(options: { router?: { route(text: string): RouteResult } } = {}): Promise<ApiRig> {
  const data = province();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-api-'));
  const store = new SqliteLedgerStore(path.join(dir, 'hoidap.sqlite'));
  await importDemo(store);
  const backoffice = new SqliteBackofficeStore(store.db);
  const ledger = new Ledger(store, data);
  const now = instant('2023-10-02T09:00:00+07:00');
  const workflow = new Workflow({
    data,
    store,
    ledger,
    backoffice,
    queries: new SqliteQuestionQueries(store.db),
    notifier: new RecordingNotifier(),
    ...(options.router ? { router: options.router } : {}),
    now: () => now,
  });
  const t0 = instant('2023-09-01T08:00:00+07:00');
  const accounts: Record<Staff, Account> = {
    officerYT: await backoffice.createAccount({ name: 'Cán bộ Sở Y tế', role: 'officer', agency: 'so-yte' }, t0),
    officerBT: await backoffice.createAccount({ name: 'Cán bộ Bảo Thắng', role: 'officer', agency: 'h-baothang' }, t0),
    approverBT: await backoffice.createAccount({ name: 'Lãnh đạo Bảo Thắng', role: 'approver', agency: 'h-baothang' }, t0),
    editor: await backoffice.createAccount({ name: 'Ban biên tập', role: 'editor' }, t0),
    admin: await backoffice.createAccount({ name: 'Quản trị', role: 'admin' }, t0),
  };
  const tokens = {} as Record<Staff, string>;
  for (const who of STAFF) tokens[who] = await backoffice.issueApiToken(accounts[who].id, t0);
  const held = new HeldQuestions({ data, ledger, store, intake: new SqliteQuestionIntake(store.db) });
  const app = createApp({ data, stores: sqliteStores(store), api: { backoffice, workflow, outbox: new SqliteChannelQueueStore(store.db), held } });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}/api/v1`,
    store,
    backoffice,
    workflow,
    ledger,
    accounts,
    tokens,
    async fresh(text = 'Cho tôi hỏi thủ tục cấp lại sổ đỏ bị mất ở xã Xuân Quang') {
      // Numbered like any question (released held questions take numbers too).
      const q = await store.allocateQuestionId(2023);
      await ledger.record({ q, type: 'submitted', at: '2023-10-02T08:00:00+07:00', channel: 'portal', text, asker: { name: 'Nguyễn Thị Bình', contact: '0987654321' } });
      await ledger.record({ q, type: 'assigned', at: '2023-10-02T08:05:00+07:00', agency: 'h-baothang', by: 'bot' });
      return q;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
