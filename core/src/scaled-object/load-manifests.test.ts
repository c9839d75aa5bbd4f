import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalerRegistry } from '../scaler-registry.js';
import { testRegistry } from './registry.test.fixture.js';
import { diagnose, load, yaml } from './yaml.test.fixture.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await testRegistry();
});

/** A valid prometheus trigger, to complete ScaledObjects whose point is elsewhere. */
const HEADER = yaml`
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata:
    name: worker
    namespace: default
  spec:
    scaleTargetRef:
      name: worker
`;

interface Case {
  readonly name: string;
  readonly files: string | Record<string, string>;
  readonly unresolved?: 'warning' | 'error';
  readonly expected: readonly string[];
}

function table(cases: readonly Case[]) {
  it.each(cases)('$name', ({ files, unresolved, expected }) => {
    expect(diagnose(registry, files, unresolved ? { unresolved } : {})).toEqual(expected);
  });
}

describe('YAML documents', () => {
  table([
    { name: 'an empty file is a notice', files: '', expected: ['so.yaml:1:1: notice: empty file: it holds no YAML document'] },
    { name: 'a file of comments only is a notice', files: '# nothing here\n', expected: ['so.yaml:1:1: notice: empty file: it holds no YAML document'] },
    {
      name: 'an empty document between two is a notice',
      files: yaml`
        apiVersion: v1
        kind: Namespace
        metadata: {name: apps}
        ---
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: jobs}
      `,
      expected: [
        'so.yaml:2:7: apps: notice: skipped: kind Namespace is not read by updraft',
        'so.yaml:4:1: notice: empty YAML document, skipped',
        'so.yaml:7:7: jobs: notice: skipped: kind Namespace is not read by updraft',
      ],
    },
    {
      name: 'a syntax error is one error at its position, and other documents are still read',
      files: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
      `,
      expected: [
        'so.yaml:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }',
        'so.yaml:6:7: web: notice: skipped: kind Service is not read by updraft',
      ],
    },
    {
      name: 'a duplicate key is a YAML error (the API server refuses it too)',
      files: yaml`
        apiVersion: v1
        kind: Secret
        kind: ConfigMap
      `,
      expected: ['so.yaml:3:1: invalid YAML: Map keys must be unique'],
    },
    {
      name: 'a document that is not a mapping is an error',
      files: '- apiVersion: v1\n  kind: Secret\n',
      expected: ['so.yaml:1:1: a Kubernetes object must be a mapping with apiVersion, kind and metadata, got a list'],
    },
    {
      name: 'a mapping without apiVersion and kind is an error for each',
      files: 'replicas: 3\n',
      expected: [
        'so.yaml:1:1: apiVersion: required field is missing: every Kubernetes object has an apiVersion and a kind',
        'so.yaml:1:1: kind: required field is missing: every Kubernetes object has an apiVersion and a kind',
      ],
    },
    {
      name: 'kinds Updraft does not read are skipped with a notice',
      files: yaml`
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: shop}
      `,
      expected: ['so.yaml:2:7: shop/web: notice: skipped: kind HorizontalPodAutoscaler is not read by updraft'],
    },
    {
      name: 'a ScaledJob is a notice: not supported',
      files: yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledJob
        metadata: {name: batch}
      `,
      expected: ['so.yaml:2:7: batch: notice: skipped: ScaledJobs are not supported; Updraft serves ScaledObjects to the HPA, and KEDA runs ScaledJobs itself'],
    },
    {
      name: 'a known kind with the wrong apiVersion is an error naming the right one',
      files: yaml`
        apiVersion: keda.sh/v1beta1
        kind: ScaledObject
        metadata: {name: worker}
      `,
      expected: ['so.yaml:1:13: default/worker: apiVersion: a ScaledObject must have apiVersion keda.sh/v1alpha1, got "keda.sh/v1beta1"'],
    },
    {
      name: 'the items of a kind: List are read as objects',
      files: yaml`
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Service
            metadata: {name: web}
          - 42
      `,
      expected: [
        'so.yaml:5:11: web: notice: skipped: kind Service is not read by updraft',
        'so.yaml:7:5: items[1]: a Kubernetes object must be a mapping with apiVersion, kind and metadata',
      ],
    },
    {
      name: 'a second object of the same kind, namespace and name is an error',
      files: {
        'a.yaml': yaml`
          apiVersion: v1
          kind: Secret
          metadata: {name: creds}
        `,
        'b.yaml': yaml`
          apiVersion: v1
          kind: Secret
          metadata: {name: creds, namespace: default}
          ---
          apiVersion: v1
          kind: Secret
          metadata: {name: creds, namespace: other}
        `,
      },
      expected: ['b.yaml:3:18: default/creds: metadata.name: duplicate Secret default/creds: it is already defined at a.yaml:1:1; this one is ignored'],
    },
    {
      name: 'diagnostics are sorted by file, then line and column',
      files: {
        'z.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: z}\n',
        'a.yaml': '---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n',
      },
      expected: [
        'a.yaml:1:1: notice: empty YAML document, skipped',
        'a.yaml:4:7: a: notice: skipped: kind Service is not read by updraft',
        'z.yaml:2:7: z: notice: skipped: kind Service is not read by updraft',
      ],
    },
  ]);
});

