import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalerRegistry } from '../scaler-registry.js';
import type { ExternalTrigger } from './loaded-trigger.js';
import { testRegistry } from './registry.test.fixture.js';
import { diagnose, load, yaml } from './yaml.test.fixture.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await testRegistry();
});

const DATA = yaml`
  apiVersion: v1
  kind: Secret
  metadata: {name: queue-secret}
  stringData: {password: hunter2-queue, port: "6380"}
  ---
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: queue-config}
  data: {QUEUE_HOST: from-config, LIST: jobs}
`;

const WORKLOAD = yaml`
  apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: worker}
  spec:
    template:
      spec:
        containers:
          - name: sidecar
            env:
              - {name: USER, value: sidecar-user}
          - name: app
            envFrom:
              - configMapRef: {name: queue-config}
              - secretRef: {name: queue-secret}
                prefix: QUEUE_
              - secretRef: {name: optional-secret, optional: true}
            env:
              - {name: DOMAIN, value: svc.cluster.local}
              - {name: HOST, value: "queue.$(DOMAIN)"}
              - {name: LITERAL, value: "$$(DOMAIN)"}
              - name: POD_NAME
                valueFrom: {fieldRef: {fieldPath: metadata.name}}
              - name: PASSWORD
                valueFrom: {secretKeyRef: {name: queue-secret, key: password}}
              - name: MISSING_KEY
                valueFrom: {secretKeyRef: {name: queue-secret, key: nope}}
              - name: OPTIONAL_KEY
                valueFrom: {configMapKeyRef: {name: absent-config, key: x, optional: true}}
              - name: ABSENT_SECRET
                valueFrom: {secretKeyRef: {name: absent-secret, key: x}}
`;

function scaledObject(metadata: string, extra = ''): string {
  return yaml`
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: worker}
    spec:
      scaleTargetRef: {name: worker, kind: StatefulSet, envSourceContainerName: app}
      triggers:
        - type: test-queue
          metadata: ${metadata}
          ${extra}
  `;
}

