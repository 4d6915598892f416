import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import { DEFAULT_DATA_DIR } from '../config/paths';

/**
 * How long the server keeps channel traffic (data/retention.json). Citizens' chat
 * messages, names and phone numbers sit in the webhook inbox, the outbox, the
 * portal's transcripts and half-finished dialogs; they are kept only as long as
 * they serve a purpose. The ledger (questions, answers, every action) is the
 * official record and is never purged here.
 */

const Days = (minimum: number, why: string) => z.number().int().min(minimum, `must be at least ${minimum} days: ${why}`).max(3650);

export const RetentionPolicySchema = z
  .object({
    checkEveryMinutes: z.number().int().min(1).max(1440),
    /** Handled Zalo/Messenger webhook events (done or ignored): their ids stop redeliveries being handled twice. */
    webhookEventsDays: Days(3, 'Zalo and Meta redeliver an unacknowledged event for up to a day or more, and the stored id is what makes a redelivery harmless'),
    /** Sent or expired messages in the outbox (dead and unknown ones wait for an admin and are kept). */
    sentMessagesDays: Days(1, 'a sent message is kept at least a day for support'),
    /** Portal (Web Chat) conversations with no activity since: their transcripts and tokens. */
    portalConversationsDays: Days(60, 'an answer can come six weeks after the question (acceptance, answer and extension deadlines) and is delivered into the conversation'),
    /** Dialogs left half-way (a question being typed, a name, a phone number): the conversation's dialog state. */
    abandonedDialogsDays: Days(1, 'a citizen may come back the next day to finish'),
    /**
     * Photos sent with a question (kept for the officers, never published), counted from the day the question was
     * answered or deleted; photos never filed (a question left half-way) go with abandonedDialogsDays. Absent: 180.
     */
    questionPhotosDays: Days(30, 'a citizen may come back about an answer, and an officer may need the photo again').optional(),
    /** Rows deleted per transaction: the webhooks wait at most one batch for the write lock. */
    batchSize: z.number().int().min(10).max(10_000),
  })
  .strict();

export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

export const DEFAULT_RETENTION_FILE = path.join(DEFAULT_DATA_DIR, 'retention.json');

export function loadRetentionPolicy(file: string = DEFAULT_RETENTION_FILE): RetentionPolicy {
  return parseWith(RetentionPolicySchema, readJsonFile(file), file);
}
