import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Container, type ContainerModule } from 'inversify';
import { coreModule } from '../core-module.js';
import type { MetadataInput } from '../metadata/declaration.js';
import { ScalerRegistry } from '../scaler-registry.js';
import { ScalerError, type Scaler, type ScalerConfig } from '../scaler.js';
import type { ScalerFactory } from '../scaler-factory.js';

/** What the suite needs of a test runner: vitest's and node:test's `describe`, `it`, and before/after hooks. */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
  before(body: () => Promise<void> | void): unknown;
  after(body: () => Promise<void> | void): unknown;
}

/** A trigger as a ScaledObject and its TriggerAuthentication give it. */
export interface TriggerCase {
  readonly metadata: Readonly<Record<string, string>>;
  readonly authParams?: Readonly<Record<string, string>>;
}

/** An address on 127.0.0.1 the suite provides: nothing listens there, or a server that never answers. */
export interface TestAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port` */
  readonly address: string;
}

export interface ConformanceCases {
  /** The trigger type to test; needed when the module contributes several. */
  readonly type?: string;
  /** A trigger that reads a number greater than 0 from a live source. */
  readonly value: TriggerCase;
  /** A trigger whose source answers with no data (omit if the scaler has no empty answer). */
  readonly empty?: TriggerCase;
  /** The trigger pointed at `address`, where nothing listens: it must fail, never read 0 (omit if the scaler reads no source, as cron). */
  readonly unreachable?: (at: TestAddress) => TriggerCase;
  /** The trigger pointed at `address`, a server that accepts and never answers: an abort must end the read. */
  readonly silent?: (at: TestAddress) => TriggerCase;
  /** Values that must never appear in an error message (the cases' passwords, tokens, keys). */
  readonly secrets?: readonly string[];
  /** How long an aborted read may take to reject. Default 1000 ms. */
  readonly abortWithinMs?: number;
}

function isScalerError(error: unknown): error is ScalerError {
  return error instanceof ScalerError || (error instanceof Error && error.name === 'ScalerError' && typeof (error as ScalerError).kind === 'string');
}

/**
 * What every scaler owes, as tests in the given runner: metric names `s<index>-…`, the declaration's
 * defaults and all of a trigger's errors at once, activation strictly greater than its threshold,
 * three-state results, the AbortSignal honoured, `close()` idempotent, and no secret in any error.
 * `cases` may be a function: it is called in each test, so it can name servers started in a hook.
 */
export function scalerConformance(api: ConformanceTestApi, module: ContainerModule, cases: ConformanceCases | (() => ConformanceCases)): void {
  const get = () => (typeof cases === 'function' ? cases() : cases);
  let factory: ScalerFactory;
  let closedPort: TestAddress;
  let silent: { server: Server; sockets: Set<Socket>; at: TestAddress };
  const open: Scaler[] = [];

  const parse = (trigger: TriggerCase, extra: Record<string, string> = {}) => {
    const input: MetadataInput = { triggerMetadata: { ...trigger.metadata, ...extra }, ...(trigger.authParams ? { authParams: trigger.authParams } : {}), resolvedEnv: {} };
    return factory.metadata.parse(input, { triggerType: factory.type });
  };
  const create = (trigger: TriggerCase, triggerIndex = 0, extra: Record<string, string> = {}): Scaler => {
    const parsed = parse(trigger, extra);
    const errors = parsed.problems.filter((problem) => problem.severity === 'error');
    ok(parsed.metadata && errors.length === 0, `the case does not parse: ${errors.map((e) => `${e.key}: ${e.message}`).join('; ')}`);
    const config: ScalerConfig<never> = {
      metadata: parsed.metadata as never,
      triggerType: factory.type,
      triggerIndex,
      metricType: 'AverageValue',
      useCachedMetrics: false,
      scaledObject: { namespace: 'conformance', name: 'so' },
    };
    const scaler = factory.create(config);
    open.push(scaler);
    return scaler;
  };
  const readOnce = async (scaler: Scaler, signal = new AbortController().signal) => scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, signal);
  const noSecret = (error: unknown) => {
    for (const secret of get().secrets ?? []) ok(!String((error as Error).message).includes(secret), `an error message holds a secret: ${(error as Error).message.replace(secret, '<the secret>')}`);
  };

  api.describe(`scaler conformance`, () => {
    api.before(async () => {
      const container = new Container();
      container.load(coreModule, module);
      const registry = container.get<ScalerRegistry>(ScalerRegistry);
      const type = get().type ?? registry.types()[0];
      ok(type && (get().type !== undefined || registry.types().length === 1), `the module contributes ${registry.types().join(', ')}: name one as cases.type`);
      factory = registry.get(type);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedAt = (closed.address() as { port: number }).port;
      await new Promise((resolve) => closed.close(resolve));
      closedPort = { host: '127.0.0.1', port: closedAt, address: `127.0.0.1:${closedAt}` };
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      silent = { server, sockets, at: { host: '127.0.0.1', port, address: `127.0.0.1:${port}` } };
    });
    api.after(async () => {
      for (const scaler of open) await scaler.close();
      for (const socket of silent?.sockets ?? []) socket.destroy();
      await new Promise((resolve) => (silent ? silent.server.close(resolve) : resolve(undefined)));
    });

    api.it('names its metrics s<index>-<name>, each name once', async () => {
      for (const index of [0, 3]) {
        const specs = create(get().value, index).getMetricSpecs();
        ok(specs.length > 0, 'getMetricSpecs() returned no spec');
        // `updraft validate` makes no scaler, so it cannot check KEDA's duplicate-metric-name rule: a scaler must not break it.
        ok(new Set(specs.map((spec) => spec.metricName)).size === specs.length, `two metric specs share a name: ${specs.map((spec) => spec.metricName).join(', ')}`);
        for (const spec of specs) {
          ok(spec.metricName.startsWith(`s${index}-`), `metric name ${spec.metricName} of trigger ${index} does not start with s${index}-`);
          ok(!/[/.:%()]/.test(spec.metricName), `metric name ${spec.metricName} is not normalized (KEDA's NormalizeString)`);
          ok(Number.isFinite(spec.target), `target of ${spec.metricName} is not a number`);
        }
      }
    });

    api.it("applies the declaration's defaults, and reports every missing required parameter at once", async () => {
      const parsed = parse(get().value);
      for (const [name, param] of Object.entries(factory.metadata.params)) {
        if (param.presence === 'default' && !(name in get().value.metadata) && !(name in (get().value.authParams ?? {}))) {
          deepStrictEqual((parsed.metadata as Record<string, unknown>)[name], param.defaultValue, `${name} does not take its declared default`);
        }
      }
      const empty = factory.metadata.parse({ triggerMetadata: {}, resolvedEnv: {} }, { triggerType: factory.type });
      const said = empty.problems.filter((p) => p.severity === 'error').map((p) => `${p.key ?? ''} ${p.message}`);
      for (const [name, param] of Object.entries(factory.metadata.params)) {
        if (param.presence === 'required') ok(said.some((text) => text.includes(name)), `an empty trigger does not report the required parameter ${name} (got: ${said.join('; ')})`);
      }
    });

    api.it('reads a number, and is active only when the value is strictly greater than the activation threshold', async () => {
      const result = await readOnce(create(get().value));
      const value = result.values[0]?.value;
      ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `the value case must read a number above 0, got ${JSON.stringify(result)}`);
      const activation = Object.keys(factory.metadata.params).filter((name) => name.startsWith('activation'));
      if (activation.length !== 1) return;
      strictEqual((await readOnce(create(get().value, 0, { [activation[0]!]: String(value) }))).active, false, `${activation[0]} = the value must be inactive`);
      if (value >= 1) strictEqual((await readOnce(create(get().value, 0, { [activation[0]!]: String(value - 1) }))).active, true, `${activation[0]} below the value must be active`);
    });

    api.it('an empty answer says why', async () => {
      const empty = get().empty;
      if (!empty) return;
      const result = await readOnce(create(empty));
      ok(result.empty && result.empty.reason.length > 0, `the empty case gave no empty reason: ${JSON.stringify(result)}`);
    });

    api.it('a source that cannot be reached is a ScalerError, never a value, and names no secret', async () => {
      const unreachable = get().unreachable;
      if (!unreachable) return;
      const scaler = create(unreachable(closedPort));
      await rejects(readOnce(scaler), (error: unknown) => {
        ok(isScalerError(error), `rejected with ${String(error)}, not a ScalerError`);
        noSecret(error);
        return true;
      });
    });

    api.it('honours the AbortSignal while the source does not answer', async () => {
      const silentCase = get().silent;
      if (!silentCase) return;
      const scaler = create(silentCase(silent.at));
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('conformance: aborted')), 50);
      await rejects(readOnce(scaler, controller.signal), (error: unknown) => {
        ok(isScalerError(error), `rejected with ${String(error)}, not a ScalerError`);
        noSecret(error);
        return true;
      });
      const within = get().abortWithinMs ?? 1_000;
      ok(Date.now() - started < 50 + within, `the read took ${Date.now() - started} ms to end after the abort (allowed: ${within} ms)`);
    });

    api.it('close() is idempotent, and a read after it fails rather than reading 0', async () => {
      const scaler = create(get().value);
      await readOnce(scaler);
      await scaler.close();
      await scaler.close();
      await rejects(readOnce(scaler), (error: unknown) => isScalerError(error));
    });
  });
}
