import { beforeAll, expect, it } from 'vitest';
import type { ScalerRegistry } from '../scaler-registry.js';
import { testRegistry } from './registry.test.fixture.js';
import type { ExternalTrigger } from './loaded-trigger.js';
import { formatDiagnostic } from './diagnostic.js';
import { KEDA_EXAMPLE, load, yaml } from './yaml.test.fixture.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await testRegistry();
});

it('loads a KEDA-docs example with zero diagnostics, defaults applied and every value resolved', () => {
  const result = load(registry, { 'example.yaml': KEDA_EXAMPLE }, { unresolved: 'error' });
  expect(result.diagnostics).toEqual([]);
  expect(result.scaledObjects).toEqual([
    {
      namespace: 'default',
      name: 'prometheus-scaledobject',
      file: 'example.yaml',
      line: 52,
      labels: { team: 'web' },
      formula: expect.objectContaining({ source: 'requests + queue', triggerNames: ['requests', 'queue'] }),
      annotations: {},
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'keda-prom-test' },
        pollingInterval: 30,
        initialCooldownPeriod: 0,
        cooldownPeriod: 300,
        minReplicaCount: 0,
        maxReplicaCount: 100,
        fallback: { failureThreshold: 3, replicas: 6, behavior: 'static' },
        advanced: {
          restoreToOriginalReplicaCount: false,
          scalingModifiers: { formula: 'requests + queue', target: 100, activationTarget: 0, metricType: 'AverageValue' },
        },
        triggers: [
          {
            type: 'prometheus',
            name: 'requests',
            metadata: {
              serverAddress: 'http://prometheus.monitoring.svc:9090',
              query: 'sum(rate(http_requests_total{deployment="my-deployment"}[2m]))',
              threshold: '100.50',
              activationThreshold: '5.5',
              authModes: 'bearer',
            },
            authenticationRef: { name: 'keda-prom-creds', kind: 'TriggerAuthentication' },
            metricType: 'AverageValue',
            useCachedMetrics: false,
          },
          {
            type: 'test-queue',
            name: 'queue',
            metadata: { hostFromEnv: 'QUEUE_HOST', passwordFromEnv: 'QUEUE_PASSWORD', listName: 'jobs', listLength: '20' },
            metricType: 'Value',
            useCachedMetrics: false,
          },
        ],
      },
      triggers: [
        {
          kind: 'external',
          index: 0,
          type: 'prometheus',
          name: 'requests',
          useCachedMetrics: false,
          line: 69,
          col: 5,
          metricType: 'AverageValue',
          authenticationRef: { name: 'keda-prom-creds', kind: 'TriggerAuthentication' },
          input: {
            triggerMetadata: {
              serverAddress: 'http://prometheus.monitoring.svc:9090',
              query: 'sum(rate(http_requests_total{deployment="my-deployment"}[2m]))',
              threshold: '100.50',
              activationThreshold: '5.5',
              authModes: 'bearer',
            },
            authParams: { bearerToken: 'BearerToken123' },
            resolvedEnv: { QUEUE_HOST: 'queue.default.svc', QUEUE_PASSWORD: 's3cr3t-queue-pass' },
          },
          metadata: expect.objectContaining({
            serverAddress: 'http://prometheus.monitoring.svc:9090',
            threshold: 100.5,
            activationThreshold: 5.5,
            authModes: ['bearer'],
            bearerToken: 'BearerToken123',
            ignoreNullValues: true,
          }),
          metricSpecs: [{ metricName: 's0-prometheus', target: 100.5, metricType: 'AverageValue' }],
        },
        {
          kind: 'external',
          index: 1,
          type: 'test-queue',
          name: 'queue',
          useCachedMetrics: false,
          line: 79,
          col: 5,
          metricType: 'Value',
          input: {
            triggerMetadata: { hostFromEnv: 'QUEUE_HOST', passwordFromEnv: 'QUEUE_PASSWORD', listName: 'jobs', listLength: '20' },
            authParams: {},
            resolvedEnv: { QUEUE_HOST: 'queue.default.svc', QUEUE_PASSWORD: 's3cr3t-queue-pass' },
          },
          metadata: { host: 'queue.default.svc', password: 's3cr3t-queue-pass', port: 6379, listName: 'jobs', listLength: 20 },
          metricSpecs: [{ metricName: 's1-test-queue-jobs', target: 20, metricType: 'Value' }],
        },
      ],
    },
  ]);
  expect(result.triggerAuthentications).toEqual([
    {
      kind: 'TriggerAuthentication',
      namespace: 'default',
      name: 'keda-prom-creds',
      file: 'example.yaml',
      line: 9,
      spec: { secretTargetRef: [{ parameter: 'bearerToken', name: 'keda-prom-secret', key: 'bearerToken' }] },
      params: { bearerToken: 'BearerToken123' },
      origins: { bearerToken: 'Secret default/keda-prom-secret key "bearerToken"' },
      unresolved: new Map(),
      clusterOnly: [],
    },
  ]);
});

