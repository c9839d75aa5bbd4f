// A shared library for Updraft's AWS scalers; it contributes no scaler, so it has no default export.
export {
  awsIdentityParams,
  awsIdentityRule,
  awsIdentity,
  describeAwsIdentity,
  AwsIdentityError,
  type AwsIdentity,
  type AwsIdentityMetadata,
} from './aws-identity.js';
export {
  AwsClients,
  AwsClientsImpl,
  type AwsClientConfig,
  type AwsClientLease,
  type AwsClientsStats,
  type AwsCredentials,
  type AwsCredentialsProvider,
  type AwsServiceClient,
  type AwsServiceDescriptor,
  type AwsTarget,
} from './aws-clients.js';
export { awsErrorCode, AwsCredentialsError, callAws, toScalerError, type AwsBackend, type AwsCallContext } from './aws-errors.js';
export { CoalescedCalls } from './coalesced-calls.js';
export { awsCommonModule, bindAwsCommon } from './aws-common-module.js';
