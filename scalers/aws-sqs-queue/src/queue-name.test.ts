import { describe, expect, it } from 'vitest';
import { sqsQueueName } from './queue-name.js';

describe('sqsQueueName derives the queue name as KEDA does (url.ParseRequestURI, then /account/queue)', () => {
  it.each([
    // KEDA's test URLs
    ['https://sqs.eu-west-1.amazonaws.com/account_id/DeleteArtifactQ', 'DeleteArtifactQ'],
    ['my-queue', 'my-queue'],
    // a URL: its path is /<account>/<queue>
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo', 'orders.fifo'],
    ['http://localhost:4566/000000000000/local-queue', 'local-queue'],
    ['http://127.0.0.1:9324/queue/default', 'default'],
    ['https://sqs.eu-west-1.amazonaws.com:443/123/q', 'q'],
    ['https://user:pass@sqs.example.com/123/q', 'q'],
    ['https://[::1]:4566/123/q', 'q'],
    ['HTTPS://SQS.EXAMPLE.COM/123/Q', 'Q'],
    ['https://sqs.eu-west-1.amazonaws.com/123/q?Action=GetQueueAttributes', 'q'],
    ['https://sqs.eu-west-1.amazonaws.com/123/my%2Dqueue', 'my-queue'],
    ['ftp://host/123/q', 'q'],
    // no scheme but an absolute path is a request URI too
    ['/123456789012/path-only', 'path-only'],
    // not a request URI: the whole value is the name
    ['sqs.eu-west-1.amazonaws.com/123/q', 'sqs.eu-west-1.amazonaws.com/123/q'],
    ['1queue', '1queue'],
    ['queue_name-1', 'queue_name-1'],
    [':queue', ':queue'],
    ['https://sqs.example.com:port/123/q', 'https://sqs.example.com:port/123/q'],
    ['https://bad host/123/q', 'https://bad host/123/q'],
    ['https://host/123/bad%zzescape', 'https://host/123/bad%zzescape'],
  ])('%s → %s', (queueURL, queueName) => {
    expect(sqsQueueName(queueURL)).toEqual({ ok: true, queueName });
  });

  it.each([
    // KEDA's improper URLs
    'https://sqs.eu-west-1.amazonaws.com/account_id',
    'https://sqs.eu-west-1.amazonaws.com',
    // too many or empty segments
    'https://sqs.eu-west-1.amazonaws.com/123/q/',
    'https://sqs.eu-west-1.amazonaws.com/123/',
    'https://sqs.eu-west-1.amazonaws.com/a/b/c',
    'https://sqs.eu-west-1.amazonaws.com/123/a%2Fb',
    '//sqs.eu-west-1.amazonaws.com/123/q',
    '/just-one',
    // a scheme with a rootless rest is an opaque URI: no path at all
    'queue:name',
    '*',
  ])('%s has no queue name', (queueURL) => {
    const result = sqsQueueName(queueURL);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^queueURL has no queue name: the path of a queue URL is \/<account-id>\/<queue-name>/);
  });
});
