import { describe, expect, it } from 'vitest';
import { computeReplicasForMetric, getExternalMetricReplicas, getExternalPerPodMetricReplicas, tolerancesForHpa } from './replica-calculator.js';
import { InvalidHorizontalPodAutoscalerError, type ExternalMetric, type MetricProposal, type MetricReplicas, type ScaleSubresource } from './types.js';

// Expectations are worked out by hand from replica_calculator.go; every value is read in milli
// units with MilliValue() (rounded up), and the default tolerance band is [0.9, 1.1], inclusive.

const DEFAULT = { scaleUp: 0.1, scaleDown: 0.1 };

function proposal(result: MetricReplicas): MetricProposal {
  if (!result.ok) throw new Error(`expected a proposal, got the failure: ${result.error}`);
  return result;
}

function failure(result: MetricReplicas): string {
  if (result.ok) throw new Error(`expected a failure, got ${result.replicaCount} replicas`);
  return result.error;
}

function averageValue(target: string, values: string[]): ExternalMetric {
  return { metricName: 's0-queue', metricType: 'AverageValue', target, values };
}

function value(target: string, values: string[]): ExternalMetric {
  return { metricName: 's0-queue', metricType: 'Value', target, values };
}

describe('reference §4.10 vectors, one metric (AverageValue: ceil(total / target) when outside tolerance)', () => {
  it.each([
    // 1: usage 12000m; ratio 12000 / (5000 × 2) = 1.2 > 1.1 → ceil(12000 / 5000) = ceil(2.4) = 3; average ceil(12000 / 2) = 6000m = "6".
    { n: 1, target: '5', values: ['12'], replicas: 2, replicaCount: 3, usage: 12000, avg: '6', within: false },
    // 2: usage 10500m; ratio 10500 / 10000 = 1.05 → within → stays 2; average 5250m.
    { n: 2, target: '5', values: ['10500m'], replicas: 2, replicaCount: 2, usage: 10500, avg: '5250m', within: true },
    // 3: usage 30000 + 40000 + 50000 = 120000m; ratio 120000 / (100000 × 1) = 1.2 → ceil(1.2) = 2; average "120".
    { n: 3, target: '100', values: ['30', '40', '50'], replicas: 1, replicaCount: 2, usage: 120000, avg: '120', within: false },
    // 4: ratio 11000 / 10000 = 1.1, and 1.0 + 0.1 is that same double → within, inclusive → stays 2.
    { n: 4, target: '5', values: ['11'], replicas: 2, replicaCount: 2, usage: 11000, avg: '5500m', within: true },
  ])('vector $n', ({ target, values, replicas, replicaCount, usage, avg, within }) => {
    const result = proposal(computeReplicasForMetric(averageValue(target, values), { specReplicas: replicas }, DEFAULT));
    expect(result).toMatchObject({ replicaCount, usage, withinTolerance: within, current: { averageValue: avg } });
  });

  it('vector 9: "100u" reads as 1 milli (ceil), so the ratio to a target of "1" is 0.001', () => {
    // usage 1m, target 1000m: ratio 0.001, outside tolerance; 2 ready pods → ceil(0.001 × 2) = 1.
    // Had the value been truncated to 0m, the answer would be ceil(0) = 0.
    const result = proposal(computeReplicasForMetric(value('1', ['100u']), { specReplicas: 2 }, DEFAULT));
    expect(result).toMatchObject({ usage: 1, usageRatio: 0.001, replicaCount: 1, current: { value: '1m' } });
  });
});

