export { cronScalerModule as default, cronScalerModule, CronClock } from './module.js';
export { CronScaler } from './scaler.js';
export { cronMetadata, type CronMetadata } from './metadata.js';
