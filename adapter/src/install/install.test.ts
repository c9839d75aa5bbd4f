import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ApiServiceView } from './external-metrics-owner.js';
import { INSTALL_DEFAULTS } from './install-options.js';
import { install, type InstallCommandOptions } from './install.js';
import type { KubeObject } from './kube-object.js';

const crdsDir = mkdtempSync(join(tmpdir(), 'updraft-crds-'));
writeFileSync(join(crdsDir, 'scaledobjects.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: scaledobjects.keda.sh\n');
const options: InstallCommandOptions = { ...INSTALL_DEFAULTS, crdsOnly: false, takeOver: false };

async function run(extra: Partial<InstallCommandOptions>, apiService?: ApiServiceView | Error) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const readApiService = apiService === undefined ? async () => undefined : async () => {
    if (apiService instanceof Error) throw apiService;
    return apiService;
  };
  const code = await install({ ...options, ...extra }, { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) }, { crdsDir, readApiService });
  const objects = parseAllDocuments(stdout.join('\n')).map((d) => d.toJS() as KubeObject).filter(Boolean);
  return { code, objects, stderr: stderr.join('\n') };
}

const keda: ApiServiceView = { metadata: { labels: { 'app.kubernetes.io/name': 'keda-operator' } }, spec: { service: { name: 'keda-operator-metrics-apiserver', namespace: 'keda' } } };

describe('updraft install', () => {
  it('prints the CRDs first, then the namespace, RBAC, the Deployment, and the APIService and webhook last', async () => {
    const { code, objects } = await run({});
    expect(code).toBe(0);
    const kinds = objects.map((o) => o.kind);
    expect(kinds[0]).toBe('CustomResourceDefinition');
    expect(kinds[1]).toBe('Namespace');
    expect(kinds.slice(-2)).toEqual(['APIService', 'ValidatingWebhookConfiguration']);
    expect(kinds.indexOf('Deployment')).toBeGreaterThan(kinds.lastIndexOf('RoleBinding'));
  });

  it('refuses when KEDA serves external.metrics.k8s.io, naming it, unless --take-over', async () => {
    const refused = await run({}, keda);
    expect(refused.code).toBe(1);
    expect(refused.objects).toEqual([]);
    expect(refused.stderr).toContain("KEDA's metrics server (Service keda/keda-operator-metrics-apiserver)");
    expect(refused.stderr).toContain('--take-over');
    const taken = await run({ takeOver: true }, keda);
    expect(taken.code).toBe(0);
    expect(taken.objects.some((o) => o.kind === 'APIService')).toBe(true);
  });

  it("does not refuse its own APIService (an upgrade), and warns when the cluster cannot be asked", async () => {
    const ours: ApiServiceView = { metadata: { labels: { 'app.kubernetes.io/name': 'updraft' } }, spec: { service: { name: 'updraft', namespace: 'updraft' } } };
    expect((await run({}, ours)).code).toBe(0);
    const unreachable = await run({}, new Error('connect ECONNREFUSED 127.0.0.1:6443'));
    expect(unreachable.code).toBe(0);
    expect(unreachable.stderr).toContain('warning: could not check who serves v1beta1.external.metrics.k8s.io: connect ECONNREFUSED');
  });

  it('--crds-only prints the CRDs alone; bad options are one line and exit 2', async () => {
    expect((await run({ crdsOnly: true })).objects.map((o) => o.kind)).toEqual(['CustomResourceDefinition']);
    const bad = await run({ namespace: 'Not_A_Namespace' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('updraft install: --namespace: "Not_A_Namespace" is not a namespace name (lower-case letters, digits and \'-\', at most 63)');
  });

  it('grants Secrets only where configured: never cluster-wide by default', async () => {
    const secretBindings = (objects: KubeObject[]) => objects.filter((o) => (o as { roleRef?: { name?: string } }).roleRef?.name === 'updraft-secrets').map((o) => `${o.kind} ${o.metadata.namespace ?? ''}`);
    expect(secretBindings((await run({})).objects)).toEqual(['RoleBinding updraft']);
    expect(secretBindings((await run({ watchNamespaces: ['shop'] })).objects)).toEqual(['RoleBinding updraft', 'RoleBinding shop']);
    expect(secretBindings((await run({ secretNamespaces: ['*'] })).objects)).toEqual(['ClusterRoleBinding ']);
  });

  it('watching namespaces binds the scaling role in each of them, not cluster-wide', async () => {
    const { objects } = await run({ watchNamespaces: ['shop', 'billing'] });
    const scaling = objects.filter((o) => o.metadata.name === 'updraft-scaling' && o.kind !== 'ClusterRole');
    expect(scaling.map((o) => `${o.kind} ${o.metadata.namespace}`)).toEqual(['RoleBinding shop', 'RoleBinding billing']);
  });

  it('with --cert-manager: Issuers and Certificates, the cainjector annotation, no Secret or caBundle rights', async () => {
    const { objects } = await run({ certManager: true });
    expect(objects.filter((o) => o.apiVersion === 'cert-manager.io/v1').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Issuer/updraft-selfsigned', 'Certificate/updraft-ca', 'Issuer/updraft-ca', 'Certificate/updraft-serving']);
    expect(objects.find((o) => o.kind === 'APIService')!.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'updraft/updraft-serving' });
    expect(JSON.stringify(objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'))).not.toContain('updraft-certs');
  });
});

describe("the Deployment's command line", () => {
  // Parsed by the real `updraft serve` options, so that a renamed or removed serve flag fails here and not in a pod.
  async function parsedByServe(args: readonly string[]): Promise<Record<string, unknown>> {
    const { Command, Option } = await import('commander');
    const { registerServeCommand } = await import('../commands/serve-command.js');
    const program = new Command().exitOverride();
    const errors: string[] = [];
    program.configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => {} });
    const serve = registerServeCommand(program, new Option('--plugin <package>'), { stdout: () => {}, stderr: () => {} }, () => {});
    let parsed: Record<string, unknown> | undefined;
    serve.exitOverride().action(() => {
      parsed = serve.opts();
    });
    await program.parseAsync([...args], { from: 'user' }).catch((error: Error) => {
      throw new Error(`${args.join(' ')}: ${errors.join('') || error.message}`);
    });
    return parsed!;
  }

  function args(objects: KubeObject[]): string[] {
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    return deployment.spec.template.spec.containers[0]!.args;
  }

  it('runs the Kubernetes source, the metrics API and the leader-elected controller, with its own certificates', async () => {
    const flags = await parsedByServe(args((await run({ watchNamespaces: ['shop'], watchLabelSelector: 'shard=a' })).objects));
    expect(flags).toMatchObject({
      source: 'kubernetes', controller: true, metricsApi: true, leaderElect: true, leaderElectId: 'updraft-controller', auth: 'kubernetes',
      certSecret: 'updraft-certs', certApiservice: 'v1beta1.external.metrics.k8s.io', certWebhook: 'updraft-admission',
      watchNamespace: ['shop'], watchLabelSelector: 'shard=a', port: 6443, metricsPort: 8080, service: 'updraft',
    });
  });

  it('with --cert-manager, reads the mounted certificate files instead', async () => {
    const flags = await parsedByServe(args((await run({ certManager: true })).objects));
    expect(flags).toMatchObject({ tlsCert: '/etc/updraft/tls/tls.crt', tlsKey: '/etc/updraft/tls/tls.key' });
    expect(flags.certSecret).toBeUndefined();
  });

  it('a flag serve does not know fails the parse (the check above can fail)', async () => {
    await expect(parsedByServe(['serve', '--no-such-flag=1'])).rejects.toThrow(/unknown option/);
  });
});
