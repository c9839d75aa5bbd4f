import type { MetadataInput, MetadataProblem } from '../metadata/declaration.js';
import { MetadataDeclaration } from '../metadata/declaration.js';
import type { ParamShape } from '../metadata/param.js';
import type { MetricSpec, MetricType, Scaler } from '../scaler.js';
import type { ScalerFactory } from '../scaler-factory.js';
import { UnknownTriggerTypeError } from '../scaler-registry.js';
import type { TriggerCatalog, TriggerDeclaration } from '../trigger-catalog.js';
import { didYouMean } from '../did-you-mean.js';
import type { ContainerEnv } from './container-env.js';
import type { ObjectReporter } from './diagnostic-collector.js';
import { scalerConfigOf, type ExternalTrigger, type LoadedTrigger } from './loaded-trigger.js';
import type { ObjectPath } from './object-path.js';
import { RESOURCE_TRIGGER_TYPES, type AuthenticationRef, type ScaleTrigger } from './scaled-object.js';
import { triggerAuthenticationLabel, type LoadedTriggerAuthentication } from './trigger-authentication.js';

/** What looking up a trigger's authenticationRef found. */
export type AuthLookup = { readonly status: 'missing' } | { readonly status: 'invalid' } | { readonly status: 'ok'; readonly auth: LoadedTriggerAuthentication };

/** The scale target's env as one ScaledObject sees it: a container, or why none can be read. */
export interface TargetEnv {
  /** The container of `envSourceContainerName` (or the first one), when the files hold it. */
  readonly container?: ContainerEnv;
  /** Why the env is unknown, when `container` is undefined. */
  readonly reason?: string;
  /** Another container of the same workload, for TriggerAuthentication `env[].containerName`. */
  containerNamed(name: string | undefined): ContainerEnv | { readonly error: string };
}

/** Everything a trigger needs from the ScaledObject it belongs to. */
export interface TriggerLoadContext {
  readonly catalog: TriggerCatalog;
  readonly unresolved: 'warning' | 'error';
  readonly reporter: ObjectReporter;
  readonly namespace: string;
  readonly name: string;
  readonly env: TargetEnv;
  findAuthentication(ref: AuthenticationRef): AuthLookup;
}

/** authParams for one trigger, and the parameters whose values only a cluster could supply. */
interface TriggerAuth {
  readonly params: Record<string, string>;
  readonly origins: Record<string, string>;
  /** parameter -> why its value cannot be read from the files */
  readonly unresolved: Map<string, string>;
  /** Parameters whose source is in the files and cannot supply them (an env var from a missing key): errors. */
  readonly broken: Set<string>;
  /** The TriggerAuthentication is missing or broken (already reported): nothing about authParams is known. */
  readonly unknown: boolean;
  readonly auth?: LoadedTriggerAuthentication;
}

/**
 * Loads one trigger: looks its type up, resolves authParams and env, parses the metadata with the
 * scaler's declaration and reports each problem on the node it comes from, then asks a scaler for
 * its metric specs. Undefined when the trigger cannot be used.
 */
