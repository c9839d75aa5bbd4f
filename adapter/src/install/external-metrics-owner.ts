import { NAMES } from './install-options.js';

/** The part of an APIService that says who serves it. */
export interface ApiServiceView {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly service?: { readonly name?: string; readonly namespace?: string } | null };
}

/** Reads the cluster's APIService by name; undefined when there is none. */
export type ReadApiService = (name: string) => Promise<ApiServiceView | undefined>;

export type OwnerCheck =
  | { readonly kind: 'free' }
  | { readonly kind: 'ours' }
  | { readonly kind: 'other'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

/**
 * Only one APIService can serve external.metrics.k8s.io/v1beta1 (kubernetes-external-metrics.md §3.1):
 * applying Updraft's would silently take the metrics of every KEDA (or prometheus-adapter, Datadog)
 * HPA away from the adapter that serves them now.
 */
export async function checkExternalMetricsOwner(read: ReadApiService, namespace: string): Promise<OwnerCheck> {
  let current: ApiServiceView | undefined;
  try {
    current = await read(NAMES.apiService);
  } catch (error) {
    return { kind: 'unknown', message: `could not check who serves ${NAMES.apiService}: ${(error as Error).message}` };
  }
  if (!current) return { kind: 'free' };
  const service = current.spec?.service;
  const where = service ? `the Service ${service.namespace ?? '?'}/${service.name ?? '?'}` : 'no Service (a local API)';
  const isUpdraft = current.metadata?.labels?.['app.kubernetes.io/name'] === NAMES.app;
  if (isUpdraft && service?.namespace === namespace && service.name === NAMES.adapter) return { kind: 'ours' };
  const who = isUpdraft ? `another Updraft install (${where})` : guessOwner(service) ?? where;
  return {
    kind: 'other',
    message:
      `APIService ${NAMES.apiService} is already served by ${who}; only one adapter can serve external.metrics.k8s.io, ` +
      `and applying Updraft's would move every HPA's external metrics to Updraft. See docs/migration-from-keda.md, then rerun with --take-over to replace it.`,
  };
}

function guessOwner(service: { name?: string; namespace?: string } | null | undefined): string | undefined {
  if (!service) return undefined;
  const label = `${service.namespace ?? '?'}/${service.name ?? '?'}`;
  if (/keda/.test(service.name ?? '') || service.namespace === 'keda') return `KEDA's metrics server (Service ${label})`;
  if (/prometheus-adapter/.test(service.name ?? '')) return `prometheus-adapter (Service ${label})`;
  return undefined;
}
