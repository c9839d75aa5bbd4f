import { defineMetadata, httpAuthParams, httpAuthRule, p, type MetadataOf } from '@updraft/core/metadata';

/** The `prometheus` trigger's parameters (KEDA pkg/scalers/prometheus_scaler.go). */
export const prometheusMetadata = defineMetadata(
  {
    serverAddress: p.string().required().describe('Base URL of the Prometheus (or Thanos, Cortex, Mimir, VictoriaMetrics) query API.'),
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
  {
    rules: [
      httpAuthRule,
      // A warning, not an error: KEDA takes any string here, and its docs write placeholders such as
      // http://<prometheus-host>:9090. The query will fail until it is a URL.
      (m, context) => {
        if (!URL.canParse(m.serverAddress) || !/^https?:$/.test(new URL(m.serverAddress).protocol)) {
          context.warning(`${JSON.stringify(m.serverAddress)} is not an http:// or https:// URL; queries to it will fail`, 'serverAddress');
        }
      },
    ],
  },
);

export type PrometheusMetadata = MetadataOf<typeof prometheusMetadata>;
