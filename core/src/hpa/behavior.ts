/**
 * The rate limits of `spec.behavior`: scaling policies over a history of scale events, ported from
 * kubernetes pkg/controller/podautoscaler/horizontal.go (`convertDesiredReplicasWithBehaviorRate`,
 * `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`,
 * `getReplicasChangePerPeriod`, `storeScaleEvent`).
 */
import type {
  AutoscalerHistory,
  HPAScalingPolicy,
  LimitReason,
  PolicyLimit,
  ResolvedHorizontalPodAutoscalerBehavior,
  ResolvedHPAScalingRules,
  ScaleRateLimit,
  TimestampedScaleEvent,
} from './types.js';

const MAX_INT32 = 2_147_483_647;
const MIN_INT32 = -2_147_483_648;

export const LIMIT_MESSAGES: Readonly<Record<LimitReason, string>> = Object.freeze({
  DesiredWithinRange: 'the desired count is within the acceptable range',
  TooFewReplicas: 'the desired replica count is less than the minimum replica count',
  TooManyReplicas: 'the desired replica count is more than the maximum replica count',
  ScaleUpLimit: 'the desired replica count is increasing faster than the maximum scale rate',
  ScaleDownLimit: 'the desired replica count is decreasing faster than the maximum scale rate',
});

/** Replicas changed by the events strictly newer than now − periodSeconds. */
export function getReplicasChangePerPeriod(periodSeconds: number, scaleEvents: readonly TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return scaleEvents.reduce((replicas, event) => (event.timestamp > cutoff ? replicas + event.replicaChange : replicas), 0);
}

/** Where the policy's period started: undo the changes made within it. */
function periodStartReplicas(policy: HPAScalingPolicy, currentReplicas: number, history: ScaleEvents, now: number): number {
  const added = getReplicasChangePerPeriod(policy.periodSeconds, history.scaleUpEvents, now);
  const removed = getReplicasChangePerPeriod(policy.periodSeconds, history.scaleDownEvents, now);
  return currentReplicas - added + removed;
}

type ScaleEvents = Pick<AutoscalerHistory, 'scaleUpEvents' | 'scaleDownEvents'>;

/**
 * The most replicas the scale-up policies allow now. `Max` takes the policy allowing the most
 * change, `Min` the least; `Disabled` allows none.
 */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  history: ScaleEvents,
  scalingRules: ResolvedHPAScalingRules,
  now: number,
): ScaleRateLimit {
  const { selectPolicy } = scalingRules;
  if (selectPolicy === 'Disabled') return { direction: 'up', selectPolicy, policies: [], limit: currentReplicas };
  const policies = scalingRules.policies.map((policy): PolicyLimit => {
    const start = periodStartReplicas(policy, currentReplicas, history, now);
    // Percent rounds up, or a small target could never grow.
    const limit = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100)) + 0;
    return { policy, periodStartReplicas: start, limit };
  });
  const limits = policies.map((p) => p.limit);
  const limit = selectPolicy === 'Min' ? Math.min(MAX_INT32, ...limits) : Math.max(MIN_INT32, ...limits);
  return { direction: 'up', selectPolicy, policies, limit };
}

/**
 * The fewest replicas the scale-down policies allow now. `Max` takes the policy allowing the most
 * change (the lowest count), `Min` the least; `Disabled` allows none.
 */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  history: ScaleEvents,
  scalingRules: ResolvedHPAScalingRules,
  now: number,
): ScaleRateLimit {
  const { selectPolicy } = scalingRules;
  if (selectPolicy === 'Disabled') return { direction: 'down', selectPolicy, policies: [], limit: currentReplicas };
  const policies = scalingRules.policies.map((policy): PolicyLimit => {
    const start = periodStartReplicas(policy, currentReplicas, history, now);
    // Percent truncates toward zero, as Go's int32() conversion does.
    const limit = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100)) + 0;
    return { policy, periodStartReplicas: start, limit };
  });
  const limits = policies.map((p) => p.limit);
  const limit = selectPolicy === 'Min' ? Math.max(MIN_INT32, ...limits) : Math.min(MAX_INT32, ...limits);
  return { direction: 'down', selectPolicy, policies, limit };
}

