import { Container } from 'inversify';
import { BackendCalls, HttpClient, ScalerError, ScalerRegistry, coreModule, type MetricsAndActivity, type Scaler } from '@updraft/core';
import prometheusScalerModule, { prometheusMetadata } from '@updraft/scaler-prometheus';

/**
 * Prometheus triggers built as the adapter builds them: core's and the scaler's modules in one
 * container, metadata parsed from the strings a ScaledObject holds, the scaler made by the factory.
 */
export function prometheusTriggers() {
  const container = new Container();
  container.load(coreModule, prometheusScalerModule);
  const factory = container.get<ScalerRegistry>(ScalerRegistry).get('prometheus');
  const open: Scaler[] = [];

  const create = (triggerMetadata: Record<string, string>, authParams?: Record<string, string>): Scaler => {
    const parsed = prometheusMetadata.parse({ triggerMetadata: { threshold: '10', ...triggerMetadata }, ...(authParams ? { authParams } : {}) });
    const errors = parsed.problems.filter((problem) => problem.severity === 'error');
    if (!parsed.metadata || errors.length > 0) throw new Error(`invalid trigger: ${errors.map((e) => `${e.key}: ${e.message}`).join('; ')}`);
    const scaler = factory.create({
      metadata: parsed.metadata as never,
      triggerType: 'prometheus',
      triggerIndex: 0,
      metricType: 'AverageValue',
      useCachedMetrics: false,
      scaledObject: { namespace: 'default', name: 'so' },
    });
    open.push(scaler);
    return scaler;
  };

  /** One read with a fresh trigger, which is closed afterwards. */
  const read = async (triggerMetadata: Record<string, string>, authParams?: Record<string, string>, signal = new AbortController().signal): Promise<MetricsAndActivity> => {
    const scaler = create(triggerMetadata, authParams);
    try {
      return await scaler.getMetricsAndActivity('s0-prometheus', signal);
    } finally {
      await scaler.close();
    }
  };

  /** The ScalerError one read rejects with; fails when the read succeeds. */
  const failure = async (triggerMetadata: Record<string, string>, authParams?: Record<string, string>): Promise<ScalerError> => {
    const outcome = await read(triggerMetadata, authParams).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`expected the read to fail, it gave ${JSON.stringify(outcome.value)}`);
    if (!(outcome.error instanceof ScalerError)) throw outcome.error;
    return outcome.error;
  };

  return {
    create,
    read,
    failure,
    calls: container.get<BackendCalls>(BackendCalls),
    agents: container.get<HttpClient>(HttpClient),
    closeAll: async () => {
      for (const scaler of open) await scaler.close();
    },
  };
}
