import { defineMetadata, p, type AnyParam, type MetadataDeclaration, type ParamSource } from '@updraft/core';

/**
 * The parameters a new scaler starts with, as KEDA's HTTP-style triggers spell them. Written once
 * here: as TypeScript source for the new package's src/metadata.ts, and as a live declaration for
 * the README table core renders, so the two cannot disagree (the new package's readme.test.ts
 * checks it again after every edit).
 */
interface ExampleParameter {
  readonly name: string;
  readonly kind: 'url' | 'number';
  readonly presence: { readonly required: true } | { readonly default: number };
  readonly sources?: readonly ParamSource[];
  /** A `check` rule, as source; rules do not show in the table. */
  readonly check?: string;
  readonly description: string;
}

const EXAMPLE_PARAMETERS: readonly ExampleParameter[] = [
  {
    name: 'url',
    kind: 'url',
    presence: { required: true },
    sources: ['triggerMetadata', 'resolvedEnv'],
    description: 'An http:// or https:// URL whose answer is one number, the metric value (e.g. `7`).',
  },
  {
    name: 'targetValue',
    kind: 'number',
    presence: { required: true },
    // The HPA refuses a target of 0 or less.
    check: '(n) => (n > 0 ? undefined : `must be greater than 0, got ${n}`)',
    description: 'Target value per replica: the HPA target.',
  },
  {
    name: 'activationTargetValue',
    kind: 'number',
    presence: { default: 0 },
    description: 'The trigger is active when the value is above this.',
  },
];

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The `defineMetadata({...})` argument's lines, as src/metadata.ts holds them. */
export function exampleParametersSource(indent = '  '): string {
  return EXAMPLE_PARAMETERS.map((param) => {
    const calls = [`p.${param.kind}()`];
    calls.push('required' in param.presence ? '.required()' : `.default(${param.presence.default})`);
    if (param.sources) calls.push(`.from(${param.sources.map(quote).join(', ')})`);
    if (param.check) calls.push(`.check(${param.check})`);
    calls.push(`.describe(${quote(param.description)})`);
    const line = `${indent}${param.name}: ${calls.join('')},`;
    // One call a line when it is long, as prettier would write it.
    return line.length <= 140 ? line : `${indent}${param.name}: p\n${calls.map((call) => `${indent}  ${call.replace(/^p/, '')}`).join('\n')},`;
  }).join('\n');
}

/** The same parameters as a live declaration, for core's table renderer. */
export function exampleDeclaration(): MetadataDeclaration<any> {
  const shape: Record<string, AnyParam> = {};
  for (const param of EXAMPLE_PARAMETERS) {
    let built: AnyParam = param.kind === 'url' ? p.url() : p.number();
    built = 'required' in param.presence ? built.required() : built.default(param.presence.default);
    if (param.sources) built = built.from(...param.sources);
    shape[param.name] = built.describe(param.description);
  }
  return defineMetadata(shape);
}