describe('tolerance boundaries: exactly 10% off stays, 10.1% off moves', () => {
  // AverageValue, target 10 per replica, 10 status replicas: ratio = usage / 100000m.
  it.each([
    { usage: '110', replicaCount: 10, note: 'ratio 1.1: within' },
    { usage: '110.1', replicaCount: 12, note: 'ratio 1.101: ceil(110100 / 10000) = ceil(11.01) = 12' },
    { usage: '90', replicaCount: 10, note: 'ratio 0.9 (1 − 0.1 is the double 0.9): within' },
    { usage: '89.9', replicaCount: 9, note: 'ratio 0.899: ceil(89900 / 10000) = ceil(8.99) = 9' },
  ])('AverageValue, usage $usage → $replicaCount ($note)', ({ usage, replicaCount }) => {
    const result = proposal(computeReplicasForMetric(averageValue('10', [usage]), { specReplicas: 10 }, DEFAULT));
    expect(result.replicaCount).toBe(replicaCount);
  });

  // Value, target 1000 in total, 10 replicas all ready: ratio = usage / 1000000m.
  it.each([
    { usage: '1100', replicaCount: 10, note: 'ratio 1.1: within' },
    { usage: '1101', replicaCount: 12, note: 'ratio 1.101: ceil(1.101 × 10) = ceil(11.01) = 12' },
    { usage: '900', replicaCount: 10, note: 'ratio 0.9: within' },
    { usage: '899', replicaCount: 9, note: 'ratio 0.899: ceil(8.99) = 9' },
  ])('Value, usage $usage → $replicaCount ($note)', ({ usage, replicaCount }) => {
    const result = proposal(computeReplicasForMetric(value('1000', [usage]), { specReplicas: 10 }, DEFAULT));
    expect(result.replicaCount).toBe(replicaCount);
  });
});

describe('MilliValue rounds each value up before the sum', () => {
  it('three values of "100u" against a target of "1m" ask for 3 replicas, not 1', () => {
    // Each reads as 1m, so usage = 3m; 1 status replica: ratio 3 / (1 × 1) = 3 → ceil(3 / 1) = 3.
    // Summing first (0.3m → 1m) would give 1.
    const result = proposal(computeReplicasForMetric(averageValue('1m', ['100u', '100u', '100u']), { specReplicas: 1 }, DEFAULT));
    expect(result).toMatchObject({ usage: 3, replicaCount: 3 });
  });

  it('a number is read as the adapter serves it: rounded to milli first, so 0.0004 is 0 but "400u" is 1m', () => {
    const asNumber = proposal(computeReplicasForMetric({ ...value('1', []), values: [0.0004] }, { specReplicas: 1 }, DEFAULT));
    const asString = proposal(computeReplicasForMetric(value('1', ['400u']), { specReplicas: 1 }, DEFAULT));
    expect([asNumber.usage, asString.usage]).toEqual([0, 1]);
  });

  it('a target is read with MilliValue too: "1500u" is 2m', () => {
    // usage 4m, target 2m, 2 status replicas: ratio 4 / (2 × 2) = 1 → within → stays 2, targetMilli 2.
    const result = proposal(computeReplicasForMetric(averageValue('1500u', ['4m']), { specReplicas: 2 }, DEFAULT));
    expect(result).toMatchObject({ targetMilli: 2, replicaCount: 2 });
  });
});

describe('AverageValue divides by status replicas, not spec replicas', () => {
  it('spec 2, status 4: usage 21, target 5', () => {
    // ratio 21000 / (5000 × 4) = 1.05 → within → the status count, 4; average ceil(21000 / 4) = 5250m.
    // Dividing by spec (2) would give ratio 2.1 → ceil(4.2) = 5.
    const result = proposal(computeReplicasForMetric(averageValue('5', ['21']), { specReplicas: 2, statusReplicas: 4 }, DEFAULT));
    expect(result).toMatchObject({ replicaCount: 4, current: { averageValue: '5250m' } });
  });

  it('0 status replicas: the ratio is infinite, so the answer is ceil(total / target) and no average is reported', () => {
    // ceil(7000 / 5000) = 2.
    const result = proposal(computeReplicasForMetric(averageValue('5', ['7']), { specReplicas: 0 }, DEFAULT));
    expect(result).toMatchObject({ replicaCount: 2, withinTolerance: false, current: {} });
  });
});

