import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { DataError } from '../../src/config/data';
import { formatDay } from '../../src/domain/time';
import { checkAgainstDeadlines, loadReminderPolicy, type ReminderPolicy } from '../../src/jobs/reminder-policy';
import { DeadlineSweeper } from '../../src/jobs/sweeper';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { OPEN_CASES_SQL, SqliteOpenCases } from '../../src/store/sqlite-sweeper';
import { captureLogs } from '../fakes/log-capture';
import { instant } from '../helpers/province';
import { dropSchema, freshSchemaLocation } from '../helpers/postgres';
import { addAccounts, data, Instance, PostgresInstance, reminderPolicy, summary, TableBackoffice, type SentMessage } from './fixtures';

const HOUR = 3_600_000;
const { calendar, clock } = data;
const YTE = ['yte-officer', 'yte-approver'];
const BT = ['bt-officer', 'bt-approver'];
const PHONE = '0912345678';

type Raw = Record<string, unknown> & { q: string; at: string };

function tempDb(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-sweeper-')), 'hoidap.sqlite');
}

/** A new database file with the test accounts. */
function newDatabase(): string {
  const file = tempDb();
  const store = new SqliteLedgerStore(file);
  addAccounts(store.db);
  void store.close();
  return file;
}

function submitted(q: string, at: string, text = 'Thủ tục cấp giấy phép hành nghề khám bệnh như thế nào?'): Raw {
  return { q, type: 'submitted', at, channel: 'portal', text, asker: { name: 'Nguyễn Văn An', contact: PHONE } };
}

function assigned(q: string, at: string, agency: string): Raw {
  return { q, type: 'assigned', at, agency, by: 'editor' };
}

/** Records ledger events as the simulated clock passes them, as officers would. */
class Timeline {
  private next = 0;
  private readonly events: Raw[];

  constructor(events: Raw[]) {
    this.events = [...events].sort((a, b) => instant(a.at) - instant(b.at));
  }

  async until(t: number, instance: Pick<Instance, 'ledger'>): Promise<void> {
    while (this.next < this.events.length && instant(this.events[this.next].at) <= t) await instance.ledger.record(this.events[this.next++]);
  }
}

/** Every hour on the hour from `from` to `to` (local ISO instants), inclusive. */
async function hourly(from: string, to: string, each: (t: number) => Promise<void>): Promise<void> {
  for (let t = instant(from); t <= instant(to); t += HOUR) await each(t);
}

function lines(dayMonth: string, time: string, accounts: string[], kind: string, q = ''): string[] {
  return accounts.map((a) => `${dayMonth} ${time} ${a} ${kind}${q ? ` ${q}` : ''}`);
}

const sorted = (items: string[]) => [...items].sort();
const isDigest = (m: SentMessage) => summary(m).includes(' digest');

/** Days (YYYY-MM-DD) on which an account got a digest. */
function digestDays(log: SentMessage[], account: string): string[] {
  return log.filter((m) => isDigest(m) && m.account === account).map((m) => m.at.slice(0, 10));
}