export function loadTrigger(trigger: ScaleTrigger, index: number, context: TriggerLoadContext): LoadedTrigger | undefined {
  const { reporter } = context;
  const base: ObjectPath = ['spec', 'triggers', index];
  const { line, col } = reporter.object.locate(base);
  const common = { index, type: trigger.type, ...(trigger.name ? { name: trigger.name } : {}), useCachedMetrics: trigger.useCachedMetrics, line, col };

  if (RESOURCE_TRIGGER_TYPES.has(trigger.type)) {
    reporter.warning([...base, 'type'], `${trigger.type} is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger`);
    return { kind: 'resource', ...common, metricType: trigger.metricType, metadata: trigger.metadata };
  }
  if (!context.catalog.has(trigger.type)) {
    const known = context.catalog.types();
    const hint = didYouMean(trigger.type, known);
    reporter.error([...base, 'type'], hint ? `unknown trigger type ${JSON.stringify(trigger.type)}; did you mean ${JSON.stringify(hint)}?` : new UnknownTriggerTypeError(trigger.type, known).message);
    return undefined;
  }
  const entry = context.catalog.get(trigger.type);
  const declaration = entry.metadata;
  const auth = resolveAuth(trigger, base, context);
  const env = resolveEnv(trigger, declaration, context.env);
  const identity = auth.auth?.spec.podIdentity;
  const podIdentity = identity && identity.provider !== 'none' ? identity : undefined;

  const unresolved = {
    ...(auth.unresolved.size > 0 ? { authParams: auth.unresolved } : {}),
    ...(env.unresolved.size > 0 ? { env: env.unresolved } : {}),
  };
  const input: MetadataInput = {
    triggerMetadata: trigger.metadata,
    authParams: auth.params,
    ...(env.resolvedEnv ? { resolvedEnv: env.resolvedEnv } : {}),
    ...(auth.unresolved.size > 0 || env.unresolved.size > 0 ? { unresolved } : {}),
    ...(podIdentity ? { podIdentity } : {}),
  };
  // A TriggerAuthentication that is missing or broken is one error, at authenticationRef.name. What it
  // would supply is unknown, so every authParams key is parsed as unresolved (no "missing required",
  // no cross-field rules on a guess), and those problems are not reported: they would all say the same.
  const parseInput: MetadataInput = auth.unknown ? { ...input, unresolved: { ...unresolved, authParams: everyAuthParam(declaration) } } : input;
  const result = declaration.parse(parseInput, { unresolved: context.unresolved, triggerType: trigger.type });

  const knownKeys = declaration.knownMetadataKeys();
  for (const problem of result.problems) {
    if (auth.unknown && problem.source === 'authParams') continue;
    placeProblem(problem, trigger, base, knownKeys, auth, env, reporter);
  }

  const metadata = result.metadata as Readonly<Record<string, unknown>> | undefined;
  // Utilization on an external trigger is already reported; the specs are still worth computing.
  const metricType: MetricType = trigger.metricType === 'Value' ? 'Value' : 'AverageValue';
  const metricSpecs = metadata && isFactory(entry) ? metricSpecsOf(entry, metadata, trigger, index, metricType, input, context) : [];
  const loaded: ExternalTrigger = {
    kind: 'external',
    ...common,
    metricType,
    ...(trigger.authenticationRef ? { authenticationRef: trigger.authenticationRef } : {}),
    input,
    ...(metadata ? { metadata } : {}),
    metricSpecs,
  };
  return loaded;
}

