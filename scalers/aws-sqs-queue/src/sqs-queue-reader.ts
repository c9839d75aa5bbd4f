import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { callAws, CoalescedCalls, toScalerError, type AwsCallContext, type AwsServiceDescriptor } from '@updraft/aws-common';
import { BackendCalls, ScalerError } from '@updraft/core';
import { inject, injectable } from 'inversify';

/** The SQS client of the shared AWS client pool. */
export const sqsService: AwsServiceDescriptor<SQSClient> = {
  service: 'sqs',
  // KEDA's Go SDK sends every call to the region's (or awsEndpoint's) endpoint, not to the queue URL's host.
  create: (config) => new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
};

/** The attributes a queue length is summed from; all three are asked for, so triggers with different flags share a call. */
export const QUEUE_LENGTH_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

export type QueueLengthAttribute = (typeof QUEUE_LENGTH_ATTRIBUTES)[number];

/** Where a queue is and how to talk about it. */
export interface SqsQueueRef {
  /** The trigger's `queueURL`: a URL, or a bare queue name that GetQueueUrl resolves. */
  readonly queue: string;
  /** Context for counting and errors (`identity` so that errors say who signed, and never a secret). */
  readonly context: Omit<AwsCallContext, 'backend' | 'operation'>;
}

function isQueueUrl(queue: string): boolean {
  return /^https?:\/\//i.test(queue);
}

/**
 * Reads a queue's length attributes for every trigger of one SQS client: triggers on the same queue
 * polled at the same time share one GetQueueAttributes call, and a bare queue name is resolved with
 * GetQueueUrl once per client. Nothing else is kept: the value of each call belongs to the callers
 * waiting for it.
 */
@injectable()
export class SqsQueueReader {
  private readonly attributeCalls = new WeakMap<SQSClient, CoalescedCalls<Record<string, string>>>();
  private readonly urlCalls = new WeakMap<SQSClient, CoalescedCalls<string>>();
  /** Queue URLs by name, per client: the client is shared per identity, region and endpoint, and dropped with its last trigger. */
  private readonly queueUrls = new WeakMap<SQSClient, Map<string, string>>();

  constructor(@inject(BackendCalls) private readonly calls: BackendCalls) {}

  async readAttributes(client: SQSClient, ref: SqsQueueRef, signal: AbortSignal): Promise<Record<string, string>> {
    const queueUrl = await this.queueUrl(client, ref, signal);
    const calls = this.attributeCalls.get(client) ?? new CoalescedCalls<Record<string, string>>();
    this.attributeCalls.set(client, calls);
    const context: AwsCallContext = { ...ref.context, backend: 'aws-sqs', operation: 'GetQueueAttributes' };
    try {
      return await calls.run(queueUrl, signal, (shared) =>
        callAws(this.calls, context, shared, async (abortSignal) => {
          const output = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...QUEUE_LENGTH_ATTRIBUTES] }), { abortSignal });
          return output.Attributes ?? {};
        }),
      );
    } catch (error) {
      const failure = toScalerError(error, context, signal);
      // A queue that was deleted (and perhaps recreated elsewhere) is looked up again next time.
      if (failure.kind === 'not-found' && !isQueueUrl(ref.queue)) this.queueUrls.get(client)?.delete(ref.queue);
      throw failure;
    }
  }

  private async queueUrl(client: SQSClient, ref: SqsQueueRef, signal: AbortSignal): Promise<string> {
    if (isQueueUrl(ref.queue)) return ref.queue;
    const known = this.queueUrls.get(client)?.get(ref.queue);
    if (known !== undefined) return known;
    const calls = this.urlCalls.get(client) ?? new CoalescedCalls<string>();
    this.urlCalls.set(client, calls);
    const context: AwsCallContext = { ...ref.context, backend: 'aws-sqs', operation: 'GetQueueUrl' };
    try {
      const url = await calls.run(ref.queue, signal, (shared) =>
        callAws(this.calls, context, shared, async (abortSignal) => {
          const output = await client.send(new GetQueueUrlCommand({ QueueName: ref.queue }), { abortSignal });
          if (!output.QueueUrl) throw new ScalerError(`aws-sqs GetQueueUrl for ${ref.context.subject} answered without a QueueUrl`, 'bad-response');
          return output.QueueUrl;
        }),
      );
      const urls = this.queueUrls.get(client) ?? new Map<string, string>();
      urls.set(ref.queue, url);
      this.queueUrls.set(client, urls);
      return url;
    } catch (error) {
      throw toScalerError(error, context, signal);
    }
  }
}