describe('ScaledObject structure', () => {
  table([
    {
      name: 'standard Kubernetes fields are accepted: labels, annotations, status',
      files: yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: worker
          namespace: shop
          labels: {app: worker}
          annotations: {autoscaling.keda.sh/paused: "false"}
          uid: 0b6f
          resourceVersion: "42"
          generation: 3
          creationTimestamp: 2024-01-01T00:00:00Z
          finalizers: [finalizer.keda.sh]
        spec:
          scaleTargetRef: {name: worker}
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
        status:
          conditions: [{type: Ready, status: "True"}]
          externalMetricNames: [s0-prometheus]
      `,
      expected: [],
    },
    {
      name: 'an unknown field is reported at its key, with a did-you-mean when close',
      files: yaml`
        ${HEADER}
          pollingIntervall: 15
          triggerz: []
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
              authRef: {name: x}
      `,
      expected: [
        'so.yaml:9:3: default/worker: spec.pollingIntervall: unknown field; did you mean "pollingInterval"?',
        'so.yaml:10:3: default/worker: spec.triggerz: unknown field; did you mean "triggers"?',
        'so.yaml:14:7: default/worker: spec.triggers[0].authRef: unknown field; allowed here: type, name, metadata, authenticationRef, metricType, useCachedMetrics',
      ],
    },
    {
      name: 'an unquoted metadata value is a warning (KEDA docs write some), read as the text it was written as',
      files: yaml`
        ${HEADER}
          triggers:
            - type: prometheus
              metadata:
                serverAddress: http://prometheus:9090
                query: up
                threshold: 5.0
                ignoreNullValues: yes
      `,
      expected: [
        'so.yaml:14:20: default/worker: spec.triggers[0].metadata.threshold: warning: should be a string: quote it ("5.0"); the Kubernetes API server rejects unquoted numbers and booleans here',
        'so.yaml:15:27: default/worker: spec.triggers[0].metadata.ignoreNullValues: warning: should be a string: quote it ("yes"); the Kubernetes API server rejects unquoted numbers and booleans here',
        // YAML 1.1 reads `yes` as a boolean, but KEDA's ParseBool does not take the text "yes".
        'so.yaml:15:27: default/worker: spec.triggers[0].metadata.ignoreNullValues: must be true or false, got "yes"',
      ],
    },
    {
      name: 'Utilization is refused with KEDA\'s message on an external trigger',
      files: yaml`
        ${HEADER}
          triggers:
            - type: prometheus
              metricType: Utilization
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        "so.yaml:11:19: default/worker: spec.triggers[0].metricType: 'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'",
      ],
    },
    {
      name: 'enums: metricType, fallback.behavior, authenticationRef.kind',
      files: yaml`
        ${HEADER}
          fallback: {failureThreshold: 3, replicas: 2, behavior: sometimes}
          triggers:
            - type: prometheus
              metricType: averageValue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
              authenticationRef: {name: auth, kind: Secret}
      `,
      expected: [
        'so.yaml:9:58: default/worker: spec.fallback.behavior: must be one of "static", "currentReplicas", "currentReplicasIfHigher", "currentReplicasIfLower", "scalingModifiers", got "sometimes"',
        'so.yaml:12:19: default/worker: spec.triggers[0].metricType: must be one of "AverageValue", "Value", got "averageValue"; did you mean "AverageValue"?',
        'so.yaml:14:45: default/worker: spec.triggers[0].authenticationRef.kind: must be one of "TriggerAuthentication", "ClusterTriggerAuthentication", got "Secret"',
      ],
    },
    {
      name: 'minimums and integers',
      files: yaml`
        ${HEADER}
          pollingInterval: 0
          cooldownPeriod: -1
          initialCooldownPeriod: "10"
          minReplicaCount: 1.5
          maxReplicaCount: 0
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:9:20: default/worker: spec.pollingInterval: must be at least 1, got the number 0',
        'so.yaml:10:19: default/worker: spec.cooldownPeriod: must be at least 0, got the number -1',
        'so.yaml:11:26: default/worker: spec.initialCooldownPeriod: must be an integer, got the string "10": remove the quotes',
        'so.yaml:12:20: default/worker: spec.minReplicaCount: must be a whole number, got 1.5',
        'so.yaml:13:20: default/worker: spec.maxReplicaCount: must be at least 1, got the number 0',
      ],
    },
    {
      name: 'required fields are reported at the mapping that lacks them',
      files: yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          namespace: default
        spec:
          scaleTargetRef:
            kind: Deployment
          fallback:
            failureThreshold: 3
          triggers: []
      `,
      expected: [
        'so.yaml:4:3: metadata.name: required field is missing',
        'so.yaml:7:5: spec.scaleTargetRef.name: required field is missing',
        'so.yaml:9:5: spec.fallback.replicas: required field is missing',
        'so.yaml:10:13: spec.triggers: must list at least 1 entry',
      ],
    },
    {
      name: 'a missing spec, and a trigger without type or metadata',
      files: yaml`
        ${HEADER}
          triggers:
            - name: lonely
        ---
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: empty}
      `,
      expected: [
        'so.yaml:10:7: default/worker: spec.triggers[0].type: required field is missing',
        'so.yaml:10:7: default/worker: spec.triggers[0].metadata: required field is missing',
        'so.yaml:12:1: default/empty: spec: required field is missing',
      ],
    },
  ]);
});