/** authParams as KEDA builds them: env[] first, then configMapTargetRef, then secretTargetRef. */
function resolveAuth(trigger: ScaleTrigger, base: ObjectPath, context: TriggerLoadContext): TriggerAuth {
  const result: TriggerAuth = { params: {}, origins: {}, unresolved: new Map(), broken: new Set(), unknown: false };
  const ref = trigger.authenticationRef;
  if (!ref) return result;
  const label = triggerAuthenticationLabel(ref.kind, ref.name, context.namespace);
  const found = context.findAuthentication(ref);
  if (found.status !== 'ok') {
    const why = found.status === 'missing' ? 'not found in these files' : 'has errors (reported on its own document), so its values are not used';
    context.reporter.error([...base, 'authenticationRef', 'name'], `${label} ${why}`);
    return { ...result, unknown: true };
  }
  const { auth } = found;
  const known = (parameter: string, value: string, origin: string) => {
    result.params[parameter] = value;
    result.origins[parameter] = origin;
    result.unresolved.delete(parameter);
    result.broken.delete(parameter);
  };
  // A later source wins in the cluster, so a later one the files cannot read makes the parameter unknown.
  const unresolved = (parameter: string, reason: string, broken = false) => {
    delete result.params[parameter];
    delete result.origins[parameter];
    result.unresolved.set(parameter, reason);
    if (broken) result.broken.add(parameter);
    else result.broken.delete(parameter);
  };
  (auth.spec.env ?? []).forEach((entry, index) => {
    const from = `env var ${entry.name} (${label} env[${index}])`;
    if (!context.env.container && context.env.reason) {
      unresolved(entry.parameter, `it comes from ${from}, and ${context.env.reason}`);
      return;
    }
    // KEDA reads env[] from the named container, or the first one (not envSourceContainerName).
    const container = context.env.containerNamed(entry.containerName || undefined);
    if ('error' in container) {
      unresolved(entry.parameter, `it comes from ${from}, and ${container.error}`);
      return;
    }
    const lookup = container.lookup(entry.name);
    if (lookup.found) {
      known(entry.parameter, lookup.value, `env var ${entry.name} of ${container.description}`);
    } else if (lookup.unresolved) {
      unresolved(entry.parameter, `it comes from ${from}, and ${lookup.unresolved}`, lookup.error);
    } else {
      context.reporter.warning([...base, 'authenticationRef'], `${label} env[${index}]: env var ${entry.name} is not set in ${container.description}, so parameter ${JSON.stringify(entry.parameter)} is empty`);
    }
  });
  // The TriggerAuthentication has already applied configMapTargetRef, then secretTargetRef, in order.
  for (const [parameter, value] of Object.entries(auth.params)) known(parameter, value, auth.origins[parameter]!);
  for (const [parameter, reason] of auth.unresolved) unresolved(parameter, reason);
  for (const source of auth.clusterOnly) {
    for (const parameter of source.parameters) {
      if (!(parameter in result.params)) unresolved(parameter, `it comes from ${source.field} in ${label}, which only a cluster can resolve`);
    }
  }
  return { ...result, auth };
}

/** Every authParams key the scaler reads, for a TriggerAuthentication whose values are unknown. */
function everyAuthParam(declaration: MetadataDeclaration<ParamShape>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [name, param] of Object.entries(declaration.params)) {
    if (!param.sources.includes('authParams')) continue;
    for (const key of MetadataDeclaration.names(name, param)) keys.set(key, 'the TriggerAuthentication cannot be used');
  }
  return keys;
}

interface TriggerEnv {
  /** Every var of the container whose value the files tell; undefined when the container is not known. */
  readonly resolvedEnv?: Readonly<Record<string, string>>;
  /** var -> why its value cannot be read from the files (the vars the container declares, and those this trigger names). */
  readonly unresolved: Map<string, string>;
  /** Vars whose source is in the files and cannot supply them (a missing key): errors. */
  readonly broken: Set<string>;
  readonly container?: ContainerEnv;
  /** Why the container env is not known at all, when `container` is undefined. */
  readonly reason?: string;
}

/** The container env for `<name>FromEnv`: what the files tell, and what only the cluster can. */
function resolveEnv(trigger: ScaleTrigger, declaration: MetadataDeclaration<ParamShape>, env: TargetEnv): TriggerEnv {
  const container = env.container;
  if (!container) return { unresolved: new Map(), broken: new Set(), reason: env.reason ?? "the scale target's container env is not known here" };
  const unresolved = new Map<string, string>();
  const broken = new Set<string>();
  const add = (variable: string, reason: string, error?: true) => {
    unresolved.set(variable, reason);
    if (error) broken.add(variable);
  };
  for (const [variable, unknown] of container.unknownVars) add(variable, unknown.reason, unknown.error);
  // A var not declared may still come from an envFrom source that is not in the files.
  for (const key of declaration.knownMetadataKeys()) {
    const variable = key.endsWith('FromEnv') ? trigger.metadata[key]?.trim() : undefined;
    if (!variable || unresolved.has(variable)) continue;
    const lookup = container.lookup(variable);
    if (!lookup.found && lookup.unresolved !== undefined) add(variable, lookup.unresolved, lookup.error);
  }
  return { resolvedEnv: container.values, unresolved, broken, container };
}

