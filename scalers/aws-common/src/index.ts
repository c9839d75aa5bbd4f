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
