import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../metadata/docs.js';
import { didYouMean } from '../did-you-mean.js';
import type { ObjectReporter } from './diagnostic-collector.js';
import type { Anchor, ManifestObject } from './manifest-object.js';
import { pointerToPath, type ObjectPath } from './object-path.js';
import { PATTERN_DESCRIPTIONS } from './schema.js';
import * as generated from './schema-validators.generated.js';

export type ValidatedKind = 'ScaledObject' | 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

/** KEDA's own words (pkg/scalers/scaler.go, ErrScalerUnsupportedUtilizationMetricType). */
export const UTILIZATION_MESSAGE = "'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'";

// Compiled from schema.ts at build time (render-schema-validators.ts): compiling at start took ~0.3 s.
const validators = generated as unknown as Record<ValidatedKind, ValidateFunction>;

/** A structural problem, translated from ajv into where it is and plain words. */
export interface StructuralProblem {
  /** The node to point at. */
  readonly at: ObjectPath;
  readonly anchor: Anchor;
  /** The field the problem is about (for a missing field, the field itself, not its parent). */
  readonly path: ObjectPath;
  readonly message: string;
}

/**
 * Checks a document against its kind's schema and reports every problem. Returns the paths that
 * have problems, so callers can still use the parts that are sound.
 */
export function validateStructure(kind: ValidatedKind, object: ManifestObject, reporter: ObjectReporter): StructuralProblem[] {
  if (kind === 'ScaledObject') quoteMetadataScalars(object, reporter);
  const validate = validators[kind];
  if (validate(object.value)) return [];
  const problems = translateErrors(validate.errors ?? [], object);
  for (const problem of problems) reporter.error(problem.at, problem.message, { anchor: problem.anchor, shownPath: problem.path });
  return problems;
}

/**
 * Trigger metadata is map[string]string, and the API server refuses an unquoted number or boolean
 * there. KEDA's own docs write some unquoted (`timeout: 1000`), so this is a warning and the value
 * is read as the text it was written as.
 */
function quoteMetadataScalars(object: ManifestObject, reporter: ObjectReporter): void {
  const triggers = (object.value as { spec?: { triggers?: unknown } } | null)?.spec?.triggers;
  if (!Array.isArray(triggers)) return;
  triggers.forEach((trigger, index) => {
    const metadata = (trigger as { metadata?: unknown } | null)?.metadata;
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return;
    for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
      if (typeof value !== 'number' && typeof value !== 'boolean') continue;
      const path: ObjectPath = ['spec', 'triggers', index, 'metadata', key];
      const text = object.sourceText(path) ?? String(value);
      (metadata as Record<string, unknown>)[key] = text;
      reporter.warning(path, `should be a string: quote it (${JSON.stringify(text)}); the Kubernetes API server rejects unquoted numbers and booleans here`);
    }
  });
}

/** True when no problem lies at or under `path`. */
export function isSound(problems: readonly StructuralProblem[], path: ObjectPath): boolean {
  return !problems.some((problem) => path.every((segment, i) => problem.path[i] === segment));
}

