import { ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import { AwsClients, AwsClientsImpl } from './aws-clients.js';

/**
 * Binds what the AWS scalers share, once per container: a second call (from the other AWS scaler's
 * module, or from `awsCommonModule`) sees the binding, in this container or a parent, and binds
 * nothing. Each AWS scaler module calls it from its own load function, so either module, or both,
 * can be loaded without a duplicate (ambiguous) binding, and both share one credential cache.
 */
export function bindAwsCommon(options: Pick<ContainerModuleLoadOptions, 'bind' | 'isBound'>): void {
  if (options.isBound(AwsClients)) return;
  options.bind(AwsClientsImpl).toSelf().inSingletonScope();
  options.bind(AwsClients).toService(AwsClientsImpl);
}

/**
 * The shared AWS bindings as a module of their own. The scaler modules bind them already; load this
 * first only to own them independently of any scaler module (e.g. to unload a scaler module later
 * without taking the shared client cache away from the other), or to `rebind(AwsClients)` after.
 */
export const awsCommonModule = new ContainerModule((options) => bindAwsCommon(options));
