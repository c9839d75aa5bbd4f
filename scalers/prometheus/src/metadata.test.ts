import { describe, expect, it } from 'vitest';
import { BackendCallsImpl, HttpClientImpl, type MetadataInput } from '@updraft/core';
import { prometheusMetadata } from './metadata.js';
import { PrometheusScaler } from './scaler.js';

const base = { serverAddress: 'http://localhost:9090', threshold: '100', query: 'up' };
const errorsOf = (input: MetadataInput) => prometheusMetadata.parse(input).problems.filter((p) => p.severity === 'error');

// KEDA's testPromMetadata (pkg/scalers/prometheus_scaler_test.go), metadata in → error or not.
describe('KEDA testPromMetadata', () => {
  it.each<{ metadata: Record<string, string>; isError: boolean }>([
    { metadata: {}, isError: true },
    { metadata: { ...base, metricName: 'http_requests_total' }, isError: false },
    { metadata: { ...base, namespace: 'foo' }, isError: false },
    { metadata: { ...base, ignoreNullValues: 'false' }, isError: false },
    { metadata: { ...base, activationThreshold: '50' }, isError: false },
    { metadata: { ...base, serverAddress: '' }, isError: true },
    { metadata: { serverAddress: 'http://localhost:9090', query: 'up' }, isError: true },
    { metadata: { ...base, threshold: 'one' }, isError: true },
    { metadata: { ...base, activationThreshold: 'one' }, isError: true },
    { metadata: { ...base, query: '' }, isError: true },
    { metadata: { ...base, ignoreNullValues: 'xxxx' }, isError: true },
    { metadata: { ...base, serverAddress: 'https://localhost:9090', unsafeSsl: 'true' }, isError: false },
    { metadata: { ...base, customHeaders: 'key1=value1,key2=value2' }, isError: false },
    { metadata: { ...base, customHeaders: 'key1=value1,key2' }, isError: true },
    { metadata: { ...base, queryParameters: 'key1=value1,key2=value2' }, isError: false },
    { metadata: { ...base, queryParameters: 'key1=value1,key2' }, isError: true },
    { metadata: { ...base, timeout: '1000' }, isError: false },
    { metadata: { ...base, timeout: '-1' }, isError: true },
    { metadata: { ...base, timeout: 'a' }, isError: true },
  ])('$metadata → error: $isError', ({ metadata, isError }) => {
    expect(errorsOf({ triggerMetadata: metadata }).length > 0).toBe(isError);
  });
});

