import {
  coerceBoolean,
  coerceDuration,
  coerceInteger,
  coerceList,
  coerceMap,
  coerceNumber,
  coerceUrl,
  quote,
  type Coerced,
} from './coerce.js';

/** Where a parameter's value may come from, in KEDA's terms (the `order` tag). */
export type ParamSource = 'triggerMetadata' | 'authParams' | 'resolvedEnv';

export type ParamKind = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'map' | 'list' | 'url' | 'enum';

/** Whether a parameter must be given, may be left out, or falls back to a default. */
export type Presence = 'required' | 'optional' | 'default';

interface ParamState<T> {
  readonly kind: ParamKind;
  readonly coerce: (raw: string, separator: string) => Coerced<T>;
  readonly aliases: readonly string[];
  readonly sources: readonly ParamSource[];
  readonly presence: Presence;
  readonly defaultValue?: T;
  readonly description?: string;
  readonly enumValues?: readonly string[];
  readonly separator: string;
  readonly secret: boolean;
  readonly deprecated?: string;
  readonly deprecatedAnnounce?: string;
  readonly exclusiveValues?: readonly string[];
  readonly checks: readonly ((value: T) => string | undefined)[];
}

/**
 * One declared trigger parameter. Immutable: every builder call returns a new Param, so shared
 * declarations (TLS, HTTP auth, AWS identity) can be spread into many scalers and refined safely.
 * `T` is the parsed type and `P` its presence; both flow into the inferred metadata type.
 */
export class Param<T, P extends Presence = 'optional'> {
  /** @internal the phantom keeps `P` in the type so inference can tell required from optional */
  declare readonly __presence: P;

  constructor(private readonly state: ParamState<T>) {}

  get kind(): ParamKind { return this.state.kind; }
  get aliases(): readonly string[] { return this.state.aliases; }
  get sources(): readonly ParamSource[] { return this.state.sources; }
  get presence(): Presence { return this.state.presence; }
  get defaultValue(): T | undefined { return this.state.defaultValue; }
  get description(): string | undefined { return this.state.description; }
  get enumValues(): readonly string[] | undefined { return this.state.enumValues; }
  get separator(): string { return this.state.separator; }
  get isSecret(): boolean { return this.state.secret; }
  get deprecation(): string | undefined { return this.state.deprecated; }
  get deprecationAnnouncement(): string | undefined { return this.state.deprecatedAnnounce; }
  get exclusiveValues(): readonly string[] | undefined { return this.state.exclusiveValues; }

  private with<U = T, Q extends Presence = P>(change: Partial<ParamState<U>>): Param<U, Q> {
    return new Param<U, Q>({ ...(this.state as unknown as ParamState<U>), ...change });
  }

  required(): Param<T, 'required'> {
    return this.with<T, 'required'>({ presence: 'required', defaultValue: undefined });
  }

  optional(): Param<T, 'optional'> {
    return this.with<T, 'optional'>({ presence: 'optional', defaultValue: undefined });
  }

  default(value: T): Param<T, 'default'> {
    return this.with<T, 'default'>({ presence: 'default', defaultValue: value });
  }

  /** Other keys accepted for this parameter, tried after the canonical name (KEDA's `name=a;b`). */
  alias(...names: string[]): Param<T, P> {
    return this.with({ aliases: [...this.state.aliases, ...names] });
  }

  /** Where the value may come from, in lookup order (KEDA's `order=`). Default: trigger metadata only. */
  from(...sources: ParamSource[]): Param<T, P> {
    return this.with({ sources });
  }

  describe(description: string): Param<T, P> {
    return this.with({ description });
  }

  /** Never print the value: in errors it shows as <redacted>. */
  secret(): Param<T, P> {
    return this.with({ secret: true });
  }

  /** Splits lists and maps on this separator instead of ",". */
  separatedBy(separator: string): Param<T, P> {
    return this.with({ separator });
  }

  /** Setting this parameter is an error that says `message` (KEDA's `deprecated=`). */
  deprecated(message: string): Param<T, P> {
    return this.with({ deprecated: message });
  }

