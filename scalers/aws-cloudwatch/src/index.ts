export { awsCloudwatchScalerModule as default, awsCloudwatchScalerModule } from './module.js';
export { AwsCloudwatchScaler, cloudWatchQuery, describeCloudWatchQuery } from './scaler.js';
export { awsCloudwatchMetadata, CLOUDWATCH_STANDARD_UNITS, type AwsCloudwatchMetadata } from './metadata.js';
export { computeQueryWindow, type QueryWindow } from './query-window.js';
export {
  CloudWatchBatchOptions,
  CloudWatchQueryBatcher,
  CloudWatchQueryBatcherImpl,
  cloudWatchService,
  isIsolatedQuery,
  isMetricsInsightsQuery,
  MAX_QUERIES_PER_CALL,
  planCalls,
  type CloudWatchQuery,
  type CloudWatchQueryRequest,
  type CloudWatchSeries,
} from './query-batcher.js';