/**
 * Puts a metadata problem on the node its value came from. A value the files cannot supply is
 * reported here, once per trigger that reads it: at the FromEnv key, or at authenticationRef.
 */
function placeProblem(
  problem: MetadataProblem,
  trigger: ScaleTrigger,
  base: ObjectPath,
  knownKeys: ReadonlySet<string>,
  auth: TriggerAuth,
  env: TriggerEnv,
  reporter: ObjectReporter,
): void {
  const metadataPath: ObjectPath = [...base, 'metadata'];
  const key = problem.key;
  switch (problem.source) {
    case 'triggerMetadata':
      if (key !== undefined && Object.hasOwn(trigger.metadata, key)) {
        reporter.report(problem.severity, [...metadataPath, key], problem.message, { anchor: knownKeys.has(key) ? 'value' : 'key' });
        return;
      }
      break;
    case 'resolvedEnv':
      if (key !== undefined) {
        const variable = trigger.metadata[key]?.trim() ?? '';
        const path: ObjectPath = [...metadataPath, key];
        if (!env.container) {
          // The DSL only knows that there is no env; the loader knows why (e.g. the workload is not in the files).
          reporter.report(problem.severity, path, `cannot resolve env var ${variable}: ${env.reason}`);
        } else if (env.broken.has(variable)) {
          reporter.report('error', path, problem.message);
        } else {
          const from = env.container.lookup(variable).found ? ` (env var ${variable} of ${env.container.description})` : '';
          reporter.report(problem.severity, path, `${problem.message}${from}`);
        }
        return;
      }
      break;
    case 'authParams':
      if (key !== undefined) {
        const path: ObjectPath = [...base, 'authenticationRef'];
        // An unresolved key (the DSL reports one only when it has no value): its reason names the source.
        if (auth.unresolved.has(key) && !auth.params[key]?.trim()) {
          reporter.report(auth.broken.has(key) ? 'error' : problem.severity, path, problem.message);
          return;
        }
        const origin = auth.origins[key];
        const label = auth.auth ? triggerAuthenticationLabel(auth.auth.kind, auth.auth.name, auth.auth.namespace) : 'the TriggerAuthentication';
        reporter.report(problem.severity, path, `authParams ${JSON.stringify(key)}: ${problem.message} (from ${label}${origin ? `, ${origin}` : ''})`);
        return;
      }
      break;
  }
  const hasMetadata = reporter.object.get(metadataPath) !== undefined;
  reporter.report(problem.severity, hasMetadata ? metadataPath : base, problem.message);
}

/**
 * A catalog of declarations alone (`updraft validate`) makes no scalers: every rule of a trigger is in
 * its declaration, so only the metric specs, which the loaded ScaledObject does not need there, are left out.
 */
function isFactory(entry: TriggerDeclaration): entry is ScalerFactory {
  return typeof (entry as Partial<ScalerFactory>).create === 'function';
}

/** The metric specs, from a scaler made for the purpose (create does no I/O by contract) and closed at once. */
function metricSpecsOf(factory: ScalerFactory, metadata: Readonly<Record<string, unknown>>, trigger: ScaleTrigger, index: number, metricType: MetricType, input: MetadataInput, context: TriggerLoadContext): MetricSpec[] {
  let scaler: Scaler | undefined;
  try {
    scaler = factory.create(scalerConfigOf({ type: trigger.type, index, ...(trigger.name ? { name: trigger.name } : {}), metricType, useCachedMetrics: trigger.useCachedMetrics, input }, metadata, context));
    return scaler.getMetricSpecs();
  } catch (error) {
    context.reporter.error(['spec', 'triggers', index], `the ${trigger.type} scaler rejected this trigger: ${(error as Error).message ?? String(error)}`);
    return [];
  } finally {
    if (scaler) closeQuietly(scaler);
  }
}

function closeQuietly(scaler: Scaler): void {
  try {
    scaler.close().catch(() => undefined);
  } catch {
    // close() must be safe; a scaler that throws here has nothing left to release.
  }
}
