export { prometheusScalerModule as default, prometheusScalerModule } from './module.js';
export { PrometheusScalerFactory } from './factory.js';
export { PrometheusScaler, PROMETHEUS_DEFAULT_TIMEOUT_MS, type PrometheusScalerDeps, type PrometheusQueryOutcome } from './scaler.js';
export { PrometheusHttpAgents, PrometheusHttpAgentsImpl } from './http-agents.js';
export { readQueryResult, parseSampleValue, type QueryResultReading } from './query-result.js';
export { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
