import { formatDiagnostic } from './diagnostic.js';
import { loadManifests, type LoadOptions, type LoadResult } from './load-manifests.js';
import type { ScalerRegistry } from '../scaler-registry.js';

/** Strips the common indent of a template literal, so YAML can sit indented in a test table. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  // A multi-line value continues at the indent where it is placed.
  const text = strings.reduce((out, part, i) => {
    if (i >= values.length) return out + part;
    const before = out + part;
    const indent = before.slice(before.lastIndexOf('\n') + 1).match(/^ */)![0];
    return before + String(values[i]).replace(/\n$/, '').replace(/\n/g, `\n${indent}`);
  }, '');
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** Loads files given as `{ name: text }` (or one text as so.yaml). */
export function load(registry: ScalerRegistry, files: string | Readonly<Record<string, string>>, options: Partial<LoadOptions> = {}): LoadResult {
  const sources = typeof files === 'string' ? [{ file: 'so.yaml', text: files }] : Object.entries(files).map(([file, text]) => ({ file, text }));
  return loadManifests(sources, registry, { unresolved: 'warning', ...options });
}

/** The diagnostics as the CLI prints them: file:line:col: object: path: message. */
export function diagnose(registry: ScalerRegistry, files: string | Readonly<Record<string, string>>, options: Partial<LoadOptions> = {}): string[] {
  return load(registry, files, options).diagnostics.map(formatDiagnostic);
}

/** KEDA's documented Prometheus example (bearer auth from a Secret), plus a queue trigger fed by the Deployment's env. */
export const KEDA_EXAMPLE = yaml`
  apiVersion: v1
  kind: Secret
  metadata:
    name: keda-prom-secret
    namespace: default
  data:
    bearerToken: "QmVhcmVyVG9rZW4xMjM="
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
  ---
  apiVersion: v1
  kind: Secret
  metadata:
    name: queue-secret
  stringData:
    password: s3cr3t-queue-pass
  ---
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: keda-prom-test
    namespace: default
  spec:
    replicas: 1
    selector:
      matchLabels: {app: keda-prom-test}
    template:
      metadata:
        labels: {app: keda-prom-test}
      spec:
        containers:
          - name: app
            image: ghcr.io/example/app:1.0
            env:
              - name: QUEUE_HOST
                value: queue.default.svc
              - name: QUEUE_PASSWORD
                valueFrom:
                  secretKeyRef:
                    name: queue-secret
                    key: password
  ---
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata:
    name: prometheus-scaledobject
    namespace: default
    labels: {team: web}
  spec:
    scaleTargetRef:
      name: keda-prom-test
    fallback:
      failureThreshold: 3
      replicas: 6
    advanced:
      scalingModifiers:
        formula: "requests + queue"
        target: "100"
    triggers:
    - type: prometheus
      name: requests
      metadata:
        serverAddress: http://prometheus.monitoring.svc:9090
        query: sum(rate(http_requests_total{deployment="my-deployment"}[2m]))
        threshold: '100.50'
        activationThreshold: '5.5'
        authModes: "bearer"
      authenticationRef:
        name: keda-prom-creds
    - type: test-queue
      name: queue
      metricType: Value
      metadata:
        hostFromEnv: QUEUE_HOST
        passwordFromEnv: QUEUE_PASSWORD
        listName: jobs
        listLength: "20"
`;