it('reads the same objects from a kind: List, as `kubectl get -o yaml` writes them', () => {
  const documents = KEDA_EXAMPLE.split('---\n');
  const items = documents.map((doc) => doc.trimEnd().split('\n').map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`)).join('\n'));
  const list = `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
  const result = load(registry, { 'list.yaml': list }, { unresolved: 'error' });
  expect(result.diagnostics).toEqual([]);
  expect(result.scaledObjects.map((so) => so.name)).toEqual(['prometheus-scaledobject']);
});

// KEDA's docs (scalers/prometheus, "Example: Bearer Authentication"), verbatim but for the
// ScaledObject's namespace: the docs put it in `keda`, where the TriggerAuthentication is not.
const KEDA_PROMETHEUS_BEARER = yaml`
  apiVersion: v1
  kind: Secret
  metadata:
    name: keda-prom-secret
    namespace: default
  data:
    bearerToken: "BEARER_TOKEN"
    ca: "CUSTOM_CA_CERT"
  ---
  apiVersion: keda.sh/v1alpha1
  kind: TriggerAuthentication
  metadata:
    name: keda-prom-creds
    namespace: default
  spec:
    secretTargetRef:
      - parameter: bearerToken
        name: keda-prom-secret
        key: bearerToken
        # might be required if you're using a custom CA
      - parameter: ca
        name: keda-prom-secret
        key: ca
  ---
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata:
    name: prometheus-scaledobject
    namespace: default
    labels:
      deploymentName: dummy
  spec:
    maxReplicaCount: 12
    scaleTargetRef:
      name: dummy
    triggers:
      - type: prometheus
        metadata:
          serverAddress: http://<prometheus-host>:9090
          threshold: '100'
          query: sum(rate(http_requests_total{deployment="my-deployment"}[2m]))
          authModes: "bearer"
        authenticationRef:
          name: keda-prom-creds
`;

it("refuses the placeholders of KEDA's Prometheus bearer example as the API server would, and still checks the rest", () => {
  const result = load(registry, { 'bearer.yaml': KEDA_PROMETHEUS_BEARER }, { unresolved: 'warning' });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([
    'bearer.yaml:7:16: default/keda-prom-secret: data.bearerToken: is not valid base64 (standard alphabet, = padding): the Kubernetes API server refuses this Secret; put plain text under stringData',
    'bearer.yaml:8:7: default/keda-prom-secret: data.ca: is not valid base64 (standard alphabet, = padding): the Kubernetes API server refuses this Secret; put plain text under stringData',
    'bearer.yaml:39:24: default/prometheus-scaledobject: spec.triggers[0].metadata.serverAddress: warning: "http://<prometheus-host>:9090" is not an http:// or https:// URL; queries to it will fail',
  ]);
  expect(result.diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(['error', 'error', 'warning']);
  // The placeholders are read as written, so the TriggerAuthentication resolves and the trigger is checked in full.
  expect(result.triggerAuthentications[0]!.params).toEqual({ bearerToken: 'BEARER_TOKEN', ca: 'CUSTOM_CA_CERT' });
  const trigger = result.scaledObjects[0]!.triggers[0] as ExternalTrigger;
  expect(trigger.metadata).toMatchObject({ authModes: ['bearer'], bearerToken: 'BEARER_TOKEN', threshold: 100 });
  expect(trigger.metricSpecs).toEqual([{ metricName: 's0-prometheus', target: 100, metricType: 'AverageValue' }]);
});