  /** Setting this parameter is a warning that says `message` (KEDA's `deprecatedAnnounce=`). */
  deprecatedAnnounce(message: string): Param<T, P> {
    return this.with({ deprecatedAnnounce: message });
  }

  /** For lists: at most one of these values may be present (KEDA's `exclusiveSet=`). */
  exclusive(values: readonly string[]): Param<T, P> {
    return this.with({ exclusiveValues: values });
  }

  /** A single-value rule: return a message when the value is not allowed. */
  check(rule: (value: T) => string | undefined): Param<T, P> {
    return this.with({ checks: [...this.state.checks, rule] });
  }

  /** Coerces a raw string, then applies the enum, exclusive-set and custom checks. */
  parseRaw(raw: string): Coerced<T> {
    const result = this.state.coerce(raw, this.state.separator);
    if (!result.ok) return result;
    const { enumValues, exclusiveValues } = this.state;
    if (this.state.kind === 'list' || this.state.kind === 'enum') {
      const items = Array.isArray(result.value) ? (result.value as string[]) : [result.value as string];
      const bad = enumValues && items.find((item) => !enumValues.includes(item));
      if (bad !== undefined) return { ok: false, message: `must be one of ${enumValues!.join(', ')}, got ${quote(bad)}` };
      const present = exclusiveValues?.filter((v) => items.includes(v)) ?? [];
      if (present.length > 1) return { ok: false, message: `may contain only one of ${exclusiveValues!.join(', ')}, got ${present.join(' and ')}` };
    }
    for (const check of this.state.checks) {
      const message = check(result.value);
      if (message !== undefined) return { ok: false, message };
    }
    return result;
  }

  /** The value as a metadata string, as written in YAML (for defaults in docs and schemas). */
  format(value: T): string {
    if (Array.isArray(value)) return value.join(this.state.separator);
    if (value !== null && typeof value === 'object') {
      return Object.entries(value as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(this.state.separator);
    }
    return String(value);
  }
}

function param<T>(kind: ParamKind, coerce: ParamState<T>['coerce'], enumValues?: readonly string[]): Param<T, 'optional'> {
  return new Param<T, 'optional'>({
    kind,
    coerce,
    aliases: [],
    sources: ['triggerMetadata'],
    presence: 'optional',
    separator: ',',
    secret: false,
    checks: [],
    ...(enumValues ? { enumValues } : {}),
  });
}

/** The parameter constructors: `p.number().required()`, `p.enum(['a', 'b']).default('a')`, ... */
export const p = {
  string: () => param<string>('string', (raw) => ({ ok: true, value: raw })),
  number: () => param<number>('number', coerceNumber),
  integer: () => param<number>('integer', coerceInteger),
  boolean: () => param<boolean>('boolean', coerceBoolean),
  /** milliseconds */
  duration: () => param<number>('duration', coerceDuration),
  map: () => param<Record<string, string>>('map', coerceMap),
  url: () => param<string>('url', coerceUrl),
  list: <const E extends string = string>(values?: readonly E[]) =>
    param<E[]>('list', (raw, separator) => ({ ok: true, value: coerceList(raw, separator) as E[] }), values),
  enum: <const E extends string>(values: readonly E[]) => param<E>('enum', (raw) => ({ ok: true, value: raw as E }), values),
};

export type AnyParam = Param<any, Presence>;

/** A declaration's parameters, keyed by their canonical KEDA name. */
export type ParamShape = Record<string, AnyParam>;

type ValueOf<X> = X extends Param<infer T, Presence> ? T : never;
type RequiredKeys<S extends ParamShape> = { [K in keyof S]: S[K]['__presence'] extends 'optional' ? never : K }[keyof S];
type OptionalKeys<S extends ParamShape> = Exclude<keyof S, RequiredKeys<S>>;

/** The parsed metadata type, inferred from the declaration. */
export type Infer<S extends ParamShape> = {
  readonly [K in RequiredKeys<S>]: ValueOf<S[K]>;
} & {
  readonly [K in OptionalKeys<S>]?: ValueOf<S[K]>;
};
