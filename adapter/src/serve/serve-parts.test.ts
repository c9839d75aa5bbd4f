import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MetricUnavailableError, TriggerFailure, UnknownMetricError, UnknownScaledObjectError } from '@updraft/core';
import { toStatus } from './external-metrics-provider.js';
import { createLogger, ReadableLines } from './logger.js';
import { Readiness } from './readiness.js';
import { forbidden, formatTimestamp, StatusError } from './wire-format.js';

describe('toStatus', () => {
  const failing = (kind: 'unreachable' | 'auth', stage: 'value' | 'timeout' = 'value') =>
    new MetricUnavailableError('s0-x', 'metric:s0-x encountered error: boom', { cause: new TriggerFailure('boom', stage, kind) });

  it('maps the engine’s errors to the Status the HPA logs', () => {
    expect(toStatus(new UnknownScaledObjectError('default', 'w'), 'default', 'w', 's0-x')).toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the metric s0-x for ScaledObject default/w (no such ScaledObject is served)' });
    expect(toStatus(new UnknownMetricError('default', 'w', 's0-x', ['s0-y']), 'default', 'w', 's0-x').message).toBe('the server could not find the metric s0-x for ScaledObject default/w (it serves s0-y)');
    expect(toStatus(failing('unreachable'), 'default', 'w', 's0-x')).toMatchObject({ code: 503, reason: 'ServiceUnavailable', details: { causes: [{ reason: 'unreachable', message: 'boom' }] } });
    expect(toStatus(failing('unreachable', 'timeout'), 'default', 'w', 's0-x')).toMatchObject({ code: 503, details: { causes: [{ reason: 'timeout' }] } });
    expect(toStatus(failing('auth'), 'default', 'w', 's0-x')).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: metric:s0-x encountered error: boom' });
    expect(toStatus(new MetricUnavailableError('s0-x', 'no cause'), 'default', 'w', 's0-x')).toMatchObject({ code: 503 });
    expect(toStatus(new Error('bug'), 'default', 'w', 's0-x').body()).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: bug","reason":"InternalError","details":{"causes":[{"message":"bug"}]},"code":500}');
  });
});

describe('wire format', () => {
  it('writes timestamps as metav1.Time does: UTC, whole seconds, Z', () => {
    expect(formatTimestamp(new Date('2025-09-14T07:05:26.987+02:00'))).toBe('2025-09-14T05:05:26Z');
  });

  it('writes a Status without reason when it has none (KEDA’s plain errors)', () => {
    expect(new StatusError(500, 'scaledObject name is not specified').body()).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"scaledObject name is not specified","code":500}');
  });

  it('writes 403 messages as the apiserver does, with the authorizer’s reason', () => {
    const resource = forbidden('u', { resourceRequest: true, verb: 'list', namespace: 'default', group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 's0-foo' }, '');
    expect(JSON.parse(resource.body())).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 's0-foo.external.metrics.k8s.io is forbidden: User "u" cannot list resource "s0-foo" in API group "external.metrics.k8s.io" in the namespace "default"',
      reason: 'Forbidden',
      details: { group: 'external.metrics.k8s.io', kind: 's0-foo' },
      code: 403,
    });
    expect(forbidden('u', { resourceRequest: false, verb: 'get', path: '/apis' }, 'no RBAC').message).toBe('forbidden: User "u" cannot get path "/apis": no RBAC');
  });
});

describe('Readiness', () => {
  it('answers ok, lists problems that do not fail readiness, and fails while shutting down', () => {
    const readiness = new Readiness();
    let problems: string[] = [];
    readiness.add({ name: 'source files', check: () => ({ ok: true, problems }) });
    expect(readiness.ready(false)).toEqual({ code: 200, body: 'ok' });
    expect(readiness.ready(true).body).toBe('[+]ping ok\n[+]shutdown ok\n[+]source files ok\nreadyz check passed\n');
    problems = ['a.yaml:3:1: invalid YAML'];
    expect(readiness.ready(false)).toEqual({ code: 200, body: '[+]ping ok\n[+]shutdown ok\n[+]source files ok (1 problem):\n    a.yaml:3:1: invalid YAML\nreadyz check passed\n' });
    readiness.markShuttingDown();
    expect(readiness.ready(false).code).toBe(500);
    expect(readiness.ready(false).body).toContain('[-]shutdown failed');
    expect(readiness.live(false)).toEqual({ code: 200, body: 'ok' });
  });
});

describe('createLogger', () => {
  const collect = () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    return { lines, destination: stream as unknown as { write(line: string): void } };
  };

  it('writes JSON lines and redacts credentials at any depth', async () => {
    const { lines, destination } = collect();
    const logger = await createLogger({ level: 'info', format: 'json', destination });
    logger.info({ headers: { authorization: 'Bearer abc' }, token: 't', deep: { config: { password: 'p' } }, user: 'jane' }, 'hello');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'hello', user: 'jane', token: '[redacted]', headers: { authorization: '[redacted]' }, deep: { config: { password: '[redacted]' } } });
    expect(lines.join('')).not.toMatch(/abc|"p"/);
  });

  it('writes readable lines on a terminal', async () => {
    const { lines, destination } = collect();
    const logger = await createLogger({ level: 'debug', format: 'pretty', destination });
    logger.debug({ code: 200, url: '/apis' }, 'request');
    // pino-pretty when it is installed, else the built-in formatter: `12:00:01.234 DEBUG request code=200 url=/apis`.
    const text = lines.join('');
    expect(text).not.toMatch(/^\{/);
    expect(text).toMatch(/DEBUG.*request/);
    expect(text).toContain('200');
  });

  it('ReadableLines passes through what is not JSON', () => {
    const out: string[] = [];
    new ReadableLines({ write: (line: string) => out.push(line) }).write('not json\n');
    expect(out).toEqual(['not json\n']);
  });
});
