import { describe, expect, it } from 'vitest';
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimitWithScalingRules,
  convertDesiredReplicasWithBehaviorRate,
  getReplicasChangePerPeriod,
  storeScaleEvent,
} from './behavior.js';
import { DEFAULT_HPA_SCALE_UP_RULES, generateHPAScaleDownRules, generateHPAScaleUpRules, setDefaultsHorizontalPodAutoscalerBehavior } from './defaults.js';
import type { HPAScalingPolicy, ResolvedHorizontalPodAutoscalerBehavior, ScalingPolicySelect, TimestampedScaleEvent } from './types.js';

// Expectations worked out by hand from horizontal.go: for each policy,
// periodStart = current − (added within the period) + (removed within the period);
// up: Pods → periodStart + value, Percent → ceil(periodStart × (1 + value/100));
// down: Pods → periodStart − value, Percent → trunc(periodStart × (1 − value/100)).

const NOW = 1_700_000_000_000;
const ago = (seconds: number): number => NOW - seconds * 1000;
const event = (replicaChange: number, secondsAgo: number): TimestampedScaleEvent => ({ replicaChange, timestamp: ago(secondsAgo) });
const NO_EVENTS = { scaleUpEvents: [], scaleDownEvents: [] };

const pods = (value: number, periodSeconds: number): HPAScalingPolicy => ({ type: 'Pods', value, periodSeconds });
const percent = (value: number, periodSeconds: number): HPAScalingPolicy => ({ type: 'Percent', value, periodSeconds });

function behavior(up: Partial<ResolvedHorizontalPodAutoscalerBehavior['scaleUp']>, down: Partial<ResolvedHorizontalPodAutoscalerBehavior['scaleDown']>): ResolvedHorizontalPodAutoscalerBehavior {
  return { scaleUp: { ...generateHPAScaleUpRules(undefined), ...up }, scaleDown: { ...generateHPAScaleDownRules(undefined), ...down } };
}

describe('defaults, as Kubernetes sets them', () => {
  it('scale up: 4 pods or 100% per 15 s, Max, no window; scale down: 100% per 15 s, Max, the controller\'s 300 s window', () => {
    expect(setDefaultsHorizontalPodAutoscalerBehavior({})).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [pods(4, 15), percent(100, 15)] },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [percent(100, 15)] },
    });
  });

  it('fills each unset field on its own, and the scale-down window from the controller flag', () => {
    const config = { horizontalPodAutoscalerSyncPeriodSeconds: 15, horizontalPodAutoscalerTolerance: 0.1, horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: 120 };
    expect(setDefaultsHorizontalPodAutoscalerBehavior({ scaleUp: { selectPolicy: 'Min' }, scaleDown: { policies: [pods(1, 60)] } }, config)).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [pods(4, 15), percent(100, 15)] },
      scaleDown: { stabilizationWindowSeconds: 120, selectPolicy: 'Max', policies: [pods(1, 60)] },
    });
  });

  it('leaves no behavior as none (the legacy normalization)', () => {
    expect(setDefaultsHorizontalPodAutoscalerBehavior(undefined)).toBeUndefined();
  });
});

describe('getReplicasChangePerPeriod counts events strictly inside the period', () => {
  it('15 s period: the events 10 s ago count, the one exactly 15 s ago does not', () => {
    expect(getReplicasChangePerPeriod(15, [event(3, 10), event(2, 15), event(5, 16)], NOW)).toBe(3);
  });
});

