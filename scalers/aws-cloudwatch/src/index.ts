export { awsCloudwatchScalerModule as default, awsCloudwatchScalerModule } from './module.js';
export { AwsCloudwatchScalerFactory } from './factory.js';
export { AwsCloudwatchScaler } from './scaler.js';
export { awsCloudwatchMetadata, CLOUDWATCH_STANDARD_UNITS, type AwsCloudwatchMetadata } from './metadata.js';
export { computeQueryWindow, type QueryWindow } from './query-window.js';
