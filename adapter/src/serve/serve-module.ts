import { ContainerModule } from 'inversify';
import { ScalerRegistry, ScalingEngine } from '@updraft/core';
import { bindKubernetesSource } from '../cluster/cluster-source-module.js';
import type { KubeClient } from '../cluster/kube-client.js';
import { ControllerContribution } from '../controller/controller-contribution.js';
import { CONTROLLER_DEFAULTS, ControllerOptions } from '../controller/controller-options.js';
import { AuthenticationConfigSource } from './auth/authentication-config.js';
import { AuthenticationContribution } from './auth/authentication-contribution.js';
import { DelegatingAuthenticator } from './auth/delegating-authenticator.js';
import { KubernetesApi } from './auth/kubernetes-api.js';
import { NoAuthentication, RequestAuthenticator, RequestAuthorizer } from './auth/request-auth.js';
import { SubjectAccessReviewAuthorizer } from './auth/subject-access-review-authorizer.js';
import { EngineContribution } from './engine-contribution.js';
import { EngineMetricsProvider, ExternalMetricsProvider } from './external-metrics-provider.js';
import { ExternalMetricsApi } from './external-metrics-api.js';
import { ExternalMetricsServer } from './external-metrics-server.js';
import { AdapterLogger } from './logger.js';
import { AdapterMetrics, AdapterMetricsImpl } from './metrics/adapter-metrics.js';
import { MetricsEndpoint } from './metrics/metrics-endpoint.js';
import { Readiness } from './readiness.js';
import { ServeApplication, ServeContribution } from './serve-application.js';
import { ServeOptions } from './serve-options.js';
import { FileScaledObjectSource, FileSourceOptions } from './sources/file-scaled-object-source.js';
import { ScaledObjectSource } from './sources/scaled-object-source.js';
import { ScaledObjectSync } from './sources/scaled-object-sync.js';
import { ServingCertificate } from './tls/serving-certificate.js';
import { AdmissionWebhook } from '../webhook/admission-webhook.js';
import { scaleTargetOf, type AdmissionClusterView } from '../webhook/admission-review.js';
import { ClusterScaledObjects } from '../cluster/cluster-scaled-objects.js';
import { DEFAULT_CERTIFICATE_POLICY } from '../certs/certificate-plan.js';
import { apiServiceTarget, kubernetesSecretStore, webhookConfigurationTarget } from '../certs/kubernetes-certificates.js';
import { SecretServingCertificate } from '../certs/secret-serving-certificate.js';
import { SelfManagedCertificates } from '../certs/self-managed-certificates.js';

export interface ServeModuleDependencies {
  readonly logger: AdapterLogger;
  /** Required with --auth=kubernetes: TokenReview, SubjectAccessReview and the authentication ConfigMap. */
  readonly kubernetes?: KubernetesApi;
  /** Names and addresses the generated serving certificate is valid for. */
  readonly certificateHosts: readonly string[];
  /** Required with --source kubernetes. */
  readonly kube?: KubeClient;
}

/**
 * `updraft serve`'s bindings, top to bottom. Contributions start in the order they are bound here
 * (metrics, client CAs, engine, sources, then the HTTPS server) and stop in reverse.
 */
