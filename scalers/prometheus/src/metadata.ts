import { defineMetadata, httpAuthParams, httpAuthRule, p, type MetadataOf } from '@updraft/core';

/** The `prometheus` trigger's parameters (KEDA pkg/scalers/prometheus_scaler.go). */
export const prometheusMetadata = defineMetadata(
  {
    serverAddress: p.url().required().describe('Base URL of the Prometheus (or Thanos, Cortex, Mimir) HTTP API.'),
    query: p.string().required().describe('PromQL instant query; it must return a single element.'),
    threshold: p.number().required().describe('Target value for the HPA.'),
    activationThreshold: p.number().default(0).describe('The trigger is active when the value is above this.'),
    namespace: p.string().describe('Sent as the `namespace` query parameter (Thanos querier tenancy).'),
    queryParameters: p.map().describe('Extra query parameters for the request.'),
    customHeaders: p.map().describe('Extra request headers, e.g. `X-Scope-OrgID=tenant`.'),
    ignoreNullValues: p.boolean().default(true).describe('What an empty, NaN or infinite result means: true reads it as 0, false makes it an error.'),
    timeout: p.duration().describe('HTTP timeout of the query; the default is 3s, as in KEDA.'),
    awsRegion: p.string().from('triggerMetadata', 'authParams').describe('Region for Amazon Managed Prometheus (SigV4).'),
    identityOwner: p.enum(['pod', 'operator']).describe('AWS identity for Amazon Managed Prometheus.'),
    metricName: p.string().deprecatedAnnounce('metricName was removed in KEDA v2.12 and is ignored: the metric is named s<index>-prometheus'),
    ...httpAuthParams,
  },
  { rules: [httpAuthRule] },
);

export type PrometheusMetadata = MetadataOf<typeof prometheusMetadata>;
