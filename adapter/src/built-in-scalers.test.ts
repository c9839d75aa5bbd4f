import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifests, type TriggerDeclaration } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCALERS, builtInTriggerTypes, createTriggerCatalog } from './built-in-scalers.js';
import { createRegistry } from './composition.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

// `validate` checks files with each package's `./triggers` declarations; check and serve with the
// scalers the package's module binds. They must be the same declarations, or the two disagree.
describe('the built-in scaler packages', () => {
  it("declare in ./triggers exactly the trigger types of their package.json and their module, with the module's declarations", async () => {
    const registry = await createRegistry();
    const declared = builtInTriggerTypes();
    for (const name of BUILT_IN_SCALERS) {
      const { triggers } = (await import(`${name}/triggers`)) as { triggers: readonly TriggerDeclaration[] };
      expect(triggers.map((t) => t.type).sort(), name).toEqual([...(declared.get(name) ?? [])].sort());
      for (const trigger of triggers) expect(registry.get(trigger.type).metadata, trigger.type).toBe(trigger.metadata);
    }
  });

  it('give validate (declarations alone) the same diagnostics as the full registry, for every example and for broken input', async () => {
    const files = (await readdir(examples)).filter((file) => file.endsWith('.yaml'));
    const sources = await Promise.all(files.map(async (file) => ({ file, text: await readFile(join(examples, file), 'utf8') })));
    sources.push({
      file: 'broken.yaml',
      text: [
        'apiVersion: keda.sh/v1alpha1',
        'kind: ScaledObject',
        'metadata: { name: broken }',
        'spec:',
        '  scaleTargetRef: { name: app }',
        '  minReplicaCount: 5',
        '  maxReplicaCount: 2',
        '  pollingIntervall: 10',
        '  triggers:',
        '    - type: reddis',
        '      metadata: { listName: jobs }',
        '    - type: prometheus',
        '      metadata: { serverAddress: "http://prometheus:9090", query: up, threshold: "-1" }',
        '    - type: aws-sqs-queue',
        '      metadata: { queueURL: "not a queue", awsRegion: eu-west-1 }',
        '    - type: cron',
        '      metadata: { timezone: Mars/Olympus, start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: "3" }',
      ].join('\n'),
    });
    const types = new Set(['redis', 'prometheus', 'aws-sqs-queue', 'cron', 'aws-cloudwatch', 'redis-streams', 'redis-cluster', 'redis-sentinel', 'redis-cluster-streams', 'redis-sentinel-streams']);
    const catalog = await createTriggerCatalog({ triggerTypes: types });
    const registry = await createRegistry();
    const fromCatalog = loadManifests(sources, catalog, { unresolved: 'warning' });
    const fromRegistry = loadManifests(sources, registry, { unresolved: 'warning' });
    expect(fromCatalog.diagnostics.length).toBeGreaterThan(4);
    expect(fromCatalog.diagnostics).toEqual(fromRegistry.diagnostics);
    expect(fromCatalog.scaledObjects.map((o) => o.name)).toEqual(fromRegistry.scaledObjects.map((o) => o.name));
  });

  it('name every built-in trigger type for "did you mean", also those whose declarations were not imported', async () => {
    const catalog = await createTriggerCatalog({ triggerTypes: ['cron'] });
    expect(catalog.has('cron')).toBe(true);
    expect(catalog.has('redis')).toBe(false);
    expect(catalog.types()).toContain('redis');
    const result = loadManifests(
      [{ file: 'typo.yaml', text: 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: { name: a }\nspec:\n  scaleTargetRef: { name: app }\n  triggers:\n    - type: reddis\n      metadata: { listName: jobs }\n' }],
      catalog,
      { unresolved: 'warning' },
    );
    expect(result.diagnostics.map((d) => d.message)).toContain('unknown trigger type "reddis"; did you mean "redis"?');
  });
});
