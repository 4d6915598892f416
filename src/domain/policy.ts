import { z } from 'zod';

/** The deadline and scoring policy: numbers a province may change without a release (data/policy.json). */
export const PolicySchema = z
  .object({
    timezone: z.string().min(1),
    utcOffsetMinutes: z.number().int().min(-720).max(840),
    deadlines: z
      .object({
        acceptWorkingDays: z.number().int().min(1).max(60),
        answerWorkingDays: z.number().int().min(1).max(120),
        /** One extension per case (a ledger rule); this caps how far it moves the answer deadline. */
        extension: z.object({ maxWorkingDays: z.number().int().min(0).max(60) }).strict(),
      })
      .strict(),
    scoring: z
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
      .strict(),
    routing: z
      .object({
        triageAgency: z.string().min(1),
        confidenceThreshold: z.number().min(0).max(1),
      })
      .strict(),
    /** Link codes that link a chat identity to a back-office account ("liên kết ..."). */
    linking: z
      .object({
        codeTtlMinutes: z.number().int().min(1).max(24 * 60),
        /** Wrong tries on one code (its first three characters name it) before it is void. */
        triesPerCode: z.number().int().min(1).max(10),
        /** Wrong codes counted over this rolling window, in the database (a restart keeps them). */
        failureWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
        perIdentity: z.number().int().min(1).max(100),
        perAddress: z.number().int().min(1).max(1000),
        overall: z.number().int().min(1).max(100_000),
      })
      .strict(),
    /** Questions filed per local day; what goes over waits for an editor (the held queue) instead of entering the ledger. */
    questionsPerDay: z
      .object({
        perIdentity: z.number().int().min(1).max(1000),
        perContact: z.number().int().min(1).max(1000),
        overall: z.number().int().min(1).max(1_000_000),
      })
      .strict(),
  })
  .strict()
  .refine((p) => p.deadlines.acceptWorkingDays <= p.deadlines.answerWorkingDays, {
    message: 'deadlines.acceptWorkingDays must not exceed deadlines.answerWorkingDays',
    path: ['deadlines', 'acceptWorkingDays'],
  });

export type Policy = z.infer<typeof PolicySchema>;
