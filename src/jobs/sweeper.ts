import type { QueueDepths } from '../app/ports';
import type { ChatMessage, Notifier } from '../backoffice/notifier';
import type { Account, BackofficeStore, Draft, Role } from '../backoffice/types';
import type { ProvinceData } from '../config/data';
import { caseAtCutoff, overdueAt, type CaseRecord } from '../domain/cases';
import { formatDay, formatDayVi } from '../domain/time';
import { logger } from '../observability/logger';
import { Periodic } from './periodic';
import { minutesOfDay, type ReminderPolicy } from './reminder-policy';
import { digestMessage, overdueMessage, reminderMessage, undeliveredMessage, type CaseLine, type DeadlineKind, type DraftLine } from './sweeper-texts';

/**
 * The deadline sweeper: reminders before the acceptance and answer deadlines, an
 * overdue notice on the first working day after a deadline, and a daily digest of
 * overdue questions and of drafts left waiting for an approver, on working days within
 * working hours (data/reminders.json).
 *
 * Every message has a key that is claimed in the store before it is sent, so it goes
 * out at most once across restarts and server instances; a send that fails after its
 * claim is not retried (a duplicate reminder is worse than a missing one: the digest
 * repeats what is overdue every day).
 */

/** An open case with its position among the question's cases. */
export type OpenCase = CaseRecord & { idx: number };

/** Where the sweeper reads open cases (SqliteOpenCases in src/store/sqlite-sweeper.ts). */
export interface OpenCaseSource {
  /** Cases of every agency started by `at` and not answered, deleted or forwarded away. */
  openCases(at: number): Promise<OpenCase[]>;
}

export interface SweeperDeps {
  cases: OpenCaseSource;
  backoffice: Pick<BackofficeStore, 'accountsFor' | 'claimNotification'>;
  notifier: Pick<Notifier, 'toAccount'>;
  data: Pick<ProvinceData, 'calendar' | 'clock' | 'agencies'>;
  policy: ReminderPolicy;
  /** The Zalo/Messenger outbox, for the admins' undelivered notice (absent: no notice). */
  outbox?: Pick<QueueDepths, 'undeliveredByStatus'>;
  /** Drafts waiting for an approver and their questions' text, for the digest (absent: the digest lists overdue questions only). */
  drafts?: { pendingDrafts(agency?: string): Promise<Draft[]>; questionText(q: string): Promise<string> };
  /** The timer's period; default policy.checkEveryMinutes. */
  intervalMs?: number;
}

export interface SweepResult {
  /** Messages the notifier took. */
  sent: number;
  /** Messages whose send threw after the claim (not retried). */
  failed: number;
  skipped: {
    /** Why the run sent nothing at all: a day off or outside working hours. */
    run?: 'day_off' | 'outside_hours';
    /** Keys this or another instance claimed before. */
    alreadySent: number;
    /** Notifications no active account was there to receive. */
    noRecipient: number;
    /** Overdue notices more than catchUpWorkingDays late (the digest still lists them). */
    tooLate: number;
    /** Accounts with no linked chat identity: the notifier reached no one. */
    unreachable: number;
  };
}

interface Outgoing {
  key: string;
  account: Account;
  message: ChatMessage;
}

function emptyResult(): SweepResult {
  return { sent: 0, failed: 0, skipped: { alreadySent: 0, noRecipient: 0, tooLate: 0, unreachable: 0 } };
}

export class DeadlineSweeper {
  private readonly startMinute: number;
  private readonly endMinute: number;
  private readonly digestMinute: number;
  private readonly periodic: Periodic;

  constructor(private readonly deps: SweeperDeps) {
    this.startMinute = minutesOfDay(deps.policy.workingHours.start);
    this.endMinute = minutesOfDay(deps.policy.workingHours.end);
    this.digestMinute = minutesOfDay(deps.policy.digest.at);
    this.periodic = new Periodic('sweeper', deps.intervalMs ?? deps.policy.checkEveryMinutes * 60_000, (now) => this.runOnce(now));
  }

