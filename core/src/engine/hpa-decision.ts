import type { HPAControllerConfiguration } from '../hpa/defaults.js';
import { reconcileAutoscaler } from '../hpa/reconcile.js';
import type { AutoscalerHistory, ExternalMetric, ReplicaRecommendation } from '../hpa/types.js';
import type { LoadedScaledObject } from '../scaled-object/scaled-object.js';
import { requestScale } from './scale-executor.js';
import type { ReplicaCounts, ScaleDecision, ScaledObjectState } from './types.js';

export interface DecisionInput {
  readonly object: LoadedScaledObject;
  readonly state: ScaledObjectState;
  readonly counts: ReplicaCounts;
  readonly now: number;
  /** When the engine first served the object: KEDA's creationTimestamp, for initialCooldownPeriod. */
  readonly createdAt: number;
  readonly lastActiveTime?: number;
  readonly hpaHistory?: AutoscalerHistory;
  readonly hpaConfig?: Partial<HPAControllerConfiguration>;
}

/**
 * What happens to the replica count (KEDA's executor, pkg/scaling/executor, then the HPA): KEDA's
 * 0↔1 step when it acts, else the HPA's arithmetic on the served metrics. Pure: returns the HPA's
 * new memory beside the decision.
 */
export function decideScale(input: DecisionInput): { readonly decision: ScaleDecision; readonly hpaHistory?: AutoscalerHistory } {
  const { object, state, counts, now } = input;
  const { spec } = object;
  const { currentReplicas } = counts;
  const keda = requestScale({
    spec,
    annotations: object.annotations,
    isActive: state.active,
    isError: state.isError,
    currentReplicas,
    ...(input.lastActiveTime === undefined ? {} : { lastActiveTime: input.lastActiveTime }),
    creationTime: input.createdAt,
    now,
  });

  let hpa: ReplicaRecommendation | undefined;
  if (state.metrics.length > 0) {
    const metrics: ExternalMetric[] = state.metrics.map((metric) => ({
      metricName: metric.metricName,
      metricType: metric.metricType,
      target: metric.target,
      ...(metric.values ? { values: metric.values } : {}),
      ...(metric.error !== undefined ? { error: metric.error } : {}),
    }));
    hpa = reconcileAutoscaler({
      spec: {
        minReplicas: Math.max(1, spec.minReplicaCount),
        maxReplicas: spec.maxReplicaCount,
        ...(spec.advanced?.horizontalPodAutoscalerConfig?.behavior ? { behavior: spec.advanced.horizontalPodAutoscalerConfig.behavior } : {}),
      },
      scale: { specReplicas: currentReplicas, readyPodCount: counts.readyReplicas ?? currentReplicas },
      metrics,
      now,
      ...(input.hpaHistory ? { history: input.hpaHistory } : {}),
      ...(input.hpaConfig ? { config: input.hpaConfig } : {}),
    });
  }

  let desiredReplicas = currentReplicas;
  let decidedBy: ScaleDecision['decidedBy'] = 'none';
  if (keda.replicas !== undefined) {
    desiredReplicas = keda.replicas;
    decidedBy = 'keda';
  } else if (keda.action !== 'paused' && currentReplicas > 0 && hpa) {
    desiredReplicas = hpa.desiredReplicas;
    decidedBy = 'hpa';
  }
  const decision: ScaleDecision = { namespace: object.namespace, name: object.name, currentReplicas, desiredReplicas, decidedBy, keda, ...(hpa ? { hpa } : {}), state };
  return { decision, ...(hpa ? { hpaHistory: hpa.history } : {}) };
}
