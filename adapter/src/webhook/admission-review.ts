import { loadManifests, type Diagnostic, type ScalerRegistry } from '@updraft/core';

/** admission.k8s.io/v1 AdmissionReview, the parts the webhook reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind?: { readonly group?: string; readonly version?: string; readonly kind?: string };
  readonly namespace?: string;
  readonly name?: string;
  readonly operation?: string;
  readonly object?: unknown;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
}

/** A ScaledObject already in the cluster, as the duplicate-target check needs it. */
export interface ExistingScaledObject {
  readonly namespace: string;
  readonly name: string;
  readonly scaleTarget: ScaleTargetKey;
}

export interface ScaleTargetKey {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** What the cluster holds, when the adapter watches one (`serve --source kubernetes`). */
export interface AdmissionClusterView {
  scaledObjects(namespace: string): readonly ExistingScaledObject[];
  /** TriggerAuthentications (of the namespace) and ClusterTriggerAuthentications, as the API server returned them. */
  triggerAuthentications(namespace: string): readonly unknown[];
}

export interface AdmissionContext {
  readonly registry: ScalerRegistry;
  /** Where ClusterTriggerAuthentications read their Secrets: the adapter's namespace. */
  readonly kedaNamespace: string;
  readonly cluster?: AdmissionClusterView;
}

const KINDS = new Set(['ScaledObject', 'TriggerAuthentication', 'ClusterTriggerAuthentication']);

/** `spec.triggers[0].metadata.threshold: must be a number`: what `updraft validate` says, without the file position. */
export function describeDiagnostic(d: Diagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

/** scaleTargetRef with KEDA's defaults (apps/v1 Deployment). */
export function scaleTargetOf(object: unknown): ScaleTargetKey | undefined {
  const ref = (object as { spec?: { scaleTargetRef?: { apiVersion?: unknown; kind?: unknown; name?: unknown } } } | undefined)?.spec?.scaleTargetRef;
  if (!ref || typeof ref.name !== 'string') return undefined;
  return {
    apiVersion: typeof ref.apiVersion === 'string' && ref.apiVersion ? ref.apiVersion : 'apps/v1',
    kind: typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Deployment',
    name: ref.name,
  };
}

/** Same group and kind (the version may differ) and name. */
function sameTarget(a: ScaleTargetKey, b: ScaleTargetKey): boolean {
  const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
  return a.name === b.name && a.kind === b.kind && group(a.apiVersion) === group(b.apiVersion);
}

/**
 * Answers one AdmissionReview for a ScaledObject, TriggerAuthentication or
 * ClusterTriggerAuthentication: denied with every error `updraft validate` would print for it (field
 * path and message), allowed with its warnings; and, as KEDA's webhook, a second ScaledObject for a
 * scale target that one already has is denied.
 */
export function review(request: AdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const { uid } = request;
  const kind = request.kind?.kind ?? '';
  if (request.kind?.group !== 'keda.sh' || !KINDS.has(kind) || request.object === undefined || request.object === null) {
    return { uid, allowed: true, warnings: [`updraft does not validate ${request.kind?.group ?? '?'}/${kind || '?'}`] };
  }
  const object = request.object as { metadata?: { namespace?: string; name?: string }; spec?: { triggers?: { authenticationRef?: { name?: unknown; kind?: unknown } }[] } };
  // The API server sends the object without a namespace on CREATE when the manifest had none.
  const namespace = request.namespace ?? object.metadata?.namespace;
  const withNamespace = kind === 'ClusterTriggerAuthentication' ? object : { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
  const name = object.metadata?.name ?? request.name ?? '';

  const sources = [{ file: 'admission', text: JSON.stringify(withNamespace) }];
  if (kind === 'ScaledObject' && context.cluster && namespace) {
    for (const auth of context.cluster.triggerAuthentications(namespace)) sources.push({ file: 'cluster', text: JSON.stringify(auth) });
  }
  const result = loadManifests(sources, context.registry, { unresolved: 'warning', kedaNamespace: context.kedaNamespace });
  const own = result.diagnostics.filter((d) => d.file === 'admission');

  // A TriggerAuthentication may be applied after the ScaledObject that names it (KEDA's webhook does not
  // look): its absence is a warning here, and the ScaledObject's Ready condition reports it.
  const authPaths = new Set((object.spec?.triggers ?? []).map((_, i) => `spec.triggers[${i}].authenticationRef.name`));
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const d of own) {
    const missingAuth = d.path !== undefined && authPaths.has(d.path);
    if (d.severity === 'error' && !missingAuth) errors.push(describeDiagnostic(d));
    else if (d.severity === 'error' || d.severity === 'warning') warnings.push(describeDiagnostic(d));
  }

  if (kind === 'ScaledObject' && context.cluster && namespace && errors.length === 0) {
    const target = scaleTargetOf(object);
    const other = target && context.cluster.scaledObjects(namespace).find((so) => so.name !== name && sameTarget(so.scaleTarget, target));
    if (target && other) errors.push(`spec.scaleTargetRef: the workload '${target.name}' of type '${target.kind}' is already managed by the ScaledObject '${other.name}'`);
  }

  if (errors.length === 0) return { uid, allowed: true, ...(warnings.length > 0 ? { warnings } : {}) };
  const label = kind === 'ClusterTriggerAuthentication' ? name : `${namespace ?? 'default'}/${name}`;
  return {
    uid,
    allowed: false,
    status: { code: 422, reason: 'Invalid', message: `${kind} ${label}: ${errors.join('; ')}` },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
