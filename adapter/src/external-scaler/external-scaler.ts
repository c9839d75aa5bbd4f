import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  formatDiagnostic,
  loadManifests,
  MetricUnavailableError,
  ScalingEngine,
  TriggerFailure,
  UnknownMetricError,
  type Diagnostic,
  type ManifestSource,
  type ScaledObjectRef as EngineRef,
  type ScalerRegistry,
} from '@updraft/core';

/** The proto file, vendored from KEDA (see its header). The test's client is made from the same file. */
export const EXTERNAL_SCALER_PROTO = fileURLToPath(new URL('../../proto/externalscaler.proto', import.meta.url));

/** The scalerMetadata key that names the Updraft trigger type. */
export const SCALER_TYPE_KEY = 'scalerType';
/** The scalerMetadata key that names a TriggerAuthentication in `--config` (same namespace as the ScaledObject). */
export const AUTHENTICATION_REF_KEY = 'authenticationRef';
/** The scalerMetadata key that names a ClusterTriggerAuthentication in `--config` instead. */
export const CLUSTER_AUTHENTICATION_REF_KEY = 'clusterAuthenticationRef';
/** KEDA's own `external` trigger parameters: KEDA sends them too; they are not the Updraft trigger's. */
const KEDA_EXTERNAL_KEYS = new Set(['scalerAddress', 'enableTLS', 'unsafeSsl']);
const OWN_KEYS = new Set([SCALER_TYPE_KEY, AUTHENTICATION_REF_KEY, CLUSTER_AUTHENTICATION_REF_KEY]);
/** The synthetic document's file name, in INVALID_ARGUMENT messages. */
const REQUEST_FILE = '<scalerMetadata>';

export interface ExternalScalerOptions {
  readonly registry: ScalerRegistry;
  /** TriggerAuthentications, ClusterTriggerAuthentications, Secrets and ConfigMaps (as `serve --config` reads them). */
  readonly config: readonly ManifestSource[];
  /** How often each trigger is polled in the background (StreamIsActive reports from these polls). Default 30 (KEDA's). */
  readonly pollingIntervalSeconds?: number;
  /** The namespace of ClusterTriggerAuthentication Secrets. Default `keda`. */
  readonly kedaNamespace?: string;
}

export interface ScaledObjectRefMessage {
  readonly name?: string;
  readonly namespace?: string;
  readonly scalerMetadata?: Record<string, string>;
}

/** A gRPC error: the status code and the message KEDA logs. */
export class ExternalScalerError extends Error {
  override readonly name = 'ExternalScalerError';
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

/**
 * KEDA's external scaler service over Updraft's engine. Each distinct (namespace, name,
 * scalerMetadata) is one ScaledObject with one trigger, loaded by the same loader as `serve` (with
 * the `--config` documents beside it for auth) and served by one ScalingEngine: background polls,
 * one shared fetch per stale value, timeouts, rebuilds with backoff.
 */
export class ExternalScalerService {
  private readonly engine: ScalingEngine;
  private readonly objects = new Map<string, EngineRef>();
  private readonly pollingInterval: number;

  constructor(private readonly options: ExternalScalerOptions) {
    this.engine = new ScalingEngine({ registry: options.registry });
    this.engine.start();
    this.pollingInterval = options.pollingIntervalSeconds ?? 30;
  }