describe('Value targets use the ready pod count', () => {
  const target150 = value('100', ['150']); // ratio 1.5
  it.each<{ scale: ScaleSubresource; replicaCount: number; note: string }>([
    { scale: { specReplicas: 4 }, replicaCount: 6, note: 'all 4 ready: ceil(1.5 × 4) = 6' },
    { scale: { specReplicas: 4, readyPodCount: 3 }, replicaCount: 5, note: '3 ready: ceil(1.5 × 3) = ceil(4.5) = 5' },
    { scale: { specReplicas: 4, statusReplicas: 5, readyPodCount: 2 }, replicaCount: 3, note: '2 ready: ceil(3) = 3' },
    { scale: { specReplicas: 4, podCount: 4, readyPodCount: 0 }, replicaCount: 0, note: 'pods listed, none ready: ceil(0) = 0' },
  ])('$note', ({ scale, replicaCount }) => {
    expect(proposal(computeReplicasForMetric(target150, scale, DEFAULT)).replicaCount).toBe(replicaCount);
  });

  it('no pods at all behind the selector is an error when the ratio is outside tolerance', () => {
    expect(failure(computeReplicasForMetric(target150, { specReplicas: 4, podCount: 0 }, DEFAULT))).toBe(
      'failed to get external metric s0-queue: unable to calculate ready pods: no pods returned by selector while calculating replica count',
    );
  });

  it('but not when the ratio is within tolerance: the pods are never listed', () => {
    expect(proposal(computeReplicasForMetric(value('100', ['105']), { specReplicas: 4, podCount: 0 }, DEFAULT)).replicaCount).toBe(4);
  });

  it('current replicas 0 (scale to zero): ceil(ratio), without tolerance or pods', () => {
    // Reference §4.10 vector 7: 40000m / 100000m = 0.4 → ceil(0.4) = 1. A ratio of 0 gives 0.
    expect(proposal(computeReplicasForMetric(value('100', ['40']), { specReplicas: 0 }, DEFAULT)).replicaCount).toBe(1);
    expect(proposal(computeReplicasForMetric(value('100', ['0']), { specReplicas: 0 }, DEFAULT)).replicaCount).toBe(0);
  });

  it('reports the total as the current value', () => {
    // 30 + 40 + 50 = 120000m → "120"; ratio 1.2 with 1 ready pod → ceil(1.2) = 2.
    const result = proposal(computeReplicasForMetric(value('100', ['30', '40', '50']), { specReplicas: 1 }, DEFAULT));
    expect(result).toMatchObject({ replicaCount: 2, usage: 120000, current: { value: '120' } });
  });
});

describe('a metric fails, never reads as 0, when the external metrics API does not give values', () => {
  it.each<{ metric: ExternalMetric; error: string }>([
    {
      metric: { metricName: 's1-redis', metricType: 'AverageValue', target: '5', error: 'the server could not find the metric s1-redis' },
      error: 'unable to get external metric s1-redis: unable to fetch metrics from external metrics API: the server could not find the metric s1-redis',
    },
    {
      metric: { metricName: 's1-redis', metricType: 'AverageValue', target: '5', values: [] },
      error: 'unable to get external metric s1-redis: no metrics returned from external metrics API',
    },
    {
      metric: { metricName: 's1-redis', metricType: 'Value', target: '5' },
      error: 'unable to get external metric s1-redis: no metrics returned from external metrics API',
    },
  ])('$error', ({ metric, error }) => {
    expect(failure(computeReplicasForMetric(metric, { specReplicas: 2 }, DEFAULT))).toBe(error);
  });

  it('a value that is not a Quantity', () => {
    expect(failure(computeReplicasForMetric(value('5', ['12', 'lots']), { specReplicas: 2 }, DEFAULT))).toMatch(
      /^unable to get external metric s0-queue: "lots" is not a Kubernetes quantity/,
    );
  });

  it.each(['0', '-5', 'five'])('a target of %j is not a valid HPA', (target) => {
    expect(() => computeReplicasForMetric(value(target, ['1']), { specReplicas: 1 }, DEFAULT)).toThrow(InvalidHorizontalPodAutoscalerError);
  });
});

