export { cronScalerModule as default, cronScalerModule } from './module.js';
export { CronClock, CronScalerFactory } from './factory.js';
export { CronScaler } from './scaler.js';
export { cronMetadata, type CronMetadata } from './metadata.js';