describe('scale-up policies: Pods 4 / 60 s and Percent 50 / 60 s at 10 replicas', () => {
  // Within 60 s: 3 replicas added (30 s ago) and 2 removed (45 s ago): periodStart = 10 − 3 + 2 = 9.
  // Pods: 9 + 4 = 13. Percent: ceil(9 × 1.5) = ceil(13.5) = 14.
  const history = { scaleUpEvents: [event(3, 30)], scaleDownEvents: [event(2, 45)] };
  it.each<{ selectPolicy: ScalingPolicySelect; limit: number }>([
    { selectPolicy: 'Max', limit: 14 },
    { selectPolicy: 'Min', limit: 13 },
    { selectPolicy: 'Disabled', limit: 10 },
  ])('selectPolicy $selectPolicy → limit $limit', ({ selectPolicy, limit }) => {
    const rules = { stabilizationWindowSeconds: 0, selectPolicy, policies: [pods(4, 60), percent(50, 60)] };
    expect(calculateScaleUpLimitWithScalingRules(10, history, rules, NOW).limit).toBe(limit);
  });

  it('reports each policy\'s arithmetic', () => {
    const rules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [pods(4, 60), percent(50, 60)] };
    expect(calculateScaleUpLimitWithScalingRules(10, history, rules, NOW).policies).toEqual([
      { policy: pods(4, 60), periodStartReplicas: 9, limit: 13 },
      { policy: percent(50, 60), periodStartReplicas: 9, limit: 14 },
    ]);
  });

  it.each<{ selectPolicy: ScalingPolicySelect; maxReplicas: number; desiredReplicas: number; reason: string }>([
    { selectPolicy: 'Max', maxReplicas: 20, desiredReplicas: 14, reason: 'ScaleUpLimit' },
    { selectPolicy: 'Min', maxReplicas: 20, desiredReplicas: 13, reason: 'ScaleUpLimit' },
    // Disabled: the limit is the current count; max 20 is looser, so the reason is the rate.
    { selectPolicy: 'Disabled', maxReplicas: 20, desiredReplicas: 10, reason: 'ScaleUpLimit' },
    // Max replicas 12 is tighter than the policy's 14.
    { selectPolicy: 'Max', maxReplicas: 12, desiredReplicas: 12, reason: 'TooManyReplicas' },
  ])('a proposal of 30 with $selectPolicy and max $maxReplicas → $desiredReplicas ($reason)', ({ selectPolicy, maxReplicas, desiredReplicas, reason }) => {
    const rules = behavior({ selectPolicy, policies: [pods(4, 60), percent(50, 60)] }, {});
    const args = { currentReplicas: 10, desiredReplicas: 30, minReplicas: 1, maxReplicas };
    expect(convertDesiredReplicasWithBehaviorRate(args, rules, history, NOW)).toMatchObject({ desiredReplicas, reason });
  });
});

describe('scale-up policy periods over a history of events', () => {
  const rules = behavior({ policies: [pods(4, 60)] }, {});
  const args = { currentReplicas: 10, desiredReplicas: 30, minReplicas: 1, maxReplicas: 50 };
  it('an event exactly one period ago has aged out: periodStart 10 → 14', () => {
    expect(convertDesiredReplicasWithBehaviorRate(args, rules, { scaleUpEvents: [event(6, 60)], scaleDownEvents: [] }, NOW).desiredReplicas).toBe(14);
  });

  it('an event inside the period holds the count: periodStart 10 − 6 = 4 → limit 8, which never goes below current 10', () => {
    expect(convertDesiredReplicasWithBehaviorRate(args, rules, { scaleUpEvents: [event(6, 59)], scaleDownEvents: [] }, NOW)).toMatchObject({
      desiredReplicas: 10, reason: 'ScaleUpLimit',
    });
  });
});

describe('the defaults\' scale-up (reference §4.10 behavior case)', () => {
  it('10 replicas asked for 50: Pods 14, Percent 20, Max → 20', () => {
    const rules = behavior({}, {});
    const result = convertDesiredReplicasWithBehaviorRate({ currentReplicas: 10, desiredReplicas: 50, minReplicas: 1, maxReplicas: 100 }, rules, NO_EVENTS, NOW);
    expect(result).toMatchObject({ desiredReplicas: 20, reason: 'ScaleUpLimit' });
    expect(result.rateLimit?.policies.map((p) => p.limit)).toEqual([14, 20]);
  });

  it('with max 20 the two bounds tie, and the reason is TooManyReplicas', () => {
    const result = convertDesiredReplicasWithBehaviorRate({ currentReplicas: 10, desiredReplicas: 50, minReplicas: 1, maxReplicas: 20 }, behavior({}, {}), NO_EVENTS, NOW);
    expect(result).toMatchObject({ desiredReplicas: 20, reason: 'TooManyReplicas' });
  });

  it('the default rules let 3 replicas go to max(3 + 4, ceil(3 × 2)) = 7, where the legacy limit says max(2 × 3, 4) = 6', () => {
    expect(calculateScaleUpLimitWithScalingRules(3, NO_EVENTS, DEFAULT_HPA_SCALE_UP_RULES, NOW).limit).toBe(7);
  });
});