export interface RateLimitedReplicas {
  readonly desiredReplicas: number;
  readonly reason: LimitReason;
  readonly rateLimit?: ScaleRateLimit;
}

/**
 * `convertDesiredReplicasWithBehaviorRate`: bound the stabilized recommendation by the policies
 * and by min/max replicas. A limit never pushes past the current count (the events age out first).
 */
export function convertDesiredReplicasWithBehaviorRate(
  args: { readonly currentReplicas: number; readonly desiredReplicas: number; readonly minReplicas: number; readonly maxReplicas: number },
  behavior: ResolvedHorizontalPodAutoscalerBehavior,
  history: ScaleEvents,
  now: number,
): RateLimitedReplicas {
  const { currentReplicas, desiredReplicas, minReplicas, maxReplicas } = args;
  if (desiredReplicas > currentReplicas) {
    const rateLimit = calculateScaleUpLimitWithScalingRules(currentReplicas, history, behavior.scaleUp, now);
    const scaleUpLimit = Math.max(rateLimit.limit, currentReplicas);
    const reason: LimitReason = maxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
    const maximumAllowedReplicas = Math.min(maxReplicas, scaleUpLimit);
    if (desiredReplicas > maximumAllowedReplicas) return { desiredReplicas: maximumAllowedReplicas, reason, rateLimit };
    return { desiredReplicas, reason: 'DesiredWithinRange', rateLimit };
  }
  if (desiredReplicas < currentReplicas) {
    const rateLimit = calculateScaleDownLimitWithBehaviors(currentReplicas, history, behavior.scaleDown, now);
    const scaleDownLimit = Math.min(rateLimit.limit, currentReplicas);
    const reason: LimitReason = minReplicas < scaleDownLimit ? 'ScaleDownLimit' : 'TooFewReplicas';
    const minimumAllowedReplicas = Math.max(minReplicas, scaleDownLimit);
    if (desiredReplicas < minimumAllowedReplicas) return { desiredReplicas: minimumAllowedReplicas, reason, rateLimit };
    return { desiredReplicas, reason: 'DesiredWithinRange', rateLimit };
  }
  return { desiredReplicas, reason: 'DesiredWithinRange' };
}

/** `getLongestPolicyPeriod`: events older than this no longer matter to any policy. */
export function getLongestPolicyPeriod(scalingRules: ResolvedHPAScalingRules): number {
  return scalingRules.policies.reduce((longest, policy) => Math.max(longest, policy.periodSeconds), 0);
}

/**
 * `storeScaleEvent`: record a rescale from prevReplicas to newReplicas. Like the controller, it
 * reuses the slot of an event older than the longest policy period instead of growing the list.
 */
export function storeScaleEvent(
  behavior: ResolvedHorizontalPodAutoscalerBehavior,
  history: ScaleEvents,
  prevReplicas: number,
  newReplicas: number,
  now: number,
): ScaleEvents {
  if (newReplicas > prevReplicas) {
    const event = { replicaChange: newReplicas - prevReplicas, timestamp: now };
    return { ...history, scaleUpEvents: replaceOutdated(history.scaleUpEvents, event, getLongestPolicyPeriod(behavior.scaleUp), now) };
  }
  const event = { replicaChange: prevReplicas - newReplicas, timestamp: now };
  return { ...history, scaleDownEvents: replaceOutdated(history.scaleDownEvents, event, getLongestPolicyPeriod(behavior.scaleDown), now) };
}

function replaceOutdated(
  events: readonly TimestampedScaleEvent[],
  event: TimestampedScaleEvent,
  longestPolicyPeriodSeconds: number,
  now: number,
): TimestampedScaleEvent[] {
  const cutoff = now - longestPolicyPeriodSeconds * 1000;
  const outdated = events.findLastIndex((e) => e.timestamp < cutoff);
  return outdated === -1 ? [...events, event] : events.map((e, i) => (i === outdated ? event : e));
}
