import { awsIdentityParams, awsIdentityRule } from '@updraft/aws-common/identity';
import { defineMetadata, p, type MetadataOf, type MetadataRule } from '@updraft/core/metadata';
import { sqsQueueName } from './queue-name.js';

const queueNameRule: MetadataRule<{ readonly queueURL: string }> = (metadata, context) => {
  const name = sqsQueueName(metadata.queueURL);
  if (!name.ok) context.error(name.message, 'queueURL');
};

/** The `aws-sqs-queue` trigger's parameters (KEDA pkg/scalers/aws_sqs_queue_scaler.go). */
export const awsSqsQueueMetadata = defineMetadata(
  {
    queueURL: p
      .string()
      .required()
      .from('triggerMetadata', 'resolvedEnv')
      .describe('URL of the queue (`https://sqs.<region>.amazonaws.com/<account-id>/<queue-name>`), or its bare name.'),
    queueLength: p
      .integer()
      .default(5)
      .check((value) => (value > 0 ? undefined : `must be greater than 0 (the HPA rejects a target of 0 or less), got ${value}`))
      .describe('Target number of messages per replica: the HPA target.'),
    activationQueueLength: p.integer().default(0).describe('The trigger is active when the queue length is above this.'),
    scaleOnInFlight: p.boolean().default(true).describe('Count in-flight messages (`ApproximateNumberOfMessagesNotVisible`).'),
    scaleOnDelayed: p.boolean().default(false).describe('Count delayed messages (`ApproximateNumberOfMessagesDelayed`).'),
    ...awsIdentityParams,
  },
  { rules: [queueNameRule, awsIdentityRule] },
);

export type AwsSqsQueueMetadata = MetadataOf<typeof awsSqsQueueMetadata>;
