import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalerRegistry } from '../scaler-registry.js';
import { formatDiagnostic } from './diagnostic.js';
import type { ExternalTrigger } from './loaded-trigger.js';
import { testRegistry } from './registry.test.fixture.js';
import { diagnose, load, yaml } from './yaml.test.fixture.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await testRegistry();
});

const SECRET = yaml`
  apiVersion: v1
  kind: Secret
  metadata: {name: creds}
  data:
    port: "NjM4MA=="
    token: "c3VwZXItc2VjcmV0LXRva2Vu"
  stringData:
    pin: not-a-number-SECRET
`;

/** A ScaledObject (from line 1) whose single test-queue trigger uses `ref`. */
function scaledObject(ref: string, metadata = '{host: queue.svc, listName: jobs}'): string {
  return yaml`
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: worker}
    spec:
      scaleTargetRef: {name: worker}
      triggers:
        - type: test-queue
          metadata: ${metadata}
          authenticationRef: ${ref}
  `;
}

describe('authenticationRef', () => {
  it.each([
    {
      name: 'a TriggerAuthentication that is not in the files',
      ref: '{name: queue-auth}',
      expected: ['so.yaml:9:33: default/worker: spec.triggers[0].authenticationRef.name: TriggerAuthentication default/queue-auth not found in these files'],
    },
    {
      name: 'a ClusterTriggerAuthentication that is not in the files',
      ref: '{name: queue-auth, kind: ClusterTriggerAuthentication}',
      expected: ['so.yaml:9:33: default/worker: spec.triggers[0].authenticationRef.name: ClusterTriggerAuthentication queue-auth not found in these files'],
    },
  ])('$name is an error at authenticationRef.name', ({ ref, expected }) => {
    expect(diagnose(registry, scaledObject(ref))).toEqual(expected);
  });

  it('a TriggerAuthentication in another namespace is not found', () => {
    const files = {
      'so.yaml': scaledObject('{name: queue-auth}'),
      'ta.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth, namespace: other}
        spec: {}
      `,
    };
    expect(diagnose(registry, files)).toEqual(['so.yaml:9:33: default/worker: spec.triggers[0].authenticationRef.name: TriggerAuthentication default/queue-auth not found in these files']);
  });
});

describe('secretTargetRef and configMapTargetRef', () => {
  it('resolves parameters from Secrets (base64 data and stringData) and ConfigMaps', () => {
    const result = load(registry, {
      'secret.yaml': SECRET,
      'ta.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: queue-settings}
        data: {user: worker}
        ---
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          secretTargetRef:
            - {parameter: password, name: creds, key: token}
            - {parameter: port, name: creds, key: port}
          configMapTargetRef:
            - {parameter: username, name: queue-settings, key: user}
      `,
      'so.yaml': scaledObject('{name: queue-auth}'),
    });
    expect(result.diagnostics).toEqual([]);
    const trigger = result.scaledObjects[0]!.triggers[0] as ExternalTrigger;
    expect(trigger.input.authParams).toEqual({ username: 'worker', password: 'super-secret-token', port: '6380' });
    expect(trigger.metadata).toMatchObject({ username: 'worker', password: 'super-secret-token', port: 6380 });
    expect(result.triggerAuthentications).toMatchObject([
      { kind: 'TriggerAuthentication', namespace: 'default', name: 'queue-auth', file: 'ta.yaml', line: 6, params: { username: 'worker' }, origins: { password: 'Secret default/creds key "token"' } },
    ]);
  });

  it('a key missing from a Secret in the files is an error at that entry, and the ScaledObject using it fails too', () => {
    expect(
      diagnose(registry, {
        'secret.yaml': SECRET,
        'ta.yaml': yaml`
          apiVersion: keda.sh/v1alpha1
          kind: TriggerAuthentication
          metadata: {name: queue-auth}
          spec:
            secretTargetRef:
              - {parameter: password, name: creds, key: password}
              - {parameter: token, name: other-creds, key: token}
            configMapTargetRef:
              - {parameter: username, name: settings, key: user}
        `,
        'so.yaml': scaledObject('{name: queue-auth}'),
      }),
    ).toEqual([
      'so.yaml:9:33: default/worker: spec.triggers[0].authenticationRef.name: TriggerAuthentication default/queue-auth has errors (reported on its own document), so its values are not used',
      // The cluster would lack this key too. The Secret and ConfigMap that are not in the files are not errors.
      'ta.yaml:6:47: default/queue-auth: spec.secretTargetRef[0].key: Secret default/creds has no key "password"; its keys: port, token, pin',
    ]);
  });

  describe('a Secret or ConfigMap that is not in the files: only the cluster can supply it', () => {
    const files = {
      'ta.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: api-auth}
        spec:
          configMapTargetRef:
            - {parameter: authModes, name: api-settings, key: modes}
          secretTargetRef:
            - {parameter: bearerToken, name: api-secret, key: token}
            - {parameter: accessKey, name: api-secret, key: key}
      `,
      'so.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: api}
        spec:
          scaleTargetRef: {name: api}
          triggers:
            - type: prometheus
              metadata: {serverAddress: "http://prometheus:9090", query: up, threshold: "5", authModes: bearer}
              authenticationRef: {name: api-auth}
            - type: test-api
              metadata: {url: "http://api"}
              authenticationRef: {name: api-auth}
      `,
    };
    const reason = (parameter: string, ref: string) =>
      `cannot resolve ${parameter}: Secret default/api-secret is not in these files; only the cluster can supply it (${ref} of TriggerAuthentication default/api-auth)`;
    // Reported once per trigger that reads it, at its authenticationRef, and not on the TriggerAuthentication.
    const expected = (severity: string) => [
      `so.yaml:9:26: default/api: spec.triggers[0].authenticationRef: ${severity}${reason('bearerToken', 'secretTargetRef[0]')}`,
      `so.yaml:12:26: default/api: spec.triggers[1].authenticationRef: ${severity}${reason('accessKey', 'secretTargetRef[1]')}`,
    ];

    it('is a warning for validate: no "missing required" error, no rule run on a guess, and the TriggerAuthentication is fine', () => {
      const result = load(registry, files);
      // Not: missing required parameter "accessKey"; not: authModes includes bearer, which needs bearerToken.
      expect(result.diagnostics.map(formatDiagnostic)).toEqual(expected('warning: '));
      expect(result.triggerAuthentications).toMatchObject([{ name: 'api-auth', params: {} }]);
      expect(result.triggerAuthentications[0]!.unresolved).toEqual(
        new Map([
          ['authModes', 'ConfigMap default/api-settings is not in these files; only the cluster can supply it (configMapTargetRef[0] of TriggerAuthentication default/api-auth)'],
          ['bearerToken', 'Secret default/api-secret is not in these files; only the cluster can supply it (secretTargetRef[0] of TriggerAuthentication default/api-auth)'],
          ['accessKey', 'Secret default/api-secret is not in these files; only the cluster can supply it (secretTargetRef[1] of TriggerAuthentication default/api-auth)'],
        ]),
      );
      const triggers = result.scaledObjects[0]!.triggers as ExternalTrigger[];
      expect(triggers.map((trigger) => trigger.metadata)).toEqual([undefined, undefined]);
      expect(triggers[1]!.input.unresolved?.authParams?.get('accessKey')).toMatch(/^Secret default\/api-secret is not in these files/);
    });

    it('is an error for check and serve, which need every value', () => {
      const result = load(registry, files, { unresolved: 'error' });
      expect(result.diagnostics.map(formatDiagnostic)).toEqual(expected(''));
      expect(result.scaledObjects).toEqual([]);
      expect(result.triggerAuthentications).toHaveLength(1);
    });

    it('a value the trigger metadata gives first is not affected', () => {
      // authModes is read from the metadata before authParams, so its ConfigMap does not matter here.
      expect(diagnose(registry, files).join('\n')).not.toContain('authModes');
    });
  });

  it("a ClusterTriggerAuthentication reads its Secrets in KEDA's namespace", () => {
    const cta = yaml`
      apiVersion: keda.sh/v1alpha1
      kind: ClusterTriggerAuthentication
      metadata: {name: queue-auth}
      spec:
        secretTargetRef:
          - {parameter: password, name: creds, key: token}
    `;
    const so = scaledObject('{name: queue-auth, kind: ClusterTriggerAuthentication}');
    expect(diagnose(registry, { 'secret.yaml': SECRET, 'cta.yaml': cta, 'so.yaml': so })).toEqual([
      "so.yaml:9:26: default/worker: spec.triggers[0].authenticationRef: warning: cannot resolve password: Secret keda/creds is not in these files; only the cluster can supply it (secretTargetRef[0] of ClusterTriggerAuthentication queue-auth; KEDA reads a ClusterTriggerAuthentication's Secrets in its own namespace, keda)",
    ]);
    const inKeda = SECRET.replace('{name: creds}', '{name: creds, namespace: keda}');
    const result = load(registry, { 'secret.yaml': inKeda, 'cta.yaml': cta, 'so.yaml': so });
    expect(result.diagnostics).toEqual([]);
    expect((result.scaledObjects[0]!.triggers[0] as ExternalTrigger).input.authParams).toEqual({ password: 'super-secret-token' });
    expect(result.triggerAuthentications[0]).toMatchObject({ kind: 'ClusterTriggerAuthentication', name: 'queue-auth' });
    expect(result.triggerAuthentications[0]!.namespace).toBeUndefined();
  });

  it('an authParams value the scaler refuses is reported at authenticationRef, naming its source but not its value', () => {
    const result = load(registry, {
      'secret.yaml': SECRET,
      'ta.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          secretTargetRef:
            - {parameter: port, name: creds, key: pin}
      `,
      'so.yaml': scaledObject('{name: queue-auth}'),
    });
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.path}: ${d.message}`)).toEqual([
      'so.yaml:9:26: spec.triggers[0].authenticationRef: authParams "port": must be an integer, got <redacted> (from TriggerAuthentication default/queue-auth, Secret default/creds key "pin")',
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain('not-a-number-SECRET');
  });
});

describe('TriggerAuthentication documents', () => {
  it('are validated against the schema, with unknown fields and KEDA rules', () => {
    expect(
      diagnose(registry, yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          secretTargetRefs: []
          env:
            - {parameter: password}
          podIdentity: {provider: aws, roleArn: "arn:aws:iam::1:role/x", identityOwner: workload}
          filePath: /etc/keda/params.json
      `),
    ).toEqual([
      'so.yaml:5:3: default/queue-auth: spec.secretTargetRefs: unknown field; did you mean "secretTargetRef"?',
      'so.yaml:7:7: default/queue-auth: spec.env[0].name: required field is missing',
    ]);
    expect(
      diagnose(registry, yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          podIdentity: {provider: aws, roleArn: "arn:aws:iam::1:role/x", identityOwner: workload}
          filePath: /etc/keda/params.json
      `),
    ).toEqual([
      "so.yaml:5:41: default/queue-auth: spec.podIdentity.roleArn: roleArn of PodIdentity can't be set if KEDA isn't identityOwner",
      'so.yaml:6:3: default/queue-auth: spec.filePath: filePath is only supported for ClusterTriggerAuthentication',
      "so.yaml:6:3: default/queue-auth: spec.filePath: warning: values from a file on the KEDA pod can only be resolved in a cluster; Updraft's file source cannot reach them",
    ]);
  });

  it('secret stores only a cluster reaches are a warning on the document, and an unresolved parameter for the trigger', () => {
    const files = {
      'ta.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          podIdentity: {provider: none}
          hashiCorpVault:
            address: https://vault:8200
            authentication: kubernetes
            role: keda
            secrets:
              - {parameter: password, path: secret/data/queue, key: password}
      `,
      'so.yaml': scaledObject('{name: queue-auth}'),
    };
    expect(diagnose(registry, files)).toEqual([
      'so.yaml:9:26: default/worker: spec.triggers[0].authenticationRef: warning: cannot resolve password: it comes from hashiCorpVault in TriggerAuthentication default/queue-auth, which only a cluster can resolve',
      "ta.yaml:6:3: default/queue-auth: spec.hashiCorpVault: warning: values from HashiCorp Vault (parameters password) can only be resolved in a cluster; Updraft's file source cannot reach them",
    ]);
    const result = load(registry, files);
    // Valid (warnings only), but its metadata waits for the cluster.
    expect((result.scaledObjects[0]!.triggers[0] as ExternalTrigger).metadata).toBeUndefined();
    expect(diagnose(registry, files, { unresolved: 'error' })[0]).toBe(
      'so.yaml:9:26: default/worker: spec.triggers[0].authenticationRef: cannot resolve password: it comes from hashiCorpVault in TriggerAuthentication default/queue-auth, which only a cluster can resolve',
    );
  });
});

describe('Secrets', () => {
  it('a data value that is not base64 is an error, as for the API server, and is read as written; a value that is not a string is an error; neither is shown', () => {
    const files = {
      'secret.yaml': yaml`
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        data:
          token: "plain-text-password!"
        stringData:
          pin: 123456
      `,
      'ta.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: TriggerAuthentication
        metadata: {name: queue-auth}
        spec:
          secretTargetRef:
            - {parameter: password, name: creds, key: token}
      `,
    };
    const result = load(registry, files);
    const diagnostics = result.diagnostics.map(formatDiagnostic);
    expect(diagnostics).toEqual([
      'secret.yaml:5:10: default/creds: data.token: is not valid base64 (standard alphabet, = padding): the Kubernetes API server refuses this Secret; put plain text under stringData',
      'secret.yaml:7:8: default/creds: stringData.pin: must be a string (its value is not shown): quote it; the Kubernetes API server rejects other values here',
    ]);
    expect(diagnostics.join('\n')).not.toMatch(/plain-text-password|123456/);
    expect(result.triggerAuthentications[0]!.params).toEqual({ password: 'plain-text-password!' });
  });

  it('a ConfigMap binaryData value that is not base64 is still an error', () => {
    expect(
      diagnose(registry, yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        binaryData:
          blob: "not base64!"
      `),
    ).toEqual(['so.yaml:5:9: default/settings: binaryData.blob: must be base64-encoded, and this value is not valid base64']);
  });

  it('no Secret value reaches a message, whichever code wrote it', () => {
    // The trigger metadata quotes a value that happens to be a Secret's: it is still hidden.
    const diagnostics = diagnose(registry, {
      'secret.yaml': SECRET,
      'so.yaml': yaml`
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: worker}
        spec:
          scaleTargetRef: {name: worker}
          triggers:
            - type: test-queue
              metadata: {host: h, listName: jobs, listLength: super-secret-token}
      `,
    });
    expect(diagnostics).toEqual(['so.yaml:8:55: default/worker: spec.triggers[0].metadata.listLength: must be an integer, got "<redacted>"']);
  });
});
