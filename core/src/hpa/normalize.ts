/**
 * From the metrics' proposal to the replica count the controller writes: stabilization over the
 * recommendations history, then min/max and rate limits. Ported from kubernetes
 * pkg/controller/podautoscaler/horizontal.go (`normalizeDesiredReplicas`,
 * `normalizeDesiredReplicasWithBehaviors` and the functions they call).
 */
import { convertDesiredReplicasWithBehaviorRate, LIMIT_MESSAGES } from './behavior.js';
import { SCALE_UP_LIMIT_FACTOR, SCALE_UP_LIMIT_MINIMUM } from './defaults.js';
import type {
  AutoscalerHistory,
  LimitReason,
  ResolvedHorizontalPodAutoscalerBehavior,
  ScaleRateLimit,
  StabilizationReason,
  TimestampedRecommendation,
} from './types.js';

/** `NormalizationArg`, without the HPA key: the history passed alongside belongs to one HPA. */
export interface NormalizationArg {
  readonly currentReplicas: number;
  /** The metrics' proposal, before normalization. */
  readonly desiredReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface Normalization {
  readonly desiredReplicas: number;
  readonly stabilizedRecommendation: number;
  readonly stabilizationReason: StabilizationReason;
  readonly stabilizationMessage: string;
  readonly limitReason: LimitReason;
  readonly limitMessage: string;
  /** The rate limit in the direction of the change, if the count moves. */
  readonly rateLimit?: ScaleRateLimit;
  /** The history of recommendations with this proposal stored. */
  readonly recommendations: readonly TimestampedRecommendation[];
}

export const STABILIZATION_MESSAGES: Readonly<Record<StabilizationReason, string>> = Object.freeze({
  ReadyForNewScale: 'recommended size matches current size',
  ScaleUpStabilized: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
  ScaleDownStabilized: 'recent recommendations were higher than current one, applying the highest recent recommendation',
});

/**
 * `recordInitialRecommendation`: on its first look at an HPA the controller remembers the current
 * count as a recommendation, so it does not scale down before a full window has passed.
 */
export function recordInitialRecommendation(
  recommendations: readonly TimestampedRecommendation[],
  currentReplicas: number,
  now: number,
): readonly TimestampedRecommendation[] {
  return recommendations.length === 0 ? [{ recommendation: currentReplicas, timestamp: now }] : recommendations;
}

/** Store a recommendation in the slot of the last outdated one, else append (the controller's reuse). */
function storeRecommendation(
  recommendations: readonly TimestampedRecommendation[],
  isOutdated: (rec: TimestampedRecommendation) => boolean,
  recommendation: TimestampedRecommendation,
): TimestampedRecommendation[] {
  const outdated = recommendations.findLastIndex(isOutdated);
  return outdated === -1 ? [...recommendations, recommendation] : recommendations.map((r, i) => (i === outdated ? recommendation : r));
}

/**
 * `stabilizeRecommendation` (no behavior): the highest of the proposal and every recommendation
 * no older than the downscale window (a sample exactly at the window's edge still counts).
 */
export function stabilizeRecommendation(
  recommendations: readonly TimestampedRecommendation[],
  prenormalizedDesiredReplicas: number,
  now: number,
  downscaleStabilisationWindowSeconds: number,
): { readonly recommendation: number; readonly recommendations: TimestampedRecommendation[] } {
  const cutoff = now - downscaleStabilisationWindowSeconds * 1000;
  const recommendation = recommendations
    .filter((rec) => rec.timestamp >= cutoff)
    .reduce((highest, rec) => Math.max(highest, rec.recommendation), prenormalizedDesiredReplicas);
  return {
    recommendation,
    recommendations: storeRecommendation(recommendations, (rec) => rec.timestamp < cutoff, { recommendation: prenormalizedDesiredReplicas, timestamp: now }),
  };
}

/** `calculateScaleUpLimit`: without behavior, at most double, and always up to 4. */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

/** `convertDesiredReplicasWithRules`: min/max replicas and the legacy scale-up limit. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  hpaMinReplicas: number,
  hpaMaxReplicas: number,
): { readonly desiredReplicas: number; readonly reason: LimitReason; readonly rateLimit: ScaleRateLimit } {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  const rateLimit: ScaleRateLimit = { direction: 'up', policies: [], limit: scaleUpLimit };
  // The tighter upper bound names the reason; on a tie it is the max replicas.
  const upperReason: LimitReason = hpaMaxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
  const maximumAllowedReplicas = Math.min(hpaMaxReplicas, scaleUpLimit);
  if (desiredReplicas < hpaMinReplicas) return { desiredReplicas: hpaMinReplicas, reason: 'TooFewReplicas', rateLimit };
  if (desiredReplicas > maximumAllowedReplicas) return { desiredReplicas: maximumAllowedReplicas, reason: upperReason, rateLimit };
  return { desiredReplicas, reason: 'DesiredWithinRange', rateLimit };
}

/** `normalizeDesiredReplicas`: the legacy path, taken when the HPA has no `spec.behavior`. */
export function normalizeDesiredReplicas(
  args: NormalizationArg,
  recommendations: readonly TimestampedRecommendation[],
  now: number,
  downscaleStabilisationWindowSeconds: number,
): Normalization {
  const stabilized = stabilizeRecommendation(recommendations, args.desiredReplicas, now, downscaleStabilisationWindowSeconds);
  const stabilizationReason: StabilizationReason = stabilized.recommendation !== args.desiredReplicas ? 'ScaleDownStabilized' : 'ReadyForNewScale';
  const limited = convertDesiredReplicasWithRules(args.currentReplicas, stabilized.recommendation, args.minReplicas, args.maxReplicas);
  return {
    desiredReplicas: limited.desiredReplicas,
    stabilizedRecommendation: stabilized.recommendation,
    stabilizationReason,
    stabilizationMessage: STABILIZATION_MESSAGES[stabilizationReason],
    limitReason: limited.reason,
    limitMessage: LIMIT_MESSAGES[limited.reason],
    ...(stabilized.recommendation > args.currentReplicas ? { rateLimit: limited.rateLimit } : {}),
    recommendations: stabilized.recommendations,
  };
}

/**
 * `stabilizeRecommendationWithBehaviors`: a scale-up goes no higher than the lowest recommendation
 * of its window, a scale-down no lower than the highest of its window (samples strictly inside).
 */
export function stabilizeRecommendationWithBehaviors(
  args: NormalizationArg,
  behavior: ResolvedHorizontalPodAutoscalerBehavior,
  recommendations: readonly TimestampedRecommendation[],
  now: number,
): { readonly recommendation: number; readonly reason: StabilizationReason; readonly recommendations: TimestampedRecommendation[] } {
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = args.desiredReplicas;
  let downRecommendation = args.desiredReplicas;
  for (const rec of recommendations) {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
  }
  // Move from the current count only as far as both windows agree.
  let recommendation = args.currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  const stored = storeRecommendation(
    recommendations,
    (rec) => rec.timestamp < upCutoff && rec.timestamp < downCutoff,
    { recommendation: args.desiredReplicas, timestamp: now },
  );
  let reason: StabilizationReason = args.desiredReplicas >= args.currentReplicas ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
  if (recommendation === args.desiredReplicas) reason = 'ReadyForNewScale';
  return { recommendation, reason, recommendations: stored };
}

/** `normalizeDesiredReplicasWithBehaviors`: stabilization windows, then the scaling policies. */
export function normalizeDesiredReplicasWithBehaviors(
  args: NormalizationArg,
  behavior: ResolvedHorizontalPodAutoscalerBehavior,
  history: AutoscalerHistory,
  now: number,
): Normalization {
  const stabilized = stabilizeRecommendationWithBehaviors(args, behavior, history.recommendations, now);
  const limited = convertDesiredReplicasWithBehaviorRate({ ...args, desiredReplicas: stabilized.recommendation }, behavior, history, now);
  return {
    desiredReplicas: limited.desiredReplicas,
    stabilizedRecommendation: stabilized.recommendation,
    stabilizationReason: stabilized.reason,
    stabilizationMessage: STABILIZATION_MESSAGES[stabilized.reason],
    limitReason: limited.reason,
    limitMessage: LIMIT_MESSAGES[limited.reason],
    ...(limited.rateLimit === undefined ? {} : { rateLimit: limited.rateLimit }),
    recommendations: stabilized.recommendations,
  };
}