  /** The engine's object for this ref, loaded on first use. Bad metadata is INVALID_ARGUMENT naming every field at fault. */
  objectFor(ref: ScaledObjectRefMessage | undefined): EngineRef {
    const name = ref?.name ?? '';
    const namespace = ref?.namespace || 'default';
    const metadata = { ...(ref?.scalerMetadata ?? {}) };
    if (!name) throw new ExternalScalerError(grpc.status.INVALID_ARGUMENT, 'scaledObjectRef.name: required (the ScaledObject the trigger belongs to)');
    const key = JSON.stringify([namespace, name, Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    const known = this.objects.get(key);
    if (known) return known;

    const type = metadata[SCALER_TYPE_KEY];
    if (!type) {
      throw new ExternalScalerError(
        grpc.status.INVALID_ARGUMENT,
        `scalerMetadata.${SCALER_TYPE_KEY}: required: the Updraft trigger type to run (one of ${this.options.registry.types().join(', ')})`,
      );
    }
    // Engine names are per (name, metadata): two external triggers of one ScaledObject are two objects.
    const objectName = `${name.slice(0, 200)}-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
    const triggerMetadata: Record<string, string> = {};
    const env: { name: string; value: string }[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (KEDA_EXTERNAL_KEYS.has(k) || OWN_KEYS.has(k)) continue;
      if (k.endsWith('FromEnv')) {
        // KEDA resolves `<x>FromEnv` from the scale target's env and sends the value under the same key;
        // a stand-in workload supplies it back to the trigger's `<x>FromEnv` indirection.
        const variable = `UPDRAFT_EXTERNAL_${env.length}`;
        env.push({ name: variable, value: v });
        triggerMetadata[k] = variable;
        continue;
      }
      triggerMetadata[k] = v;
    }
    const workload = `${objectName}-target`;
    const authRef = metadata[CLUSTER_AUTHENTICATION_REF_KEY]
      ? { name: metadata[CLUSTER_AUTHENTICATION_REF_KEY], kind: 'ClusterTriggerAuthentication' }
      : metadata[AUTHENTICATION_REF_KEY]
        ? { name: metadata[AUTHENTICATION_REF_KEY] }
        : undefined;
    const documents = [
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: objectName, namespace },
        spec: {
          scaleTargetRef: { name: workload },
          pollingInterval: this.pollingInterval,
          triggers: [{ type, metadata: triggerMetadata, ...(authRef ? { authenticationRef: authRef } : {}) }],
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: workload, namespace },
        spec: { template: { spec: { containers: [{ name: 'target', env }] } } },
      },
    ];
    const text = documents.map((d) => JSON.stringify(d)).join('\n---\n');
    const loaded = loadManifests([...this.options.config, { file: REQUEST_FILE, text }], this.options.registry, {
      unresolved: 'error',
      ...(this.options.kedaNamespace ? { kedaNamespace: this.options.kedaNamespace } : {}),
    });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error' && (d.file === REQUEST_FILE || d.object === `${namespace}/${objectName}`));
    const object = loaded.scaledObjects.find((o) => o.namespace === namespace && o.name === objectName);
    if (errors.length > 0 || !object) {
      const messages = errors.length > 0 ? errors.map((d) => describe(d, objectName)) : ['the trigger did not load'];
      throw new ExternalScalerError(grpc.status.INVALID_ARGUMENT, `${namespace}/${name}: ${messages.join('; ')}`);
    }
    this.engine.add(object);
    const engineRef = { namespace, name: objectName };
    this.objects.set(key, engineRef);
    return engineRef;
  }

  async isActive(ref: ScaledObjectRefMessage | undefined): Promise<boolean> {
    const object = this.objectFor(ref);
    const state = await this.engine.state(object);
    const failed = state.triggers.find((t) => t.error);
    if (failed && !state.fallbackActive) throw unavailable(ref, failed.error!);
    return state.active;
  }

  /** The trigger's metrics, named without KEDA's `s<index>-` prefix (KEDA adds its own). */
  metricSpecs(ref: ScaledObjectRefMessage | undefined): { metricName: string; targetSize: number; targetSizeFloat: number }[] {
    const object = this.objectFor(ref);
    let specs;
    try {
      specs = this.engine.metricSpecs(object);
    } catch (error) {
      throw unavailable(ref, error);
    }
    return specs.map((spec) => ({
      metricName: unprefixed(spec.metricName),
      // KEDA reads targetSizeFloat when it is above 0, else the deprecated int64 targetSize.
      targetSize: Math.round(spec.target),
      targetSizeFloat: spec.target,
    }));
  }

  async metrics(ref: ScaledObjectRefMessage | undefined, metricName: string): Promise<{ metricName: string; metricValue: number; metricValueFloat: number }[]> {
    const object = this.objectFor(ref);
    if (!metricName) throw new ExternalScalerError(grpc.status.INVALID_ARGUMENT, 'metricName: required (a name GetMetricSpec returned)');
    let read;
    try {
      read = await this.engine.readMetric(object, `s0-${metricName}`);
    } catch (error) {
      if (error instanceof UnknownMetricError) {
        throw new ExternalScalerError(
          grpc.status.INVALID_ARGUMENT,
          `metricName: ${JSON.stringify(metricName)} is not a metric of this trigger; GetMetricSpec returns ${error.known.map((m) => JSON.stringify(unprefixed(m))).join(', ')}`,
        );
      }
      throw unavailable(ref, error);
    }
    return read.values.map((value) => ({
      metricName,
      // KEDA reads metricValueFloat when it is above 0, else the deprecated int64 metricValue.
      metricValue: Math.round(value.value),
      metricValueFloat: value.value,
    }));
  }

  /** Calls `onChange` with the object's activity now, then whenever a background poll changes it. Returns the unsubscribe. */
  async watchActivity(ref: ScaledObjectRefMessage | undefined, onChange: (active: boolean) => void): Promise<() => void> {
    const object = this.objectFor(ref);
    let last: boolean | undefined;
    const report = (active: boolean) => {
      if (active === last) return;
      last = active;
      onChange(active);
    };
    const unsubscribe = this.engine.subscribe({
      onActivityChange: (event) => {
        if (event.namespace === object.namespace && event.scaledObject === object.name) report(event.active);
      },
    });
    try {
      report(await this.isActive(ref));
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

function unprefixed(metricName: string): string {
  return metricName.replace(/^s0-/, '');
}

/** A loader diagnostic in the request's terms: `scalerMetadata.<field>` rather than the stand-in object's paths. */
function describe(d: Diagnostic, objectName: string): string {
  if (d.file !== REQUEST_FILE) return formatDiagnostic(d);
  const path = (d.path ?? '')
    .replace(/^spec\.triggers\[0\]\.metadata\./, 'scalerMetadata.')
    .replace(/^spec\.triggers\[0\]\.type$/, `scalerMetadata.${SCALER_TYPE_KEY}`)
    .replace(/^spec\.triggers\[0\]\.authenticationRef.*$/, `scalerMetadata.${AUTHENTICATION_REF_KEY}`)
    .replace(/^spec\.triggers\[0\](\.metadata)?$/, 'scalerMetadata');
  return `${path ? `${path}: ` : ''}${d.message.replaceAll(objectName, '<scaledObject>')}`;
}

function unavailable(ref: ScaledObjectRefMessage | undefined, error: unknown): ExternalScalerError {
  if (error instanceof ExternalScalerError) return error;
  const cause = error instanceof MetricUnavailableError && error.cause instanceof TriggerFailure ? error.cause : error;
  const kind = cause instanceof TriggerFailure ? ` (${cause.errorKind})` : '';
  const message = error instanceof Error ? error.message : String(error);
  return new ExternalScalerError(grpc.status.UNAVAILABLE, `${ref?.namespace || 'default'}/${ref?.name ?? ''}: the trigger's source failed${kind}: ${message}`);
}

/** Loads the vendored proto as grpc-js and proto-loader see it (int64 as numbers). */
export function loadExternalScalerProto(): grpc.GrpcObject {
  const definition = protoLoader.loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true });
  return grpc.loadPackageDefinition(definition);
}

export interface ExternalScalerServer {
  readonly port: number;
  readonly service: ExternalScalerService;
  close(): Promise<void>;
}

function statusOf(error: unknown): grpc.ServiceError {
  if (error instanceof ExternalScalerError) return Object.assign(new Error(error.message), { code: error.code, details: error.message, metadata: new grpc.Metadata() });
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(message), { code: grpc.status.INTERNAL, details: message, metadata: new grpc.Metadata() });
}

/** Serves `externalscaler.ExternalScaler` on host:port (0: a free port) without TLS, as KEDA's `scalerAddress` dials it by default. */
export async function startExternalScalerServer(options: ExternalScalerOptions & { readonly host?: string; readonly port: number }): Promise<ExternalScalerServer> {
  const proto = loadExternalScalerProto() as unknown as { externalscaler: { ExternalScaler: grpc.ServiceClientConstructor } };
  const service = new ExternalScalerService(options);
  const server = new grpc.Server();
  type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;
  const unary =
    <Req, Res>(handle: (request: Req) => Res | Promise<Res>): Unary<Req, Res> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => handle(call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(statusOf(error)),
        );
    };
  const streamIsActive: grpc.handleServerStreamingCall<ScaledObjectRefMessage, { result: boolean }> = (call) => {
    let unsubscribe: (() => void) | undefined;
    let ended = false;
    call.on('cancelled', () => {
      ended = true;
      unsubscribe?.();
    });
    service.watchActivity(call.request, (result) => {
      if (!ended) call.write({ result });
    }).then(
      (stop) => {
        if (ended) stop();
        else unsubscribe = stop;
      },
      (error: unknown) => {
        ended = true;
        call.emit('error', statusOf(error));
      },
    );
  };
  server.addService(proto.externalscaler.ExternalScaler.service, {
    IsActive: unary<ScaledObjectRefMessage, { result: boolean }>(async (ref) => ({ result: await service.isActive(ref) })),
    StreamIsActive: streamIsActive,
    GetMetricSpec: unary<ScaledObjectRefMessage, unknown>((ref) => ({ metricSpecs: service.metricSpecs(ref) })),
    GetMetrics: unary<{ scaledObjectRef?: ScaledObjectRefMessage; metricName?: string }, unknown>(async (request) => ({
      metricValues: await service.metrics(request.scaledObjectRef, request.metricName ?? ''),
    })),
    // KEDA falls back to GetMetricSpec when a server answers UNIMPLEMENTED; Updraft's targets come from the metadata and do not change.
    StreamMetricSpec: (call: grpc.ServerWritableStream<unknown, unknown>) =>
      call.emit('error', statusOf(new ExternalScalerError(grpc.status.UNIMPLEMENTED, 'StreamMetricSpec: the targets come from scalerMetadata and never change; use GetMetricSpec'))),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host ?? '0.0.0.0'}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    service,
    close: () =>
      (closing ??= (async () => {
        // Open StreamIsActive calls never end by themselves: KEDA reconnects with backoff.
        server.forceShutdown();
        await service.close();
      })()),
  };
}
