import { describe, expect, it } from 'vitest';
import { reconcileAutoscaler } from '../hpa/reconcile.js';
import type { Fallback, FallbackBehavior } from '../scaled-object/scaled-object.js';
import { fallbackApplies, fallbackMetricValue, fallbackReplicas } from './fallback.js';

const fallback = (replicas: number, behavior: FallbackBehavior = 'static', failureThreshold = 3): Fallback => ({ failureThreshold, replicas, behavior });

describe('fallback', () => {
  it('applies only when the failures exceed the threshold', () => {
    expect(fallbackApplies(fallback(5), 3)).toBe(false);
    expect(fallbackApplies(fallback(5), 4)).toBe(true);
    expect(fallbackApplies(fallback(5, 'static', 0), 1)).toBe(true);
    expect(fallbackApplies(undefined, 100)).toBe(false);
  });

  it.each([
    ['static', 7, 5],
    ['currentReplicas', 7, 7],
    ['currentReplicasIfHigher', 7, 7],
    ['currentReplicasIfHigher', 3, 5],
    ['currentReplicasIfLower', 7, 5],
    ['currentReplicasIfLower', 3, 3],
  ] as const)('%s with %s current replicas and fallback.replicas 5 → %s', (behavior, current, expected) => {
    expect(fallbackReplicas(fallback(5, behavior), current)).toBe(expected);
  });

  it('needs the current count for the current-replicas behaviours only', () => {
    expect(fallbackReplicas(fallback(5), undefined)).toBe(5);
    expect(() => fallbackReplicas(fallback(5, 'currentReplicas'), undefined)).toThrow(/needs the current replica count/);
  });

  it('refuses a Value fallback with no ready replicas', () => {
    expect(() => fallbackMetricValue(10, 'Value', 4, 0)).toThrow('a Value fallback divides by the ready replicas, and there are 0 ready replicas');
  });

  // The synthetic value must make the HPA's own arithmetic land on the fallback count, from any start.
  describe.each([1, 2, 3, 7, 10])('the HPA lands on %s replicas', (replicas) => {
    it.each([
      [10, 1],
      [0.3, 4],
      [1, 3],
      [2.5, 9],
      [0.001, 7],
      [1000, 20],
    ])('AverageValue target %s from %s replicas', (target, current) => {
      const value = fallbackMetricValue(target, 'AverageValue', replicas, undefined);
      const result = reconcileAutoscaler({
        spec: { minReplicas: 1, maxReplicas: 100, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 0 } } },
        scale: { specReplicas: current },
        metrics: [{ metricName: 's0-x', metricType: 'AverageValue', target, values: [value] }],
        now: 0,
      });
      // Within the tolerance band the HPA keeps the count; otherwise it is exactly the fallback count.
      expect(result.metrics[0]).toMatchObject({ ok: true });
      const proposal = (result.metrics[0] as { replicaCount: number }).replicaCount;
      expect(proposal === replicas || (result.metrics[0] as { withinTolerance: boolean }).withinTolerance).toBe(true);
      if (Math.abs(replicas / current - 1) > 0.1) expect(result.desiredReplicas).toBe(replicas);
    });

    it.each([
      [10, 1, 1],
      [0.3, 4, 3],
      [1, 3, 3],
      [2.5, 9, 7],
      [7, 5, 5],
      [1000, 20, 13],
    ])('Value target %s from %s replicas, %s ready', (target, current, ready) => {
      const value = fallbackMetricValue(target, 'Value', replicas, ready);
      const result = reconcileAutoscaler({
        spec: { minReplicas: 1, maxReplicas: 100, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 0 } } },
        scale: { specReplicas: current, readyPodCount: ready },
        metrics: [{ metricName: 's0-x', metricType: 'Value', target, values: [value] }],
        now: 0,
      });
      const metric = result.metrics[0] as { ok: boolean; replicaCount: number; withinTolerance: boolean };
      expect(metric.ok).toBe(true);
      expect(metric.withinTolerance || metric.replicaCount === replicas).toBe(true);
      if (!metric.withinTolerance) expect(result.desiredReplicas).toBe(replicas);
    });
  });
});
