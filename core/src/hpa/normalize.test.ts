import { describe, expect, it } from 'vitest';
import { setDefaultsHorizontalPodAutoscalerBehavior } from './defaults.js';
import {
  convertDesiredReplicasWithRules,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  recordInitialRecommendation,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
} from './normalize.js';
import type { ResolvedHorizontalPodAutoscalerBehavior, TimestampedRecommendation } from './types.js';

// Expectations worked out by hand from horizontal.go. Legacy: the recommendation is the highest of
// the proposal and every sample with timestamp ≥ now − 300 s. With behavior: samples strictly
// newer than now − window; scale up to at most the lowest of the up window, down to at least the
// highest of the down window.

const NOW = 1_700_000_000_000;
const ago = (seconds: number): number => NOW - seconds * 1000;
const rec = (recommendation: number, secondsAgo: number): TimestampedRecommendation => ({ recommendation, timestamp: ago(secondsAgo) });

function withWindows(up: number, down: number): ResolvedHorizontalPodAutoscalerBehavior {
  const defaults = setDefaultsHorizontalPodAutoscalerBehavior({})!;
  return { scaleUp: { ...defaults.scaleUp, stabilizationWindowSeconds: up }, scaleDown: { ...defaults.scaleDown, stabilizationWindowSeconds: down } };
}

describe('stabilizeRecommendation (no behavior): the highest recommendation of the last 300 s', () => {
  it('takes the highest sample inside the window, and stores the proposal over the outdated sample', () => {
    // In the window: 5 and 3; 7 (400 s ago) is out. max(2, 5, 3) = 5.
    const result = stabilizeRecommendation([rec(7, 400), rec(5, 200), rec(3, 100)], 2, NOW, 300);
    expect(result.recommendation).toBe(5);
    expect(result.recommendations).toEqual([rec(2, 0), rec(5, 200), rec(3, 100)]);
  });

  it.each([
    { secondsAgo: 300, recommendation: 4, note: 'exactly 300 s ago is still inside (not before the cutoff)' },
    { secondsAgo: 301, recommendation: 2, note: '301 s ago is out' },
  ])('reference §4.10 vector 6, a stored 4 and a proposal of 2: $note', ({ secondsAgo, recommendation }) => {
    expect(stabilizeRecommendation([rec(4, secondsAgo)], 2, NOW, 300).recommendation).toBe(recommendation);
  });

  it('appends when no sample is outdated', () => {
    expect(stabilizeRecommendation([rec(3, 100)], 6, NOW, 300)).toEqual({ recommendation: 6, recommendations: [rec(3, 100), rec(6, 0)] });
  });
});

describe('recordInitialRecommendation: the first sync remembers the current count', () => {
  it('seeds an empty history, and leaves a history alone', () => {
    expect(recordInitialRecommendation([], 4, NOW)).toEqual([rec(4, 0)]);
    expect(recordInitialRecommendation([rec(9, 30)], 4, NOW)).toEqual([rec(9, 30)]);
  });
});

describe('convertDesiredReplicasWithRules: min, max and the scale-up limit max(2 × current, 4)', () => {
  it.each([
    { current: 3, desired: 8, min: 1, max: 20, expected: 6, reason: 'ScaleUpLimit', note: 'limit max(6, 4) = 6' },
    { current: 1, desired: 10, min: 1, max: 20, expected: 4, reason: 'ScaleUpLimit', note: 'limit max(2, 4) = 4' },
    { current: 8, desired: 30, min: 1, max: 10, expected: 10, reason: 'TooManyReplicas', note: 'max 10 is tighter than 16' },
    { current: 10, desired: 25, min: 1, max: 20, expected: 20, reason: 'TooManyReplicas', note: 'max 20 ties with 20: max names it' },
    { current: 5, desired: 0, min: 2, max: 20, expected: 2, reason: 'TooFewReplicas', note: 'below min' },
    { current: 2, desired: 4, min: 1, max: 4, expected: 4, reason: 'DesiredWithinRange', note: 'at max, not above' },
    { current: 0, desired: 3, min: 0, max: 20, expected: 3, reason: 'DesiredWithinRange', note: 'from zero the limit is 4' },
  ])('current $current, desired $desired, min $min, max $max → $expected ($note)', ({ current, desired, min, max, expected, reason }) => {
    expect(convertDesiredReplicasWithRules(current, desired, min, max)).toMatchObject({ desiredReplicas: expected, reason });
  });
});

