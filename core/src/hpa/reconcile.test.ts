import { describe, expect, it } from 'vitest';
import { reconcileAutoscaler, type ReconcileInput } from './reconcile.js';
import { InvalidHorizontalPodAutoscalerError, type AutoscalerHistory, type ExternalMetric, type TimestampedRecommendation } from './types.js';

// End-to-end syncs of the HPA controller, expectations worked out by hand from horizontal.go:
// recordInitialRecommendation (first sync remembers the current count), reconcileAutoscaler's
// out-of-range checks, computeReplicasForMetrics' max and failure rules, then normalization.

const NOW = 1_700_000_000_000;
const ago = (seconds: number): number => NOW - seconds * 1000;
const rec = (recommendation: number, secondsAgo: number): TimestampedRecommendation => ({ recommendation, timestamp: ago(secondsAgo) });
const history = (...recommendations: TimestampedRecommendation[]): AutoscalerHistory => ({ recommendations, scaleUpEvents: [], scaleDownEvents: [] });
/** A history whose only sample is long gone: the controller has run for a while, without a recent high. */
const SETTLED = history(rec(1, 3600));

const SPEC = { minReplicas: 1, maxReplicas: 20 };
const avg = (target: string, ...values: string[]): ExternalMetric => ({ metricName: 's0-queue', metricType: 'AverageValue', target, values });
const val = (target: string, ...values: string[]): ExternalMetric => ({ metricName: 's0-queue', metricType: 'Value', target, values });

function sync(input: Partial<ReconcileInput> & Pick<ReconcileInput, 'scale' | 'metrics'>) {
  return reconcileAutoscaler({ spec: SPEC, now: NOW, ...input });
}

