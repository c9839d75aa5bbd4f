import { didYouMean } from '../did-you-mean.js';
import { quote } from './coerce.js';
import type { AnyParam, Infer, ParamShape, ParamSource } from './param.js';

/** What parsing saw: an error (the trigger cannot be used) or a warning (it can, but look). */
export interface MetadataProblem {
  readonly severity: 'error' | 'warning';
  /** Where the offending value came from; undefined when it concerns the metadata as a whole. */
  readonly source?: ParamSource;
  /** The key in that source (for resolvedEnv, the `<name>FromEnv` metadata key). */
  readonly key?: string;
  readonly message: string;
}

/** The raw strings a trigger's parameters are read from, as KEDA's ScalerConfig holds them. */
export interface MetadataInput {
  readonly triggerMetadata: Readonly<Record<string, string>>;
  readonly authParams?: Readonly<Record<string, string>>;
  /**
   * The scale target container's env. Undefined when it is not known (the workload is not in the
   * files being validated): then `<name>FromEnv` cannot be resolved, see `unresolved`.
   */
  readonly resolvedEnv?: Readonly<Record<string, string>>;
  /**
   * Values only the cluster can supply, with the reason they cannot be read here: authParams keys
   * whose Secret or ConfigMap is not in the files, env var names whose source is not. Such a value
   * is neither found nor missing; see `ParseOptions.unresolved`.
   */
  readonly unresolved?: {
    readonly authParams?: ReadonlyMap<string, string>;
    readonly env?: ReadonlyMap<string, string>;
  };
  /** The TriggerAuthentication's `podIdentity`, when it names a provider other than `none`. */
  readonly podIdentity?: PodIdentity;
}

/** KEDA's `AuthPodIdentity`: an identity the platform supplies instead of secrets. */
export interface PodIdentity {
  readonly provider: string;
  readonly identityId?: string;
  readonly roleArn?: string;
  readonly externalID?: string;
  readonly identityOwner?: string;
}

export interface ParseOptions {
  /**
   * How a value only the cluster can supply (an unresolvable `<name>FromEnv`, a Secret not in the
   * files) is reported: a warning for validate, an error (the default) for check and serve.
   */
  readonly unresolved?: 'warning' | 'error';
  /** Named in the unknown-key warning, e.g. "prometheus". */
  readonly triggerType?: string;
}

export interface ParseResult<T> {
  /** Present when there is no error and every value could be resolved. */
  readonly metadata?: T;
  readonly problems: readonly MetadataProblem[];
}

/** Cross-field rules get the parsed metadata and report through the context. */
export interface RuleContext<T> {
  /** The pod identity the trigger's TriggerAuthentication names, if any. */
  readonly podIdentity?: PodIdentity;
  /** Whether the user gave `param` (rather than it taking its default or being absent). */
  given(param: keyof T & string): boolean;
  /** An error about `param` (reported where its value came from), or about the whole metadata. */
  error(message: string, param?: keyof T & string): void;
  warning(message: string, param?: keyof T & string): void;
}
export type MetadataRule<T> = (metadata: T, context: RuleContext<T>) => void;

export interface DeclarationOptions<S extends ParamShape> {
  /** Sets of parameters of which at most one may be given. */
  readonly exclusive?: readonly (readonly (keyof S & string)[])[];
  readonly rules?: readonly MetadataRule<Infer<S>>[];
}

/** Where a parameter's value was found. */
interface Found {
  readonly source: ParamSource;
  readonly key: string;
  readonly raw: string;
}

/**
 * A scaler's parameters, declared once. The parser, the JSON Schema, the README table and the
 * parsed TypeScript type all come from this one object.
 */
export class MetadataDeclaration<S extends ParamShape> {
  readonly exclusive: readonly (readonly (keyof S & string)[])[];
  readonly rules: readonly MetadataRule<Infer<S>>[];

  constructor(readonly params: S, options: DeclarationOptions<S> = {}) {
    this.exclusive = options.exclusive ?? [];
    this.rules = options.rules ?? [];
  }

