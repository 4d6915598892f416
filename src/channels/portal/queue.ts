/**
 * Runs tasks one at a time per key (a conversation), in the order `run` was called,
 * and lets shutdown wait for everything in flight. `run` takes its place in line
 * synchronously, so callers that must keep an order only need to call it in that order.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    this.pending.add(tail);
    void tail.then(() => {
      this.pending.delete(tail);
      // Forget idle keys so the map does not grow with every conversation ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once no task is queued or running, including tasks queued while waiting. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