function expectOnlyWorkingDaysAndHours(log: SentMessage[]): void {
  for (const m of log) {
    const ms = instant(m.at);
    expect({ at: m.at, working: calendar.isWorkingDay(clock.dayOf(ms)) }).toEqual({ at: m.at, working: true });
    const hhmm = m.at.slice(11, 16);
    expect(hhmm >= '07:30' && hhmm < '17:00').toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// Tết 2024: days off Thursday 8/2 to Wednesday 14/2 (8, 9, 12, 13, 14 plus the weekend).
// ---------------------------------------------------------------------------------------------

const Q1 = 'HD-2024-000001'; // so-yte, assigned Mon 5/2, never accepted
const Q2 = 'HD-2024-000002'; // so-yte, accepted the day it came, answered 23/2
const Q3 = 'HD-2024-000003'; // h-baothang, assigned on Saturday 10/2 during Tết, never accepted
const Q4 = 'HD-2024-000004'; // so-yte, forwarded to h-baothang on 15/2 before office hours, accepted and answered there
const Q5 = 'HD-2024-000005'; // so-yte, deleted as a duplicate the day it came

const TET_EVENTS: Raw[] = [
  submitted(Q1, '2024-02-05T09:00:00+07:00'),
  assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte'),
  submitted(Q5, '2024-02-05T09:55:00+07:00'),
  assigned(Q5, '2024-02-05T10:00:00+07:00', 'so-yte'),
  { q: Q5, type: 'deleted', at: '2024-02-05T15:00:00+07:00', agency: 'so-yte', reason: 'duplicate', by: 'yte-officer' },
  submitted(Q2, '2024-02-06T09:50:00+07:00'),
  assigned(Q2, '2024-02-06T10:00:00+07:00', 'so-yte'),
  { q: Q2, type: 'accepted', at: '2024-02-06T15:00:00+07:00', agency: 'so-yte', by: 'yte-officer' },
  { q: Q2, type: 'answered', at: '2024-02-23T11:00:00+07:00', agency: 'so-yte', authorized: true, text: 'Hồ sơ gồm đơn đề nghị và bản sao chứng chỉ hành nghề.' },
  submitted(Q4, '2024-02-07T15:50:00+07:00'),
  assigned(Q4, '2024-02-07T16:00:00+07:00', 'so-yte'),
  { q: Q4, type: 'forwarded', at: '2024-02-15T07:00:00+07:00', from: 'so-yte', agency: 'h-baothang', by: 'yte-officer' },
  { q: Q4, type: 'accepted', at: '2024-02-16T10:00:00+07:00', agency: 'h-baothang', by: 'bt-officer' },
  { q: Q4, type: 'answered', at: '2024-02-27T09:00:00+07:00', agency: 'h-baothang', authorized: true, text: 'UBND huyện đã chỉ đạo xã kiểm tra.' },
  submitted(Q3, '2024-02-10T20:00:00+07:00', 'Đường vào thôn bị sạt lở, khi nào được sửa?'),
  assigned(Q3, '2024-02-10T21:00:00+07:00', 'h-baothang'),
];

const TET_FROM = '2024-02-05T00:00:00+07:00';
const TET_TO = '2024-03-01T23:00:00+07:00';

/**
 * Deadlines (the day of assignment not counted; 8–14/2 off):
 * Q1 accept 7/2, answer 26/2 · Q2 accept 15/2, answer 27/2 · Q3 accept 16/2, answer 28/2 ·
 * Q4 at so-yte accept 16/2 (forwarded before), at h-baothang (from 15/2) accept 19/2, answer 29/2.
 */
const TET_EXPECTED = sorted([
  ...lines('2024-02-06', '08:00', YTE, 'remind-accept', Q1),
  ...lines('2024-02-15', '08:00', YTE, 'overdue-accept', Q1), // the first working day after 7/2
  ...lines('2024-02-15', '08:00', BT, 'remind-accept', Q3),
  ...lines('2024-02-16', '08:00', BT, 'remind-accept', Q4),
  ...lines('2024-02-19', '08:00', BT, 'overdue-accept', Q3),
  ...lines('2024-02-22', '08:00', YTE, 'remind-answer', Q1),
  ...lines('2024-02-23', '08:00', YTE, 'remind-answer', Q1),
  ...lines('2024-02-23', '08:00', YTE, 'remind-answer', Q2), // answered at 11:00: no reminder on 26/2
  ...lines('2024-02-26', '08:00', BT, 'remind-answer', Q3),
  ...lines('2024-02-27', '08:00', YTE, 'overdue-answer', Q1),
  ...lines('2024-02-27', '08:00', BT, 'remind-answer', Q3),
  ...lines('2024-02-27', '08:00', BT, 'remind-answer', Q4), // answered at 09:00: no reminder on 28/2
  ...lines('2024-02-29', '08:00', BT, 'overdue-answer', Q3),
]);

const TET_WORKING_DAYS_FROM_15 = ['15', '16', '19', '20', '21', '22', '23', '26', '27', '28', '29'].map((d) => `2024-02-${d}`).concat('2024-03-01');

function checkTetLog(log: SentMessage[]): void {
  expect(sorted(log.filter((m) => !isDigest(m)).map(summary))).toEqual(TET_EXPECTED);
  // Digests: the approvers of an agency with overdue questions and the editor, once a working day, at 08:00.
  expect(digestDays(log, 'yte-approver')).toEqual(TET_WORKING_DAYS_FROM_15);
  expect(digestDays(log, 'bt-approver')).toEqual(TET_WORKING_DAYS_FROM_15.slice(2));
  expect(digestDays(log, 'editor')).toEqual(TET_WORKING_DAYS_FROM_15);
  expect(log.filter(isDigest).every((m) => m.at.slice(11, 16) === '08:00')).toBe(true);
  for (const account of ['yte-officer', 'bt-officer', 'yte-former', 'admin']) expect(digestDays(log, account)).toEqual([]);
  expect(log.some((m) => m.account === 'yte-former' || m.account === 'admin')).toBe(false);
  expectOnlyWorkingDaysAndHours(log);
  expect(log.filter((m) => m.at >= '2024-02-07T17' && m.at < '2024-02-15')).toEqual([]);
  // Each message once: no account got the same text twice.
  const seen = log.map((m) => `${m.account}|${m.message.text}`);
  expect(new Set(seen).size).toBe(seen.length);
}

describe('deadline sweeper across Tết 2024, run every hour', () => {
  test('reminders, overdue notices and digests on the right working days at the first hour in office time, none on days off', async () => {
    const file = newDatabase();
    const log: SentMessage[] = [];
    const server = new Instance(file, log);
    const timeline = new Timeline(TET_EVENTS);
    const idle = { day_off: 0, outside_hours: 0 };
    const logs = captureLogs('debug');
    try {
      await hourly(TET_FROM, TET_TO, async (t) => {
        await timeline.until(t, server);
        const result = await server.runOnce(t);
        if (result.skipped.run) idle[result.skipped.run] += 1;
        expect(result.failed).toBe(0);
      });
    } finally {
      await logs.stop();
      await server.close();
    }
    checkTetLog(log);
    // 26 days, 15 of them working days whose office hours (07:30–17:00) hold the runs of 08:00 … 16:00.
    expect(idle.day_off).toBe(11 * 24);
    expect(idle.outside_hours).toBe(15 * (24 - 9));

    // What people read: Vietnamese, the ticket, the deadline date, working days left or overdue, buttons.
    const at = (prefix: string, account: string, kind: string) => log.find((m) => m.at.startsWith(prefix) && m.account === account && summary(m).includes(kind));
    expect(at('2024-02-06T08', 'yte-officer', 'remind-accept')?.message).toEqual({
      text: `Nhắc hạn tiếp nhận: câu hỏi ${Q1} (Sở Y tế) cần được tiếp nhận trước hết ngày 07/02/2024 (còn 1 ngày làm việc).`,
      buttons: [`Tiếp nhận ${Q1}`, `Xem ${Q1}`],
    });
    expect(at('2024-02-15T08', 'yte-approver', 'overdue-accept')?.message).toEqual({
      text: `Quá hạn tiếp nhận: câu hỏi ${Q1} (Sở Y tế) đã quá hạn 1 ngày làm việc (hạn hết ngày 07/02/2024).`,
      buttons: [`Tiếp nhận ${Q1}`, `Xem ${Q1}`],
    });
    expect(at('2024-02-23T08', 'yte-officer', `remind-answer ${Q2}`)?.message).toEqual({
      text: `Nhắc hạn trả lời: câu hỏi ${Q2} (Sở Y tế) cần được trả lời trước hết ngày 27/02/2024 (còn 2 ngày làm việc).`,
      buttons: [`Xem ${Q2}`],
    });
    expect(at('2024-02-27T08', 'yte-officer', 'overdue-answer')?.message.text).toBe(
      `Quá hạn trả lời: câu hỏi ${Q1} (Sở Y tế) đã quá hạn 1 ngày làm việc (hạn hết ngày 26/02/2024).`,
    );
    expect(at('2024-02-19T08', 'bt-approver', 'digest')?.message).toEqual({
      text: `Câu hỏi quá hạn của Huyện Bảo Thắng ngày 19/02/2024: 1 câu.\n- ${Q3}: quá hạn tiếp nhận 1 ngày làm việc (hạn 16/02/2024)`,
      buttons: [`Xem ${Q3}`],
    });
    expect(at('2024-02-19T08', 'yte-approver', 'digest')?.message.text).toBe(
      `Câu hỏi quá hạn của Sở Y tế ngày 19/02/2024: 1 câu.\n- ${Q1}: quá hạn tiếp nhận 3 ngày làm việc (hạn 07/02/2024)`,
    );
    expect(at('2024-02-29T08', 'editor', 'digest')?.message).toEqual({
      text: [
        'Câu hỏi quá hạn ngày 29/02/2024: 2 câu ở 2 cơ quan.',
        'Sở Y tế:',
        `- ${Q1}: quá hạn trả lời 3 ngày làm việc (hạn 26/02/2024)`,
        'Huyện Bảo Thắng:',
        `- ${Q3}: quá hạn trả lời 1 ngày làm việc (hạn 28/02/2024)`,
      ].join('\n'),
      buttons: [`Xem ${Q1}`, `Xem ${Q3}`],
    });

    // Nothing personal in the logs, at any level: neither the asker's phone nor the question.
    const logged = logs.lines.join('\n');
    expect(logged).toContain('sweeper sent notifications');
    expect(logged).not.toContain(PHONE);
    expect(logged).not.toContain('Thủ tục cấp giấy phép');
  });

  test('a restart every day at noon (new store object, new sweeper on the same file) sends nothing twice', async () => {
    const file = newDatabase();
    const log: SentMessage[] = [];
    let server = new Instance(file, log);
    const timeline = new Timeline(TET_EVENTS);
    let refusedAfterRestart = 0;
    await hourly(TET_FROM, TET_TO, async (t) => {
      if (clock.format(t).slice(11, 13) === '12') {
        await server.close();
        server = new Instance(file, log);
        // The new process goes over the morning again: everything there was already sent.
        for (let h = 4; h >= 1; h -= 1) {
          const again = await server.runOnce(t - h * HOUR);
          expect(again.sent).toBe(0);
          refusedAfterRestart += again.skipped.alreadySent;
        }
      }
      await timeline.until(t, server);
      await server.runOnce(t);
    });
    await server.close();
    checkTetLog(log);
    expect(refusedAfterRestart).toBeGreaterThan(40);
  });

  test('two instances sweeping the same hours at the same time on the same file send each message once', async () => {
    const file = newDatabase();
    const logA: SentMessage[] = [];
    const logB: SentMessage[] = [];
    const a = new Instance(file, logA);
    const b = new Instance(file, logB);
    const timeline = new Timeline(TET_EVENTS);
    let contested = 0;
    await hourly(TET_FROM, TET_TO, async (t) => {
      await timeline.until(t, a);
      // Both find the same due messages; the claim decides who sends each.
      const [ra, rb] = await Promise.all([a.runOnce(t), b.runOnce(t)]);
      expect(ra.sent + ra.skipped.alreadySent).toBe(rb.sent + rb.skipped.alreadySent);
      if (ra.sent + rb.sent > 0) contested += 1;
    });
    await Promise.all([a.close(), b.close()]);
    checkTetLog([...logA, ...logB].sort((x, y) => x.at.localeCompare(y.at)));
    expect(contested).toBeGreaterThan(10);
  });

  test('two instances on one PostgreSQL database, sweeping the same hours at the same time, send each message once', async () => {
    const { location, schema } = freshSchemaLocation();
    const logA: SentMessage[] = [];
    const logB: SentMessage[] = [];
    const a = await PostgresInstance.open(location, logA);
    const b = await PostgresInstance.open(location, logB);
    try {
      await a.addAccounts();
      const timeline = new Timeline(TET_EVENTS);
      let contested = 0;
      await hourly(TET_FROM, TET_TO, async (t) => {
        await timeline.until(t, a);
        const [ra, rb] = await Promise.all([a.runOnce(t), b.runOnce(t)]);
        expect(ra.sent + ra.skipped.alreadySent).toBe(rb.sent + rb.skipped.alreadySent);
        if (ra.sent > 0 && rb.sent > 0) contested += 1;
      });
      checkTetLog([...logA, ...logB].sort((x, y) => x.at.localeCompare(y.at)));
      // Both instances sent some of the messages of the same hours: the unique keys, not luck, kept them single.
      expect(contested).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  });

  test('two server processes on the same file, sweeping the same hours concurrently, send each message once', async () => {
    const file = newDatabase();
    const setup = new Instance(file, []);
    // Questions that stay open: their events can be written up front (closing events would be in the children's future).
    for (const e of TET_EVENTS.filter((e) => e.q === Q1 || e.q === Q3)) await setup.ledger.record(e);
    await setup.close();

    const children = [0, 1].map(() =>
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'sweeper-child.ts'), file, String(instant(TET_FROM)), String(instant(TET_TO))], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      }),
    );
    const results = children.map(
      (child) =>
        new Promise<{ log: SentMessage[]; found: number }>((resolve, reject) => {
          child.on('message', (m: { ready?: boolean; log?: SentMessage[]; found?: number }) => {
            if (m.log) resolve({ log: m.log, found: m.found ?? 0 });
          });
          child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`sweeper child exited with ${code}`))));
        }),
    );
    await Promise.all(children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))));
    for (const child of children) child.send('go');
    const [one, two] = await Promise.all(results);
    await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));

    const log = [...one.log, ...two.log].sort((x, y) => x.at.localeCompare(y.at));
    const only = (qs: string[]) => TET_EXPECTED.filter((l) => qs.some((q) => l.endsWith(q)));
    expect(sorted(log.filter((m) => !isDigest(m)).map(summary))).toEqual(only([Q1, Q3]));
    expect(digestDays(log, 'editor')).toEqual(TET_WORKING_DAYS_FROM_15);
    expect(digestDays(log, 'yte-approver')).toEqual(TET_WORKING_DAYS_FROM_15);
    expect(digestDays(log, 'bt-approver')).toEqual(TET_WORKING_DAYS_FROM_15.slice(2));
    // Both processes found every message (and refused what the other, or their own earlier run, had sent).
    expect(one.found).toBe(two.found);
    expect(one.found).toBeGreaterThan(log.length);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// 30/4–1/5/2024: 29/4 to 1/5 off, Saturday 4/5 worked in exchange (làm bù).
