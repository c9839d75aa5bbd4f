import type { MetadataDeclaration } from './metadata/declaration.js';
import type { ParamShape } from './metadata/param.js';
import type { ScalerFactory } from './scaler-factory.js';
import { DuplicateTriggerTypeError, UnknownTriggerTypeError, type ScalerRegistry } from './scaler-registry.js';

/**
 * A trigger type's YAML name and declared parameters: all that loading and validating a trigger
 * needs. A ScalerFactory is one; a scaler package also exports its declarations alone (its
 * `./triggers` entry), so that `updraft validate` checks a file without importing any scaler.
 */
export interface TriggerDeclaration<S extends ParamShape = ParamShape> {
  /** The YAML trigger type, e.g. `postgresql`. */
  readonly type: string;
  /** The declared parameters; every rule of a trigger's metadata lives here. */
  readonly metadata: MetadataDeclaration<S>;
}

/** The trigger types a loader knows. A ScalerRegistry is one. */
export interface TriggerCatalog {
  /** The declaration of a trigger type; throws UnknownTriggerTypeError listing the known types. */
  get(type: string): TriggerDeclaration;
  has(type: string): boolean;
  /** Known trigger types, sorted. */
  types(): string[];
}

/** Declarations by trigger type; two of one type are refused. */
export class TriggerIndex<T extends TriggerDeclaration> implements TriggerCatalog {
  private readonly byType = new Map<string, T>();
  private readonly known: string[];

  /** `alsoKnown`: types that are known but not loaded, named by `types()` (and so by "did you mean"). */
  constructor(entries: Iterable<T>, alsoKnown: Iterable<string> = []) {
    for (const entry of entries) {
      if (this.byType.has(entry.type)) throw new DuplicateTriggerTypeError(entry.type);
      this.byType.set(entry.type, entry);
    }
    this.known = [...new Set([...this.byType.keys(), ...alsoKnown])].sort();
  }

  get(type: string): T {
    const entry = this.byType.get(type);
    if (!entry) throw new UnknownTriggerTypeError(type, this.types());
    return entry;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.known];
  }

  entries(): T[] {
    return [...this.byType.values()];
  }
}

/** The ScalerRegistry of these factories (core's module binds one of every bound ScalerFactory); `alsoKnown` as TriggerIndex's. */
export function scalerRegistryOf(factories: Iterable<ScalerFactory>, alsoKnown: Iterable<string> = []): ScalerRegistry {
  const index = new TriggerIndex(factories, alsoKnown);
  return { get: (type) => index.get(type), has: (type) => index.has(type), types: () => index.types(), factories: () => index.entries() };
}