  /** Runs every interval (and once at start, so a restart catches up at once). */
  start(): void {
    this.periodic.start();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One sweep at instant `now`: deterministic for a given store and clock. */
  async runOnce(now: number): Promise<SweepResult> {
    const { calendar, clock } = this.deps.data;
    const result = emptyResult();
    const today = clock.dayOf(now);
    if (!calendar.isWorkingDay(today)) return { ...result, skipped: { ...result.skipped, run: 'day_off' } };
    const minute = Math.floor((now - clock.startOfDay(today)) / 60_000);
    if (minute < this.startMinute || minute >= this.endMinute) return { ...result, skipped: { ...result.skipped, run: 'outside_hours' } };

    const cases = await this.deps.cases.openCases(now);
    const recipients = new RecipientCache(this.deps.backoffice);
    const outgoing: Outgoing[] = [];
    const overdueLines: Array<CaseLine & { agency: string; due: number }> = [];
    const { policy } = this.deps;

    for (const c of cases) {
      if (c.start > now) continue;
      const judged = caseAtCutoff(c, now);
      if (judged.status === 'answered' || judged.status === 'deleted') continue;
      const accepted = judged.status === 'awaiting_answer';
      const agencyName = this.agencyName(c.agency);
      const notify = async (key: (account: string) => string, message: ChatMessage) => {
        const accounts = await recipients.of(c.agency, policy.recipients);
        if (accounts.length === 0) result.skipped.noRecipient += 1;
        for (const account of accounts) outgoing.push({ key: key(account.id), account, message });
      };

      const reminders: Array<{ deadline: DeadlineKind; due: number; days: readonly number[] }> = [{ deadline: 'answer', due: judged.answerDue, days: policy.answer.remindWorkingDaysBefore }];
      if (!accepted) reminders.unshift({ deadline: 'accept', due: c.acceptDue, days: policy.accept.remindWorkingDaysBefore });
      for (const r of reminders) {
        const left = this.reminderDue(c, r.due, today);
        if (left === undefined || !r.days.includes(left)) continue;
        const dueDay = clock.dayOf(r.due);
        const message = reminderMessage({ q: c.q, agencyName, deadline: r.deadline, dueDate: formatDayVi(dueDay), workingDaysLeft: left, accepted });
        // The deadline day is in the key: an extension moves the answer deadline, and its reminders are new ones.
        await notify((account) => `remind:${r.deadline}:${c.q}:${c.idx}:${formatDay(dueDay)}:${left}:${account}`, message);
      }

      const overdue = overdueAt(c, now, calendar);
      if (!overdue) continue;
      const line = { q: c.q, agency: c.agency, agencyName, deadline: overdue.deadline, due: overdue.due, dueDate: formatDayVi(clock.dayOf(overdue.due)), workingDaysOverdue: overdue.workingDaysOverdue };
      overdueLines.push(line);
      if (!policy.overdueNotice.enabled) continue;
      // Due on the first working day after the deadline day; a later run catches up only for a few days.
      if (overdue.workingDaysOverdue - 1 > policy.overdueNotice.catchUpWorkingDays) {
        result.skipped.tooLate += 1;
        continue;
      }
      await notify((account) => `overdue:${overdue.deadline}:${c.q}:${c.idx}:${account}`, overdueMessage(line));
    }

    if (policy.digest.enabled && minute >= this.digestMinute) {
      const drafts = await this.waitingDrafts(cases, now);
      if (overdueLines.length > 0 || drafts.length > 0) outgoing.push(...(await this.digests(today, overdueLines, drafts, recipients)));
    }
    const notice = policy.undeliveredNotice;
    if (notice?.enabled && this.deps.outbox && minute >= this.digestMinute) {
      // Expired messages are not counted: they go out by themselves when the citizen writes again.
      const { dead, unknown } = await this.deps.outbox.undeliveredByStatus();
      if (dead + unknown > 0) {
        const message = undeliveredMessage({ dead, unknown });
        for (const account of await recipients.of(undefined, notice.roles)) outgoing.push({ key: `undelivered:${formatDay(today)}:${account.id}`, account, message });
      }
    }

    for (const item of outgoing) await this.deliver(item, now, result);
    if (result.sent > 0 || result.failed > 0)
      logger.info('sweeper sent notifications', { at: clock.format(now), sent: result.sent, failed: result.failed, ...result.skipped });
    return result;
  }

  /**
   * Working days left before `due` when today is a reminder day for it: today is a
   * working day on or before the deadline day and after the day the case started
   * (the new-question message already gave the deadlines). Undefined otherwise, so a
   * reminder day no run reached is never made up later.
   */
  private reminderDue(c: CaseRecord, due: number, today: number): number | undefined {
    const { clock, calendar } = this.deps.data;
    if (today <= clock.dayOf(c.start) || today > clock.dayOf(due)) return undefined;
    return calendar.workingDaysBetween(clock.startOfDay(today), due);
  }

  /**
   * Drafts an approver has left waiting more than the policy's working days (a draft of Monday is
   * listed from Wednesday, after a whole working day untouched), longest waiting first. Only drafts
   * whose question is still open at the draft's agency: one forwarded away is no longer theirs.
   */
  private async waitingDrafts(cases: readonly OpenCase[], now: number): Promise<Array<DraftLine & { agency: string }>> {
    const source = this.deps.drafts;
    if (!source) return [];
    const { calendar, clock } = this.deps.data;
    const limit = this.deps.policy.digest.draftsWaitingMoreThanWorkingDays ?? 1;
    const open = new Set(cases.map((c) => `${c.q}|${c.agency}`));
    const out: Array<DraftLine & { agency: string; createdAt: number }> = [];
    for (const d of await source.pendingDrafts()) {
      if (!open.has(`${d.q}|${d.agency}`) || d.createdAt > now) continue;
      const waited = calendar.workingDaysBetween(d.createdAt, now);
      if (waited <= limit) continue;
      out.push({
        q: d.q,
        agency: d.agency,
        agencyName: this.agencyName(d.agency),
        question: await source.questionText(d.q),
        sentDate: formatDayVi(clock.dayOf(d.createdAt)),
        workingDaysWaiting: waited,
        createdAt: d.createdAt,
      });
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.q.localeCompare(b.q));
  }

  private async digests(
    today: number,
    lines: Array<CaseLine & { agency: string; due: number }>,
    drafts: Array<DraftLine & { agency: string }>,
    recipients: RecipientCache,
  ): Promise<Outgoing[]> {
    const { policy } = this.deps;
    const date = formatDayVi(today);
    const dayKey = formatDay(today);
    const sorted = [...lines].sort((a, b) => a.due - b.due || a.q.localeCompare(b.q));
    const out: Outgoing[] = [];
    const byAgency = new Map<string, { lines: typeof sorted; drafts: typeof drafts }>();
    const of = (agency: string) => {
      let group = byAgency.get(agency);
      if (!group) byAgency.set(agency, (group = { lines: [], drafts: [] }));
      return group;
    };
    for (const line of sorted) of(line.agency).lines.push(line);
    for (const draft of drafts) of(draft.agency).drafts.push(draft);

    // One digest per account and day: an account that would get both kinds gets the all-agencies one.
    const seen = new Set<string>();
    if (policy.digest.allAgenciesRoles.length > 0) {
      const message = digestMessage({ date, lines: sorted, drafts, maxListed: policy.digest.maxListed });
      for (const account of await recipients.of(undefined, policy.digest.allAgenciesRoles)) {
        seen.add(account.id);
        out.push({ key: `digest:${dayKey}:${account.id}`, account, message });
      }
    }
    if (policy.digest.agencyRoles.length > 0) {
      for (const [agency, group] of byAgency) {
        const message = digestMessage({ date, agencyName: this.agencyName(agency), lines: group.lines, drafts: group.drafts, maxListed: policy.digest.maxListed });
        for (const account of await recipients.of(agency, policy.digest.agencyRoles)) {
          if (seen.has(account.id)) continue;
          seen.add(account.id);
          out.push({ key: `digest:${dayKey}:${account.id}`, account, message });
        }
      }
    }
    return out;
  }

  private async deliver(item: Outgoing, now: number, result: SweepResult): Promise<void> {
    // Claimed before sending: at most once, even when two instances sweep the same minute.
    if (!(await this.deps.backoffice.claimNotification(item.key, now))) {
      result.skipped.alreadySent += 1;
      return;
    }
    try {
      const reached = await this.deps.notifier.toAccount(item.account, item.message);
      if (reached > 0) result.sent += 1;
      else result.skipped.unreachable += 1;
      logger.debug('sweeper notification', { key: item.key, reached });
    } catch (err) {
      result.failed += 1;
      logger.warn('sweeper notification failed', { key: item.key, err: err instanceof Error ? err.message : String(err) });
    }
  }

  private agencyName(code: string): string {
    return this.deps.data.agencies.get(code)?.shortName ?? code;
  }
}

/** accountsFor once per (agency, roles) and run. */
class RecipientCache {
  private readonly cache = new Map<string, Promise<Account[]>>();

  constructor(private readonly backoffice: Pick<BackofficeStore, 'accountsFor'>) {}

  of(agency: string | undefined, roles: readonly Role[]): Promise<Account[]> {
    const key = `${agency ?? '*'}|${roles.join(',')}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.backoffice.accountsFor(agency, roles);
      this.cache.set(key, found);
    }
    return found;
  }
}
