/**
 * Defaults as Kubernetes sets them: the controller's flags (pkg/controller/podautoscaler/config/
 * v1alpha1/defaults.go) and the API defaulting of `spec.behavior` (pkg/apis/autoscaling/v2/defaults.go).
 */
import type {
  HorizontalPodAutoscalerBehavior,
  HPAScalingRules,
  ResolvedHorizontalPodAutoscalerBehavior,
  ResolvedHPAScalingRules,
} from './types.js';

/** The kube-controller-manager flags that shape the HPA's arithmetic. */
export interface HPAControllerConfiguration {
  /** `--horizontal-pod-autoscaler-sync-period`: how often each HPA is reconciled. */
  readonly horizontalPodAutoscalerSyncPeriodSeconds: number;
  /** `--horizontal-pod-autoscaler-tolerance`, both directions unless the HPA sets its own. */
  readonly horizontalPodAutoscalerTolerance: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization`. */
  readonly horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: number;
}

export const DEFAULT_HPA_CONTROLLER_CONFIGURATION: HPAControllerConfiguration = Object.freeze({
  horizontalPodAutoscalerSyncPeriodSeconds: 15,
  horizontalPodAutoscalerTolerance: 0.1,
  horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: 300,
});

/** Without `behavior`, a scale-up may at most double the replicas, and always reach 4 (horizontal.go). */
export const SCALE_UP_LIMIT_FACTOR = 2;
export const SCALE_UP_LIMIT_MINIMUM = 4;

/** Scale up by 4 pods or 100%, whichever is more, per 15 s, at once: the legacy limit as policies. */
export const DEFAULT_HPA_SCALE_UP_RULES: ResolvedHPAScalingRules = Object.freeze({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: Object.freeze([
    Object.freeze({ type: 'Pods', value: 4, periodSeconds: 15 }),
    Object.freeze({ type: 'Percent', value: 100, periodSeconds: 15 }),
  ]),
});

/**
 * Scale down to any count per 15 s. The window is left out on purpose, as Kubernetes leaves it nil:
 * the controller fills it from its downscale-stabilization flag.
 */
export const DEFAULT_HPA_SCALE_DOWN_RULES: Omit<ResolvedHPAScalingRules, 'stabilizationWindowSeconds'> = Object.freeze({
  selectPolicy: 'Max',
  policies: Object.freeze([Object.freeze({ type: 'Percent', value: 100, periodSeconds: 15 })]),
});

/** `GenerateHPAScaleUpRules`: each unset field of the HPA's rules takes its default. */
export function generateHPAScaleUpRules(rules: HPAScalingRules | undefined): ResolvedHPAScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? DEFAULT_HPA_SCALE_UP_RULES.stabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? DEFAULT_HPA_SCALE_UP_RULES.selectPolicy,
    policies: rules?.policies ?? DEFAULT_HPA_SCALE_UP_RULES.policies,
  };
}

/**
 * `GenerateHPAScaleDownRules` followed by the controller's `maybeInitScaleDownStabilizationWindow`,
 * which puts its downscale-stabilization flag where the HPA set no window.
 */
export function generateHPAScaleDownRules(
  rules: HPAScalingRules | undefined,
  config: HPAControllerConfiguration = DEFAULT_HPA_CONTROLLER_CONFIGURATION,
): ResolvedHPAScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? config.horizontalPodAutoscalerDownscaleStabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? DEFAULT_HPA_SCALE_DOWN_RULES.selectPolicy,
    policies: rules?.policies ?? DEFAULT_HPA_SCALE_DOWN_RULES.policies,
  };
}

/** `SetDefaults_HorizontalPodAutoscalerBehavior`: a nil behavior stays nil (legacy normalization). */
export function setDefaultsHorizontalPodAutoscalerBehavior(
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  config: HPAControllerConfiguration = DEFAULT_HPA_CONTROLLER_CONFIGURATION,
): ResolvedHorizontalPodAutoscalerBehavior | undefined {
  if (behavior === undefined) return undefined;
  return { scaleUp: generateHPAScaleUpRules(behavior.scaleUp), scaleDown: generateHPAScaleDownRules(behavior.scaleDown, config) };
}
