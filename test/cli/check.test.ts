import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, scratchDir } from '../harness/process.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { lines, runUpdraft } from './run-updraft.js';

const PLUGIN = ['--plugin', '@updraft-fixtures/scaler-constant'];

let dir: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => {
  dir = await scratchDir('check');
});
afterAll(() => dir.dispose());

/** Writes a manifest into the scratch folder and returns its path. */
async function manifest(name: string, text: string): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, text);
  return path;
}

const constantObject = (name: string, triggers: string, extra = '') => `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: ${name}
  namespace: shop
spec:
  scaleTargetRef:
    name: worker
${extra}  triggers:
${triggers}`;

const CONSTANT_7 = `    - type: constant
      metadata:
        value: '7'
        target: '2'
`;

// Each case runs the real CLI, several times; a busy machine needs more than the default 30 s.
describe('updraft check', { timeout: 90_000 }, () => {
  it("reads each trigger once and prints its row, and the replicas the HPA would choose from minReplicaCount", async () => {
    const file = await manifest('constant.yaml', constantObject('orders', CONSTANT_7 + `    - type: constant
      name: idle
      metadata:
        value: '0'
`));
    const { code, stdout, stderr } = await runUpdraft(['check', ...PLUGIN, file]);
    expect(stderr).toBe('');
    expect(lines(stdout)).toEqual([
      'shop/orders  triggers[0] constant         s0-constant  value 7  target 2 AverageValue  active',
      'shop/orders  triggers[1] constant "idle"  s1-constant  value 0  target 1 AverageValue  inactive',
      'shop/orders: active; the HPA would scale from 1 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)',
    ]);
    expect(code).toBe(0);
  });

  it('starts from --current-replicas, up or down', async () => {
    const file = await manifest('current.yaml', constantObject('orders', CONSTANT_7, '  minReplicaCount: 2\n  maxReplicaCount: 10\n'));
    const from = async (current: string) => lines((await runUpdraft(['check', ...PLUGIN, '--current-replicas', current, file])).stdout).at(-1);
    const [three, four, nine, thirty, zero] = await Promise.all(['3', '4', '9', '30', '0'].map(from));
    expect(three).toBe('shop/orders: active; the HPA would scale from 3 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)');
    expect(four).toBe('shop/orders: active; the HPA would keep 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)');
    // Down as well: check assumes no recent higher recommendation holds the HPA back.
    expect(nine).toBe('shop/orders: active; the HPA would scale from 9 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)');
    expect(thirty).toBe('shop/orders: active; the HPA would scale from 30 to 10 replicas (CurrentAboveMaxReplicas: Current number of replicas above Spec.MaxReplicas)');
    expect(zero).toMatch(/^shop\/orders: active; the HPA would keep 0 replicas \(ScalingDisabled: .*\); KEDA: triggers are active: scale from 0 to 2$/);

    const bad = await runUpdraft(['check', ...PLUGIN, '--current-replicas', 'many', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: option '--current-replicas <n>' argument 'many' is invalid. must be a whole number of replicas, 0 or more");
  });

  it('--json prints exactly the documented shape, numbers as numbers', async () => {
    const file = await manifest('json.yaml', constantObject('orders', CONSTANT_7 + `    - type: constant
      name: half
      metadata:
        value: '0.5'
`));
    const { code, stdout, stderr } = await runUpdraft(['check', ...PLUGIN, '--json', file]);
    expect(stderr).toBe('');
    const document = JSON.parse(stdout);
    expect(document).toEqual({
      scaledObjects: [
        {
          namespace: 'shop',
          name: 'orders',
          active: true,
          desiredReplicas: 4,
          triggers: [
            { index: 0, type: 'constant', name: null, metricName: 's0-constant', value: 7, target: 2, metricType: 'AverageValue', active: true, error: null },
            { index: 1, type: 'constant', name: 'half', metricName: 's1-constant', value: 0.5, target: 1, metricType: 'AverageValue', active: true, error: null },
          ],
        },
      ],
    });
    expect(Object.keys(document.scaledObjects[0])).toEqual(['namespace', 'name', 'active', 'desiredReplicas', 'triggers']);
    expect(Object.keys(document.scaledObjects[0].triggers[0])).toEqual(['index', 'type', 'name', 'metricName', 'value', 'target', 'metricType', 'active', 'error']);
    expect(code).toBe(0);
  });

  it("prints a failing trigger's error on its row, keeps its siblings, and exits 1", async () => {
    const closed = await freePort();
    const file = await manifest('failing.yaml', constantObject('orders', CONSTANT_7 + `    - type: redis
      metadata:
        address: 127.0.0.1:${closed}
        listName: jobs
        listLength: '5'
`));
    const [text, json] = await Promise.all([runUpdraft(['check', ...PLUGIN, file]), runUpdraft(['check', ...PLUGIN, '--json', file])]);
    const out = lines(text.stdout);
    expect(out[0]).toBe('shop/orders  triggers[0] constant  s0-constant    value 7  target 2 AverageValue  active');
    expect(out[1]).toMatch(new RegExp(`^shop/orders  triggers\\[1\\] redis     s1-redis-jobs  -        target 5 AverageValue  error \\(\\w+\\): .+`));
    // The healthy trigger still scales the HPA up; the failure is reported, never turned into 0.
    expect(out[2]).toBe('shop/orders: active; the HPA would scale from 1 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)');
    expect(text.stdout + text.stderr).not.toMatch(/\n\s+at /);
    expect(text.code).toBe(1);

    const triggers = JSON.parse(json.stdout).scaledObjects[0].triggers;
    expect(triggers[1]).toMatchObject({ index: 1, type: 'redis', metricName: 's1-redis-jobs', value: null, target: 5, active: false, error: expect.any(String) });
    expect(json.code).toBe(1);
  });

  it('prints load errors as validate does and exits 1; a value only the cluster has is an error here', async () => {
    const broken = await runUpdraft(['check', 'test/fixtures/broken/wrong-type.yaml']);
    expect(lines(broken.stdout)).toEqual(['test/fixtures/broken/wrong-type.yaml:14:20: default/wrong-type: spec.triggers[0].metadata.threshold: must be a number, got "ten"']);
    expect(broken.code).toBe(1);

    const file = await manifest('from-env.yaml', constantObject('orders', `    - type: redis
      metadata:
        addressFromEnv: REDIS_ADDRESS
        listName: jobs
`));
    const validate = await runUpdraft(['validate', file]);
    expect(validate.code).toBe(0);
    const check = await runUpdraft(['check', file]);
    expect(lines(check.stdout)).toEqual([expect.stringMatching(new RegExp(`^${file}:\\d+:\\d+: shop/orders: spec\\.triggers\\[0\\]\\.metadata\\.addressFromEnv: (?!warning).*REDIS_ADDRESS`))]);
    expect(check.code).toBe(1);

    // With --json, stdout stays a JSON document (or empty): the problems go to stderr.
    const json = await runUpdraft(['check', '--json', 'test/fixtures/broken/wrong-type.yaml']);
    expect(json.stdout).toBe('');
    expect(lines(json.stderr)).toEqual(lines(broken.stdout));
    expect(json.code).toBe(1);
  });

  it('shows the composite metric of scalingModifiers', async () => {
    const file = await manifest('formula.yaml', constantObject('orders', `    - type: constant
      name: a
      metadata:
        value: '3'
    - type: constant
      name: b
      metadata:
        value: '5'
`, `  advanced:
    scalingModifiers:
      formula: "a + b"
      target: "2"
      activationTarget: "9"
`));
    const { code, stdout } = await runUpdraft(['check', ...PLUGIN, file]);
    expect(lines(stdout)).toEqual([
      'shop/orders  triggers[0] constant "a"  s0-constant       value 3  target 1 AverageValue  active',
      'shop/orders  triggers[1] constant "b"  s1-constant       value 5  target 1 AverageValue  active',
      'shop/orders  formula a + b             composite-metric  value 8  target 2 AverageValue  inactive (≤ activationTarget 9)',
      'shop/orders: inactive; the HPA would scale from 1 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range); KEDA scales it to 0 once cooldownPeriod (300s) has passed since it was last active',
    ]);
    expect(code).toBe(0);
  });
});

describe('updraft check against a real redis-server', { timeout: 90_000 }, () => {
  let redis: RedisInstance;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('reads the list length and says what the HPA would do with it', async () => {
    await redis.admin().rpush('jobs', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    const file = await manifest('redis.yaml', constantObject('jobs', `    - type: redis
      metadata:
        address: ${redis.address}
        listName: jobs
        listLength: '2'
        activationListLength: '3'
`));
    const text = await runUpdraft(['check', file]);
    expect(lines(text.stdout)).toEqual([
      'shop/jobs  triggers[0] redis  s0-redis-jobs  value 7  target 2 AverageValue  active',
      'shop/jobs: active; the HPA would scale from 1 to 4 replicas (DesiredWithinRange: the desired count is within the acceptable range)',
    ]);
    expect(text.code).toBe(0);

    await redis.admin().ltrim('jobs', 0, 1);
    const json = await runUpdraft(['check', '--json', '--current-replicas', '3', file]);
    expect(JSON.parse(json.stdout)).toEqual({
      scaledObjects: [
        {
          namespace: 'shop',
          name: 'jobs',
          active: false,
          desiredReplicas: 1,
          triggers: [{ index: 0, type: 'redis', name: null, metricName: 's0-redis-jobs', value: 2, target: 2, metricType: 'AverageValue', active: false, error: null }],
        },
      ],
    });
    expect(json.code).toBe(0);
  });
});
