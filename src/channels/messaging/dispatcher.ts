import { randomUUID } from 'node:crypto';
import { logger } from '../../observability/logger';
import type { SendFailureKind } from '../send-support';
import { Pump } from '../../jobs/pump';
import { isMessagingChannel, type ChannelQueueStore, type OutboundMessage, type OutboundPayload, type OutboxChannel } from '../../store/channel-types';

/**
 * A channel's way of sending one outbox message; failures carry a `kind` (the clients' ZaloSendError,
 * MessengerSendError, and the notification senders' NotifySendError). Chat channels have reply windows;
 * notification channels (e-mail, SMS, ZNS) have none (`windowOpen` is always true, `lastInbound` undefined).
 */
export interface ChannelSender {
  /** Whether the channel lets us write to a user whose last message was at `lastInbound` (the reply windows). */
  windowOpen(lastInbound: number | undefined, now: number, payload: OutboundPayload): boolean;
  send(recipient: string, payload: OutboundPayload, lastInbound: number | undefined, now: number): Promise<{ providerId?: string }>;
}

export interface DispatcherOptions {
  queue: ChannelQueueStore;
  senders: Partial<Record<OutboxChannel, ChannelSender>>;
  concurrency?: number;
  leaseMs?: number;
  /** Attempts before a message goes to the dead letters (visible to admins). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Sends per second allowed per channel (Zalo: 4,000 a minute for the app). */
  ratePerSecond?: Partial<Record<OutboxChannel, number>>;
  pollMs?: number;
  now?: () => number;
  random?: () => number;
  onOutcome?: (message: OutboundMessage, outcome: 'sent' | 'retry' | 'dead' | 'expired') => void;
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A token bucket: how long to wait before the next send on a channel. */
class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(private readonly perSecond: number, now: number) {
    this.tokens = perSecond;
    this.last = now;
  }
  take(now: number): number {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

/**
 * Delivers the outbox: due messages, in order per recipient, with retries,
 * backoff and jitter, the channels' rate limits and reply windows. A message that
 * may no longer be sent is 'expired', one that failed for good is 'dead'; the
 * citizen can still read the answer on the portal and by ticket lookup.
 */
export class OutboundDispatcher extends Pump {
  readonly owner = `outbound-${randomUUID()}`;
  private readonly limiters = new Map<OutboxChannel, RateLimiter>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: DispatcherOptions) {
    super('outbound delivery', options.pollMs ?? 500);
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
  }

  /** Runs until no message is due now (for tests). */
  async flush(): Promise<void> {
    do {
      this.again = false;
      await (this.pumping ?? this.pump());
    } while (this.again);
  }

  protected async pump(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      if (this.stopped) break;
      const room = concurrency - inFlight.size;
      const claimed = room > 0 ? await this.options.queue.claimOutbound(this.owner, this.now(), this.options.leaseMs ?? 60_000, room) : [];
      for (const m of claimed) {
        const p = this.deliver(m).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  private async waitForRate(channel: OutboxChannel): Promise<void> {
    const perSecond = this.options.ratePerSecond?.[channel];
    if (!perSecond) return;
    let limiter = this.limiters.get(channel);
    if (!limiter) this.limiters.set(channel, (limiter = new RateLimiter(perSecond, this.now())));
    for (let wait = limiter.take(this.now()); wait > 0; wait = limiter.take(this.now())) await new Promise((r) => setTimeout(r, wait));
  }

  private async deliver(m: OutboundMessage): Promise<void> {
    const { queue } = this.options;
    const sender = this.options.senders[m.channel];
    const now = this.now();
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (!sender) {
      await queue.retryOutbound(m.id, this.owner, now + (this.options.maxDelayMs ?? 600_000), `channel ${m.channel} is not configured`);
      return;
    }
    const lastInbound = isMessagingChannel(m.channel) ? await queue.lastInbound(m.channel, m.recipient) : undefined;
    if (!sender.windowOpen(lastInbound, now, m.payload)) {
      await queue.finishOutbound(m.id, this.owner, now, { status: 'expired', error: 'outside the reply window' });
      logger.info('outbound message expired: outside the reply window', { channel: m.channel, message: m.id });
      this.options.onOutcome?.(m, 'expired');
      return;
    }
    await this.waitForRate(m.channel);
    try {
      const { providerId } = await sender.send(m.recipient, m.payload, lastInbound, this.now());
      await queue.finishOutbound(m.id, this.owner, this.now(), { status: 'sent', providerId });
      this.options.onOutcome?.(m, 'sent');
    } catch (err) {
      const kind = ((err as { kind?: SendFailureKind }).kind ?? 'retryable') as SendFailureKind;
      const error = err instanceof Error ? err.message : String(err);
      if (kind === 'window_closed') {
        await queue.finishOutbound(m.id, this.owner, this.now(), { status: 'expired', error });
        this.options.onOutcome?.(m, 'expired');
      } else if (kind === 'permanent' || m.attempts >= maxAttempts) {
        await queue.finishOutbound(m.id, this.owner, this.now(), { status: 'dead', error });
        logger.error('outbound message dead-lettered', { channel: m.channel, message: m.id, attempts: m.attempts, kind, error });
        this.options.onOutcome?.(m, 'dead');
      } else {
        // An auth failure waits the longest: an admin has to re-authorise the channel.
        const attempt = kind === 'auth' ? maxAttempts : m.attempts;
        const delay = backoffDelay(attempt, this.options.baseDelayMs ?? 2_000, this.options.maxDelayMs ?? 600_000, this.random);
        await queue.retryOutbound(m.id, this.owner, this.now() + delay, error);
        if (kind === 'auth') logger.error('channel credentials rejected; an admin must renew them', { channel: m.channel });
        this.options.onOutcome?.(m, 'retry');
      }
    }
  }
}