describe("KEDA's rules", () => {
  table([
    {
      name: 'run beside the schema: a typo in one field never hides a rule broken by others',
      files: yaml`
        ${HEADER}
          pollingIntervall: 10
          minReplicaCount: 5
          maxReplicaCount: 2
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:9:3: default/worker: spec.pollingIntervall: unknown field; did you mean "pollingInterval"?',
        'so.yaml:10:20: default/worker: spec.minReplicaCount: minReplicaCount=5 must not be greater than maxReplicaCount=2',
      ],
    },
    {
      name: 'a rule whose field the schema refused is not run on a default in its place',
      files: yaml`
        ${HEADER}
          minReplicaCount: "one"
          idleReplicaCount: 0
          triggers:
            - type: cpu
              metricType: Utilization
              metadata: {value: "60"}
      `,
      expected: [
        'so.yaml:9:20: default/worker: spec.minReplicaCount: must be an integer, got the string "one"',
        'so.yaml:12:13: default/worker: spec.triggers[0].type: warning: cpu is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger',
      ],
    },
    {
      name: 'minReplicaCount must not exceed maxReplicaCount; idleReplicaCount must be below minReplicaCount',
      files: yaml`
        ${HEADER}
          minReplicaCount: 5
          maxReplicaCount: 3
          idleReplicaCount: 5
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:9:20: default/worker: spec.minReplicaCount: minReplicaCount=5 must not be greater than maxReplicaCount=3',
        'so.yaml:11:21: default/worker: spec.idleReplicaCount: idleReplicaCount=5 must be less than minReplicaCount=5',
      ],
    },
    {
      name: 'idleReplicaCount with the default minReplicaCount (0) is refused',
      files: yaml`
        ${HEADER}
          idleReplicaCount: 0
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: ['so.yaml:9:21: default/worker: spec.idleReplicaCount: idleReplicaCount=0 must be less than minReplicaCount=0'],
    },
    {
      name: 'trigger names are unique; useCachedMetrics is refused on cpu, memory and cron',
      files: yaml`
        ${HEADER}
          minReplicaCount: 1
          triggers:
            - type: prometheus
              name: load
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
            - type: cpu
              name: load
              useCachedMetrics: true
              metricType: Utilization
              metadata: {value: "60"}
      `,
      expected: [
        'so.yaml:14:13: default/worker: spec.triggers[1].type: warning: cpu is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger',
        'so.yaml:15:13: default/worker: spec.triggers[1].name: triggerName "load" is defined multiple times in the ScaledObject, but it must be unique',
        'so.yaml:16:25: default/worker: spec.triggers[1].useCachedMetrics: property "useCachedMetrics" is not supported for "cpu" scaler',
      ],
    },
    {
      name: 'fallback is refused when every trigger is cpu or memory (and those alone cannot scale to zero)',
      files: yaml`
        ${HEADER}
          fallback: {failureThreshold: 3, replicas: 6}
          triggers:
            - type: memory
              metricType: Utilization
              metadata: {value: "80"}
      `,
      expected: [
        'so.yaml:9:13: default/worker: spec.fallback: at least one trigger (that is not cpu or memory) has to have the `AverageValue` or `Value` type for the fallback to work',
        "so.yaml:11:5: default/worker: spec.triggers: scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)",
        'so.yaml:11:13: default/worker: spec.triggers[0].type: warning: memory is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger',
      ],
    },
    {
      name: 'fallback with a Value trigger is allowed, as in KEDA',
      files: yaml`
        ${HEADER}
          fallback: {failureThreshold: 3, replicas: 6, behavior: currentReplicasIfHigher}
          triggers:
            - type: prometheus
              metricType: Value
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [],
    },
    {
      name: 'scalingModifiers: a formula needs a target; target and activationTarget must be numbers',
      files: yaml`
        ${HEADER}
          advanced:
            scalingModifiers:
              formula: "queue * 2"
              activationTarget: "one"
          triggers:
            - type: prometheus
              name: queue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
        ---
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: other}
        spec:
          scaleTargetRef: {name: other}
          advanced:
            scalingModifiers: {formula: "queue", target: "-3"}
          triggers:
            - type: prometheus
              name: queue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:11:7: default/worker: spec.advanced.scalingModifiers.target: formula is given but target is empty',
        'so.yaml:12:25: default/worker: spec.advanced.scalingModifiers.activationTarget: must be a number written as a string, got "one"',
        'so.yaml:24:50: default/other: spec.advanced.scalingModifiers.target: must be a number greater than 0, written as a string, got "-3"',
      ],
    },
    {
      name: 'scalingModifiers without a formula is refused',
      files: yaml`
        ${HEADER}
          advanced:
            scalingModifiers: {target: "2"}
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: ['so.yaml:10:23: default/worker: spec.advanced.scalingModifiers.formula: formula is mandatory when scalingModifiers is set'],
    },
    {
      name: 'the formula may only use trigger names (cpu and memory triggers excluded)',
      files: yaml`
        ${HEADER}
          minReplicaCount: 1
          advanced:
            scalingModifiers:
              formula: 'max(queue, 1) + backlog * load'
              target: "10"
          triggers:
            - type: prometheus
              name: queue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
            - type: cpu
              name: load
              metricType: Utilization
              metadata: {value: "60"}
      `,
      expected: [
        'so.yaml:12:33: default/worker: spec.advanced.scalingModifiers.formula: formula uses "backlog", "load", which are not trigger names; the triggers it can use are "queue"',
        'so.yaml:18:13: default/worker: spec.triggers[1].type: warning: cpu is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger',
      ],
    },
    {
      name: 'a formula over unnamed triggers says so',
      files: yaml`
        ${HEADER}
          advanced:
            scalingModifiers: {formula: "queue", target: "1"}
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: ['so.yaml:10:34: default/worker: spec.advanced.scalingModifiers.formula: formula uses "queue", which is not a trigger name; no trigger has a name; set spec.triggers[].name'],
    },
    {
      name: 'the formula is compiled with the expression library: what it refuses, at its own line and column',
      files: yaml`
        ${HEADER}
          advanced:
            scalingModifiers:
              formula: "queue * 2 + sqrt(queue)"
              target: "10"
          triggers:
            - type: prometheus
              name: queue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
        ---
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: syntax}
        spec:
          scaleTargetRef: {name: syntax}
          advanced:
            scalingModifiers:
              target: "1"
              formula: |
                queue &&
                  (queue +
          triggers:
            - type: prometheus
              name: queue
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:11:29: default/worker: spec.advanced.scalingModifiers.formula: the function sqrt() is not allowed in a formula; it may use numbers, trigger names, + - * / % ^, == != < <= > >=, and/or/not (&& || !), c ? a : b, a ?? b, and min, max, abs, ceil, floor',
        'so.yaml:28:19: default/syntax: spec.advanced.scalingModifiers.formula: cannot parse formula "queue &&\\n  (queue +\\n": Unexpected end of expression',
      ],
    },
    {
      name: 'two triggers with the same metric name are refused',
      files: yaml`
        ${HEADER}
          triggers:
            - type: fixed-name
              metadata: {}
            - type: fixed-name
              metadata: {}
      `,
      expected: ['so.yaml:12:7: default/worker: spec.triggers[1]: metricName fixed defined multiple times in ScaledObject worker'],
    },
    {
      name: 'the name is a label value: at most 63 characters, and so is the HPA name',
      files: yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: a-very-long-scaled-object-name-that-is-fine-alone-but-not-for-hpa}
        spec:
          scaleTargetRef: {name: worker}
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: [
        'so.yaml:3:18: default/a-very-long-scaled-object-name-that-is-fine-alone-but-not-for-hpa: metadata.name: scaledobject name "a-very-long-scaled-object-name-that-is-fine-alone-but-not-for-hpa" is 65 characters long; must be no more than 63 characters because it is used as the "scaledobject.keda.sh/name" label value',
      ],
    },
  ]);
});