export function translateErrors(errors: readonly ErrorObject[], object: ManifestObject): StructuralProblem[] {
  // An anyOf speaks for its branches; `if` only says that a then/else failed, which its own error says better.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const relevant = errors.filter((e) => e.keyword !== 'if' && !anyOfPaths.some((prefix) => e.schemaPath.startsWith(prefix)));
  const problems: StructuralProblem[] = [];
  const seen = new Set<string>();
  for (const error of relevant) {
    const problem = translate(error, object);
    // One complaint per field and kind: a value outside an enum that an if/else narrows fails both.
    const key = JSON.stringify([problem.path, error.keyword === 'additionalProperties' || error.keyword === 'required' ? problem.message : error.keyword]);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function translate(error: ErrorObject, object: ManifestObject): StructuralProblem {
  const path = pointerToPath(error.instancePath, object.value);
  const data = error.data;
  const parent = error.parentSchema as JsonSchema | undefined;
  const at = (message: string): StructuralProblem => ({ at: path, anchor: 'value', path, message });
  switch (error.keyword) {
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return { at: path, anchor: 'value', path: [...path, field], message: 'required field is missing' };
    }
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parent?.properties as Record<string, unknown> | undefined) ?? {});
      const hint = didYouMean(field, known);
      const where = known.length > 0 ? `; allowed here: ${known.join(', ')}` : '';
      return { at: [...path, field], anchor: 'key', path: [...path, field], message: `unknown field${hint ? `; did you mean "${hint}"?` : where}` };
    }
    case 'type':
      return at(typeMessage((error.params as { type: string }).type, data, object.sourceText(path)));
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      if (data === 'Utilization' && path[path.length - 1] === 'metricType' && path.includes('triggers')) return at(UTILIZATION_MESSAGE);
      const hint = typeof data === 'string' ? didYouMean(data, allowed.map(String)) : undefined;
      return at(`must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${show(data)}${hint ? `; did you mean "${hint}"?` : ''}`);
    }
    case 'const':
      return at(`must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}, got ${show(data)}`);
    case 'minimum':
      return at(`must be at least ${(error.params as { limit: number }).limit}, got ${show(data)}`);
    case 'maximum':
      return at(`must be at most ${(error.params as { limit: number }).limit}, got ${show(data)}`);
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      return at(`must list at least ${limit} ${limit === 1 ? 'entry' : 'entries'}`);
    }
    case 'minLength': {
      const limit = (error.params as { limit: number }).limit;
      return at(limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`);
    }
    case 'maxLength':
      return at(`must be at most ${(error.params as { limit: number }).limit} characters long, got ${(data as string).length}`);
    case 'pattern': {
      const pattern = (error.params as { pattern: string }).pattern;
      return at(`must be ${PATTERN_DESCRIPTIONS[pattern] ?? `text matching ${pattern}`}, got ${show(data)}`);
    }
    case 'anyOf': {
      const branches = ((parent?.anyOf as JsonSchema[] | undefined) ?? []).map((branch) => TYPE_NAMES[branch.type as string] ?? 'another form');
      return at(`must be ${[...new Set(branches)].join(' or ')}, got ${describe(data, object.sourceText(path))}`);
    }
    default:
      return at(`is not valid here (${error.keyword})`);
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  null: 'empty',
};

function typeMessage(expected: string, data: unknown, source: string | undefined): string {
  const wanted = TYPE_NAMES[expected] ?? expected;
  if (expected === 'string' && (typeof data === 'number' || typeof data === 'boolean')) {
    // The API server decodes into map[string]string / string fields and refuses anything else.
    const quoted = JSON.stringify(source ?? String(data));
    return `must be a string, got ${describe(data, source)}: quote it (${quoted}); the Kubernetes API server rejects unquoted numbers and booleans here`;
  }
  if ((expected === 'integer' || expected === 'number') && typeof data === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(data)) {
    return `must be ${wanted}, got the string ${JSON.stringify(data)}: remove the quotes`;
  }
  if (expected === 'integer' && typeof data === 'number') return `must be a whole number, got ${source ?? data}`;
  if (expected === 'boolean' && typeof data === 'string' && /^(true|false)$/i.test(data)) {
    return `must be true or false, got the string ${JSON.stringify(data)}: remove the quotes`;
  }
  return `must be ${wanted}, got ${describe(data, source)}`;
}

/** How a YAML value is named in a message: `the number 5`, `a list`, `an empty value`. */
function describe(data: unknown, source: string | undefined): string {
  if (data === null || data === undefined) return 'an empty value';
  if (Array.isArray(data)) return 'a list';
  if (data instanceof Uint8Array) return 'binary data';
  switch (typeof data) {
    case 'string':
      return `the string ${JSON.stringify(data)}`;
    case 'number':
      return `the number ${source ?? data}`;
    case 'boolean':
      return source && source !== String(data) ? `${source} (a boolean in YAML)` : `the boolean ${data}`;
    default:
      return 'a mapping';
  }
}

function show(data: unknown): string {
  return typeof data === 'string' ? JSON.stringify(data) : describe(data, undefined);
}
