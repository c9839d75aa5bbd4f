import type { MetricSpec, Scaler } from '../scaler.js';

/**
 * One live scaler and its metric specs (KEDA's scalers cache entry), closed exactly once, and only
 * when no call is using it.
 */
export class ScalerHandle {
  private users = 0;
  private retired = false;
  private closing = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    readonly scaler: Scaler,
    readonly specs: readonly MetricSpec[],
    private readonly closeScaler: (scaler: Scaler) => Promise<void>,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  acquire(): void {
    this.users += 1;
  }

  release(): void {
    this.users -= 1;
    if (this.retired && this.users === 0) this.close();
  }

  /** No new calls; closes once the calls in flight are done. Resolves when closed. */
  retire(): Promise<void> {
    this.retired = true;
    if (this.users === 0) this.close();
    return this.done;
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    void this.closeScaler(this.scaler).finally(this.resolveDone);
  }
}
