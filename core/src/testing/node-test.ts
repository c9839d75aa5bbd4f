import { after, before, describe, it } from 'node:test';
import type { ContainerModule } from 'inversify';
import { scalerConformance, type ConformanceCases } from './conformance.js';

/** The conformance suite as node:test tests (`node --test`). */
export function describeScalerConformance(module: ContainerModule, cases: ConformanceCases | (() => ConformanceCases)): void {
  scalerConformance({ describe, it: (name, body) => it(name, body), before, after }, module, cases);
}
export type { ConformanceCases, TriggerCase, TestAddress } from './conformance.js';
