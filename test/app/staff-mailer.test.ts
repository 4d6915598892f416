import { OutboxStaffMailer } from '../../src/backoffice/staff-mailer';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';

const approver = { id: 'acc_1', name: 'Lãnh đạo', role: 'approver' as const, agency: 'so-yte', active: true, createdAt: 0, email: 'ld.syt@laocai.gov.vn' };
const message = { subject: 'Dự thảo chờ duyệt', text: 'Dự thảo: ...' };

test('staff e-mail is queued once per key in the outbox, and not at all when e-mail is not configured', async () => {
  const store = new SqliteLedgerStore(':memory:');
  const queue = new SqliteChannelQueueStore(store.db);
  const count = () => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE channel = 'email'").get() as { n: number }).n;

  const off = new OutboxStaffMailer({ queue, enabled: new Set(), now: () => 1 });
  expect(await off.mailAccount(approver, message, 'draft-waiting:1:acc_1')).toBe(false);
  expect(count()).toBe(0);

  let kicked = 0;
  const on = new OutboxStaffMailer({ queue, enabled: new Set(['email']), now: () => 1, kick: () => void (kicked += 1) });
  expect(await on.mailAccount(approver, message, 'draft-waiting:1:acc_1')).toBe(true);
  expect(await on.mailAccount(approver, message, 'draft-waiting:1:acc_1')).toBe(false);
  expect(count()).toBe(1);
  expect(kicked).toBe(1);
  expect(store.db.prepare("SELECT recipient FROM outbox WHERE channel = 'email'").get()).toEqual({ recipient: 'ld.syt@laocai.gov.vn' });
  await store.close();
});
