import { logger } from '../observability/logger';

/**
 * A loop that drains a durable queue (the inbox, the outbox) or runs a periodic job
 * (Periodic): started with a polling interval, kicked
 * when work arrives, one drain at a time (a kick during a drain runs another
 * after it), stopped by waiting for the drain in flight. A failed drain (the
 * database busy, say) is logged and the next poll tries again.
 */
export abstract class Pump {
  private timer: NodeJS.Timeout | undefined;
  protected pumping: Promise<void> | undefined;
  protected again = false;
  protected stopped = true;

  constructor(
    private readonly name: string,
    private readonly pollMs: number,
  ) {}

  /** Drains the queue as far as it can now. */
  protected abstract pump(): Promise<void>;

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Work arrived: drain now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => void logger.error(`${this.name} failed; will retry`, { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops taking work and waits for the drain in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pumping;
  }
}