// KEDA's testPrometheusAuthMetadata: metadata and authParams (and pod identity) → error or not.
describe('KEDA testPrometheusAuthMetadata', () => {
  it.each<{ modes: string | undefined; authParams: Record<string, string> | undefined; podIdentity?: string; isError: boolean }>([
    { modes: 'tls', authParams: { ca: 'caaa', cert: 'ceert', key: 'keey' }, isError: false },
    { modes: 'tls', authParams: { cert: 'ceert', key: 'keey' }, isError: false },
    { modes: 'tls', authParams: { ca: 'caaa', cert: 'ceert' }, isError: true },
    { modes: 'tls', authParams: { ca: 'caaa', key: 'keey' }, isError: true },
    { modes: 'bearer', authParams: { bearerToken: 'tooooken' }, isError: false },
    { modes: 'bearer', authParams: {}, isError: true },
    { modes: 'basic', authParams: { username: 'user', password: 'pass' }, isError: false },
    { modes: 'basic', authParams: {}, isError: true },
    { modes: 'tls, basic', authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', username: 'user', password: 'pass' }, isError: false },
    { modes: 'tls,basic', authParams: { username: 'user', password: 'pass' }, isError: true },
    { modes: 'custom', authParams: { customAuthHeader: 'header', customAuthValue: 'value' }, isError: false },
    { modes: 'custom', authParams: { customAuthHeader: '' }, isError: true },
    { modes: 'custom', authParams: { customAuthValue: '' }, isError: true },
    { modes: 'custom', authParams: { customAuthHeader: 'header\n', customAuthValue: 'value\n' }, isError: false },
    { modes: 'basic', authParams: { username: 'user', password: 'pass' }, podIdentity: 'azure-workload', isError: true },
    { modes: undefined, authParams: undefined, podIdentity: 'azure-workload', isError: false },
    { modes: 'bearer,basic', authParams: { bearerToken: 't', username: 'u' }, isError: true },
    { modes: 'digest', authParams: {}, isError: true },
  ])('authModes $modes with $authParams (pod identity $podIdentity) → error: $isError', ({ modes, authParams, podIdentity, isError }) => {
    const input: MetadataInput = {
      triggerMetadata: { ...base, ...(modes ? { authModes: modes } : {}) },
      ...(authParams ? { authParams } : {}),
      ...(podIdentity ? { podIdentity: { provider: podIdentity } } : {}),
    };
    expect(errorsOf(input).length > 0).toBe(isError);
  });

  it('names what a mode needs, and never prints a credential', () => {
    const problems = prometheusMetadata.parse({ triggerMetadata: { ...base, authModes: 'tls' }, authParams: { cert: 'CERT-SECRET-VALUE' } }).problems;
    expect(problems).toEqual([{ severity: 'error', source: 'triggerMetadata', key: 'authModes', message: 'authModes includes tls, which needs key in the TriggerAuthentication' }]);
  });

  it('authModes may also come from the TriggerAuthentication', () => {
    const { metadata } = prometheusMetadata.parse({ triggerMetadata: base, authParams: { authModes: 'bearer', bearerToken: 't' } });
    expect(metadata?.authModes).toEqual(['bearer']);
  });
});

describe('defaults and coercion', () => {
  it('fills KEDA defaults and types every value', () => {
    const { metadata, problems } = prometheusMetadata.parse({
      triggerMetadata: { ...base, threshold: '100.50', customHeaders: 'X-Scope-OrgID=tenant, X-A=b', queryParameters: 'dedup=true', timeout: '5s' },
    });
    expect(problems).toEqual([]);
    expect(metadata).toEqual({
      serverAddress: 'http://localhost:9090',
      query: 'up',
      threshold: 100.5,
      activationThreshold: 0,
      customHeaders: { 'X-Scope-OrgID': 'tenant', 'X-A': 'b' },
      queryParameters: { dedup: 'true' },
      ignoreNullValues: true,
      timeout: 5000,
      unsafeSsl: false,
      method: 'header',
    });
  });

  it.each([
    { serverAddress: 'http://<prometheus-host>:9090', warns: true },
    { serverAddress: 'prometheus:9090', warns: true },
    { serverAddress: 'ftp://prometheus', warns: true },
    { serverAddress: 'https://prometheus.monitoring.svc:9090/select/0/prometheus', warns: false },
  ])('serverAddress $serverAddress: a warning when it is not an http(s) URL ($warns), never an error, as KEDA takes any string', ({ serverAddress, warns }) => {
    const { metadata, problems } = prometheusMetadata.parse({ triggerMetadata: { ...base, serverAddress } });
    expect(metadata?.serverAddress).toBe(serverAddress);
    expect(problems.map((p) => p.severity)).toEqual(warns ? ['warning'] : []);
  });

  it('metricName is accepted with a warning: KEDA removed it in v2.12 and ignores it', () => {
    const { metadata, problems } = prometheusMetadata.parse({ triggerMetadata: { ...base, metricName: 'http_requests_total' } });
    expect(metadata).toBeDefined();
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', key: 'metricName' })]);
  });

  it('a credential written in metadata is ignored with a warning that says where it belongs', () => {
    const { problems } = prometheusMetadata.parse({ triggerMetadata: { ...base, bearerToken: 'leaked' } });
    expect(problems).toEqual([{ severity: 'warning', source: 'triggerMetadata', key: 'bearerToken', message: 'bearerToken cannot be set in metadata; set it in a TriggerAuthentication; ignored' }]);
  });
});

describe('metric spec', () => {
  it.each([
    { triggerIndex: 0, name: 's0-prometheus' },
    { triggerIndex: 1, name: 's1-prometheus' },
  ])('trigger $triggerIndex is named $name (KEDA prometheusMetricIdentifiers), with a milli target', ({ triggerIndex, name }) => {
    const { metadata } = prometheusMetadata.parse({ triggerMetadata: { ...base, threshold: '100.5' } });
    const scaler = new PrometheusScaler({
      metadata: metadata!,
      triggerType: 'prometheus',
      triggerIndex,
      metricType: 'Value',
      useCachedMetrics: false,
      scaledObject: { namespace: 'default', name: 'so' },
    }, new HttpClientImpl(new BackendCallsImpl()));
    expect(scaler.getMetricSpecs()).toEqual([{ metricName: name, target: 100.5, metricType: 'Value' }]);
  });
});
