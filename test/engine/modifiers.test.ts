import { afterEach, describe, expect, it } from 'vitest';
import { COMPOSITE_METRIC_NAME, EngineConfigError, formatDiagnostic, loadManifests, UnknownMetricError } from '@updraft/core';
import { SO, scaledObjectYaml, setup, type ScaledObjectSpec } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

const TWO = [
  { source: 'a', name: 'a' },
  { source: 'b', name: 'b' },
] as const;

function withValues(a: number, b: number): void {
  env.source('a').value = a;
  env.source('b').value = b;
}

describe('scalingModifiers', () => {
  it('serves one metric, composite-metric, computed by the formula over trigger names', async () => {
    env = setup();
    const engine = env.engine({ triggers: TWO, scalingModifiers: { formula: '(a + b) / 2', target: '2' } });
    withValues(3, 4);
    expect(COMPOSITE_METRIC_NAME).toBe('composite-metric');
    expect(engine.metricSpecs(SO)).toEqual([{ metricName: 'composite-metric', target: 2, metricType: 'AverageValue' }]);
    expect(await engine.readMetric(SO, 'composite-metric')).toMatchObject({ metricName: 'composite-metric', values: [{ value: 3.5 }], fallback: false });
    await expect(engine.readMetric(SO, 's0-test-a')).rejects.toThrow(new UnknownMetricError('default', 'worker', 's0-test-a', ['composite-metric']));
    const state = await engine.state(SO);
    expect(state.composite).toEqual({ metricName: 'composite-metric', formula: '(a + b) / 2', value: 3.5, target: 2, activationTarget: 0, metricType: 'AverageValue', active: true });
    expect(state.metrics.map((m) => [m.metricName, m.values])).toEqual([['composite-metric', [3.5]]]);
  });

  it('is active only when the composite value exceeds activationTarget, whatever the triggers say', async () => {
    env = setup();
    const engine = env.engine({ triggers: TWO, scalingModifiers: { formula: 'a + b', target: '2', activationTarget: '10' } }, { maxAgeMs: 0 });
    withValues(3, 7);
    let state = await engine.state(SO);
    expect(state.triggers.map((t) => t.active)).toEqual([true, true]);
    expect([state.composite?.value, state.active]).toEqual([10, false]);
    withValues(3, 8);
    await env.clock.advance(1);
    state = await engine.state(SO);
    expect([state.composite?.value, state.active]).toEqual([11, true]);
    expect(engine.isActive(SO)).toBe(true);
  });

  it('feeds the HPA the composite metric, AverageValue or Value', async () => {
    env = setup();
    const engine = env.engine([
      { name: 'avg', triggers: TWO, scalingModifiers: { formula: 'max(a, b)', target: '2' } },
      { name: 'val', triggers: TWO, scalingModifiers: { formula: 'max(a, b)', target: '2', metricType: 'Value' } },
    ]);
    withValues(3, 7);
    // AverageValue: ceil(7 / 2) = 4 from 2 replicas (within the scale-up limit of 4).
    expect((await engine.evaluate({ namespace: 'default', name: 'avg' }, { currentReplicas: 2 })).desiredReplicas).toBe(4);
    // Value: ceil(7 / 2 × 1 ready) = 4 from 1 replica.
    const value = await engine.evaluate({ namespace: 'default', name: 'val' }, { currentReplicas: 1 });
    expect(value.hpa).toMatchObject({ metricDesiredReplicas: 4, metricName: 'composite-metric' });
  });

  it('accepts expr-lang spellings: && || ! ** nil', async () => {
    env = setup();
    const engine = env.engine({ triggers: TWO, scalingModifiers: { formula: 'a > 2 && !(b > 10) ? a ** 2 : b', target: '1' } });
    withValues(3, 4);
    expect((await engine.readMetric(SO, 'composite-metric')).values[0]!.value).toBe(9);
  });

  it('a failing trigger the formula reads makes the composite fail; one it does not read does not', async () => {
    env = setup();
    const engine = env.engine({ triggers: [...TWO, { source: 'c', name: 'c' }], scalingModifiers: { formula: 'a + b', target: '1' } });
    env.source('c').mode = 'reject';
    expect((await engine.readMetric(SO, 'composite-metric')).values[0]!.value).toBe(10);
    const state = await engine.state(SO);
    expect([state.isError, state.active]).toEqual([true, true]);

    env.source('b').mode = 'reject';
    await env.clock.advance(45_001);
    await expect(engine.readMetric(SO, 'composite-metric')).rejects.toThrow('metric:composite-metric encountered error: trigger b: source b is unreachable');
    expect((await engine.state(SO)).active).toBe(false);
  });

  it('fallback stands in for the whole composite while a trigger fails past the threshold', async () => {
    env = setup();
    const engine = env.engine({ triggers: TWO, scalingModifiers: { formula: 'a + b', target: '5' }, fallback: { failureThreshold: 0, replicas: 3 } });
    env.source('b').mode = 'reject';
    expect(await engine.readMetric(SO, 'composite-metric')).toMatchObject({ values: [{ value: 15 }], fallback: true });
    const decision = await engine.evaluate(SO, { currentReplicas: 2 });
    expect(decision.state).toMatchObject({ active: false, isError: true, fallbackActive: true });
    expect(decision.desiredReplicas).toBe(3);
  });

  it("fallback behavior scalingModifiers hands a failed trigger to the formula as nil, for ??", async () => {
    env = setup();
    const engine = env.engine([
      { name: 'coalesce', triggers: TWO, scalingModifiers: { formula: '(a ?? 10) + b', target: '1' }, fallback: { failureThreshold: 1, replicas: 4, behavior: 'scalingModifiers' } },
      { name: 'bare', triggers: TWO, scalingModifiers: { formula: 'a', target: '2' }, fallback: { failureThreshold: 0, replicas: 4, behavior: 'scalingModifiers' } },
    ], { maxAgeMs: 0, backoff: { initialMs: 1, maxMs: 1 } });
    withValues(3, 1);
    env.source('a').mode = 'reject';
    const coalesce = { namespace: 'default', name: 'coalesce' };
    // Below the threshold the failure is an error; past it, a is nil and ?? supplies 10.
    await expect(engine.readMetric(coalesce, 'composite-metric')).rejects.toThrow(/trigger a: source a is unreachable/);
    await env.clock.advance(10);
    expect(await engine.readMetric(coalesce, 'composite-metric')).toMatchObject({ values: [{ value: 11 }], fallback: false });
    // A formula that evaluates to nil gives fallback.replicas × target.
    expect(await engine.readMetric({ namespace: 'default', name: 'bare' }, 'composite-metric')).toMatchObject({ values: [{ value: 8 }], fallback: true });
  });

  describe('the formula is compiled once, by the loader; the engine serves what loaded', () => {
    function load(spec: ScaledObjectSpec) {
      return loadManifests([{ file: 'so.yaml', text: scaledObjectYaml(spec) }], env.registry, { unresolved: 'error' });
    }
    const errors = (result: ReturnType<typeof load>) => result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

    it('reports unknown trigger names at the formula, listing the known ones, and loads no object', () => {
      env = setup();
      const result = load({ triggers: [...TWO, { source: 'c' }], scalingModifiers: { formula: 'a + nope + b', target: '1' } });
      expect(errors(result)).toEqual([expect.stringMatching(/^so\.yaml:\d+:\d+: default\/worker: spec\.advanced\.scalingModifiers\.formula: formula uses "nope", which is not a trigger name; the triggers it can use are "a", "b"$/)]);
      expect(result.scaledObjects).toEqual([]);
    });

    it('reports what the safe subset does not allow', () => {
      env = setup();
      expect(() => env.engine({ triggers: TWO, scalingModifiers: { formula: 'sqrt(a) + b', target: '1' } })).toThrow(
        /<manifests>:\d+:\d+: default\/worker: spec.advanced.scalingModifiers.formula: the function sqrt\(\) is not allowed in a formula; it may use numbers, trigger names/,
      );
    });

    it('carries the compiled formula on the loaded object; the engine refuses only an object without it', () => {
      env = setup();
      const object = load({ triggers: TWO, scalingModifiers: { formula: 'a + b', target: '1' } }).scaledObjects[0]!;
      expect(object.formula).toMatchObject({ source: 'a + b', triggerNames: ['a', 'b'] });
      const engine = env.engine([]);
      const { formula: _formula, ...handMade } = object;
      expect(() => engine.add(handMade)).toThrow(new EngineConfigError('so.yaml:1: default/worker: spec.advanced.scalingModifiers has no compiled formula; load the object with loadManifests'));
    });

    it('add() of an object with the same name replaces the old one and closes its scalers', async () => {
      env = setup();
      const engine = env.engine({ triggers: TWO, scalingModifiers: { formula: 'a + b', target: '1' } });
      withValues(3, 4);
      expect((await engine.readMetric(SO, 'composite-metric')).values[0]!.value).toBe(7);
      const result = load({ triggers: TWO, scalingModifiers: { formula: 'a * b', target: '1' } });
      expect(errors(result)).toEqual([]);
      engine.add(result.scaledObjects[0]!);
      expect((await engine.readMetric(SO, 'composite-metric')).values[0]!.value).toBe(12);
      await engine.close();
      expect(env.source('a').closesPerInstance).toEqual([1, 1, 1]);
    });
  });
});
