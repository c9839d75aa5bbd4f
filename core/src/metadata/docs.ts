import { patterns } from './coerce.js';
import { MetadataDeclaration } from './declaration.js';
import type { AnyParam, ParamShape } from './param.js';

/** A JSON Schema object; kept loose because schemas are data handed to editors and ajv. */
export type JsonSchema = Record<string, unknown>;

const KIND_TEXT: Record<AnyParam['kind'], string> = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  duration: 'duration',
  map: 'map `k=v,k2=v2`',
  list: 'list',
  url: 'URL',
  enum: 'enum',
};

function typeText(param: AnyParam): string {
  if (param.kind === 'enum') return `one of ${param.enumValues!.map((v) => `\`${v}\``).join(', ')}`;
  if (param.kind === 'list') {
    const of = param.enumValues ? ` of ${param.enumValues.map((v) => `\`${v}\``).join(', ')}` : '';
    return `list${of}, separated by \`${param.separator}\``;
  }
  if (param.kind === 'map' && param.separator !== ',') return `map \`k=v${param.separator}k2=v2\``;
  if (param.kind === 'duration') return 'duration (`5s`, `1m30s`, or milliseconds)';
  return KIND_TEXT[param.kind];
}

function valueSchema(param: AnyParam, description: string | undefined): JsonSchema {
  const schema: JsonSchema = { type: 'string' };
  if (description) schema.description = description;
  if (param.kind === 'enum') schema.enum = [...param.enumValues!];
  else if (param.kind === 'number' || param.kind === 'integer' || param.kind === 'boolean' || param.kind === 'duration') {
    schema.pattern = patterns[param.kind];
  } else if (param.kind === 'url') schema.format = 'uri';
  if (param.presence === 'default') schema.default = param.format(param.defaultValue);
  if (param.deprecation !== undefined || param.deprecationAnnouncement !== undefined) schema.deprecated = true;
  return schema;
}

/**
 * The JSON Schema of a trigger's `metadata` map as written in YAML (every value a string). Unknown
 * keys stay allowed, as in KEDA, where they are warnings.
 */
export function metadataJsonSchema<S extends ParamShape>(declaration: MetadataDeclaration<S>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const anyOf: JsonSchema[] = [];
  for (const [name, param] of Object.entries(declaration.params)) {
    const names = MetadataDeclaration.names(name, param);
    const keys: string[] = [];
    for (const key of names) {
      if (param.sources.includes('triggerMetadata')) {
        properties[key] = valueSchema(param, key === name ? param.description : `Alias of ${name}.`);
        keys.push(key);
      }
      if (param.sources.includes('resolvedEnv')) {
        properties[`${key}FromEnv`] = { type: 'string', description: `Name of an env var of the scale target's container that holds ${name}.` };
        keys.push(`${key}FromEnv`);
      }
    }
    // A required value that may also come from a TriggerAuthentication cannot be required here.
    if (param.presence !== 'required' || param.sources.includes('authParams')) continue;
    if (keys.length === 1) required.push(keys[0]!);
    else anyOf.push({ anyOf: keys.map((key) => ({ required: [key] })) });
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: { type: 'string' } };
  if (required.length > 0) schema.required = required;
  if (anyOf.length === 1) Object.assign(schema, anyOf[0]);
  else if (anyOf.length > 1) schema.allOf = anyOf;
  return schema;
}

function sourcesText(name: string, param: AnyParam): string {
  return param.sources
    .map((source) => (source === 'triggerMetadata' ? 'metadata' : source === 'authParams' ? 'authParams' : `\`${name}FromEnv\``))
    .join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The Markdown parameter table of a scaler's README, generated from its declaration. */
export function renderParameterTable<S extends ParamShape>(declaration: MetadataDeclaration<S>): string {
  const rows = ['| Parameter | Type | Required | Default | From | Description |', '| --- | --- | --- | --- | --- | --- |'];
  for (const [name, param] of Object.entries(declaration.params)) {
    const aliases = param.aliases.length > 0 ? ` (or ${param.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
    const notes: string[] = [];
    if (param.description) notes.push(param.description);
    if (param.exclusiveValues) notes.push(`At most one of ${param.exclusiveValues.map((v) => `\`${v}\``).join(', ')}.`);
    if (param.deprecation) notes.push(`Deprecated, an error: ${param.deprecation}`);
    if (param.deprecationAnnouncement) notes.push(`Deprecated: ${param.deprecationAnnouncement}`);
    if (param.isSecret) notes.push('Secret: never printed.');
    rows.push(
      [
        `\`${name}\`${aliases}`,
        typeText(param),
        param.presence === 'required' ? 'yes' : 'no',
        param.presence === 'default' ? `\`${param.format(param.defaultValue)}\`` : '',
        sourcesText(name, param),
        notes.join(' '),
      ]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    );
  }
  if (declaration.exclusive.length > 0) {
    rows.push('', ...declaration.exclusive.map((set) => `At most one of ${set.map((n) => `\`${n}\``).join(', ')} may be set.`));
  }
  return rows.join('\n');
}

export const PARAMETER_TABLE_START = '<!-- parameters:start (generated from the declaration by `npm run docs`; do not edit) -->';
export const PARAMETER_TABLE_END = '<!-- parameters:end -->';

/** Replaces the generated block of a README with the tables given, one per trigger type. */
export function replaceParameterTables(readme: string, tables: string): string {
  const start = readme.indexOf(PARAMETER_TABLE_START);
  const end = readme.indexOf(PARAMETER_TABLE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${PARAMETER_TABLE_START} ... ${PARAMETER_TABLE_END} block`);
  return `${readme.slice(0, start + PARAMETER_TABLE_START.length)}\n${tables}\n${readme.slice(end)}`;
}

/** The generated part of a scaler package's README: one parameter table per trigger type. */
// `any`: a declaration's own shape type is not assignable to MetadataDeclaration<ParamShape> (its rules are contravariant).
export function renderScalerTables(factories: readonly { readonly type: string; readonly metadata: MetadataDeclaration<any> }[]): string {
  return factories.map((factory) => `### \`${factory.type}\`\n\n${renderParameterTable(factory.metadata)}`).join('\n\n');
}
