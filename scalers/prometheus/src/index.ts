export { prometheusScalerModule as default, prometheusScalerModule } from './module.js';
export { PrometheusScaler, PROMETHEUS_DEFAULT_TIMEOUT_MS, type PrometheusQueryOutcome } from './scaler.js';
export { readQueryResult, parseSampleValue, type QueryResultReading } from './query-result.js';
export { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
