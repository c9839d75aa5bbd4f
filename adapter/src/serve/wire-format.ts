/**
 * The JSON the external metrics API speaks (kubernetes-external-metrics.md §1.3–1.6): discovery
 * documents, ExternalMetricValueList, and metav1.Status errors, byte for byte as the Go apiserver
 * library writes them.
 */

export const GROUP = 'external.metrics.k8s.io';
export const VERSION = 'v1beta1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
/** KEDA's placeholder resource: discovery always lists exactly this one, never an empty list. */
export const PLACEHOLDER_RESOURCE = 'externalmetrics';

const versionEntry = { groupVersion: GROUP_VERSION, version: VERSION };

/** `GET /apis` */
export const API_GROUP_LIST = JSON.stringify({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [{ name: GROUP, versions: [versionEntry], preferredVersion: versionEntry }],
});

/** `GET /apis/external.metrics.k8s.io` */
export const API_GROUP = JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [versionEntry], preferredVersion: versionEntry });

/** `GET /apis/external.metrics.k8s.io/v1beta1` */
export const API_RESOURCE_LIST = JSON.stringify({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [{ name: PLACEHOLDER_RESOURCE, singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
});

/** One item of an ExternalMetricValueList, in KEDA's shape. */
export interface ExternalMetricValue {
  readonly metricName: string;
  /** KEDA always sends null. */
  readonly metricLabels: Readonly<Record<string, string>> | null;
  /** RFC 3339, second precision, UTC with `Z`. */
  readonly timestamp: string;
  /** A canonical Quantity string. */
  readonly value: string;
}

export interface ExternalMetricValueList {
  readonly kind: 'ExternalMetricValueList';
  readonly apiVersion: typeof GROUP_VERSION;
  readonly metadata: Record<string, never>;
  readonly items: readonly ExternalMetricValue[];
}

export function externalMetricValueList(items: readonly ExternalMetricValue[]): ExternalMetricValueList {
  return { kind: 'ExternalMetricValueList', apiVersion: GROUP_VERSION, metadata: {}, items };
}

/** `metav1.Time` as JSON: UTC, RFC 3339, whole seconds, `Z`. */
export function formatTimestamp(time: Date | number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 19)}Z`;
}

/** The `reason` values of metav1.Status this server uses. */
export type StatusReason = 'NotFound' | 'BadRequest' | 'InternalError' | 'ServiceUnavailable' | 'Unauthorized' | 'Forbidden' | 'MethodNotAllowed';

export interface StatusDetails {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly causes?: readonly { readonly reason?: string; readonly message: string; readonly field?: string }[];
}

/** A failed request as a metav1.Status: the HTTP status equals `code`. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly code: number,
    message: string,
    /** Omitted when unknown, as for a plain Go error (KEDA's "scaledObject name is not specified"). */
    readonly reason?: StatusReason,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** The Status JSON, keys in the apiserver's order. */
  body(): string {
    return JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    });
  }
}

/** `provider.NewMetricNotFoundError`: "the server could not find the metric %s for %s". */
export function metricNotFound(metricName: string, forWhat: string): StatusError {
  return new StatusError(404, `the server could not find the metric ${metricName} for ${forWhat}`, 'NotFound');
}

/** The apiserver's answer for a path it has no route for. */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'the server could not find the requested resource', 'NotFound', {});
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, message, 'BadRequest');
}

/** `apierrors.NewInternalError`: "Internal error occurred: <err>" with the cause. */
export function internalError(message: string): StatusError {
  return new StatusError(500, `Internal error occurred: ${message}`, 'InternalError', { causes: [{ message }] });
}

export function serviceUnavailable(message: string, causes?: StatusDetails['causes']): StatusError {
  return new StatusError(503, message, 'ServiceUnavailable', causes ? { causes } : undefined);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {});
}

/** What a request asks to do, as the apiserver's RequestInfo and authorizer.Attributes see it. */
export type RequestAttributes =
  | {
      readonly resourceRequest: true;
      /** `list` for a metric read (GET without a name). */
      readonly verb: string;
      readonly namespace: string;
      readonly group: typeof GROUP;
      readonly version: typeof VERSION;
      readonly resource: string;
    }
  | { readonly resourceRequest: false; readonly verb: string; readonly path: string };

/** `responsewriters.Forbidden` with `apierrors.NewForbidden` (apiserver), message and details as upstream. */
export function forbidden(user: string, attributes: RequestAttributes, reason: string): StatusError {
  let message: string;
  let details: StatusDetails;
  if (attributes.resourceRequest) {
    const what = `User ${JSON.stringify(user)} cannot ${attributes.verb} resource ${JSON.stringify(attributes.resource)} in API group ${JSON.stringify(attributes.group)} in the namespace ${JSON.stringify(attributes.namespace)}`;
    message = `${attributes.resource}.${attributes.group} is forbidden: ${what}${reason ? `: ${reason}` : ''}`;
    details = { group: attributes.group, kind: attributes.resource };
  } else {
    const what = `User ${JSON.stringify(user)} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
    message = `forbidden: ${what}${reason ? `: ${reason}` : ''}`;
    details = {};
  }
  return new StatusError(403, message, 'Forbidden', details);
}