describe('tolerancesForHpa: per-direction tolerances from behavior, else the controller flag', () => {
  it.each([
    { behavior: undefined, config: undefined, expected: { scaleUp: 0.1, scaleDown: 0.1 } },
    { behavior: { scaleUp: { tolerance: '0.05' } }, config: undefined, expected: { scaleUp: 0.05, scaleDown: 0.1 } },
    { behavior: { scaleDown: { tolerance: '500m' } }, config: undefined, expected: { scaleUp: 0.1, scaleDown: 0.5 } },
    { behavior: { scaleUp: { tolerance: 0 } }, config: undefined, expected: { scaleUp: 0, scaleDown: 0.1 } },
    {
      behavior: {},
      config: { horizontalPodAutoscalerSyncPeriodSeconds: 15, horizontalPodAutoscalerTolerance: 0.2, horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: 300 },
      expected: { scaleUp: 0.2, scaleDown: 0.2 },
    },
  ])('$behavior → $expected', ({ behavior, config, expected }) => {
    expect(tolerancesForHpa(behavior, config)).toEqual(expected);
  });

  it('refuses a negative tolerance', () => {
    expect(() => tolerancesForHpa({ scaleDown: { tolerance: '-0.1' } })).toThrow('spec.behavior.scaleDown.tolerance: must be 0 or more');
  });

  it('separate tolerances change the answer (the 5%/50% case of Kubernetes\' TestHPAWithTolerance)', () => {
    const tolerances = tolerancesForHpa({ scaleUp: { tolerance: '0.05' }, scaleDown: { tolerance: '0.5' } });
    // 35 replicas, 100 each: 3700 is ratio 3700 / 3500 ≈ 1.057 > 1.05 → ceil(37) = 37; with 0.1 it stays 35.
    expect(proposal(computeReplicasForMetric(averageValue('100', ['3700']), { specReplicas: 35 }, tolerances)).replicaCount).toBe(37);
    expect(proposal(computeReplicasForMetric(averageValue('100', ['3700']), { specReplicas: 35 }, DEFAULT)).replicaCount).toBe(35);
    // 10 replicas: 800 is ratio 0.8 ≥ 0.5 → stays 10; with 0.1 → ceil(8) = 8.
    expect(proposal(computeReplicasForMetric(averageValue('100', ['800']), { specReplicas: 10 }, tolerances)).replicaCount).toBe(10);
    expect(proposal(computeReplicasForMetric(averageValue('100', ['800']), { specReplicas: 10 }, DEFAULT)).replicaCount).toBe(8);
  });
});

describe('the raw calculator functions', () => {
  it('getExternalPerPodMetricReplicas sums milli values', () => {
    // 7000 + 8000 = 15000m over 3 replicas of 5000m: ratio 1 → within → 3; average 5000.
    expect(getExternalPerPodMetricReplicas(3, 5000, [7000, 8000], DEFAULT)).toEqual({
      replicaCount: 3, usage: 15000, usageRatio: 1, withinTolerance: true, averageUsage: 5000,
    });
  });

  it('getExternalMetricReplicas caps at MaxInt32', () => {
    // ratio 1e9 × 10 ready pods is far above 2^31 − 1.
    expect(getExternalMetricReplicas(10, 1, [1e9], DEFAULT, { podCount: 10, readyPodCount: 10 }).replicaCount).toBe(2_147_483_647);
  });

  it('a negative total gives a negative count, never -0', () => {
    // ratio −0.5 × 4 = −2; a total of −1m against 1000m × 4 → ceil(−0.004) = 0, not −0.
    expect(getExternalMetricReplicas(4, 100000, [-50000], DEFAULT, { podCount: 4, readyPodCount: 4 }).replicaCount).toBe(-2);
    expect(Object.is(getExternalMetricReplicas(4, 1000, [-1], DEFAULT, { podCount: 4, readyPodCount: 4 }).replicaCount, 0)).toBe(true);
  });
});