export function serveModule(options: ServeOptions, dependencies: ServeModuleDependencies): ContainerModule {
  const { logger, kubernetes } = dependencies;
  return new ContainerModule(({ bind }) => {
    bind(ServeOptions).toConstantValue(options);
    bind(AdapterLogger).toConstantValue(logger);
    bind(ScalingEngine)
      .toDynamicValue((context) => new ScalingEngine({ registry: context.get<ScalerRegistry>(ScalerRegistry), logger: logger.child({ component: 'engine' }) }))
      .inSingletonScope();
    bind(Readiness).toSelf().inSingletonScope();
    bind(AdapterMetricsImpl).toSelf().inSingletonScope();
    bind(AdapterMetrics).toService(AdapterMetricsImpl);
    bind(EngineMetricsProvider).toSelf().inSingletonScope();
    bind(ExternalMetricsProvider).toService(EngineMetricsProvider);

    if (options.source === 'kubernetes') {
      if (!dependencies.kube) throw new Error('--source kubernetes needs the Kubernetes API');
      bindKubernetesSource(bind, options, dependencies.kube);
    } else {
      bind(FileSourceOptions).toConstantValue({ paths: options.config, ...(options.rescanIntervalMs ? { rescanIntervalMs: options.rescanIntervalMs } : {}) });
      bind(FileScaledObjectSource).toSelf().inSingletonScope();
      bind(ScaledObjectSource).toService(FileScaledObjectSource);
    }

    if (options.certSecret) {
      const kube = dependencies.kube;
      if (!kube) throw new Error('--cert-secret needs the Kubernetes API');
      const targets = [
        ...(options.caBundleApiService ? [apiServiceTarget(kube, options.caBundleApiService)] : []),
        ...(options.caBundleWebhook ? [webhookConfigurationTarget(kube, options.caBundleWebhook)] : []),
      ];
      const certLogger = logger.child({ component: 'certificates' });
      const policy = {
        ...DEFAULT_CERTIFICATE_POLICY,
        ...(options.certServingValiditySeconds ? { servingValidityMs: options.certServingValiditySeconds * 1000 } : {}),
        hosts: dependencies.certificateHosts.filter((host) => host.includes('.svc')).concat(dependencies.certificateHosts.filter((host) => !host.includes('.svc'))),
      };
      const certificates = new SelfManagedCertificates(kubernetesSecretStore(kube, kube.namespace, options.certSecret), targets, { policy, ...(options.rescanIntervalMs ? { checkIntervalMs: options.rescanIntervalMs } : {}) }, certLogger);
      bind(ServingCertificate).toConstantValue(new SecretServingCertificate(certificates, dependencies.certificateHosts, certLogger));
    } else bind(ServingCertificate).toConstantValue(
      new ServingCertificate(
        {
          ...(options.tlsCert !== undefined ? { certFile: options.tlsCert } : {}),
          ...(options.tlsKey !== undefined ? { keyFile: options.tlsKey } : {}),
          hosts: dependencies.certificateHosts,
          ...(options.rescanIntervalMs ? { checkIntervalMs: options.rescanIntervalMs } : {}),
        },
        logger,
      ),
    );

    if (options.auth === 'kubernetes') {
      if (!kubernetes) throw new Error('--auth=kubernetes needs the Kubernetes API');
      const clientCAs = new AuthenticationConfigSource(
        {
          ...(options.requestHeaderClientCAFile !== undefined ? { requestHeaderClientCAFile: options.requestHeaderClientCAFile } : {}),
          requestHeaderAllowedNames: options.requestHeaderAllowedNames,
          ...(options.clientCAFile !== undefined ? { clientCAFile: options.clientCAFile } : {}),
          kubernetes,
          ...(options.rescanIntervalMs ? { refreshIntervalMs: options.rescanIntervalMs } : {}),
        },
        logger,
      );
      bind(KubernetesApi).toConstantValue(kubernetes);
      bind(AuthenticationConfigSource).toConstantValue(clientCAs);
      bind(RequestAuthenticator).toConstantValue(new DelegatingAuthenticator(clientCAs, kubernetes));
      bind(RequestAuthorizer).toConstantValue(new SubjectAccessReviewAuthorizer(kubernetes));
    } else {
      const none = new NoAuthentication();
      bind(RequestAuthenticator).toConstantValue(none);
      bind(RequestAuthorizer).toConstantValue(none);
    }
    bind(ExternalMetricsApi).toSelf().inSingletonScope();
    bind(AdmissionWebhook)
      .toDynamicValue((context) => {
        // With the Kubernetes source, the ScaledObjects its informers hold: a second one for a scale target is refused, as KEDA's webhook does.
        const cluster = options.source === 'kubernetes' ? context.get<ClusterScaledObjects>(ClusterScaledObjects) : undefined;
        const view: AdmissionClusterView | undefined = cluster && {
          scaledObjects: (namespace) =>
            cluster.list().flatMap(({ object }) => {
              const scaleTarget = object.metadata?.namespace === namespace ? scaleTargetOf(object) : undefined;
              return scaleTarget ? [{ namespace, name: object.metadata?.name ?? '', scaleTarget }] : [];
            }),
          triggerAuthentications: () => [],
        };
        return new AdmissionWebhook(context.get<ScalerRegistry>(ScalerRegistry), options.namespace ?? dependencies.kube?.namespace ?? options.serviceNamespace, logger.child({ component: 'webhook' }), () => view);
      })
      .inSingletonScope();

    bind(MetricsEndpoint).toSelf().inSingletonScope();
    bind(ServeContribution).toService(MetricsEndpoint);
    if (options.auth === 'kubernetes') {
      bind(AuthenticationContribution).toSelf().inSingletonScope();
      bind(ServeContribution).toService(AuthenticationContribution);
    }
    bind(EngineContribution).toSelf().inSingletonScope();
    bind(ServeContribution).toService(EngineContribution);
    bind(ScaledObjectSync).toSelf().inSingletonScope();
    bind(ServeContribution).toService(ScaledObjectSync);
    if (options.metricsApi !== false) {
      bind(ExternalMetricsServer).toSelf().inSingletonScope();
      bind(ServeContribution).toService(ExternalMetricsServer);
    }
    // KEDA's operator part: after the sources (it waits for their first lists); bound last so it stops
    // first: a leader releases its Lease at once on SIGTERM, while the metrics server still drains.
    if (options.source === 'kubernetes' && options.controller !== false) {
      bind(ControllerOptions).toConstantValue(
        options.controllerOptions ?? {
          leaderElect: CONTROLLER_DEFAULTS.leaderElect,
          leaseName: CONTROLLER_DEFAULTS.leaseName,
          timing: { leaseDurationMs: CONTROLLER_DEFAULTS.leaseDurationSeconds * 1000, renewDeadlineMs: CONTROLLER_DEFAULTS.renewDeadlineSeconds * 1000, retryPeriodMs: CONTROLLER_DEFAULTS.retryPeriodSeconds * 1000 },
          resyncIntervalMs: CONTROLLER_DEFAULTS.resyncSeconds * 1000,
        },
      );
      bind(ControllerContribution).toSelf().inSingletonScope();
      bind(ServeContribution).toService(ControllerContribution);
    }
    bind(ServeApplication).toSelf().inSingletonScope();
  });
}
