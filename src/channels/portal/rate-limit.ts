export interface BucketLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Requests regained per minute. */
  perMinute: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * In-memory token buckets keyed by client (IP). One process only: behind several
 * instances each has its own buckets, which is acceptable for abuse protection.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private takes = 0;

  constructor(
    private readonly limit: BucketLimit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!(limit.burst >= 1) || !(limit.perMinute > 0)) throw new Error('rate limit: burst must be >= 1 and perMinute > 0');
  }

  take(key: string): TakeResult {
    const now = this.now();
    if (++this.takes % 1000 === 0 || this.buckets.size >= this.maxKeys) this.prune(now);
    const ratePerMs = this.limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
  }

  /** Drops buckets that have refilled (they hold nothing a new bucket would not). */
  private prune(now: number): void {
    const ratePerMs = this.limit.perMinute / 60_000;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * ratePerMs >= this.limit.burst) this.buckets.delete(key);
    }
    // Still full of active clients: forget the oldest rather than grow without bound.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
