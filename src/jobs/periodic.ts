import { Pump } from './pump';

/**
 * A job run every interval and once at start (so a restart catches up at once): a Pump
 * whose work is one run at the current time. A run still going is not overlapped by the
 * next; a failed run is logged and the next interval tries again.
 */
export class Periodic extends Pump {
  constructor(
    name: string,
    intervalMs: number,
    private readonly run: (now: number) => Promise<unknown>,
  ) {
    super(name, intervalMs);
  }

  protected async pump(): Promise<void> {
    await this.run(Date.now());
  }
}
