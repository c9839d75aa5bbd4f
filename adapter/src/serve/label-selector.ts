/**
 * Kubernetes label selectors as `labels.Parse` reads them (apimachinery pkg/labels/selector.go):
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, joined by commas.
 * The HPA sends the metric selector's `String()` form as the `labelSelector` query parameter.
 */

export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted and unique; empty for `exists` and `!`. */
  readonly values: readonly string[];
}

/** Requirements sorted by key, as `labels.Parse` returns them. An empty selector matches everything. */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

/** The selector cannot be parsed; the message reads like apimachinery's. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

type TokenKind = 'identifier' | 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (SPECIAL.has(ch)) {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: two, literal: two });
        i += 2;
      } else {
        tokens.push({ kind: ch as TokenKind, literal: ch });
        i += 1;
      }
      continue;
    }
    let end = i;
    while (end < text.length && !SPECIAL.has(text[end]!) && !/\s/.test(text[end]!)) end += 1;
    tokens.push({ kind: 'identifier', literal: text.slice(i, end) });
    i = end;
  }
  tokens.push({ kind: 'end', literal: '' });
  return tokens;
}

/** Parses a selector string; the empty string is the selector that matches everything. */
export function parseLabelSelector(text: string): LabelSelector {
  return new Parser(tokenize(text)).parse();
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** In key-and-operator context the words `in` and `notin` are operators; in value context they are identifiers. */
  private lookahead(context: 'values' | 'operator'): Token {
    return this.contextual(this.tokens[this.position]!, context);
  }

  private consume(context: 'values' | 'operator'): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'end') this.position += 1;
    return this.contextual(token, context);
  }

  private contextual(token: Token, context: 'values' | 'operator'): Token {
    if (context === 'operator' && token.kind === 'identifier' && (token.literal === 'in' || token.literal === 'notin')) {
      return { kind: token.literal, literal: token.literal };
    }
    return token;
  }

  parse(): LabelSelector {
    const requirements: Requirement[] = [];
    for (;;) {
      const next = this.lookahead('values');
      if (next.kind === 'end') break;
      if (next.kind !== 'identifier' && next.kind !== '!') {
        throw new LabelSelectorError(`found '${next.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        if (error instanceof LabelSelectorError) throw new LabelSelectorError(`unable to parse requirement: ${error.message}`);
        throw error;
      }
      const after = this.consume('values');
      if (after.kind === 'end') break;
      if (after.kind !== ',') throw new LabelSelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.lookahead('values');
      if (following.kind !== 'identifier' && following.kind !== '!') {
        throw new LabelSelectorError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
    // labels.Parse sorts by key; the sort is stable, so requirements on one key keep their order.
    requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { requirements };
  }

  private parseRequirement(): Requirement {
    let token = this.consume('values');
    let doesNotExist = false;
    if (token.kind === '!') {
      doesNotExist = true;
      token = this.consume('values');
    }
    if (token.kind !== 'identifier') throw new LabelSelectorError(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    validateKey(key);
    // `!k=v` reads as `!k` followed by a stray `=`, which parse() then refuses, as in Go.
    if (doesNotExist) return { key, operator: '!', values: [] };
    const next = this.lookahead('values');
    if (next.kind === 'end' || next.kind === ',') return { key, operator: 'exists', values: [] };
    const operatorToken = this.consume('operator');
    switch (operatorToken.kind) {
      case 'in':
      case 'notin':
        return requirement(key, operatorToken.kind, this.parseValues());
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<':
        return requirement(key, operatorToken.kind, this.parseExactValue());
      default:
        throw new LabelSelectorError(`found '${operatorToken.literal}', expected: ${['!=', '=', '==', '>', '<', 'in', 'notin'].map((o) => `'${o}'`).join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.kind !== '(') throw new LabelSelectorError(`found '${open.literal}', expected: '('`);
    const next = this.lookahead('values');
    if (next.kind === ')') {
      this.consume('values');
      return [''];
    }
    if (next.kind !== 'identifier' && next.kind !== ',') throw new LabelSelectorError(`found '${next.literal}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifierList();
    const close = this.consume('values');
    if (close.kind !== ')') throw new LabelSelectorError(`found '${close.literal}', expected: ')'`);
    return values;
  }

  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const token = this.consume('values');
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = this.lookahead('values');
        if (next.kind === ',') continue;
        if (next.kind === ')') return [...values];
        throw new LabelSelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token.kind === ',') {
        // `(,a)`, `(a,,b)` and `(a,)` hold the empty value, as in Go.
        if (values.size === 0) values.add('');
        const next = this.lookahead('values');
        if (next.kind === ')') {
          values.add('');
          return [...values];
        }
        if (next.kind === ',') {
          this.consume('values');
          values.add('');
        }
        continue;
      }
      throw new LabelSelectorError(`found '${token.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead('values');
    if (next.kind === 'end' || next.kind === ',') return [''];
    const token = this.consume('values');
    if (token.kind === 'identifier') return [token.literal];
    throw new LabelSelectorError(`found '${token.literal}', expected: identifier`);
  }
}

function requirement(key: string, operator: SelectorOperator, values: readonly string[]): Requirement {
  const sorted = [...new Set(values)].sort();
  if (operator === '>' || operator === '<') {
    if (sorted.length !== 1) throw new LabelSelectorError(`for 'Gt', 'Lt' operators, exactly one value is required`);
    if (!/^[+-]?\d+$/.test(sorted[0]!)) throw new LabelSelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key, operator, values: sorted };
  }
  for (const value of sorted) validateValue(value);
  return { key, operator, values: sorted };
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
function validateKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const invalid = (why: string) => new LabelSelectorError(`key: Invalid value: ${JSON.stringify(key)}: ${why}`);
  if (prefix !== undefined) {
    if (prefix.length === 0) throw invalid('prefix part must be non-empty');
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) throw invalid('prefix part must be a lowercase RFC 1123 subdomain');
  }
  if (name.length === 0) throw invalid('name part must be non-empty');
  if (name.length > 63) throw invalid('name part must be no more than 63 characters');
  if (!NAME.test(name)) throw invalid(`name part ${NAME_RULE}`);
}

/** `IsValidLabelValue`: empty, or at most 63 characters of the name alphabet. */
function validateValue(value: string): void {
  if (value === '') return;
  if (value.length > 63) throw new LabelSelectorError(`values[0]: Invalid value: ${JSON.stringify(value)}: must be no more than 63 characters`);
  if (!NAME.test(value)) throw new LabelSelectorError(`values[0]: Invalid value: ${JSON.stringify(value)}: a valid label ${NAME_RULE}`);
}

/** The selector's canonical string (`labels.Selector.String()`): requirements by key, `in` values sorted. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements.map(formatRequirement).join(',');
}

function formatRequirement(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/** Whether a set of labels satisfies every requirement (`labels.Selector.Matches`). */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key]! : undefined;
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        return has && r.values.includes(value!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case '>':
      case '<': {
        if (!has || !/^[+-]?\d+$/.test(value!)) return false;
        const left = BigInt(value!);
        const right = BigInt(r.values[0]!);
        return r.operator === '>' ? left > right : left < right;
      }
    }
  });
}

/**
 * The one value a selector requires for `key`: from `key=v`, `key==v` or `key in (v)`. Undefined when
 * the selector does not pin the key to exactly one value (KEDA reads the ScaledObject name this way).
 */
export function requiredValue(selector: LabelSelector, key: string): string | undefined {
  for (const r of selector.requirements) {
    if (r.key !== key) continue;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1 && r.values[0] !== '') return r.values[0];
  }
  return undefined;
}
