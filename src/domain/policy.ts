import { z } from 'zod';
import { checkDated, DayTextSchema, mergeOverride, versionIndexOn } from './dated';
import { LocalClock, parseDay } from './time';

/**
 * The deadline and scoring policy: numbers a province may change without a release
 * (data/policy.json). The file's `deadlines` and `scoring` are the rules from the
 * beginning of time; `versions` lists later rule sets, each in force from its `from`
 * day (local) until the next one's, each a dated override of the one before it
 * (src/domain/dated.ts). A case is governed by the rules in force on the day it starts.
 */

const DeadlinesSchema = z
  .object({
    acceptWorkingDays: z.number().int().min(1).max(60),
    answerWorkingDays: z.number().int().min(1).max(120),
    /** One extension per case (a ledger rule); this caps how far it moves the answer deadline. */
    extension: z.object({ maxWorkingDays: z.number().int().min(0).max(60) }).strict(),
  })
  .strict();

const ScoringSchema = z
  .object({
    noEligibleCases: z.number(),
    allLate: z.number(),
    onTimeAuthorized: z.number(),
    highVolume: z
      .object({
        score: z.number(),
        answersInAMonthMoreThan: z.number().int().min(0),
      })
      .strict(),
    otherwise: z.number(),
  })
  .strict();

/** One complete rule set: what a case's deadlines and an agency's score are computed with. */
export const RuleSetSchema = z
  .object({ deadlines: DeadlinesSchema, scoring: ScoringSchema })
  .strict()
  .refine((p) => p.deadlines.acceptWorkingDays <= p.deadlines.answerWorkingDays, {
    message: 'deadlines.acceptWorkingDays must not exceed deadlines.answerWorkingDays',
    path: ['deadlines', 'acceptWorkingDays'],
  });

export type Rules = z.infer<typeof RuleSetSchema>;

/** A later rule set: only the fields that change (deep), from a day, with the decision that changed them. */
const RuleVersionSchema = z
  .object({
    from: DayTextSchema,
    /** The document that set these rules, e.g. "Quyết định 123/QĐ-UBND ngày 15/12/2024". */
    document: z.string().min(1),
    note: z.string().optional(),
    deadlines: DeadlinesSchema.partial()
      .extend({ extension: DeadlinesSchema.shape.extension.partial().optional() })
      .strict()
      .optional(),
    scoring: ScoringSchema.partial()
      .extend({ highVolume: ScoringSchema.shape.highVolume.partial().optional() })
      .strict()
      .optional(),
  })
  .strict();

export type RuleVersion = z.infer<typeof RuleVersionSchema>;

