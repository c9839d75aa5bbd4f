/**
 * A rate-limited work queue keyed by `namespace/name`, as controller-runtime's: a key queued while it
 * is being processed runs again afterwards (never twice at once), a failure is retried after a
 * per-key backoff (0.5 s doubling to 30 s), a success resets it.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  private workers = 0;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly onError: (key: string, error: Error, retryInMs: number) => void,
    private readonly concurrency = 4,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

  /** Takes work again after stop(): a leader that lost its Lease and won it back. */
  start(): void {
    this.stopped = false;
    this.failures.clear();
  }

  /** Stops taking work; resolves when the keys in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.pending.clear();
    this.dirty.clear();
    if (this.workers === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.stopped && this.workers < this.concurrency) {
      const key = [...this.pending].find((k) => !this.active.has(k));
      if (key === undefined) return;
      this.pending.delete(key);
      this.active.add(key);
      this.workers += 1;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.process(key);
      this.failures.delete(key);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const delay = Math.min(500 * 2 ** (failures - 1), 30_000);
      this.onError(key, error as Error, delay);
      if (!this.stopped) {
        clearTimeout(this.retryTimers.get(key));
        this.retryTimers.set(key, setTimeout(() => {
          this.retryTimers.delete(key);
          this.add(key);
        }, delay));
      }
    } finally {
      this.active.delete(key);
      this.workers -= 1;
      if (this.dirty.delete(key)) this.pending.add(key);
      if (this.workers === 0 && this.stopped) for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.pump();
    }
  }
}

/** One holder at a time per key: a reconcile and a scale loop of one ScaledObject never interleave their writes. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => tail);
    this.tails.set(key, chained);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === chained) this.tails.delete(key);
    }
  }
}