// ---------------------------------------------------------------------------------------------

describe('deadline sweeper around 30/4–1/5/2024 and the make-up Saturday 4/5', () => {
  test('the make-up Saturday gets its reminders and overdue notices; the other weekend days and the holidays nothing', async () => {
    const QA = 'HD-2024-000101'; // so-yte, Friday 26/4: accept due 3/5, answer due 14/5
    const QB = 'HD-2024-000102'; // h-baothang, Friday 3/5: accept due Monday 6/5 (Saturday 4/5 counts)
    const file = newDatabase();
    const log: SentMessage[] = [];
    const server = new Instance(file, log);
    const timeline = new Timeline([
      submitted(QA, '2024-04-26T09:50:00+07:00'),
      assigned(QA, '2024-04-26T10:00:00+07:00', 'so-yte'),
      submitted(QB, '2024-05-03T08:50:00+07:00'),
      assigned(QB, '2024-05-03T09:00:00+07:00', 'h-baothang'),
    ]);
    await hourly('2024-04-26T00:00:00+07:00', '2024-05-10T23:00:00+07:00', async (t) => {
      await timeline.until(t, server);
      await server.runOnce(t);
    });
    await server.close();

    expect(sorted(log.filter((m) => !isDigest(m)).map(summary))).toEqual(
      sorted([
        ...lines('2024-05-02', '08:00', YTE, 'remind-accept', QA),
        ...lines('2024-05-04', '08:00', YTE, 'overdue-accept', QA),
        ...lines('2024-05-04', '08:00', BT, 'remind-accept', QB),
        ...lines('2024-05-07', '08:00', BT, 'overdue-accept', QB),
        ...lines('2024-05-10', '08:00', YTE, 'remind-answer', QA),
      ]),
    );
    const saturday = log.filter((m) => m.at.startsWith('2024-05-04'));
    expect(saturday.map(summary).filter((s) => s.includes('yte-officer'))).toEqual([`2024-05-04 08:00 yte-officer overdue-accept ${QA}`]);
    expect(digestDays(log, 'yte-approver')).toEqual(['2024-05-04', '2024-05-06', '2024-05-07', '2024-05-08', '2024-05-09', '2024-05-10']);
    expect(digestDays(log, 'bt-approver')).toEqual(['2024-05-07', '2024-05-08', '2024-05-09', '2024-05-10']);
    expect(digestDays(log, 'editor')).toEqual(digestDays(log, 'yte-approver'));
    expectOnlyWorkingDaysAndHours(log);
    for (const off of ['2024-04-27', '2024-04-28', '2024-04-29', '2024-04-30', '2024-05-01', '2024-05-05'])
      expect(log.filter((m) => m.at.startsWith(off))).toEqual([]);
    expect(log.find((m) => m.at.startsWith('2024-05-04') && m.account === 'bt-officer')?.message.text).toBe(
      `Nhắc hạn tiếp nhận: câu hỏi ${QB} (Huyện Bảo Thắng) cần được tiếp nhận trước hết ngày 06/05/2024 (còn 1 ngày làm việc).`,
    );
  });
});

