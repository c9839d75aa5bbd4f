/**
 * The HPA's replica calculation for External metrics, so that `updraft check` and embedders can say
 * what the Horizontal Pod Autoscaler will do with the values Updraft serves.
 */
export * from './types.js';
export {
  DEFAULT_HPA_CONTROLLER_CONFIGURATION,
  DEFAULT_HPA_SCALE_DOWN_RULES,
  DEFAULT_HPA_SCALE_UP_RULES,
  setDefaultsHorizontalPodAutoscalerBehavior,
  type HPAControllerConfiguration,
} from './defaults.js';
export {
  computeReplicasForMetric,
  getExternalMetricReplicas,
  getExternalPerPodMetricReplicas,
  tolerancesForHpa,
  type ExternalReplicas,
} from './replica-calculator.js';
export { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, type Normalization, type NormalizationArg } from './normalize.js';
export { computeReplicasForMetrics, EMPTY_AUTOSCALER_HISTORY, reconcileAutoscaler, type MetricsReplicas, type ReconcileInput } from './reconcile.js';