describe('scale-down policies: Pods 2 / 60 s and Percent 50 / 60 s at 10 replicas', () => {
  // Pods: 10 − 2 = 8. Percent: trunc(10 × 0.5) = 5. Max (most change) → 5; Min → 8; Disabled → 10.
  it.each<{ selectPolicy: ScalingPolicySelect; limit: number }>([
    { selectPolicy: 'Max', limit: 5 },
    { selectPolicy: 'Min', limit: 8 },
    { selectPolicy: 'Disabled', limit: 10 },
  ])('selectPolicy $selectPolicy → limit $limit', ({ selectPolicy, limit }) => {
    const rules = { stabilizationWindowSeconds: 0, selectPolicy, policies: [pods(2, 60), percent(50, 60)] };
    expect(calculateScaleDownLimitWithBehaviors(10, NO_EVENTS, rules, NOW).limit).toBe(limit);
  });

  it.each<{ selectPolicy: ScalingPolicySelect; minReplicas: number; desiredReplicas: number; reason: string }>([
    { selectPolicy: 'Max', minReplicas: 1, desiredReplicas: 5, reason: 'ScaleDownLimit' },
    { selectPolicy: 'Min', minReplicas: 1, desiredReplicas: 8, reason: 'ScaleDownLimit' },
    { selectPolicy: 'Disabled', minReplicas: 1, desiredReplicas: 10, reason: 'ScaleDownLimit' },
    // Min replicas 6 is tighter than the policy's 5.
    { selectPolicy: 'Max', minReplicas: 6, desiredReplicas: 6, reason: 'TooFewReplicas' },
  ])('a proposal of 1 with $selectPolicy and min $minReplicas → $desiredReplicas ($reason)', ({ selectPolicy, minReplicas, desiredReplicas, reason }) => {
    const rules = behavior({}, { selectPolicy, policies: [pods(2, 60), percent(50, 60)] });
    const args = { currentReplicas: 10, desiredReplicas: 1, minReplicas, maxReplicas: 20 };
    expect(convertDesiredReplicasWithBehaviorRate(args, rules, NO_EVENTS, NOW)).toMatchObject({ desiredReplicas, reason });
  });

  it('Percent 50 from 5 replicas truncates: trunc(2.5) = 2 (reference §4.10)', () => {
    const rules = behavior({}, { policies: [percent(50, 15)] });
    expect(convertDesiredReplicasWithBehaviorRate({ currentReplicas: 5, desiredReplicas: 1, minReplicas: 1, maxReplicas: 20 }, rules, NO_EVENTS, NOW)).toMatchObject({
      desiredReplicas: 2, reason: 'ScaleDownLimit',
    });
  });

  it('a scale-down within the period counts against the next one', () => {
    // 4 removed 10 s ago: periodStart = 6 + 4 = 10 → trunc(10 × 0.5) = 5.
    const rules = behavior({}, { policies: [percent(50, 60)] });
    const history = { scaleUpEvents: [], scaleDownEvents: [event(4, 10)] };
    expect(convertDesiredReplicasWithBehaviorRate({ currentReplicas: 6, desiredReplicas: 1, minReplicas: 1, maxReplicas: 20 }, rules, history, NOW).desiredReplicas).toBe(5);
  });

  it('a proposal equal to the current count is left alone', () => {
    expect(convertDesiredReplicasWithBehaviorRate({ currentReplicas: 5, desiredReplicas: 5, minReplicas: 1, maxReplicas: 20 }, behavior({}, {}), NO_EVENTS, NOW)).toEqual({
      desiredReplicas: 5, reason: 'DesiredWithinRange',
    });
  });
});

describe('storeScaleEvent keeps the change, reusing the slot of an event older than the longest period', () => {
  const rules = behavior({ policies: [pods(4, 15), percent(100, 60)] }, { policies: [percent(100, 15)] });
  it('scale up 10 → 14: the last event older than 60 s is replaced', () => {
    const history = { scaleUpEvents: [event(3, 70), event(2, 61), event(1, 30)], scaleDownEvents: [] };
    expect(storeScaleEvent(rules, history, 10, 14, NOW).scaleUpEvents).toEqual([event(3, 70), event(4, 0), event(1, 30)]);
  });

  it('scale down 10 → 7 with no outdated event: appended', () => {
    const history = { scaleUpEvents: [event(3, 70)], scaleDownEvents: [event(2, 10)] };
    expect(storeScaleEvent(rules, history, 10, 7, NOW)).toEqual({ scaleUpEvents: [event(3, 70)], scaleDownEvents: [event(2, 10), event(3, 0)] });
  });
});
