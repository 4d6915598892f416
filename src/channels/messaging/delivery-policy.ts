import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../../config/data';
import type { DispatcherOptions } from './dispatcher';

/**
 * How the outbox retries Zalo and Messenger sends and citizens' notifications (data/delivery.json). Neither platform
 * documents a retry schedule for senders; these are the province's choice. The default
 * retries for 18 to 37 minutes (12 attempts, delays doubling from 2 s to 10 min, with
 * jitter) before a message goes to the dead letters for an admin.
 */
export const DeliveryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100),
    firstRetrySeconds: z.number().min(0.1).max(3600),
    maxRetrySeconds: z.number().min(1).max(86_400),
    /** Zalo allows an app 4,000 calls a minute (about 66 a second); Messenger has no fixed number. */
    sendsPerSecond: z
      .object({
        zalo: z.number().positive().max(66, 'must be at most 66: Zalo allows an app 4,000 calls a minute'),
        facebook: z.number().positive().max(1000),
        // Citizens' notifications (optional: unlimited when absent). SpeedSMS allows 60 requests a minute;
        // ZNS documents no per-second limit; the province's mail server decides for e-mail.
        email: z.number().positive().max(1000).optional(),
        sms: z.number().positive().max(1000).optional(),
        zns: z.number().positive().max(66, 'must be at most 66: Zalo allows an app 4,000 calls a minute').optional(),
      })
      .strict(),
  })
  .strict()
  .refine((p) => p.maxRetrySeconds >= p.firstRetrySeconds, { path: ['maxRetrySeconds'], message: 'must not be less than firstRetrySeconds' });

export type DeliveryPolicy = z.infer<typeof DeliveryPolicySchema>;

export function loadDeliveryPolicy(dataDir: string): DeliveryPolicy {
  const file = path.join(dataDir, 'delivery.json');
  return parseWith(DeliveryPolicySchema, readJsonFile(file), file);
}

/** The dispatcher's options from the policy. */
export function dispatcherOptions(policy: DeliveryPolicy): Pick<DispatcherOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'ratePerSecond'> {
  return {
    maxAttempts: policy.maxAttempts,
    baseDelayMs: policy.firstRetrySeconds * 1000,
    maxDelayMs: policy.maxRetrySeconds * 1000,
    ratePerSecond: { ...policy.sendsPerSecond },
  };
}
