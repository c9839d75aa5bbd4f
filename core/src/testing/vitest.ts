import type { ContainerModule } from 'inversify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scalerConformance, type ConformanceCases } from './conformance.js';

/** The conformance suite as vitest tests. */
export function describeScalerConformance(module: ContainerModule, cases: ConformanceCases | (() => ConformanceCases)): void {
  scalerConformance({ describe, it: (name, body) => it(name, body, 30_000), before: beforeAll, after: afterAll }, module, cases);
}
export type { ConformanceCases, TriggerCase, TestAddress } from './conformance.js';