describe('trigger metadata', () => {
  table([
    {
      name: 'an unknown trigger type is an error at type that lists the known types',
      files: yaml`
        ${HEADER}
          triggers:
            - type: kafka
              metadata: {topic: orders}
      `,
      expected: ['so.yaml:10:13: default/worker: spec.triggers[0].type: unknown trigger type "kafka"; known types: fixed-name, prometheus, test-api, test-queue'],
    },
    {
      name: 'a trigger type one typo away from a known one says which',
      files: yaml`
        ${HEADER}
          triggers:
            - type: prometeus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5"}
      `,
      expected: ['so.yaml:10:13: default/worker: spec.triggers[0].type: unknown trigger type "prometeus"; did you mean "prometheus"?'],
    },
    {
      name: "the scaler's own errors land on the metadata key, the mapping, or the key of an unknown parameter",
      files: yaml`
        ${HEADER}
          triggers:
            - type: prometheus
              metadata:
                query: up
                threshold: ten
                treshold: "5"
      `,
      expected: [
        'so.yaml:12:9: default/worker: spec.triggers[0].metadata: missing required parameter "serverAddress" (set it in metadata)',
        'so.yaml:13:20: default/worker: spec.triggers[0].metadata.threshold: must be a number, got "ten"',
        'so.yaml:14:9: default/worker: spec.triggers[0].metadata.treshold: warning: unknown parameter for prometheus, ignored; did you mean "threshold"?',
      ],
    },
    {
      name: 'a trigger is parsed even when a sibling field is wrong',
      files: yaml`
        ${HEADER}
          triggers:
            - type: prometheus
              metricType: Average
              metadata: {serverAddress: "http://prometheus:9090", query: up}
      `,
      expected: [
        'so.yaml:11:19: default/worker: spec.triggers[0].metricType: must be one of "AverageValue", "Value", got "Average"',
        'so.yaml:12:17: default/worker: spec.triggers[0].metadata: missing required parameter "threshold" (set it in metadata)',
      ],
    },
    {
      name: 'a <name>FromEnv whose workload is not in the files: a warning for validate',
      files: yaml`
        ${HEADER}
          triggers:
            - type: test-queue
              metadata: {hostFromEnv: QUEUE_HOST, listName: jobs}
      `,
      expected: ['so.yaml:11:31: default/worker: spec.triggers[0].metadata.hostFromEnv: warning: cannot resolve env var QUEUE_HOST: the scale target Deployment default/worker is not in these files'],
    },
    {
      name: 'the same unresolved <name>FromEnv is an error for check and serve',
      unresolved: 'error',
      files: yaml`
        ${HEADER}
          triggers:
            - type: test-queue
              metadata: {hostFromEnv: QUEUE_HOST, listName: jobs}
      `,
      expected: ['so.yaml:11:31: default/worker: spec.triggers[0].metadata.hostFromEnv: cannot resolve env var QUEUE_HOST: the scale target Deployment default/worker is not in these files'],
    },
  ]);

  it('does not look cpu and memory up in the registry', async () => {
    const result = load(registry, yaml`
      ${HEADER}
        minReplicaCount: 1
        triggers:
          - type: cpu
            metricType: Utilization
            metadata: {value: "60"}
    `);
    expect(result.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    expect(result.scaledObjects[0]!.triggers[0]).toEqual({ kind: 'resource', index: 0, type: 'cpu', useCachedMetrics: false, line: 11, col: 7, metricType: 'Utilization', metadata: { value: '60' } });
  });
});
