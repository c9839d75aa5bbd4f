import { describe, expect, it } from 'vitest';
import { metricNameWithIndex, normalizeString, triggerMetricName } from './metric-name.js';

describe('normalizeString: KEDA kedautil.NormalizeString', () => {
  // KEDA pkg/util/nomalize_string_test.go
  it.each([
    { name: 'replaceAllSlash', input: '/input/', expected: '-input-' },
    { name: 'replaceAllDot', input: '.input.', expected: '-input-' },
    { name: 'replaceAllSemiColon', input: ':input:', expected: '-input-' },
    { name: 'replaceAllPercentage', input: '%input%', expected: '-input-' },
    { name: 'replaceAllOpenedBracket', input: '(input(', expected: '-input-' },
    { name: 'replaceAllClosedBracket', input: ')input)', expected: '-input-' },
    { name: 'replaceCombinedString', input: '/.:%()input/.:%()', expected: '------input------' },
  ])('$name: $input → $expected', ({ input, expected }) => {
    expect(normalizeString(input)).toBe(expected);
  });

  it.each([
    { why: 'case is kept', input: 'DeleteArtifactQ', expected: 'DeleteArtifactQ' },
    { why: 'an SQS queue URL', input: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', expected: 'https---sqs-eu-west-1-amazonaws-com-123456789012-orders' },
    { why: 'a URL-encoded name', input: 'my%2Fqueue', expected: 'my-2Fqueue' },
    { why: 'every other character is kept', input: 'a_b c*d#e{f}g[h]i=j,k;l', expected: 'a_b c*d#e{f}g[h]i=j,k;l' },
    { why: 'the empty string', input: '', expected: '' },
  ])('$why: $input → $expected', ({ input, expected }) => {
    expect(normalizeString(input)).toBe(expected);
  });
});

describe('metric names: s<index>-<name>', () => {
  it.each([
    { index: 0, name: 'prometheus', expected: 's0-prometheus' },
    { index: 1, name: 'prometheus', expected: 's1-prometheus' },
    { index: 0, name: 'aws-sqs-DeleteArtifactQ', expected: 's0-aws-sqs-DeleteArtifactQ' },
    { index: 0, name: 'redis-mylist', expected: 's0-redis-mylist' },
    { index: 12, name: 'redis-streams-my.stream', expected: 's12-redis-streams-my.stream' },
  ])('metricNameWithIndex($index, $name) → $expected (KEDA GenerateMetricNameWithIndex, no normalization)', ({ index, name, expected }) => {
    expect(metricNameWithIndex(index, name)).toBe(expected);
  });

  it.each([
    { index: 0, name: 'prometheus', expected: 's0-prometheus' },
    { index: 2, name: 'aws-sqs-https://sqs.us-east-1.amazonaws.com/1/q.fifo', expected: 's2-aws-sqs-https---sqs-us-east-1-amazonaws-com-1-q-fifo' },
    { index: 3, name: 'redis-jobs:pending', expected: 's3-redis-jobs-pending' },
    { index: 0, name: 'cpu(%)', expected: 's0-cpu---' },
  ])('triggerMetricName($index, $name) → $expected (the name normalized, the prefix kept)', ({ index, name, expected }) => {
    expect(triggerMetricName(index, name)).toBe(expected);
  });
});