describe('the scale target container env', () => {
  it('resolves value, $(VAR), envFrom (with prefix), secretKeyRef and configMap data, as the pod would see them', () => {
    const result = load(registry, { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'so.yaml': scaledObject('{hostFromEnv: HOST, passwordFromEnv: PASSWORD, listName: jobs}') });
    expect(result.diagnostics).toEqual([]);
    const trigger = result.scaledObjects[0]!.triggers[0] as ExternalTrigger;
    expect(trigger.input.resolvedEnv).toEqual({
      QUEUE_HOST: 'from-config',
      LIST: 'jobs',
      QUEUE_password: 'hunter2-queue',
      QUEUE_port: '6380',
      DOMAIN: 'svc.cluster.local',
      HOST: 'queue.svc.cluster.local',
      LITERAL: '$(DOMAIN)',
      PASSWORD: 'hunter2-queue',
    });
    expect(trigger.metadata).toMatchObject({ host: 'queue.svc.cluster.local', password: 'hunter2-queue' });
  });

  it.each([
    { variable: 'POD_NAME', why: 'its value comes from a fieldRef, which only the cluster knows' },
    { variable: 'ABSENT_SECRET', why: 'Secret default/absent-secret is not in these files; only the cluster can supply it' },
  ])('a var only the cluster can supply ($variable) is unresolved, with the reason', ({ variable, why }) => {
    const files = { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'so.yaml': scaledObject(`{hostFromEnv: ${variable}, listName: jobs}`) };
    const expected = (severity: string) => [`so.yaml:8:31: default/worker: spec.triggers[0].metadata.hostFromEnv: ${severity}cannot resolve env var ${variable}: ${why}`];
    expect(diagnose(registry, files)).toEqual(expected('warning: '));
    expect(diagnose(registry, files, { unresolved: 'error' })).toEqual(expected(''));
  });

  it('a var from a key missing in a Secret that is in the files is an error, whatever the policy: the cluster lacks it too', () => {
    const files = { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'so.yaml': scaledObject('{hostFromEnv: MISSING_KEY, listName: jobs}') };
    expect(diagnose(registry, files)).toEqual([
      'so.yaml:8:31: default/worker: spec.triggers[0].metadata.hostFromEnv: cannot resolve env var MISSING_KEY: Secret default/queue-secret has no key "nope"',
    ]);
    expect(load(registry, files).scaledObjects).toEqual([]);
  });

  it('the vars the files tell are resolved, the others are unresolved, one by one', () => {
    const result = load(registry, { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'so.yaml': scaledObject('{hostFromEnv: HOST, passwordFromEnv: ABSENT_SECRET, listName: jobs}') });
    expect(result.diagnostics.map((d) => `${d.path}: ${d.severity}: ${d.message}`)).toEqual([
      'spec.triggers[0].metadata.passwordFromEnv: warning: cannot resolve env var ABSENT_SECRET: Secret default/absent-secret is not in these files; only the cluster can supply it',
    ]);
    const trigger = result.scaledObjects[0]!.triggers[0] as ExternalTrigger;
    expect(trigger.input.resolvedEnv).toMatchObject({ HOST: 'queue.svc.cluster.local', PASSWORD: 'hunter2-queue' });
    expect(Object.keys(trigger.input.resolvedEnv!)).not.toContain('ABSENT_SECRET');
    expect(trigger.input.unresolved?.env).toEqual(
      new Map([
        ['POD_NAME', 'its value comes from a fieldRef, which only the cluster knows'],
        ['MISSING_KEY', 'Secret default/queue-secret has no key "nope"'],
        ['ABSENT_SECRET', 'Secret default/absent-secret is not in these files; only the cluster can supply it'],
      ]),
    );
    // One value is unknown, so there is no metadata to build a scaler from until the cluster has it.
    expect(trigger.metadata).toBeUndefined();
  });

  it('a Deployment var from a Secret not in the files is unresolved, and a plain value beside it still resolves', () => {
    const files = {
      'deployment.yaml': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
                - name: app
                  env:
                    - {name: QUEUE_HOST, value: queue.default.svc}
                    - name: QUEUE_PASSWORD
                      valueFrom: {secretKeyRef: {name: queue-secret, key: password}}
                    - {name: QUEUE_URL, value: "redis://:$(QUEUE_PASSWORD)@$(QUEUE_HOST)"}
      `,
      'so.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: web}
        spec:
          scaleTargetRef: {name: web}
          triggers:
            - type: test-queue
              metadata: {hostFromEnv: QUEUE_HOST, passwordFromEnv: QUEUE_PASSWORD, listName: jobs}
      `,
    };
    const reason = 'Secret default/queue-secret is not in these files; only the cluster can supply it';
    const expected = (severity: string) => [`so.yaml:8:60: default/web: spec.triggers[0].metadata.passwordFromEnv: ${severity}cannot resolve env var QUEUE_PASSWORD: ${reason}`];
    expect(diagnose(registry, files)).toEqual(expected('warning: '));
    expect(diagnose(registry, files, { unresolved: 'error' })).toEqual(expected(''));

    const trigger = load(registry, files).scaledObjects[0]!.triggers[0] as ExternalTrigger;
    // The known var is passed as the pod has it; a var that expands an unknown one is unknown too.
    expect(trigger.input.resolvedEnv).toEqual({ QUEUE_HOST: 'queue.default.svc' });
    expect(trigger.input.unresolved).toEqual({
      env: new Map([
        ['QUEUE_PASSWORD', reason],
        ['QUEUE_URL', `it uses $(QUEUE_PASSWORD), and QUEUE_PASSWORD: ${reason}`],
      ]),
    });
    expect(trigger.metadata).toBeUndefined();
    expect(load(registry, files, { unresolved: 'error' }).scaledObjects).toEqual([]);
  });

  it('a var that is simply not set is reported by the scaler declaration', () => {
    expect(diagnose(registry, { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'so.yaml': scaledObject('{hostFromEnv: NOT_SET, listName: jobs}') })).toEqual([
      "so.yaml:8:17: default/worker: spec.triggers[0].metadata: missing required parameter \"host\" (set it in metadata or hostFromEnv); hostFromEnv names NOT_SET, which the scale target's container does not set",
    ]);
  });

  it('a missing envFrom source makes any var not found unresolved', () => {
    const workload = WORKLOAD.replace('{name: optional-secret, optional: true}', '{name: optional-secret}');
    expect(diagnose(registry, { 'data.yaml': DATA, 'workload.yaml': workload, 'so.yaml': scaledObject('{hostFromEnv: NOT_SET, listName: jobs}') })).toEqual([
      'so.yaml:8:31: default/worker: spec.triggers[0].metadata.hostFromEnv: warning: cannot resolve env var NOT_SET: it may come from envFrom Secret default/optional-secret, which is not in these files; only the cluster can supply it',
    ]);
  });

  it('envSourceContainerName must name a container of the workload', () => {
    const so = scaledObject('{host: h, listName: jobs}').replace('envSourceContainerName: app', 'envSourceContainerName: web');
    expect(diagnose(registry, { 'workload.yaml': WORKLOAD, 'so.yaml': so })).toEqual([
      'so.yaml:5:77: default/worker: spec.scaleTargetRef.envSourceContainerName: StatefulSet default/worker has no container named "web"',
    ]);
  });

  it('a scale target that is not a Deployment or StatefulSet leaves the env unknown', () => {
    const so = scaledObject('{hostFromEnv: HOST, listName: jobs}').replace('kind: StatefulSet,', 'apiVersion: argoproj.io/v1alpha1, kind: Rollout,');
    expect(diagnose(registry, { 'workload.yaml': WORKLOAD, 'so.yaml': so })).toEqual([
      'so.yaml:8:31: default/worker: spec.triggers[0].metadata.hostFromEnv: warning: cannot resolve env var HOST: updraft reads env from apps/v1 Deployments and StatefulSets, and the scale target is argoproj.io/v1alpha1 Rollout',
    ]);
  });
});

