import { inject, injectable } from 'inversify';
import { ScalingEngine } from '@updraft/core';
import type { ServeContribution } from './serve-application.js';

/** Starts the engine's background polls; at stop, waits for reads in flight and closes every scaler. */
@injectable()
export class EngineContribution implements ServeContribution {
  readonly name = 'scaling engine';

  constructor(@inject(ScalingEngine) private readonly engine: ScalingEngine) {}

  async start(): Promise<void> {
    this.engine.start();
  }

  async stop(): Promise<void> {
    await this.engine.close();
  }
}
