import { execFile } from 'node:child_process';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coreModule,
  loadManifests,
  loadPlugins,
  ManifestLoadError,
  ScalerRegistry,
  ScalingEngine,
  type ActivityChangeEvent,
  type TriggerChangeEvent,
} from '@updraft/core';
import { repoRoot } from '../cli/run-updraft.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';

const YAML = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: runner
  namespace: jobs
spec:
  scaleTargetRef:
    name: runner
  pollingInterval: 1
  triggers:
    - type: constant
      metadata:
        value: "12"
        target: "5"
`;
const REF = { namespace: 'jobs', name: 'runner' };

async function containerWithConstant(): Promise<Container> {
  const container = new Container();
  container.load(coreModule);
  await loadPlugins(container, ['@updraft-fixtures/scaler-constant'], { from: repoRoot });
  return container;
}

describe('embedding @updraft/core', () => {
  it('builds an engine from YAML and a container, reads values, activity and desired replicas, and stops', async () => {
    const engine = new ScalingEngine({ container: await containerWithConstant(), manifests: YAML });
    const changes: (TriggerChangeEvent | ActivityChangeEvent)[] = [];
    engine.subscribe({ onTriggerChange: (e) => changes.push(e), onActivityChange: (e) => changes.push(e) });
    expect(engine.list()).toEqual([REF]);
    expect(engine.metricSpecs(REF)).toEqual([{ metricName: 's0-constant', target: 5, metricType: 'AverageValue' }]);
    expect((await engine.readMetric(REF, 's0-constant')).values.map((v) => v.value)).toEqual([12]);
    expect(engine.isActive(REF)).toBe(true);
    const decision = await engine.evaluate(REF, { currentReplicas: 1 });
    expect(decision).toMatchObject({ currentReplicas: 1, desiredReplicas: 3, decidedBy: 'hpa' });
    expect(changes).toEqual([
      expect.objectContaining({ metricName: 's0-constant', value: 12, active: true }),
      { namespace: 'jobs', scaledObject: 'runner', active: true },
    ]);
    await engine.close();
  });

  it('takes a registry and objects already loaded', async () => {
    const registry = (await containerWithConstant()).get<ScalerRegistry>(ScalerRegistry);
    const { scaledObjects } = loadManifests([{ file: 'so.yaml', text: YAML }], registry, { unresolved: 'error' });
    const engine = new ScalingEngine({ registry, scaledObjects });
    expect((await engine.state(REF)).triggers[0]!.value).toBe(12);
    await engine.close();
  });

  it('refuses YAML with errors, with every diagnostic', async () => {
    const container = await containerWithConstant();
    let error: unknown;
    try {
      new ScalingEngine({ container, manifests: YAML.replace('"12"', '"twelve"') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestLoadError);
    expect((error as ManifestLoadError).message).toBe('<manifests>:13:16: jobs/runner: spec.triggers[0].metadata.value: must be a number, got "twelve"');
    expect((error as ManifestLoadError).diagnostics).toHaveLength(1);
  });
});

function runExample(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['examples/embedding/job-runner.mjs'], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('examples/embedding/job-runner.mjs', { timeout: 90_000 }, () => {
  it('runs with no server, on the constant fixture plugin', async () => {
    const { code, stdout, stderr } = await runExample({ TICKS: '2' });
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      's0-constant: 12 (active)',
      'local/job-runner is active',
      'tick 1: 1 -> 3 workers (hpa: DesiredWithinRange)',
      'tick 2: 3 -> 3 workers (hpa: DesiredWithinRange)',
    ]);
    expect(code).toBe(0);
  });

  describe('pointed at Redis', () => {
    let redis: RedisInstance;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());

    it('sizes the pool from the length of the list "jobs"', async () => {
      await redis.admin().rpush('jobs', ...Array.from({ length: 14 }, (_, i) => `job-${i}`));
      const { code, stdout } = await runExample({ TICKS: '1', REDIS_ADDRESS: redis.address });
      expect(stdout.trim().split('\n')).toEqual(['s0-redis-jobs: 14 (active)', 'local/job-runner is active', 'tick 1: 1 -> 3 workers (hpa: DesiredWithinRange)']);
      expect(code).toBe(0);
    });
  });
});