export const PolicySchema = z
  .object({
    timezone: z.string().min(1),
    utcOffsetMinutes: z.number().int().min(-720).max(840),
    deadlines: DeadlinesSchema,
    scoring: ScoringSchema,
    routing: z
      .object({
        triageAgency: z.string().min(1),
        confidenceThreshold: z.number().min(0).max(1),
      })
      .strict(),
    /**
     * Link codes that link a chat identity to a back-office account ("liên kết ..."). Guessing is
     * stopped per code (void after triesPerCode wrong tries); senders over their free tries wait,
     * longer with each wrong try (never locked out); the overall count alerts the admins.
     */
    linking: z
      .object({
        codeTtlMinutes: z.number().int().min(1).max(24 * 60),
        /** Wrong tries on one code (its first three characters name it) before it is void. */
        triesPerCode: z.number().int().min(1).max(10),
        /** Wrong codes counted over this rolling window, in the database (a restart keeps them). */
        failureWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
        /** Wrong tries in the window one chat identity, one network address (portal), makes before it waits. */
        perIdentity: z.number().int().min(1).max(100),
        perAddress: z.number().int().min(1).max(1000),
        /** The wait after the free tries, doubled with each further wrong try, up to maxDelayMinutes. */
        firstDelaySeconds: z.number().int().min(1).max(3600),
        maxDelayMinutes: z.number().int().min(1).max(24 * 60),
        /** Wrong tries in the window, everyone together, at which the admins are told (in chat and the log); nobody is blocked by it. */
        alertOverall: z.number().int().min(1).max(1_000_000),
      })
      .strict()
      .refine((l) => l.maxDelayMinutes * 60 >= l.firstDelaySeconds, { message: 'maxDelayMinutes must be at least firstDelaySeconds', path: ['maxDelayMinutes'] })
      // Failures older than the window are forgotten: a longer wait could not be enforced.
      .refine((l) => l.maxDelayMinutes <= l.failureWindowMinutes, { message: 'maxDelayMinutes must not exceed failureWindowMinutes', path: ['maxDelayMinutes'] }),
    /** Questions filed per local day; what goes over waits for an editor (the held queue) instead of entering the ledger. */
    questionsPerDay: z
      .object({
        perIdentity: z.number().int().min(1).max(1000),
        perContact: z.number().int().min(1).max(1000),
        /** Per network address (portal): new conversations are new identities, so one address could otherwise file without end. Absent: no such limit. */
        perAddress: z.number().int().min(1).max(100_000).optional(),
        overall: z.number().int().min(1).max(1_000_000),
      })
      .strict(),
    /**
     * "Câu hỏi của tôi": how many of a citizen's questions are listed (newest first), how much of each answer
     * (characters; the whole is on /hoi-dap/HD-...), and how long a portal identity lasts, the secret the
     * browser keeps (days after its last use). Absent: 10, 300 and 365.
     */
    myQuestions: z
      .object({
        listed: z.number().int().min(1).max(50),
        answerChars: z.number().int().min(50).max(4000),
        portalIdentityTtlDays: z.number().int().min(1).max(3650),
      })
      .strict()
      .optional(),
    /**
     * One-time codes that confirm the contact a portal citizen gives (Web Chat, /api/messages) before
     * the question is filed; Zalo and Messenger users are identified by their channel and get none.
     * `enabled` false files without a code (the demo's default, see README).
     */
    contactConfirmation: z
      .object({
        enabled: z.boolean(),
        /** Digits in a code. */
        codeLength: z.number().int().min(4).max(10),
        /** How long a code may be entered after it was sent. */
        validityMinutes: z.number().int().min(1).max(24 * 60),
        /** Wrong tries on one code before it is void (a new code must be asked for). */
        triesPerCode: z.number().int().min(1).max(10),
        /** Codes sent to one phone number or e-mail address per local day, whoever asked (the overall cap). */
        codesPerContactPerDay: z.number().int().min(1).max(100),
        /**
         * Codes sent to one phone number or e-mail address per local day at the request of one network
         * address: someone who knows a citizen's contact cannot use up its codes for the citizen.
         */
        codesPerContactPerRequesterPerDay: z.number().int().min(1).max(100),
        /** Codes sent at the request of one network address (portal) per local day, whatever the contacts. */
        codesPerAddressPerDay: z.number().int().min(1).max(10_000),
        /** The wait before "gửi lại mã" sends another code to the same contact. */
        resendAfterSeconds: z.number().int().min(0).max(3600),
        /**
         * How long a contact confirmed with a code stays confirmed, and only in the conversation where
         * it was confirmed (a later user of a shared browser is asked for a new code).
         */
        confirmedForMinutes: z.number().int().min(1).max(24 * 60),
      })
      .strict()
      .refine((c) => c.codesPerContactPerDay >= c.codesPerContactPerRequesterPerDay, {
        message: 'codesPerContactPerDay must be at least codesPerContactPerRequesterPerDay',
        path: ['codesPerContactPerDay'],
      })
      .refine((c) => c.codesPerAddressPerDay >= c.codesPerContactPerRequesterPerDay, {
        message: 'codesPerAddressPerDay must be at least codesPerContactPerRequesterPerDay',
        path: ['codesPerAddressPerDay'],
      }),
    /** Dated rule sets after the base one, in date order. */
    versions: z.array(RuleVersionSchema).optional(),
  })
  .strict()
  .refine((p) => p.deadlines.acceptWorkingDays <= p.deadlines.answerWorkingDays, {
    message: 'deadlines.acceptWorkingDays must not exceed deadlines.answerWorkingDays',
    path: ['deadlines', 'acceptWorkingDays'],
  })
  .superRefine((p, ctx) => {
    checkDated({ versions: p.versions }, ctx, []);
    // Each version, merged over the rules before it, must be a valid rule set.
    let rules: Rules = { deadlines: p.deadlines, scoring: p.scoring };
    p.versions?.forEach((v, j) => {
      const merged = mergeOverride(rules, { deadlines: v.deadlines, scoring: v.scoring });
      const result = RuleSetSchema.safeParse(merged);
      if (result.success) return void (rules = merged);
      // Reported once: the next version is checked over the last valid rules.
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', path: ['versions', j, ...issue.path], message: `${issue.message} (with what this version does not change carried over from the rules before it)` });
    });
  });

export type Policy = z.infer<typeof PolicySchema>;

/** A rule set and the period it is in force: [from, until) in local days; undefined ends are open. */
export interface DatedRules {
  /** Absent for the rules from the beginning of time. */
  from?: string;
  until?: string;
  document?: string;
  rules: Rules;
}

/** The rules of policy.json over time: which rule set is in force on a day or at an instant. */
export class RuleBook {
  readonly periods: readonly DatedRules[];
  private readonly clock: LocalClock;
  private readonly versions: ReadonlyArray<{ from: string }>;

  constructor(policy: Policy) {
    this.clock = new LocalClock(policy.utcOffsetMinutes);
    const periods: DatedRules[] = [{ rules: { deadlines: policy.deadlines, scoring: policy.scoring } }];
    for (const v of policy.versions ?? []) {
      const previous = periods[periods.length - 1];
      previous.until = v.from;
      periods.push({ from: v.from, document: v.document, rules: mergeOverride(previous.rules, { deadlines: v.deadlines, scoring: v.scoring }) });
    }
    this.periods = periods;
    this.versions = policy.versions ?? [];
  }

  /** The rules in force on a local day (a day number, see time.ts). */
  onDay(day: number): Rules {
    return this.periods[versionIndexOn(this.versions, day) + 1].rules;
  }

  /** The rules in force at an instant (its local day). */
  at(instant: number): Rules {
    return this.onDay(this.clock.dayOf(instant));
  }

  /** The days on which the rules change, in order (for reports and tests). */
  changeDays(): number[] {
    return this.periods.slice(1).map((p) => parseDay(p.from as string) as number);
  }
}