  /** Every key a parameter answers to: its name, then its aliases (KEDA's `name=a;b`). */
  static names(name: string, param: AnyParam): string[] {
    return [name, ...param.aliases];
  }

  /** The trigger-metadata keys this declaration understands, `<name>FromEnv` included. */
  knownMetadataKeys(): Set<string> {
    const keys = new Set<string>();
    for (const [name, param] of Object.entries(this.params)) {
      for (const key of MetadataDeclaration.names(name, param)) {
        if (param.sources.includes('triggerMetadata')) keys.add(key);
        if (param.sources.includes('resolvedEnv')) keys.add(`${key}FromEnv`);
      }
    }
    return keys;
  }

  parse(input: MetadataInput, options: ParseOptions = {}): ParseResult<Infer<S>> {
    const problems: MetadataProblem[] = [];
    const values: Record<string, unknown> = {};
    const found = new Map<string, Found>();
    let complete = true;

    for (const [name, param] of Object.entries(this.params)) {
      const lookup = lookUp(name, param, input);
      if (lookup.unresolved) {
        complete = false;
        const { source, key, message } = lookup.unresolved;
        problems.push({ severity: options.unresolved ?? 'error', source, key, message });
        continue;
      }
      const hit = lookup.found;
      if (!hit) {
        // As in KEDA, a deprecated parameter is never missing: leaving it out is what is asked for.
        if (param.presence === 'required' && param.deprecation === undefined) {
          problems.push({ severity: 'error', message: missingMessage(name, param, lookup.missingEnv) });
        } else if (lookup.missingEnv) {
          problems.push({ severity: 'warning', source: 'resolvedEnv', key: lookup.missingEnv.key, message: `env var ${lookup.missingEnv.variable} is not set in the scale target's container` });
        }
        if (param.presence === 'default') values[name] = param.defaultValue;
        continue;
      }
      found.set(name, hit);
      if (param.deprecation !== undefined) {
        problems.push({ severity: 'error', source: hit.source, key: hit.key, message: param.deprecation });
        continue;
      }
      if (param.deprecationAnnouncement !== undefined) {
        problems.push({ severity: 'warning', source: hit.source, key: hit.key, message: param.deprecationAnnouncement });
      }
      const parsed = param.parseRaw(hit.raw);
      if (parsed.ok) {
        values[name] = parsed.value;
      } else {
        const shown = param.isSecret || hit.source !== 'triggerMetadata' ? redact(parsed.message, hit.raw, param.separator) : parsed.message;
        problems.push({ severity: 'error', source: hit.source, key: hit.key, message: shown });
      }
    }

    for (const set of this.exclusive) {
      const given = set.filter((name) => found.has(name));
      if (given.length > 1) {
        const last = found.get(given[given.length - 1]!)!;
        problems.push({ severity: 'error', source: last.source, key: last.key, message: `only one of ${set.join(', ')} may be set, got ${given.join(' and ')}` });
      }
    }

    for (const key of this.unknownKeys(input.triggerMetadata)) {
      problems.push({ severity: 'warning', source: 'triggerMetadata', key, message: this.unknownKeyMessage(key, options.triggerType) });
    }

    const hasError = () => problems.some((problem) => problem.severity === 'error');
    if (hasError() || !complete) return { problems };

    const metadata = values as Infer<S>;
    const report = (severity: 'error' | 'warning') => (message: string, name?: string) => {
      const where = name === undefined ? undefined : found.get(name);
      problems.push(where ? { severity, source: where.source, key: where.key, message } : { severity, message });
    };
    const context: RuleContext<Infer<S>> = {
      error: report('error'),
      warning: report('warning'),
      given: (name) => found.has(name),
      ...(input.podIdentity ? { podIdentity: input.podIdentity } : {}),
    };
    for (const rule of this.rules) rule(metadata, context);

    return hasError() ? { problems } : { metadata, problems };
  }

