import type { ActivityHandlerBase } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { logger } from '../../observability/logger';
import { Pump } from '../../jobs/pump';
import type { ChannelQueueStore, InboundEvent, MessagingChannel } from '../../store/channel-types';
import type { MessagingAdapter } from './adapter';

export interface ProcessorOptions {
  queue: ChannelQueueStore;
  adapters: Partial<Record<MessagingChannel, MessagingAdapter>>;
  bot: ActivityHandlerBase;
  /** Events handled at once (always of different users). */
  concurrency?: number;
  leaseMs?: number;
  /** After this many failed attempts an event is set aside as failed (counted by /metrics: hoidap_inbox_failed_events), so one user's queue is not stuck. */
  maxAttempts?: number;
  pollMs?: number;
  now?: () => number;
  onTurn?: (event: InboundEvent, outcome: 'done' | 'retry' | 'failed') => void;
}

/** Hands inbox events to the bot, in order per user, several users at a time. */
export class InboundProcessor extends Pump {
  readonly owner = `inbound-${randomUUID()}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;

  constructor(private readonly options: ProcessorOptions) {
    super('inbound processing', options.pollMs ?? 250);
    this.concurrency = options.concurrency ?? 8;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.now = options.now ?? (() => Date.now());
  }

  /** Resolves when nothing is pending or in flight (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      await this.pumping;
      const claimedNone = (await this.options.queue.inboundByStatus()).pending === 0;
      if (claimedNone && !this.pumping) return;
      if (!this.pumping) this.kick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  protected async pump(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      if (this.stopped) break;
      const room = this.concurrency - inFlight.size;
      const claimed = room > 0 ? await this.options.queue.claimInbound(this.owner, this.now(), this.leaseMs, room) : [];
      for (const event of claimed) {
        const p = this.handle(event).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
      // A turn on the SQLite store resolves without waiting for I/O: without this, a backlog of turns
      // would keep the event loop from the outbox's sends (replies would wait until the backlog is gone).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
  }

  private async handle(event: InboundEvent): Promise<void> {
    const adapter = this.options.adapters[event.channel];
    try {
      if (!adapter) throw new Error(`channel ${event.channel} is not configured`);
      const result = await adapter.processInbound(event, this.options.bot);
      const committed = await this.options.queue.completeInbound(event.id, this.owner, this.now(), result);
      if (!committed) logger.warn('inbound event lease lost; another worker will handle it', { channel: event.channel, event: event.id });
      this.options.onTurn?.(event, 'done');
    } catch (err) {
      const failed = event.attempts >= this.maxAttempts;
      logger.error('inbound event failed', { channel: event.channel, event: event.id, attempts: event.attempts, error: err instanceof Error ? err.message : String(err) });
      await this.options.queue.releaseInbound(event.id, this.owner, err instanceof Error ? err.message : String(err), this.maxAttempts);
      this.options.onTurn?.(event, failed ? 'failed' : 'retry');
    }
  }
}
