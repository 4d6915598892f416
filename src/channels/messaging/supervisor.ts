import type { Worker } from 'node:worker_threads';
import { logger } from '../../observability/logger';
import type { WorkerCommand, WorkerEvent } from './worker-protocol';

export interface SupervisorOptions {
  /** Creates the worker thread; it posts { type: 'ready' } once it is working. */
  create: () => Worker;
  onMessage: (event: Exclude<WorkerEvent, { type: 'ready' }>) => void;
  /** Before a restart: free what the dead worker held (its leases, its sends in flight). */
  beforeRestart: () => Promise<void>;
  /** Called after each restart that brought a worker back. */
  onRestart?: () => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Keeps the messaging worker thread running. A worker that dies (an uncaught error, out of
 * memory) would otherwise leave the webhooks storing events that nobody handles: it is
 * restarted, after the same recovery as a process restart, with a delay that doubles while
 * restarts keep failing (from 1 s to a minute by default).
 */
export class WorkerSupervisor {
  private worker: Worker | undefined;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.delayMs = options.minDelayMs ?? 1000;
  }

  /** Starts the first worker; rejects if it does not get ready. */
  start(): Promise<void> {
    return this.launch();
  }

  post(command: WorkerCommand): void {
    this.worker?.postMessage(command);
  }

  /** Asks the worker to finish and waits for it; no restart after this. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.postMessage({ type: 'stop' } satisfies WorkerCommand);
    });
  }

  private launch(): Promise<void> {
    const w = this.options.create();
    this.worker = w;
    let ready = false;
    w.on('error', (err) => logger.error('messaging worker failed', { error: err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err) }));
    return new Promise<void>((resolve, reject) => {
      w.on('message', (m: WorkerEvent) => {
        if (m.type !== 'ready') return this.options.onMessage(m);
        ready = true;
        resolve();
      });
      w.once('exit', (code) => {
        if (this.worker === w) this.worker = undefined;
        if (!ready) reject(new Error(`the messaging worker exited (code ${code}) before it was ready`));
        else if (!this.stopping) this.scheduleRestart(`exited with code ${code}`);
      });
    });
  }

  private scheduleRestart(why: string): void {
    const delay = this.delayMs;
    this.delayMs = Math.min(delay * 2, this.options.maxDelayMs ?? 60_000);
    logger.error('messaging worker stopped; restarting it', { why, inMs: delay });
    this.timer = setTimeout(() => {
      if (this.stopping) return;
      this.options
        .beforeRestart()
        .then(() => this.launch())
        .then(() => {
          this.delayMs = this.options.minDelayMs ?? 1000;
          logger.warn('messaging worker restarted');
          this.options.onRestart?.();
        })
        .catch((err: unknown) => {
          if (!this.stopping) this.scheduleRestart(err instanceof Error ? err.message : String(err));
        });
    }, delay);
    this.timer.unref();
  }
}
