import { logger } from '../observability/logger';
import type { PhotoStore, Retention, RetentionKind } from '../app/ports';
import { Periodic } from './periodic';
import type { RetentionPolicy } from './retention-policy';

const DAY_MS = 86_400_000;

/** The policy's age limit, in days, of each kind of traffic; null: the rows carry their own expiry (cutoff now). */
const LIMIT_SETTING: Record<RetentionKind, keyof RetentionPolicy | null> = {
  webhookEvents: 'webhookEventsDays',
  sentMessages: 'sentMessagesDays',
  portalConversations: 'portalConversationsDays',
  abandonedDialogs: 'abandonedDialogsDays',
  expiredIdentities: null,
};

export interface RetentionDeps {
  store: Retention;
  policy: RetentionPolicy;
  /** Photos sent with questions: unfiled ones go with abandoned dialogs, filed ones questionPhotosDays after the question ended. */
  photos?: Pick<PhotoStore, 'purge'>;
  /** Hours a photo not yet filed is kept (data/photos.json pendingHours), when shorter than abandonedDialogsDays. */
  pendingPhotoHours?: number;
  /** The timer's period; default policy.checkEveryMinutes. */
  intervalMs?: number;
}

export type RetentionResult = Record<RetentionKind, number> & { photos?: number };

/** How long photos of an answered or deleted question are kept when data/retention.json does not say. */
export const DEFAULT_QUESTION_PHOTOS_DAYS = 180;

/**
 * Deletes channel traffic older than data/retention.json allows (see retention-policy.ts),
 * in batches with the event loop free between them, so webhooks stay fast during a run.
 * Several instances on one file may run it at once: a deletion is the same whoever makes it.
 */
export class RetentionJob {
  private readonly periodic: Periodic;

  constructor(private readonly deps: RetentionDeps) {
    this.periodic = new Periodic('retention', deps.intervalMs ?? deps.policy.checkEveryMinutes * 60_000, (now) => this.runOnce(now));
  }

  start(): void {
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One pass at instant `now`: everything older than its limit is gone afterwards. */
  async runOnce(now: number): Promise<RetentionResult> {
    const { policy, store } = this.deps;
    const result: RetentionResult = { webhookEvents: 0, sentMessages: 0, portalConversations: 0, abandonedDialogs: 0, expiredIdentities: 0 };
    for (const kind of Object.keys(LIMIT_SETTING) as RetentionKind[]) {
      const setting = LIMIT_SETTING[kind];
      const cutoff = setting === null ? now : now - (policy[setting] as number) * DAY_MS;
      for (;;) {
        const purged = await store.purgeBatch(kind, cutoff, policy.batchSize);
        result[kind] += purged;
        if (purged < policy.batchSize) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (this.deps.photos) {
      const pendingCutoff = now - Math.min(policy.abandonedDialogsDays * DAY_MS, (this.deps.pendingPhotoHours ?? Infinity) * 3_600_000);
      const filedCutoff = now - (policy.questionPhotosDays ?? DEFAULT_QUESTION_PHOTOS_DAYS) * DAY_MS;
      result.photos = 0;
      for (;;) {
        const purged = await this.deps.photos.purge(pendingCutoff, filedCutoff, policy.batchSize);
        result.photos += purged;
        if (purged < policy.batchSize) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (Object.values(result).some((n) => n > 0)) logger.info('retention: old channel traffic deleted', result);
    return result;
  }
}
