import type { ContainerModuleLoadOptions } from 'inversify';
import type { ServeOptions } from '../serve/serve-options.js';
import { ScaledObjectSource } from '../serve/sources/scaled-object-source.js';
import { ClusterScaledObjects } from './cluster-scaled-objects.js';
import { KubeClient } from './kube-client.js';
import { KubernetesScaledObjectSource, KubernetesSourceOptions } from './kubernetes-scaled-object-source.js';

/** `--source kubernetes`: the KubeClient, the Kubernetes source as the ScaledObjectSource, and its ClusterScaledObjects face. */
export function bindKubernetesSource(bind: ContainerModuleLoadOptions['bind'], options: ServeOptions, kube: KubeClient): void {
  bind(KubeClient).toConstantValue(kube);
  bind(KubernetesSourceOptions).toConstantValue({
    watchNamespaces: options.watchNamespaces ?? [],
    ...(options.watchLabelSelector ? { labelSelector: options.watchLabelSelector } : {}),
  } satisfies KubernetesSourceOptions);
  bind(KubernetesScaledObjectSource).toSelf().inSingletonScope();
  bind(ScaledObjectSource).toService(KubernetesScaledObjectSource);
  bind(ClusterScaledObjects)
    .toDynamicValue((context) => context.get(KubernetesScaledObjectSource).clusterView())
    .inSingletonScope();
}