describe('reference §4.10 vectors (tolerance 0.1, no behavior, min 1, max 20, first sync)', () => {
  it('1: AverageValue 5, ["12"], 2 replicas → 3, average "6"', () => {
    // Proposal ceil(12000 / 5000) = 3; the first sync's remembered 2 is lower; limit max(4, 4) = 4.
    const result = sync({ scale: { specReplicas: 2 }, metrics: [avg('5', '12')] });
    expect(result).toMatchObject({ desiredReplicas: 3, rescale: true, reason: 'DesiredWithinRange', metricDesiredReplicas: 3 });
    expect(result.metrics[0]).toMatchObject({ current: { averageValue: '6' } });
  });

  it('2: AverageValue 5, ["10500m"], 2 replicas → 2 (ratio 1.05), average "5250m"', () => {
    const result = sync({ scale: { specReplicas: 2 }, metrics: [avg('5', '10500m')] });
    expect(result).toMatchObject({ desiredReplicas: 2, rescale: false, metricDesiredReplicas: 2 });
    expect(result.metrics[0]).toMatchObject({ withinTolerance: true, current: { averageValue: '5250m' } });
  });

  it('3: AverageValue 100, ["30","40","50"], 1 replica → 2', () => {
    // usage 120000m, ratio 1.2 → ceil(1.2) = 2; limit max(2, 4) = 4.
    expect(sync({ scale: { specReplicas: 1 }, metrics: [avg('100', '30', '40', '50')] })).toMatchObject({ desiredReplicas: 2, rescale: true });
  });

  it('4: AverageValue 5, ["11"], 2 replicas → 2 (ratio exactly 1.1 is within)', () => {
    expect(sync({ scale: { specReplicas: 2 }, metrics: [avg('5', '11')] })).toMatchObject({ desiredReplicas: 2, rescale: false });
  });

  it('5: Value 100, ["250"], 3 replicas all ready → 8, limited to max(6, 4) = 6 (ScaleUpLimit)', () => {
    const result = sync({ scale: { specReplicas: 3 }, metrics: [val('100', '250')] });
    expect(result).toMatchObject({
      desiredReplicas: 6, rescale: true, reason: 'ScaleUpLimit', metricDesiredReplicas: 8, stabilizedRecommendation: 8,
      rateLimit: { direction: 'up', limit: 6 },
    });
    expect(result.conditions).toContainEqual({
      type: 'ScalingLimited', status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
  });

  describe('6: Value 100, ["50"], 4 replicas → proposal ceil(0.5 × 4) = 2', () => {
    it('a recommendation of 4 within 300 s holds it at 4 (ScaleDownStabilized)', () => {
      const result = sync({ scale: { specReplicas: 4 }, metrics: [val('100', '50')], history: history(rec(4, 120)) });
      expect(result).toMatchObject({ desiredReplicas: 4, rescale: false, reason: 'ScaleDownStabilized', metricDesiredReplicas: 2 });
      expect(result.conditions).toContainEqual(expect.objectContaining({ type: 'AbleToScale', reason: 'ScaleDownStabilized' }));
    });

    it('after 300 s it goes to 2', () => {
      expect(sync({ scale: { specReplicas: 4 }, metrics: [val('100', '50')], history: history(rec(4, 301)) })).toMatchObject({
        desiredReplicas: 2, rescale: true, reason: 'DesiredWithinRange',
      });
    });

    it('on the first sync the remembered current count holds it too', () => {
      expect(sync({ scale: { specReplicas: 4 }, metrics: [val('100', '50')] })).toMatchObject({ desiredReplicas: 4, reason: 'ScaleDownStabilized' });
    });
  });

  it('7: Value 100, ["40"], 0 replicas, min 0 → 1', () => {
    // Scale from zero: ceil(0.4) = 1; remembered 0 is lower; limit max(0, 4) = 4.
    expect(sync({ spec: { minReplicas: 0, maxReplicas: 20 }, scale: { specReplicas: 0 }, metrics: [val('100', '40')] })).toMatchObject({
      desiredReplicas: 1, rescale: true,
    });
  });

  it.each<{ metric: ExternalMetric; note: string }>([
    { metric: { ...val('100'), values: [] }, note: 'items: []' },
    { metric: { ...val('100'), error: 'the server could not find the metric s0-queue for ' }, note: '404' },
  ])('8: $note → an error, and no scaling', ({ metric }) => {
    const result = sync({ scale: { specReplicas: 4 }, metrics: [metric], history: SETTLED });
    expect(result).toMatchObject({ desiredReplicas: 4, rescale: false, reason: 'FailedGetExternalMetric' });
    expect(result.conditions).toEqual([expect.objectContaining({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric' })]);
    expect(result.error).toMatch(/^invalid metrics \(1 invalid out of 1\), first error is: unable to get external metric s0-queue: /);
  });

  it('9: Value 1, ["100u"] reads as 1m: ratio 0.001, so 2 replicas go to ceil(0.002) = 1', () => {
    expect(sync({ scale: { specReplicas: 2 }, metrics: [val('1', '100u')], history: SETTLED })).toMatchObject({
      metricDesiredReplicas: 1, desiredReplicas: 1, rescale: true,
    });
  });

  it('the behavior case: 10 replicas asked for 50, default scale-up policies → 20', () => {
    // AverageValue 1 per replica, 50 in total: ceil(50000 / 1000) = 50. Pods 10 + 4 = 14, Percent ceil(10 × 2) = 20, Max → 20.
    const result = sync({ spec: { minReplicas: 1, maxReplicas: 100, behavior: {} }, scale: { specReplicas: 10 }, metrics: [avg('1', '50')] });
    expect(result).toMatchObject({ desiredReplicas: 20, rescale: true, reason: 'ScaleUpLimit' });
    expect(result.history.scaleUpEvents).toEqual([{ replicaChange: 10, timestamp: NOW }]);
  });
});

describe('reconcileAutoscaler before normalization', () => {
  const failing: ExternalMetric = { ...val('100'), error: 'unreachable' };

  it('current 0 with min 1: scaling is disabled, metrics are not read', () => {
    const result = sync({ scale: { specReplicas: 0 }, metrics: [val('100', '500')] });
    expect(result).toMatchObject({ desiredReplicas: 0, rescale: false, reason: 'ScalingDisabled', metrics: [] });
    expect(result.conditions).toEqual([expect.objectContaining({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled' })]);
  });

  it('current above max: to max, even when the metrics fail', () => {
    expect(sync({ scale: { specReplicas: 25 }, metrics: [failing] })).toMatchObject({
      desiredReplicas: 20, rescale: true, reason: 'CurrentAboveMaxReplicas', metrics: [],
    });
  });

  it('current below min: to min', () => {
    expect(sync({ spec: { minReplicas: 3, maxReplicas: 20 }, scale: { specReplicas: 1 }, metrics: [failing] })).toMatchObject({
      desiredReplicas: 3, rescale: true, reason: 'CurrentBelowMinReplicas',
    });
  });

  it('min defaults to 1: a proposal of 0 is raised to 1 (TooFewReplicas)', () => {
    // Value 100, ["0"], 3 replicas: ceil(0 × 3) = 0 → below min 1.
    expect(sync({ spec: { maxReplicas: 20 }, scale: { specReplicas: 3 }, metrics: [val('100', '0')], history: SETTLED })).toMatchObject({
      metricDesiredReplicas: 0, desiredReplicas: 1, reason: 'TooFewReplicas',
    });
  });

  it('a negative proposal counts as 0', () => {
    // Value 100, ["-50"], 4 replicas: ceil(−0.5 × 4) = −2 → 0 → min 1.
    expect(sync({ scale: { specReplicas: 4 }, metrics: [val('100', '-50')], history: SETTLED })).toMatchObject({
      metricDesiredReplicas: -2, desiredReplicas: 1, reason: 'TooFewReplicas',
    });
    // With min 0 the 0 is within range, and 0 (not −2) is what the controller remembers.
    const toZero = sync({ spec: { minReplicas: 0, maxReplicas: 20 }, scale: { specReplicas: 4 }, metrics: [val('100', '-50')], history: SETTLED });
    expect(toZero).toMatchObject({ metricDesiredReplicas: -2, stabilizedRecommendation: 0, desiredReplicas: 0, reason: 'DesiredWithinRange' });
    expect(toZero.history.recommendations).toEqual([rec(0, 0)]);
  });

  it('max clamps a proposal within the scale-up limit', () => {
    // Value 100, ["900"], 8 replicas: ceil(9 × 8) = 72; limit 16; max 10 is tighter → 10.
    expect(sync({ spec: { maxReplicas: 10 }, scale: { specReplicas: 8 }, metrics: [val('100', '900')] })).toMatchObject({
      desiredReplicas: 10, reason: 'TooManyReplicas',
    });
  });
});

describe('several metrics: the largest proposal; failures block all but a scale-up', () => {
  // 4 replicas, all ready; Value targets of 100: ceil(ratio × 4).
  const a = (value: string): ExternalMetric => ({ ...val('100', value), metricName: 's0-a' });
  const b = (value: string): ExternalMetric => ({ ...val('100', value), metricName: 's1-b' });
  const bFails: ExternalMetric = { ...val('100'), metricName: 's1-b', error: 'connection refused' };
  const scale = { specReplicas: 4 };

  it('the max of the proposals, and the metric that made it', () => {
    // a: 200 → ceil(8) = 8; b: 300 → ceil(12) = 12 → 12, limited to max(8, 4) = 8.
    expect(sync({ scale, metrics: [a('200'), b('300')] })).toMatchObject({ metricDesiredReplicas: 12, metricName: 's1-b', desiredReplicas: 8 });
  });

  it('one fails, the other scales up: scale up, and report the error', () => {
    // a: 150 → ceil(6) = 6 ≥ 4 → proceed; remembered 4 is lower; limit 8 → 6.
    const result = sync({ scale, metrics: [a('150'), bFails] });
    expect(result).toMatchObject({ desiredReplicas: 6, rescale: true, metricName: 's0-a' });
    expect(result.error).toBe('invalid metrics (1 invalid out of 2), first error is: unable to get external metric s1-b: unable to fetch metrics from external metrics API: connection refused');
    expect(result.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' }));
  });

  it('one fails, the other scales down: no scaling at all', () => {
    // a: 50 → ceil(2) = 2 < 4 → blocked, whatever the history says.
    expect(sync({ scale, metrics: [a('50'), bFails], history: SETTLED })).toMatchObject({ desiredReplicas: 4, rescale: false, reason: 'FailedGetExternalMetric' });
  });

  it('one fails, the other stays: not blocked, and nothing to do', () => {
    // a: 100 → ratio 1 → 4, which is not below 4.
    const result = sync({ scale, metrics: [a('100'), bFails], history: SETTLED });
    expect(result).toMatchObject({ desiredReplicas: 4, rescale: false, reason: 'DesiredWithinRange', metricDesiredReplicas: 4 });
    expect(result.error).toMatch(/^invalid metrics \(1 invalid out of 2\)/);
  });

  it('all fail: no scaling, and the condition names the first failure', () => {
    const aFails: ExternalMetric = { ...a('1'), values: [] };
    const result = sync({ scale, metrics: [aFails, bFails] });
    expect(result).toMatchObject({ rescale: false, reason: 'FailedGetExternalMetric' });
    expect(result.message).toBe('the HPA was unable to compute the replica count: unable to get external metric s0-a: no metrics returned from external metrics API');
    expect(result.error).toMatch(/^invalid metrics \(2 invalid out of 2\)/);
  });
});

describe('stabilization over a history (no behavior)', () => {
  it('the highest recommendation of the last 300 s, and the history to carry forward', () => {
    // Value 100, ["50"], 6 replicas: ceil(0.5 × 6) = 3. Window: 5 and 4 (7 is 400 s old) → 5.
    const result = sync({ scale: { specReplicas: 6 }, metrics: [val('100', '50')], history: history(rec(7, 400), rec(5, 200), rec(4, 100)) });
    expect(result).toMatchObject({ metricDesiredReplicas: 3, stabilizedRecommendation: 5, desiredReplicas: 5, rescale: true, reason: 'ScaleDownStabilized' });
    expect(result.history.recommendations).toEqual([rec(3, 0), rec(5, 200), rec(4, 100)]);
    // No behavior: scale events are not recorded.
    expect(result.history.scaleDownEvents).toEqual([]);
  });

  it('a configured downscale window of 60 s lets it through', () => {
    const result = sync({
      scale: { specReplicas: 6 }, metrics: [val('100', '50')], history: history(rec(5, 200), rec(4, 100)),
      config: { horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: 60 },
    });
    expect(result).toMatchObject({ desiredReplicas: 3, reason: 'DesiredWithinRange' });
  });
});

describe('behavior over successive syncs', () => {
  const spec = { minReplicas: 1, maxReplicas: 100, behavior: {} };
  const metrics = [avg('1', '50')]; // asks for ceil(50000 / 1000) = 50 at any count outside tolerance

  it('scale events hold the next scale-up until the 15 s period has passed', () => {
    const first = reconcileAutoscaler({ spec, scale: { specReplicas: 10 }, metrics, now: NOW });
    expect(first.desiredReplicas).toBe(20);
    // 14 s later at 20: the +10 event is inside 15 s → periodStart 10 → Pods 14, Percent 20 → 20, never below current.
    const second = reconcileAutoscaler({ spec, scale: { specReplicas: 20 }, metrics, now: NOW + 14_000, history: first.history });
    expect(second).toMatchObject({ desiredReplicas: 20, rescale: false, reason: 'ScaleUpLimit' });
    // 15 s later: the event is exactly one period old and no longer counts → periodStart 20 → Pods 24, Percent 40 → 40.
    const third = reconcileAutoscaler({ spec, scale: { specReplicas: 20 }, metrics, now: NOW + 15_000, history: first.history });
    expect(third).toMatchObject({ desiredReplicas: 40, rescale: true, reason: 'ScaleUpLimit' });
    expect(third.history.scaleUpEvents).toEqual([{ replicaChange: 10, timestamp: NOW }, { replicaChange: 20, timestamp: NOW + 15_000 }]);
  });

  it('the default scale-down window holds the first sync at the current count', () => {
    // Value 100, ["20"], 10 replicas: ceil(0.2 × 10) = 2. The remembered 10 (now) is inside 300 s → 10.
    expect(reconcileAutoscaler({ spec, scale: { specReplicas: 10 }, metrics: [val('100', '20')], now: NOW })).toMatchObject({
      desiredReplicas: 10, rescale: false, reason: 'ScaleDownStabilized',
    });
  });

  it('with no scale-down window, a Percent 50 policy halves it, and the event is recorded', () => {
    // The remembered 10 is at now, not strictly inside a 0 s window → 2; trunc(10 × 0.5) = 5.
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 15 }] } };
    const result = reconcileAutoscaler({ spec: { ...spec, behavior }, scale: { specReplicas: 10 }, metrics: [val('100', '20')], now: NOW });
    expect(result).toMatchObject({ stabilizedRecommendation: 2, desiredReplicas: 5, reason: 'ScaleDownLimit' });
    expect(result.history.scaleDownEvents).toEqual([{ replicaChange: 5, timestamp: NOW }]);
  });

  it('selectPolicy Disabled on scale-down keeps the count', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled' as const } };
    expect(reconcileAutoscaler({ spec: { ...spec, behavior }, scale: { specReplicas: 10 }, metrics: [val('100', '20')], now: NOW })).toMatchObject({
      desiredReplicas: 10, rescale: false, reason: 'ScaleDownLimit',
    });
  });

  it('a per-HPA scale-up tolerance of 5% acts where the default 10% would not', () => {
    // AverageValue 100, ["3700"], 35 replicas: ratio ≈ 1.057 → ceil(37) = 37; default policies allow 70.
    const metric = [avg('100', '3700')];
    expect(reconcileAutoscaler({ spec: { ...spec, behavior: { scaleUp: { tolerance: '0.05' } } }, scale: { specReplicas: 35 }, metrics: metric, now: NOW })).toMatchObject({
      desiredReplicas: 37, rescale: true,
    });
    expect(reconcileAutoscaler({ spec: { minReplicas: 1, maxReplicas: 100 }, scale: { specReplicas: 35 }, metrics: metric, now: NOW })).toMatchObject({
      desiredReplicas: 35, rescale: false,
    });
  });
});

describe('an HPA that cannot be computed with is refused with the field named', () => {
  it.each<{ input: Partial<ReconcileInput>; message: RegExp }>([
    { input: { spec: { minReplicas: 5, maxReplicas: 3 } }, message: /spec\.minReplicas: must be at most spec\.maxReplicas \(3\), got 5/ },
    { input: { spec: { maxReplicas: 0 } }, message: /spec\.maxReplicas: must be an integer of at least 1, got 0/ },
    { input: { metrics: [] }, message: /spec\.metrics: must list at least one External metric/ },
    { input: { metrics: [val('0', '1')] }, message: /s0-queue: target: must be positive, got 0/ },
    { input: { scale: { specReplicas: 1.5 } }, message: /scale\.specReplicas: must be an integer of at least 0, got 1\.5/ },
    {
      input: { spec: { maxReplicas: 5, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } } } },
      message: /spec\.behavior\.scaleUp\.policies\[0\]\.value: must be an integer of at least 1, got 0/,
    },
  ])('$message', ({ input, message }) => {
    expect(() => sync({ scale: { specReplicas: 2 }, metrics: [val('100', '1')], ...input })).toThrow(InvalidHorizontalPodAutoscalerError);
    expect(() => sync({ scale: { specReplicas: 2 }, metrics: [val('100', '1')], ...input })).toThrow(message);
  });
});