describe('TriggerAuthentication env[]', () => {
  const TA = yaml`
    apiVersion: keda.sh/v1alpha1
    kind: TriggerAuthentication
    metadata: {name: queue-auth}
    spec:
      env:
        - {parameter: password, name: PASSWORD, containerName: app}
        - {parameter: username, name: USER}
        - {parameter: port, name: NOT_SET, containerName: app}
  `;

  it('reads the named container, or the first one, and warns about a var that is not set', () => {
    const result = load(registry, { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'ta.yaml': TA, 'so.yaml': scaledObject('{host: h, listName: jobs}', 'authenticationRef: {name: queue-auth}') });
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`)).toEqual([
      'so.yaml:9:26: warning: TriggerAuthentication default/queue-auth env[2]: env var NOT_SET is not set in container "app" of StatefulSet default/worker, so parameter "port" is empty',
    ]);
    const trigger = result.scaledObjects[0]!.triggers[0] as ExternalTrigger;
    expect(trigger.input.authParams).toEqual({ password: 'hunter2-queue', username: 'sidecar-user' });
    expect(trigger.metadata).toMatchObject({ password: 'hunter2-queue', username: 'sidecar-user', port: 6379 });
  });

  it('a var from a key missing in a Secret that is in the files is an error, whatever the policy', () => {
    const ta = TA.replace('name: PASSWORD, containerName: app', 'name: MISSING_KEY, containerName: app');
    const files = { 'data.yaml': DATA, 'workload.yaml': WORKLOAD, 'ta.yaml': ta, 'so.yaml': scaledObject('{host: h, listName: jobs}', 'authenticationRef: {name: queue-auth}') };
    expect(diagnose(registry, files).filter((line) => !line.includes('NOT_SET'))).toEqual([
      'so.yaml:9:26: default/worker: spec.triggers[0].authenticationRef: cannot resolve password: it comes from env var MISSING_KEY (TriggerAuthentication default/queue-auth env[0]), and Secret default/queue-secret has no key "nope"',
    ]);
  });

  it('when the workload is not in the files, its parameters are unresolved, not missing', () => {
    const files = { 'ta.yaml': TA, 'so.yaml': scaledObject('{host: h, listName: jobs}', 'authenticationRef: {name: queue-auth}') };
    const expected = (severity: string) =>
      ['password', 'username', 'port'].map(
        (parameter, index) =>
          `so.yaml:9:26: default/worker: spec.triggers[0].authenticationRef: ${severity}cannot resolve ${parameter}: it comes from env var ${['PASSWORD', 'USER', 'NOT_SET'][index]} (TriggerAuthentication default/queue-auth env[${index}]), and the scale target StatefulSet default/worker is not in these files`,
      );
    expect(diagnose(registry, files)).toEqual(expected('warning: '));
    expect(diagnose(registry, files, { unresolved: 'error' })).toEqual(expected(''));
    const result = load(registry, files);
    expect(result.scaledObjects).toHaveLength(1);
    expect((result.scaledObjects[0]!.triggers[0] as ExternalTrigger).metadata).toBeUndefined();
    expect(load(registry, files, { unresolved: 'error' }).scaledObjects).toEqual([]);
  });
});
