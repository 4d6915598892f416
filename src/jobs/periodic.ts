import { logger } from '../observability/logger';

/**
 * Runs a job every interval and once at start (so a restart catches up at once). A run
 * still going (slow store, much to do) is not overlapped by the next; a failed run is
 * logged and the next interval tries again.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: (now: number) => Promise<unknown>,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (!this.timer || this.running) return;
      this.running = this.run(Date.now())
        .catch((err: unknown) => logger.error(`${this.name} run failed`, { err: err instanceof Error ? err.message : String(err) }))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    setImmediate(tick);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
