import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmBinary, objectSet, parseObjects, repoRoot, run, updraftInstall } from './render-tools.js';

// `updraft install`, the Helm chart and the kustomize base render the same objects for the same options.

// helm is built by scripts/build-helm (.ci/run does it once per machine); without it the helm tests fail
// with build-helm's message, and the kustomize tests still run.
let helm: string;

async function helmTemplate(namespace: string, set: readonly string[]): Promise<Map<string, unknown>> {
  // `updraft install` prints the Namespace; with helm it is made by --create-namespace, so the chart asks for it.
  const result = await run(helm, ['template', 'updraft', 'deploy/helm/updraft', '--namespace', namespace, '--set', 'createNamespace=true', ...set]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return objectSet(parseObjects(result.stdout));
}

const cases: { name: string; install: string[]; helm: string[]; namespace: string }[] = [
  { name: 'the defaults', install: [], helm: [], namespace: 'updraft' },
  {
    name: 'another namespace, image and replica count, watching two namespaces by label, Secrets in a third',
    install: ['--namespace', 'autoscaling', '--image', 'registry.example/updraft:dev', '--replicas', '3', '--watch-namespace', 'shop,billing', '--watch-label-selector', 'shard=a', '--secret-namespace', 'vault'],
    helm: ['--set', 'image=registry.example/updraft:dev,replicas=3,watchNamespaces={shop,billing},secretNamespaces={vault}', '--set-string', 'watchLabelSelector=shard=a'],
    namespace: 'autoscaling',
  },
  {
    name: "cert-manager, a failing webhook, Secrets everywhere",
    install: ['--cert-manager', '--webhook-failure-policy', 'Fail', '--secret-namespace', '*'],
    helm: ['--set', 'certManager=true,webhook.failurePolicy=Fail,secretNamespaces={*}'],
    namespace: 'updraft',
  },
];

describe('updraft install and the Helm chart', () => {
  beforeAll(async () => {
    helm = await helmBinary();
  });

  it('helm lint passes', async () => {
    const result = await run(helm, ['lint', '--strict', 'deploy/helm/updraft']);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  for (const c of cases) {
    it(`render the same objects: ${c.name}`, async () => {
      const installed = objectSet(parseObjects(await updraftInstall(['--skip-crds', ...c.install])));
      const templated = await helmTemplate(c.namespace, c.helm);
      expect([...templated.keys()]).toEqual([...installed.keys()]);
      for (const [key, object] of installed) expect(templated.get(key), key).toEqual(object);
    });
  }
});

describe('the kustomize base', () => {
  it('is what updraft install prints with the defaults (deploy/base/updraft.yaml is current: npm run deploy:base)', async () => {
    const generated = await readFile(`${repoRoot}deploy/base/updraft.yaml`, 'utf8');
    expect(objectSet(parseObjects(generated))).toEqual(objectSet(parseObjects(await updraftInstall(['--skip-crds']))));
  });

  it('kubectl kustomize deploy/base renders the same objects as updraft install', async () => {
    const result = await run('kubectl', ['kustomize', 'deploy/base']);
    expect(result.stderr).toBe('');
    const installed = objectSet(parseObjects(await updraftInstall(['--skip-crds'])));
    const kustomized = objectSet(parseObjects(result.stdout));
    expect([...kustomized.keys()]).toEqual([...installed.keys()]);
    for (const [key, object] of installed) expect(kustomized.get(key), key).toEqual(object);
  });
});
