import type { MetadataInput, MetadataProblem } from '../metadata/declaration.js';
import { MetadataDeclaration } from '../metadata/declaration.js';
import type { ParamShape } from '../metadata/param.js';
import type { MetricSpec, MetricType, Scaler } from '../scaler.js';
import type { ScalerFactory } from '../scaler-factory.js';
import { UnknownTriggerTypeError, type ScalerRegistry } from '../scaler-registry.js';
import type { ContainerEnv } from './container-env.js';
import type { ObjectReporter } from './diagnostic-collector.js';
import type { ExternalTrigger, LoadedTrigger } from './loaded-trigger.js';
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
export interface TriggerContext {
  readonly registry: ScalerRegistry;
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
  /** parameter -> why its value is unknown */
  readonly unresolved: Map<string, string>;
  /** The TriggerAuthentication is missing or broken (already reported): nothing about authParams is known. */
  readonly unknown: boolean;
  readonly auth?: LoadedTriggerAuthentication;
}

/**
 * Loads one trigger: looks its type up, resolves authParams and env, parses the metadata with the
 * scaler's declaration and reports each problem on the node it comes from, then asks a scaler for
 * its metric specs. Undefined when the trigger cannot be used.
 */
export function loadTrigger(trigger: ScaleTrigger, index: number, context: TriggerContext): LoadedTrigger | undefined {
  const { reporter } = context;
  const base: ObjectPath = ['spec', 'triggers', index];
  const { line, col } = reporter.object.locate(base);
  const common = { index, type: trigger.type, ...(trigger.name ? { name: trigger.name } : {}), useCachedMetrics: trigger.useCachedMetrics, line, col };

  if (RESOURCE_TRIGGER_TYPES.has(trigger.type)) {
    reporter.warning([...base, 'type'], `${trigger.type} is a Resource metric: the HPA reads it from metrics-server, and Updraft ignores this trigger`);
    return { kind: 'resource', ...common, metricType: trigger.metricType, metadata: trigger.metadata };
  }
  if (!context.registry.has(trigger.type)) {
    reporter.error([...base, 'type'], new UnknownTriggerTypeError(trigger.type, context.registry.types()).message);
    return undefined;
  }
  const factory = context.registry.get(trigger.type);
  const declaration = factory.metadata;
  const auth = resolveAuth(trigger, base, context);
  const env = resolveEnv(trigger, declaration, context.env);
  const identity = auth.auth?.spec.podIdentity;
  const podIdentity = identity && identity.provider !== 'none' ? identity : undefined;

  const input: MetadataInput = {
    triggerMetadata: trigger.metadata,
    authParams: auth.params,
    ...(env.resolvedEnv ? { resolvedEnv: env.resolvedEnv } : {}),
    ...(podIdentity ? { podIdentity } : {}),
  };
  const result = declaration.parse(input, { unresolved: context.unresolved, triggerType: trigger.type });

  // Parameters a TriggerAuthentication would supply in a cluster: their absence here is not an error.
  const unknownParams = new Set<string>();
  for (const [name, param] of Object.entries(declaration.params)) {
    if (!param.sources.includes('authParams')) continue;
    const keys = MetadataDeclaration.names(name, param);
    if (auth.unknown) unknownParams.add(name);
    const unresolvedKey = keys.find((key) => auth.unresolved.has(key));
    if (unresolvedKey !== undefined && !keys.some((key) => auth.params[key]?.trim())) {
      unknownParams.add(name);
      reporter.report(context.unresolved, [...base, 'authenticationRef'], `cannot resolve parameter ${JSON.stringify(unresolvedKey)}: ${auth.unresolved.get(unresolvedKey)}`);
    }
  }

  const knownKeys = declaration.knownMetadataKeys();
  for (const problem of result.problems) {
    if (problem.source === undefined && [...unknownParams].some((name) => problem.message.startsWith(`missing required parameter ${JSON.stringify(name)}`))) continue;
    let message = problem.message;
    if (problem.source === 'resolvedEnv' && !env.resolvedEnv) {
      const variable = trigger.metadata[problem.key!]?.trim() ?? '';
      const reason = env.unresolvedReason(variable);
      if (reason === undefined) continue;
      message = `cannot resolve env var ${variable}: ${reason}`;
    }
    placeProblem({ ...problem, message }, trigger, base, knownKeys, auth, env.container, reporter);
  }

  const resolved = result.metadata !== undefined && unknownParams.size === 0;
  const metadata = resolved ? (result.metadata as Readonly<Record<string, unknown>>) : undefined;
  // Utilization on an external trigger is already reported; the specs are still worth computing.
  const metricType: MetricType = trigger.metricType === 'Value' ? 'Value' : 'AverageValue';
  const metricSpecs = metadata ? metricSpecsOf(factory, metadata, trigger, index, metricType, context) : [];
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
function resolveAuth(trigger: ScaleTrigger, base: ObjectPath, context: TriggerContext): TriggerAuth {
  const result: TriggerAuth = { params: {}, origins: {}, unresolved: new Map(), unknown: false };
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
  (auth.spec.env ?? []).forEach((entry, index) => {
    const from = `env var ${entry.name} (${label} env[${index}])`;
    if (!context.env.container && context.env.reason) {
      result.unresolved.set(entry.parameter, `it comes from ${from}, and ${context.env.reason}`);
      return;
    }
    // KEDA reads env[] from the named container, or the first one (not envSourceContainerName).
    const container = context.env.containerNamed(entry.containerName || undefined);
    if ('error' in container) {
      result.unresolved.set(entry.parameter, `it comes from ${from}, and ${container.error}`);
      return;
    }
    const lookup = container.lookup(entry.name);
    if (lookup.found) {
      result.params[entry.parameter] = lookup.value;
      result.origins[entry.parameter] = `env var ${entry.name} of ${container.description}`;
    } else if (lookup.unresolved) {
      result.unresolved.set(entry.parameter, `it comes from ${from}, and ${lookup.unresolved}`);
    } else {
      context.reporter.warning([...base, 'authenticationRef'], `${label} env[${index}]: env var ${entry.name} is not set in ${container.description}, so parameter ${JSON.stringify(entry.parameter)} is empty`);
    }
  });
  for (const [parameter, value] of Object.entries(auth.params)) {
    result.params[parameter] = value;
    result.origins[parameter] = auth.origins[parameter]!;
    result.unresolved.delete(parameter);
  }
  for (const source of auth.clusterOnly) {
    for (const parameter of source.parameters) {
      if (!(parameter in result.params)) result.unresolved.set(parameter, `it comes from ${source.field} in ${label}, which only a cluster can resolve`);
    }
  }
  return { ...result, auth };
}

interface TriggerEnv {
  /** What the metadata is parsed with; undefined when a `<name>FromEnv` this trigger uses cannot be resolved. */
  readonly resolvedEnv?: Readonly<Record<string, string>>;
  readonly container?: ContainerEnv;
  /** Why a variable is unknown; undefined when the files do tell its value (or its absence). */
  unresolvedReason(variable: string): string | undefined;
}

/**
 * The container env for `<name>FromEnv`. The DSL can only be told "env known" or "env unknown", so
 * when one variable this trigger reads is unknown the whole env is withheld, and the messages about
 * variables that were in fact known are dropped by the caller.
 */
function resolveEnv(trigger: ScaleTrigger, declaration: MetadataDeclaration<ParamShape>, env: TargetEnv): TriggerEnv {
  const container = env.container;
  if (!container) return { unresolvedReason: () => env.reason ?? "the scale target's container env is not known here" };
  const variables = [...declaration.knownMetadataKeys()]
    .filter((key) => key.endsWith('FromEnv'))
    .map((key) => trigger.metadata[key]?.trim())
    .filter((variable): variable is string => !!variable);
  const reason = (variable: string) => {
    const lookup = container.lookup(variable);
    return lookup.found ? undefined : lookup.unresolved;
  };
  if (variables.some((variable) => reason(variable) !== undefined)) return { container, unresolvedReason: reason };
  return { resolvedEnv: container.values, container, unresolvedReason: reason };
}

/** Puts a metadata problem on the node its value came from. */
function placeProblem(
  problem: MetadataProblem,
  trigger: ScaleTrigger,
  base: ObjectPath,
  knownKeys: ReadonlySet<string>,
  auth: TriggerAuth,
  container: ContainerEnv | undefined,
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
        const variable = trigger.metadata[key]?.trim();
        const found = variable && container?.lookup(variable);
        const from = found && found.found ? ` (env var ${variable} of ${container!.description})` : '';
        reporter.report(problem.severity, [...metadataPath, key], `${problem.message}${from}`);
        return;
      }
      break;
    case 'authParams':
      if (key !== undefined) {
        const origin = auth.origins[key];
        const label = auth.auth ? triggerAuthenticationLabel(auth.auth.kind, auth.auth.name, auth.auth.namespace) : 'the TriggerAuthentication';
        reporter.report(problem.severity, [...base, 'authenticationRef'], `authParams ${JSON.stringify(key)}: ${problem.message} (from ${label}${origin ? `, ${origin}` : ''})`);
        return;
      }
      break;
  }
  const hasMetadata = reporter.object.get(metadataPath) !== undefined;
  reporter.report(problem.severity, hasMetadata ? metadataPath : base, problem.message);
}

/** The metric specs, from a scaler made for the purpose (create does no I/O by contract) and closed at once. */
function metricSpecsOf(factory: ScalerFactory, metadata: Readonly<Record<string, unknown>>, trigger: ScaleTrigger, index: number, metricType: MetricType, context: TriggerContext): MetricSpec[] {
  let scaler: Scaler | undefined;
  try {
    scaler = factory.create({
      metadata: metadata as never,
      triggerType: trigger.type,
      triggerIndex: index,
      ...(trigger.name ? { triggerName: trigger.name } : {}),
      metricType,
      useCachedMetrics: trigger.useCachedMetrics,
      scaledObject: { namespace: context.namespace, name: context.name },
    });
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
