import { injectable, multiInject } from 'inversify';

/**
 * One part of `updraft serve` with an explicit lifecycle (as Theia's backend application
 * contributions): started in binding order, stopped in reverse order.
 */
export const ServeContribution = Symbol.for('updraft.adapter.ServeContribution');

export interface ServeContribution {
  /** For logs: what failed to start or stop. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts every ServeContribution in order; if one fails, stops those already started and rethrows. */
@injectable()
export class ServeApplication {
  private started: ServeContribution[] = [];
  private stopping?: Promise<void>;

  constructor(@multiInject(ServeContribution) private readonly contributions: ServeContribution[]) {}

  async start(): Promise<void> {
    for (const contribution of this.contributions) {
      try {
        await contribution.start();
      } catch (error) {
        await this.stop().catch(() => undefined);
        throw error;
      }
      this.started.push(contribution);
    }
  }

  /** Stops in reverse order; every contribution is stopped even when one fails; the first failure is rethrown. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const contribution of [...this.started].reverse()) {
        try {
          await contribution.stop();
        } catch (error) {
          failures.push(new Error(`stopping ${contribution.name} failed: ${(error as Error).message}`, { cause: error }));
        }
      }
      this.started = [];
      if (failures.length > 0) throw failures[0];
    })();
    return this.stopping;
  }
}