describe('deadline sweeper: rules', () => {
  async function withQuestion(events: Raw[], policy: ReminderPolicy = reminderPolicy): Promise<{ server: Instance; log: SentMessage[] }> {
    const log: SentMessage[] = [];
    const server = new Instance(newDatabase(), log, policy);
    for (const e of events) await server.ledger.record(e);
    return { server, log };
  }

  test('only within working hours: nothing at 07:29 or 17:00, reminders from 07:30, the digest from 08:00', async () => {
    const { server, log } = await withQuestion([submitted(Q1, '2024-02-05T09:00:00+07:00'), assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte')]);
    expect((await server.runOnce(instant('2024-02-08T10:00:00+07:00'))).skipped.run).toBe('day_off');
    expect((await server.runOnce(instant('2024-02-15T07:29:59+07:00'))).skipped.run).toBe('outside_hours');
    expect(log).toEqual([]);
    const early = await server.runOnce(instant('2024-02-15T07:30:00+07:00'));
    expect(early).toEqual({ sent: 2, failed: 0, skipped: { alreadySent: 0, noRecipient: 0, tooLate: 0, unreachable: 0 } });
    expect(sorted(log.map(summary))).toEqual(sorted(lines('2024-02-15', '07:30', YTE, 'overdue-accept', Q1)));
    await server.runOnce(instant('2024-02-15T08:05:00+07:00'));
    expect(log.slice(2).map(summary)).toEqual(['2024-02-15 08:05 editor digest', '2024-02-15 08:05 yte-approver digest']);
    expect((await server.runOnce(instant('2024-02-15T16:59:00+07:00'))).skipped.alreadySent).toBe(4);
    expect((await server.runOnce(instant('2024-02-15T17:00:00+07:00'))).skipped.run).toBe('outside_hours');
    expect(log).toHaveLength(4);
    await server.close();
  });

  test('admins are told once a day, from the digest time, of Zalo/Messenger messages waiting for them; expired ones do not count', async () => {
    const log: SentMessage[] = [];
    const server = new Instance(newDatabase(), log, reminderPolicy, { outbox: true });
    const add = server.store.db.prepare(`INSERT INTO outbox (channel, recipient, payload, created_ms, next_attempt_ms, status) VALUES ('zalo', ?, '{"text":"..."}', 0, 0, ?)`);
    add.run('7001', 'expired');
    await server.runOnce(instant('2024-02-15T09:00:00+07:00'));
    expect(log).toEqual([]);
    add.run('7002', 'dead');
    add.run('7003', 'dead');
    add.run('7004', 'unknown');
    await server.runOnce(instant('2024-02-15T07:45:00+07:00'));
    expect(log).toEqual([]);
    await server.runOnce(instant('2024-02-15T08:00:00+07:00'));
    expect(log).toEqual([
      {
        at: '2024-02-15T08:00:00.000+07:00',
        account: 'admin',
        message: { text: 'Có 3 tin nhắn Zalo, Messenger chưa gửi được (2 gửi lỗi nhiều lần, 1 không rõ đã đến chưa). Gõ "tin nhắn chưa gửi được" để xem và gửi lại.', buttons: ['Tin nhắn chưa gửi được'] },
      },
    ]);
    await server.runOnce(instant('2024-02-15T15:00:00+07:00'));
    expect(log).toHaveLength(1);
    await server.runOnce(instant('2024-02-16T08:30:00+07:00'));
    expect(log.map((m) => `${m.at.slice(0, 10)} ${m.account}`)).toEqual(['2024-02-15 admin', '2024-02-16 admin']);
    // Settled: nothing the next working day.
    server.store.db.prepare("UPDATE outbox SET status = 'sent' WHERE status IN ('dead', 'unknown')").run();
    await server.runOnce(instant('2024-02-19T08:30:00+07:00'));
    expect(log).toHaveLength(2);
    await server.close();
  });

  test('a server down on a reminder day does not send the reminder late; the overdue notice still goes, then only for a few working days', async () => {
    const { server, log } = await withQuestion([
      submitted(Q1, '2024-02-05T09:00:00+07:00'),
      assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte'),
      submitted(Q3, '2024-02-05T09:10:00+07:00'),
      assigned(Q3, '2024-02-05T09:40:00+07:00', 'h-baothang'),
    ]);
    // Down from Monday 5/2 evening (the 6/2 reminders were due) until Thursday 15/2 at 13:00.
    await hourly('2024-02-15T13:00:00+07:00', '2024-02-15T16:00:00+07:00', async (t) => void (await server.runOnce(t)));
    expect(sorted(log.filter((m) => !isDigest(m)).map(summary))).toEqual(
      sorted([...lines('2024-02-15', '13:00', YTE, 'overdue-accept', Q1), ...lines('2024-02-15', '13:00', BT, 'overdue-accept', Q3)]),
    );
    expect(log.filter(isDigest).map(summary)).toEqual(['2024-02-15 13:00 editor digest', '2024-02-15 13:00 yte-approver digest', '2024-02-15 13:00 bt-approver digest']);

    // Another outage: 7/2 overdue notices not sent by 21/2 (5 working days late > 1 + 3 catch-up days) are dropped; the digest lists them.
    const late = await withQuestion([submitted(Q1, '2024-02-05T09:00:00+07:00'), assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte')]);
    const result = await late.server.runOnce(instant('2024-02-21T09:00:00+07:00'));
    expect(result.skipped.tooLate).toBe(1);
    expect(late.log.map(summary)).toEqual(['2024-02-21 09:00 editor digest', '2024-02-21 09:00 yte-approver digest']);
    expect(late.log[1].message.text).toContain(`${Q1}: quá hạn tiếp nhận 5 ngày làm việc (hạn 07/02/2024)`);
    await Promise.all([server.close(), late.server.close()]);
  });

  test('an accepted question gets no acceptance reminder or notice, but still its answer reminders', async () => {
    const { server, log } = await withQuestion([
      submitted(Q1, '2024-02-05T09:00:00+07:00'),
      assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte'),
      { q: Q1, type: 'accepted', at: '2024-02-05T16:00:00+07:00', agency: 'so-yte' },
    ]);
    await hourly('2024-02-05T00:00:00+07:00', '2024-02-27T23:00:00+07:00', async (t) => void (await server.runOnce(t)));
    expect(sorted(log.map(summary))).toEqual(
      sorted([
        ...lines('2024-02-22', '08:00', YTE, 'remind-answer', Q1),
        ...lines('2024-02-23', '08:00', YTE, 'remind-answer', Q1),
        ...lines('2024-02-27', '08:00', YTE, 'overdue-answer', Q1),
        '2024-02-27 08:00 editor digest',
        '2024-02-27 08:00 yte-approver digest',
      ]),
    );
    await server.close();
  });

  test('an extension moves the answer reminders and the overdue notice to the new deadline', async () => {
    const { server, log } = await withQuestion([
      submitted(Q1, '2024-02-05T09:00:00+07:00'),
      assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte'),
      { q: Q1, type: 'accepted', at: '2024-02-06T09:00:00+07:00', agency: 'so-yte' },
      { q: Q1, type: 'extended', at: '2024-02-20T09:00:00+07:00', agency: 'so-yte', days: 3, reason: 'Cần xác minh tại cơ sở' },
    ]);
    // From 20/2 after the extension: the answer deadline 26/2 becomes 29/2.
    await hourly('2024-02-20T10:00:00+07:00', '2024-03-01T23:00:00+07:00', async (t) => void (await server.runOnce(t)));
    expect(sorted(log.filter((m) => !isDigest(m)).map(summary))).toEqual(
      sorted([
        ...lines('2024-02-27', '08:00', YTE, 'remind-answer', Q1),
        ...lines('2024-02-28', '08:00', YTE, 'remind-answer', Q1),
        ...lines('2024-03-01', '08:00', YTE, 'overdue-answer', Q1),
      ]),
    );
    expect(log.find((m) => m.at.startsWith('2024-02-28'))?.message.text).toContain('trước hết ngày 29/02/2024 (còn 1 ngày làm việc)');
    await server.close();
  });

  test('policy switches: no overdue notices, no digest, one reminder on the deadline day', async () => {
    const policy: ReminderPolicy = {
      ...reminderPolicy,
      accept: { remindWorkingDaysBefore: [0] },
      answer: { remindWorkingDaysBefore: [] },
      overdueNotice: { ...reminderPolicy.overdueNotice, enabled: false },
      digest: { ...reminderPolicy.digest, enabled: false },
    };
    const { server, log } = await withQuestion([submitted(Q1, '2024-02-05T09:00:00+07:00'), assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte')], policy);
    await hourly('2024-02-05T00:00:00+07:00', '2024-03-01T23:00:00+07:00', async (t) => void (await server.runOnce(t)));
    expect(sorted(log.map(summary))).toEqual(sorted(lines('2024-02-07', '08:00', YTE, 'remind-accept', Q1)));
    expect(log[0].message.text).toContain('trước hết ngày 07/02/2024 (hôm nay là ngày cuối)');
    await server.close();
  });

  test('a send that fails after its claim is not retried; accounts no chat reaches are counted', async () => {
    const file = newDatabase();
    const store = new SqliteLedgerStore(file);
    const server = new Instance(file, []);
    for (const e of [submitted(Q1, '2024-02-05T09:00:00+07:00'), assigned(Q1, '2024-02-05T09:30:00+07:00', 'so-yte')]) await server.ledger.record(e);
    await server.close();
    let calls = 0;
    const sweeper = new DeadlineSweeper({
      cases: new SqliteOpenCases(store.db),
      backoffice: new TableBackoffice(store.db),
      notifier: {
        async toAccount(account) {
          calls += 1;
          if (account.id === 'yte-officer') throw new Error('channel down');
          return 0;
        },
      },
      data,
      policy: reminderPolicy,
    });
    const logs = captureLogs('warn');
    const first = await sweeper.runOnce(instant('2024-02-06T08:00:00+07:00'));
    await logs.stop();
    expect(logs.lines.join('')).toContain(`"key":"remind:accept:${Q1}:0:2024-02-07:1:yte-officer"`);
    expect(first).toEqual({ sent: 0, failed: 1, skipped: { alreadySent: 0, noRecipient: 0, tooLate: 0, unreachable: 1 } });
    const second = await sweeper.runOnce(instant('2024-02-06T09:00:00+07:00'));
    expect(second.skipped.alreadySent).toBe(2);
    expect(calls).toBe(2);
    await store.close();
  });

  test('start() runs at once and then every interval; stop() ends it', async () => {
    const file = newDatabase();
    const store = new SqliteLedgerStore(file);
    const sweeper = new DeadlineSweeper({
      cases: new SqliteOpenCases(store.db),
      backoffice: new TableBackoffice(store.db),
      notifier: { toAccount: async () => 1 },
      data,
      policy: reminderPolicy,
      intervalMs: 10,
    });
    const runs: number[] = [];
    const original = sweeper.runOnce.bind(sweeper);
    jest.spyOn(sweeper, 'runOnce').mockImplementation(async (now) => {
      runs.push(now);
      return original(now);
    });
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await sweeper.stop();
    const count = runs.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(Math.abs(runs[0] - Date.now())).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(runs).toHaveLength(count);
    await store.close();
  });

  test('the open-cases query reads the partial index of open cases, not every case started before now', () => {
    const store = new SqliteLedgerStore(':memory:');
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${OPEN_CASES_SQL}`).all(1) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX cases_open_by_agency/);
    void store.close();
  });
});

describe('data/reminders.json', () => {
  test('the default policy: 07:30–17:00, acceptance reminder 1 day before, answer 2 and 1, digest at 08:00 to approvers and editors', () => {
    const policy = loadReminderPolicy();
    expect(policy.workingHours).toEqual({ start: '07:30', end: '17:00' });
    expect(policy.accept.remindWorkingDaysBefore).toEqual([1]);
    expect(policy.answer.remindWorkingDaysBefore).toEqual([2, 1]);
    expect(policy.digest).toMatchObject({ enabled: true, at: '08:00', agencyRoles: ['approver'], allAgenciesRoles: ['editor'] });
    expect(policy.recipients).toEqual(['officer', 'approver']);
    expect(policy.undeliveredNotice).toEqual({ enabled: true, roles: ['admin'] });
    expect(checkAgainstDeadlines(policy, data.policy.deadlines)).toEqual([]);
  });

  function writeVariant(change: (p: Record<string, unknown>) => void): string {
    const raw = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data', 'reminders.json'), 'utf8')) as Record<string, unknown>;
    change(raw);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-reminders-')), 'reminders.json');
    fs.writeFileSync(file, JSON.stringify(raw));
    return file;
  }

  function loadError(file: string, deadlines = data.policy.deadlines): DataError {
    try {
      loadReminderPolicy(file, deadlines);
    } catch (err) {
      if (err instanceof DataError) return err;
      throw err;
    }
    throw new Error('expected a DataError');
  }

  test('errors name the file and the entry', () => {
    const bad = writeVariant((p) => {
      p.answer = { remindWorkingDaysBefore: [2, 'một'] };
      p.workingHours = { start: '7h30', end: '17:00' };
      p.recipients = ['officer', 'chairman'];
    });
    const err = loadError(bad);
    expect(err.message).toContain(bad);
    expect(err.message).toMatch(/answer\.remindWorkingDaysBefore\[1\]/);
    expect(err.message).toMatch(/workingHours\.start: must be a local time written HH:MM/);
    expect(err.message).toMatch(/recipients\[1\]/);

    const hours = loadError(writeVariant((p) => (p.workingHours = { start: '17:00', end: '07:30' })));
    expect(hours.message).toMatch(/workingHours\.end: must be later than workingHours\.start/);
    const digest = loadError(writeVariant((p) => ((p.digest as Record<string, unknown>).at = '18:00')));
    expect(digest.message).toMatch(/digest\.at: must lie within working hours/);
    const repeated = loadError(writeVariant((p) => (p.answer = { remindWorkingDaysBefore: [1, 1] })));
    expect(repeated.message).toMatch(/answer\.remindWorkingDaysBefore: must not list the same number/);
  });

  test('a reminder as far before a deadline as the deadline is long is refused: it could never be sent', () => {
    const file = writeVariant((p) => (p.accept = { remindWorkingDaysBefore: [1, 2] }));
    const err = loadError(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/accept\.remindWorkingDaysBefore\[1\]: 2 working days before a deadline of 2 working days/);
    expect(() => loadReminderPolicy(file)).not.toThrow();
  });
});

// The simulated days used above are what the calendar says they are.
test('calendar facts the scenarios rely on', () => {
  const off = ['2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14', '2024-04-29', '2024-04-30', '2024-05-01'];
  for (const d of off) expect(calendar.isWorkingDay(clock.dayOf(instant(`${d}T12:00:00+07:00`)))).toBe(false);
  expect(calendar.isWorkingDay(clock.dayOf(instant('2024-05-04T12:00:00+07:00')))).toBe(true);
  expect(formatDay(clock.dayOf(calendar.deadline(instant('2024-02-05T09:30:00+07:00'), 10)))).toBe('2024-02-26');
});
