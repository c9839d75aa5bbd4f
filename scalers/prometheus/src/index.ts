export { prometheusScalerModule as default, prometheusScalerModule } from './module.js';
export { PrometheusScalerFactory } from './factory.js';
export { PrometheusScaler } from './scaler.js';
export { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
