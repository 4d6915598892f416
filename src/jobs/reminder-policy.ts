import path from 'node:path';
import { z } from 'zod';
import { ROLES } from '../backoffice/types';
import { DataError, parseWith, readJsonFile } from '../config/data';
import { DEFAULT_DATA_DIR } from '../config/paths';
import type { Policy } from '../domain/policy';

/**
 * When the deadline sweeper reminds whom (data/reminders.json): numbers a province
 * may change without a release, like data/policy.json.
 */

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time written HH:MM, e.g. 07:30');

const DaysBefore = z
  .array(z.number().int().min(0).max(60))
  .refine((days) => new Set(days).size === days.length, 'must not list the same number of days twice');

const Roles = z.array(z.enum(ROLES)).refine((roles) => new Set(roles).size === roles.length, 'must not list a role twice');

export const ReminderPolicySchema = z
  .object({
    /** How often the server runs the sweeper. */
    checkEveryMinutes: z.number().int().min(1).max(720),
    /** Local hours in which the sweeper sends anything (start included, end excluded), on working days only. */
    workingHours: z.object({ start: TimeOfDay, end: TimeOfDay }).strict(),
    /** Roles of the case's agency that receive reminders and overdue notices. */
    recipients: Roles.refine((roles) => roles.length > 0, 'must name at least one role'),
    /** Reminders N working days before the acceptance deadline (0: on the deadline day). */
    accept: z.object({ remindWorkingDaysBefore: DaysBefore }).strict(),
    /** Reminders N working days before the answer deadline. */
    answer: z.object({ remindWorkingDaysBefore: DaysBefore }).strict(),
    overdueNotice: z
      .object({
        enabled: z.boolean(),
        /** A notice no run could send on the first working day after the deadline is still sent this many working days later. */
        catchUpWorkingDays: z.number().int().min(0).max(60),
      })
      .strict(),
    digest: z
      .object({
        enabled: z.boolean(),
        /** Local time from which the day's digest goes out (within working hours). */
        at: TimeOfDay,
        /** Roles that get the digest of their own agency's overdue questions. */
        agencyRoles: Roles,
        /** Roles that get the digest of every agency's overdue questions. */
        allAgenciesRoles: Roles,
        /** Questions listed in one message; the rest are counted. */
        maxListed: z.number().int().min(1).max(200),
        /** Drafts waiting for an approver more than this many working days are in the digest (default 1). */
        draftsWaitingMoreThanWorkingDays: z.number().int().min(0).max(60).optional(),
      })
      .strict(),
    /** From the digest time, once a day: tell these roles that Zalo/Messenger messages wait for their decision (dead or unknown). */
    undeliveredNotice: z.object({ enabled: z.boolean(), roles: Roles.refine((roles) => roles.length > 0, 'must name at least one role') }).strict().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const start = minutesOfDay(p.workingHours.start);
    const end = minutesOfDay(p.workingHours.end);
    if (start >= end) ctx.addIssue({ code: 'custom', path: ['workingHours', 'end'], message: `must be later than workingHours.start (${p.workingHours.start})` });
    const at = minutesOfDay(p.digest.at);
    if (p.digest.enabled && (at < start || at >= end))
      ctx.addIssue({ code: 'custom', path: ['digest', 'at'], message: `must lie within working hours (${p.workingHours.start}–${p.workingHours.end})` });
  });

export type ReminderPolicy = z.infer<typeof ReminderPolicySchema>;

export const DEFAULT_REMINDERS_FILE = path.join(DEFAULT_DATA_DIR, 'reminders.json');

/** Minutes after local midnight of an HH:MM time. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Problems of a reminder policy that only show next to the deadline policy: a reminder
 * as many working days before a deadline as the deadline is long falls on the day the
 * case starts (or before it), so it would never be sent.
 */
export function checkAgainstDeadlines(reminders: ReminderPolicy, deadlines: Policy['deadlines']): string[] {
  const problems: string[] = [];
  const check = (which: 'accept' | 'answer', length: number, setting: string) =>
    reminders[which].remindWorkingDaysBefore.forEach((n, i) => {
      if (n >= length)
        problems.push(
          `${which}.remindWorkingDaysBefore[${i}]: ${n} working days before a deadline of ${length} working days (policy.json ${setting}) ` +
            'falls on the day the case starts or earlier: this reminder would never be sent',
        );
    });
  check('accept', deadlines.acceptWorkingDays, 'deadlines.acceptWorkingDays');
  check('answer', deadlines.answerWorkingDays, 'deadlines.answerWorkingDays');
  return problems;
}

/** Reads and validates data/reminders.json (or `file`); errors name the file and the entry. */
export function loadReminderPolicy(file: string = DEFAULT_REMINDERS_FILE, deadlines?: Policy['deadlines']): ReminderPolicy {
  const policy = parseWith(ReminderPolicySchema, readJsonFile(file), file);
  if (deadlines) {
    const problems = checkAgainstDeadlines(policy, deadlines);
    if (problems.length > 0) throw new DataError(file, problems);
  }
  return policy;
}