  private unknownKeyMessage(key: string, triggerType: string | undefined): string {
    // A parameter that exists but may not be written in metadata (a secret, usually): say where it goes.
    const elsewhere = Object.entries(this.params).find(([name, param]) => MetadataDeclaration.names(name, param).includes(key));
    if (elsewhere) {
      const [name, param] = elsewhere;
      const where = [
        ...(param.sources.includes('authParams') ? ['a TriggerAuthentication'] : []),
        ...(param.sources.includes('resolvedEnv') ? [`${name}FromEnv`] : []),
      ];
      return `${key} cannot be set in metadata${where.length > 0 ? `; set it in ${where.join(' or ')}` : ''}; ignored`;
    }
    const hint = didYouMean(key, this.knownMetadataKeys());
    return `unknown parameter${triggerType ? ` for ${triggerType}` : ''}, ignored${hint ? `; did you mean "${hint}"?` : ''}`;
  }

  private unknownKeys(triggerMetadata: Readonly<Record<string, string>>): string[] {
    const known = this.knownMetadataKeys();
    return Object.keys(triggerMetadata).filter((key) => !known.has(key));
  }
}

interface Lookup {
  found?: Found;
  unresolved?: { source: ParamSource; key: string; message: string };
  missingEnv?: { key: string; variable: string };
}

/** KEDA's lookup: sources in declared order, each trying every name; an empty value counts as missing. */
function lookUp(name: string, param: AnyParam, input: MetadataInput): Lookup {
  const names = MetadataDeclaration.names(name, param);
  const result: Lookup = {};
  for (const source of param.sources) {
    for (const key of names) {
      if (source === 'resolvedEnv') {
        const envKey = `${key}FromEnv`;
        const variable = input.triggerMetadata[envKey]?.trim();
        if (!variable) continue;
        const reason = input.resolvedEnv === undefined ? "the scale target's container env is not known here" : input.unresolved?.env?.get(variable);
        if (reason !== undefined) return { unresolved: { source, key: envKey, message: `cannot resolve env var ${variable}: ${reason}` } };
        const raw = input.resolvedEnv![variable]?.trim();
        if (raw) return { found: { source, key: envKey, raw } };
        result.missingEnv ??= { key: envKey, variable };
        continue;
      }
      const map = source === 'triggerMetadata' ? input.triggerMetadata : input.authParams;
      const raw = map?.[key]?.trim();
      if (raw) return { found: { source, key, raw } };
      const reason = source === 'authParams' ? input.unresolved?.authParams?.get(key) : undefined;
      if (reason !== undefined) return { unresolved: { source, key, message: `cannot resolve ${key}: ${reason}` } };
    }
  }
  return result;
}

function missingMessage(name: string, param: AnyParam, missingEnv: Lookup['missingEnv']): string {
  const where: string[] = [];
  if (param.sources.includes('triggerMetadata')) where.push('metadata');
  if (param.sources.includes('authParams')) where.push('a TriggerAuthentication');
  if (param.sources.includes('resolvedEnv')) where.push(`${name}FromEnv`);
  const envNote = missingEnv ? `; ${missingEnv.key} names ${missingEnv.variable}, which the scale target's container does not set` : '';
  return `missing required parameter ${quote(name)} (set it in ${where.join(' or ')})${envNote}`;
}

/**
 * Secrets never reach a message: the raw value is replaced wherever the message quotes it, and so is
 * each element of it, since list and map errors quote the one element that is wrong.
 */
function redact(message: string, raw: string, separator: string): string {
  const parts = [raw, ...raw.split(separator).map((part) => part.trim())].filter((part) => part !== '');
  return parts.reduce((text, part) => text.split(quote(part)).join('<redacted>'), message);
}

/** Declares a scaler's metadata: `defineMetadata({ query: p.string().required(), ... }, { rules })`. */
export function defineMetadata<S extends ParamShape>(params: S, options?: DeclarationOptions<S>): MetadataDeclaration<S> {
  return new MetadataDeclaration(params, options);
}

/** The parsed metadata type of a declaration. */
export type MetadataOf<D> = D extends MetadataDeclaration<infer S> ? Infer<S> : never;
