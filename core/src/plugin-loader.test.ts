import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreModule } from './core-module.js';
import { PluginLoadError, loadPlugins } from './plugin-loader.js';
import type { ScalerConfig } from './scaler.js';
import { ScalerRegistry } from './scaler-registry.js';

// The fixtures live in test/fixtures/ and are npm workspace packages. The repository root's
// node_modules links @updraft-fixtures/scaler-constant, so packages are resolved from there, as the
// adapter resolves its configured plugins from its own folder.
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const CONSTANT = '@updraft-fixtures/scaler-constant';

function containerWithCore(): Container {
  const container = new Container();
  container.load(coreModule);
  return container;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function config<M>(metadata: M, triggerIndex: number): ScalerConfig<M> {
  return {
    metadata,
    triggerType: 'constant',
    triggerIndex,
    metricType: 'AverageValue',
    useCachedMetrics: false,
    scaledObject: { namespace: 'default', name: 'worker' },
  };
}

describe('loadPlugins with an installed third-party plugin', () => {
  it('makes the plugin trigger type known to the registry', async () => {
    const container = containerWithCore();
    await loadPlugins(container, [CONSTANT], { from: repositoryRoot });
    const registry = container.get<ScalerRegistry>(ScalerRegistry);
    expect(registry.types()).toEqual(['constant']);
  });

  it('the plugin scaler parses its declared metadata and returns its value', async () => {
    const container = containerWithCore();
    await loadPlugins(container, [CONSTANT], { from: repositoryRoot });
    const factory = container.get<ScalerRegistry>(ScalerRegistry).get('constant');

    const parsed = factory.metadata.parse({ triggerMetadata: { value: '2.5' } });
    expect(parsed.problems).toEqual([]);
    expect(parsed.metadata).toEqual({ value: 2.5, target: 1 });

    const scaler = factory.create(config(parsed.metadata!, 3));
    expect(scaler.getMetricSpecs()).toEqual([{ metricName: 's3-constant', target: 1, metricType: 'AverageValue' }]);
    const result = await scaler.getMetricsAndActivity('s3-constant', new AbortController().signal);
    expect(result).toEqual({ values: [{ metricName: 's3-constant', value: 2.5, timestamp: expect.any(Date) }], active: true });
    await scaler.close();
    await scaler.close();
  });

  it.each([
    { value: '0', active: false },
    { value: '-1', active: false },
    { value: '0.001', active: true },
  ])('value $value → active: $active', async ({ value, active }) => {
    const container = containerWithCore();
    await loadPlugins(container, [CONSTANT], { from: repositoryRoot });
    const factory = container.get<ScalerRegistry>(ScalerRegistry).get('constant');
    const scaler = factory.create(config(factory.metadata.parse({ triggerMetadata: { value, target: '4' } }).metadata!, 0));
    expect(scaler.getMetricSpecs()[0]!.target).toBe(4);
    expect((await scaler.getMetricsAndActivity('s0-constant', new AbortController().signal)).active).toBe(active);
  });

  it('the plugin metadata declaration reports like any other', async () => {
    const container = containerWithCore();
    await loadPlugins(container, [CONSTANT], { from: repositoryRoot });
    const factory = container.get<ScalerRegistry>(ScalerRegistry).get('constant');
    expect(factory.metadata.parse({ triggerMetadata: { target: 'x' } }).problems).toEqual([
      { severity: 'error', message: 'missing required parameter "value" (set it in metadata)' },
      { severity: 'error', source: 'triggerMetadata', key: 'target', message: 'must be a number, got "x"' },
    ]);
  });

  it('a package named twice is loaded once', async () => {
    const container = containerWithCore();
    await loadPlugins(container, [CONSTANT, CONSTANT], { from: repositoryRoot });
    expect(container.get<ScalerRegistry>(ScalerRegistry).types()).toEqual(['constant']);
  });
});

describe('loadPlugins failures', () => {
  it('a package that is not installed: PluginLoadError naming the package', async () => {
    const error = await rejectionOf(loadPlugins(containerWithCore(), ['@updraft-fixtures/not-installed'], { from: repositoryRoot }));
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error).toMatchObject({ name: 'PluginLoadError', packageName: '@updraft-fixtures/not-installed' });
    expect((error as Error).message).toBe(
      `cannot load scaler plugin "@updraft-fixtures/not-installed": the package is not installed where it is looked for (${repositoryRoot}); run npm install @updraft-fixtures/not-installed`,
    );
  });

  it('nothing is loaded when any package fails: the registry does not half-know a plugin list', async () => {
    const container = containerWithCore();
    await expect(loadPlugins(container, [CONSTANT, '@updraft-fixtures/not-installed'], { from: repositoryRoot })).rejects.toThrow(PluginLoadError);
    expect(container.get<ScalerRegistry>(ScalerRegistry).types()).toEqual([]);
  });

  describe('a package whose default export is not a ContainerModule', () => {
    // test/fixtures/not-a-plugin is a workspace package, but node_modules may not link it yet (it is
    // linked by the next npm install). So the test gives it a node_modules of its own: a temporary
    // folder with node_modules/@updraft-fixtures/not-a-plugin -> test/fixtures/not-a-plugin, and
    // resolves from there.
    let from: string;

    beforeAll(async () => {
      from = await mkdtemp(join(tmpdir(), 'updraft-plugin-loader-'));
      await mkdir(join(from, 'node_modules', '@updraft-fixtures'), { recursive: true });
      await symlink(join(fixtures, 'not-a-plugin'), join(from, 'node_modules', '@updraft-fixtures', 'not-a-plugin'), 'dir');
    });

    afterAll(async () => {
      await rm(from, { recursive: true, force: true });
    });

    it('an installed plugin is resolved only from where it is looked for', async () => {
      const error = await rejectionOf(loadPlugins(containerWithCore(), [CONSTANT], { from }));
      expect(error).toMatchObject({ name: 'PluginLoadError', packageName: CONSTANT });
    });

    it('PluginLoadError naming the package', async () => {
      const error = await rejectionOf(loadPlugins(containerWithCore(), ['@updraft-fixtures/not-a-plugin'], { from }));
      expect(error).toBeInstanceOf(PluginLoadError);
      expect(error).toMatchObject({ packageName: '@updraft-fixtures/not-a-plugin' });
      expect((error as Error).message).toBe('cannot load scaler plugin "@updraft-fixtures/not-a-plugin": its default export is not an inversify ContainerModule');
    });
  });
});