describe('normalizeDesiredReplicas (no behavior)', () => {
  it('scale-down stabilized by a recent higher recommendation (vector 6)', () => {
    const result = normalizeDesiredReplicas({ currentReplicas: 4, desiredReplicas: 2, minReplicas: 1, maxReplicas: 20 }, [rec(4, 60)], NOW, 300);
    expect(result).toMatchObject({ desiredReplicas: 4, stabilizedRecommendation: 4, stabilizationReason: 'ScaleDownStabilized', limitReason: 'DesiredWithinRange' });
  });

  it('stabilization, then the limit: a stored 9 holds a proposal of 3 at 9, and max 8 brings it to 8', () => {
    const result = normalizeDesiredReplicas({ currentReplicas: 8, desiredReplicas: 3, minReplicas: 1, maxReplicas: 8 }, [rec(9, 10)], NOW, 300);
    expect(result).toMatchObject({ desiredReplicas: 8, stabilizedRecommendation: 9, stabilizationReason: 'ScaleDownStabilized', limitReason: 'TooManyReplicas' });
  });

  it('a scale-up reports the legacy rate limit', () => {
    // Reference §4.10 vector 5: proposal 8 at 3 replicas → limit 6.
    const result = normalizeDesiredReplicas({ currentReplicas: 3, desiredReplicas: 8, minReplicas: 1, maxReplicas: 20 }, [rec(3, 15)], NOW, 300);
    expect(result).toMatchObject({ desiredReplicas: 6, limitReason: 'ScaleUpLimit', rateLimit: { direction: 'up', limit: 6 } });
  });
});

describe('stabilizeRecommendationWithBehaviors', () => {
  it('scale up: no higher than the lowest recommendation of the up window', () => {
    // Up window 60 s: only 5 (30 s ago) → upRec = min(8, 5) = 5. Down window 300 s: max(8, 3, 5) = 8.
    // From current 4: 4 < 5 → 5; 5 > 8? no → 5.
    const result = stabilizeRecommendationWithBehaviors(
      { currentReplicas: 4, desiredReplicas: 8, minReplicas: 1, maxReplicas: 20 }, withWindows(60, 300), [rec(3, 90), rec(5, 30)], NOW,
    );
    expect(result).toMatchObject({ recommendation: 5, reason: 'ScaleUpStabilized' });
  });

  it('scale down: no lower than the highest recommendation of the down window', () => {
    // Down window 300 s: 6 (200 s ago) counts, 9 (400 s ago) does not → downRec = max(2, 6) = 6.
    // Up window 0 s: nothing → upRec = 2. From current 8: 8 > 6 → 6.
    const result = stabilizeRecommendationWithBehaviors(
      { currentReplicas: 8, desiredReplicas: 2, minReplicas: 1, maxReplicas: 20 }, withWindows(0, 300), [rec(6, 200), rec(9, 400)], NOW,
    );
    expect(result).toMatchObject({ recommendation: 6, reason: 'ScaleDownStabilized' });
  });

  it('a sample exactly one window ago no longer counts (strict, unlike the legacy path)', () => {
    const result = stabilizeRecommendationWithBehaviors(
      { currentReplicas: 8, desiredReplicas: 2, minReplicas: 1, maxReplicas: 20 }, withWindows(0, 300), [rec(6, 300)], NOW,
    );
    expect(result).toMatchObject({ recommendation: 2, reason: 'ReadyForNewScale' });
  });

  it('between the windows the count stays: recent 3 caps a rise, recent 9 floors a fall', () => {
    // Proposal 7 at current 5 with samples 3 and 9 in both windows: upRec = min(7, 3, 9) = 3, downRec = max(7, 3, 9) = 9.
    // From 5: 5 < 3? no; 5 > 9? no → 5.
    const result = stabilizeRecommendationWithBehaviors(
      { currentReplicas: 5, desiredReplicas: 7, minReplicas: 1, maxReplicas: 20 }, withWindows(120, 300), [rec(3, 60), rec(9, 30)], NOW,
    );
    expect(result).toMatchObject({ recommendation: 5, reason: 'ScaleUpStabilized' });
  });

  it('stores the proposal over a sample outdated for both windows, else appends', () => {
    const behavior = withWindows(60, 300);
    const args = { currentReplicas: 4, desiredReplicas: 8, minReplicas: 1, maxReplicas: 20 };
    // 400 s ago is before both cutoffs; 90 s ago is only before the up cutoff.
    expect(stabilizeRecommendationWithBehaviors(args, behavior, [rec(1, 400), rec(3, 90)], NOW).recommendations).toEqual([rec(8, 0), rec(3, 90)]);
    expect(stabilizeRecommendationWithBehaviors(args, behavior, [rec(3, 90)], NOW).recommendations).toEqual([rec(3, 90), rec(8, 0)]);
  });
});

describe('normalizeDesiredReplicasWithBehaviors: windows, then policies', () => {
  it('a stabilized scale-up is then rate limited by the policies', () => {
    // Up window 60 s holds 30 (20 s ago): upRec = min(50, 30) = 30; from 10 → 30.
    // Default policies at 10: Pods 14, Percent 20 → Max 20.
    const history = { recommendations: [rec(30, 20)], scaleUpEvents: [], scaleDownEvents: [] };
    const result = normalizeDesiredReplicasWithBehaviors(
      { currentReplicas: 10, desiredReplicas: 50, minReplicas: 1, maxReplicas: 100 }, withWindows(60, 300), history, NOW,
    );
    expect(result).toMatchObject({ stabilizedRecommendation: 30, stabilizationReason: 'ScaleUpStabilized', desiredReplicas: 20, limitReason: 'ScaleUpLimit' });
  });
});
