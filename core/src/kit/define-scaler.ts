import { ContainerModule, type ContainerModuleLoadOptions, type ResolutionContext, type ServiceIdentifier } from 'inversify';
import { BackendCalls } from '../backend-calls.js';
import type { MetadataDeclaration } from '../metadata/declaration.js';
import type { Infer, ParamShape } from '../metadata/param.js';
import type { Scaler, ScalerConfig } from '../scaler.js';
import { ScalerFactory } from '../scaler-factory.js';
import { HttpClient, HttpClientImpl } from './http-client.js';

/** What a scaler's `create` gets besides its trigger: the container's shared services. */
export interface ScalerContext {
  /** Counts calls to metric sources (`recordBackendCall`). */
  readonly calls: BackendCalls;
  /** HTTP(S) GET with shared keep-alive agents, TLS material, the shared auth parameters, timeouts. */
  readonly http: HttpClient;
  /** A service the module binds in `bind` (a connection pool, a batcher), or any of core's. */
  get<T>(id: ServiceIdentifier<T>): T;
}

/** One trigger type: its YAML name, its declared parameters, and how to make its scaler. */
export interface ScalerDefinition<S extends ParamShape = ParamShape> {
  /** The YAML trigger type, e.g. `postgresql`. */
  readonly type: string;
  /** The declared parameters; the engine parses every trigger with it before `create` sees it. */
  readonly metadata: MetadataDeclaration<S>;
  /** Makes the scaler of one trigger. Must not do I/O: connect on the first read. */
  create(config: ScalerConfig<Infer<S>>, context: ScalerContext): Scaler;
}

export interface ScalerModuleOptions {
  /**
   * Binds what the module's scalers share (a connection pool, a batcher), before its factories.
   * Guard with `isBound` what two modules may both bind, so that either or both can be loaded.
   */
  readonly bind?: (options: ContainerModuleLoadOptions) => void;
}

/** The ContainerModule of a scaler package (its default export), with the definitions it binds. */
export class ScalerModule extends ContainerModule {
  constructor(
    readonly definitions: readonly ScalerDefinition<any>[],
    options: ScalerModuleOptions = {},
  ) {
    super((load) => {
      // Once per container, even with several scaler packages (or copies of core): they share the agents.
      if (!load.isBound(HttpClient)) {
        load.bind(HttpClientImpl).toSelf().inSingletonScope();
        load.bind(HttpClient).toService(HttpClientImpl);
      }
      options.bind?.(load);
      for (const definition of definitions) {
        load.bind(ScalerFactory).toDynamicValue((context) => new DefinedScalerFactory(definition, scalerContext(context))).inSingletonScope();
      }
    });
  }
}

/**
 * A scaler package in one declaration: makes the ScalerFactory and the ContainerModule.
 *
 * ```ts
 * export default defineScaler({
 *   type: 'postgresql',
 *   metadata: postgresqlMetadata,
 *   create: (config, context) => new PostgresqlScaler(config, context),
 * });
 * ```
 */
export function defineScaler<S extends ParamShape>(definition: ScalerDefinition<S> & ScalerModuleOptions): ScalerModule {
  return new ScalerModule([definition], definition);
}

/** Several trigger types in one module (redis has six), sharing what `bind` binds. */
export function defineScalers(definitions: readonly ScalerDefinition<any>[], options: ScalerModuleOptions = {}): ScalerModule {
  return new ScalerModule(definitions, options);
}

class DefinedScalerFactory<S extends ParamShape> implements ScalerFactory<S> {
  readonly type: string;
  readonly metadata: MetadataDeclaration<S>;

  constructor(
    private readonly definition: ScalerDefinition<S>,
    private readonly context: ScalerContext,
  ) {
    this.type = definition.type;
    this.metadata = definition.metadata;
  }

  create(config: ScalerConfig<Infer<S>>): Scaler {
    return this.definition.create(config, this.context);
  }
}

function scalerContext(resolution: ResolutionContext): ScalerContext {
  return {
    calls: resolution.get<BackendCalls>(BackendCalls),
    http: resolution.get<HttpClient>(HttpClient),
    get: <T>(id: ServiceIdentifier<T>) => resolution.get<T>(id),
  };
}
