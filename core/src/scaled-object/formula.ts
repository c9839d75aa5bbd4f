import { createRequire } from 'node:module';
import type { ConstantNode, MathJsInstance, MathNode, SymbolNode } from 'mathjs';

/**
 * mathjs takes a while to load (its number-only build about half as long as the full one), and only
 * a ScaledObject with a formula needs it: it is required on the first formula. Synchronously, so that
 * loading manifests stays synchronous for every caller (a dynamic import would make the whole loader
 * async for a rarely used field).
 */
let mathjs: MathJsInstance | undefined;
function expressionLibrary(): MathJsInstance {
  if (!mathjs) {
    const { create, all } = createRequire(import.meta.url)('mathjs/number') as typeof import('mathjs');
    mathjs = create(all);
    // The number-only build lacks `??` (KEDA's nil-coalescing); on numbers, null and booleans it is JavaScript's.
    mathjs.import({ nullish: (a: unknown, b: unknown) => a ?? b });
  }
  return mathjs;
}

/** KEDA's name for the one metric a ScaledObject with scalingModifiers serves (apis/keda/v1alpha1 CompositeMetricName). */
export const COMPOSITE_METRIC_NAME = 'composite-metric';

/** A formula that cannot be compiled or evaluated; the message says what is wrong and what is allowed. */
export class FormulaError extends Error {
  override readonly name = 'FormulaError';
  constructor(
    message: string,
    /** Where in the formula the problem is (0-based), when it is known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** A formula checked against the trigger names it may use, ready to evaluate. */
export interface CompiledFormula {
  readonly source: string;
  /** The trigger names the formula reads, in order of first use. */
  readonly triggerNames: readonly string[];
  /**
   * Evaluates with each trigger's value; `null` stands for a failed trigger that fallback hands to
   * the formula (KEDA's `nil`, for `??`). Returns null when the formula evaluates to null.
   * Throws FormulaError when it cannot be computed (null in arithmetic, a result that is not a number).
   */
  evaluate(values: Readonly<Record<string, number | null>>): number | null;
}

const FUNCTIONS = new Set(['min', 'max', 'abs', 'ceil', 'floor']);
const OPERATORS = new Set([
  'add', 'subtract', 'multiply', 'divide', 'mod', 'pow', 'unaryMinus', 'unaryPlus',
  'larger', 'largerEq', 'smaller', 'smallerEq', 'equal', 'unequal',
  'and', 'or', 'not', 'nullish',
]);
const ALLOWED = 'numbers, trigger names, + - * / % ^, == != < <= > >=, and/or/not (&& || !), c ? a : b, a ?? b, and min, max, abs, ceil, floor';

/**
 * Compiles a scalingModifiers formula with mathjs, restricted to a safe subset: arithmetic,
 * comparisons, logic, the ternary `?:`, nil-coalescing `??` and min/max/abs/ceil/floor over
 * trigger names. expr-lang's spellings (`&&`, `||`, `!`, `**`, `nil`) are accepted too.
 */
export function compileFormula(formula: string, knownTriggerNames: readonly string[]): CompiledFormula {
  const { parse, ConstantNode, SymbolNode } = expressionLibrary();
  const rewritten = fromExprLang(formula);
  let tree: MathNode;
  try {
    tree = parse(rewritten.text);
  } catch (error) {
    // mathjs says where (`char` is 1-based, in the rewritten text).
    const char = (error as { char?: unknown }).char;
    const offset = typeof char === 'number' ? Math.min(rewritten.sourceOffset(char - 1), formula.trimEnd().length) : undefined;
    // The position is the diagnostic's: mathjs' own "(char N)" counts in the rewritten text.
    const message = (error as Error).message.replace(/\s*\(char \d+\)$/, '');
    throw new FormulaError(`cannot parse formula ${JSON.stringify(formula)}: ${message}`, offset);
  }

  const used: string[] = [];
  const unknown: string[] = [];
  const refuse = (what: string, token: RegExp): never => {
    throw new FormulaError(`${what} is not allowed in a formula; it may use ${ALLOWED}`, offsetOf(formula, token));
  };
  const check = (node: MathNode, parent: MathNode | null): void => {
    switch (node.type) {
      case 'ConstantNode': {
        const value = (node as ConstantNode).value as unknown;
        if (typeof value !== 'number' && typeof value !== 'boolean' && value !== null) refuse(`the constant ${node.toString()}`, /["'`]/);
        return;
      }
      case 'SymbolNode': {
        const name = (node as SymbolNode).name;
        if (parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === node) return;
        if (name === 'nil') return;
        if (!knownTriggerNames.includes(name)) {
          if (!unknown.includes(name)) unknown.push(name);
        } else if (!used.includes(name)) {
          used.push(name);
        }
        return;
      }
      case 'ParenthesisNode':
      case 'ConditionalNode':
        break;
      case 'OperatorNode': {
        const operator = node as unknown as { fn: string; op: string; implicit: boolean };
        if (operator.implicit) refuse(`implicit multiplication (${node.toString()}); write * between the factors`, /[\w.)]\s+[A-Za-z_(]/);
        if (!OPERATORS.has(operator.fn)) refuse(`the operator ${JSON.stringify(operator.op)}`, literal(operator.op));
        break;
      }
      case 'FunctionNode': {
        const fn = (node as unknown as { fn: MathNode }).fn;
        const name = fn.type === 'SymbolNode' ? (fn as SymbolNode).name : undefined;
        if (name === undefined || !FUNCTIONS.has(name)) refuse(`the function ${name ?? fn.toString()}()`, name ? new RegExp(`\\b${name}\\s*\\(`) : /\(/);
        break;
      }
      default:
        refuse(`${node.toString()} (${node.type})`, NODE_TOKENS[node.type] ?? /$^/);
    }
    node.forEach((child) => check(child, node));
  };
  check(tree, null);

  if (unknown.length > 0) {
    const list = unknown.map((name) => JSON.stringify(name)).join(', ');
    const known = knownTriggerNames.length > 0
      ? `the triggers it can use are ${knownTriggerNames.map((name) => JSON.stringify(name)).join(', ')}`
      : 'no trigger has a name; set spec.triggers[].name';
    throw new FormulaError(`formula uses ${list}, which ${unknown.length === 1 ? 'is not a trigger name' : 'are not trigger names'}; ${known}`, offsetOf(formula, new RegExp(`(?<![\\w.])${unknown[0]}(?!\\w)`)));
  }

  // Trigger values live under private names, so a trigger called `max` or `e` cannot shadow a
  // function or a mathjs constant, and `nil` is a constant.
  const variable = (name: string) => `__trigger${used.indexOf(name)}`;
  const renamed = tree.transform((node, _path, parent) => {
    if (node.type !== 'SymbolNode') return node;
    if (parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === node) return node;
    const name = (node as SymbolNode).name;
    return name === 'nil' ? new ConstantNode(null) : new SymbolNode(variable(name));
  });
  const compiled = renamed.compile();

  return {
    source: formula,
    triggerNames: used,
    evaluate(values) {
      const scope = new Map<string, unknown>();
      for (const name of used) {
        const value = values[name];
        scope.set(variable(name), value === undefined ? null : value);
      }
      let result: unknown;
      try {
        result = compiled.evaluate(scope);
      } catch (error) {
        const failed = used.filter((name) => values[name] === null || values[name] === undefined);
        const why = failed.length > 0 ? ` (${failed.join(', ')} ${failed.length === 1 ? 'has' : 'have'} no value: use ?? to give a default)` : '';
        throw new FormulaError(`cannot evaluate formula ${JSON.stringify(formula)}: ${(error as Error).message}${why}`);
      }
      if (result === null || result === undefined) return null;
      if (typeof result !== 'number') {
        throw new FormulaError(`formula ${JSON.stringify(formula)} must evaluate to a number, got ${typeof result === 'boolean' ? result : typeof result}; use c ? a : b to turn a condition into a number`);
      }
      if (!Number.isFinite(result)) throw new FormulaError(`formula ${JSON.stringify(formula)} evaluated to ${result}`);
      return result;
    },
  };
}

/** How the node types refused as a whole are recognised in the text, for the error's position. */
const NODE_TOKENS: Record<string, RegExp> = {
  AssignmentNode: /=/,
  FunctionAssignmentNode: /=/,
  ArrayNode: /\[/,
  ObjectNode: /\{/,
  AccessorNode: /[.[]/,
  IndexNode: /[.[]/,
  RangeNode: /:/,
  BlockNode: /[;\n]/,
};

function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Where `token` first occurs in the formula outside string literals; undefined when it does not. */
function offsetOf(formula: string, token: RegExp): number | undefined {
  const code = formula.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (text) => (token.test(text[0]!) ? text[0]! + ' '.repeat(text.length - 1) : ' '.repeat(text.length)));
  const found = token.exec(code);
  return found ? found.index : undefined;
}

/** The formula in mathjs' words, and how an offset in that text maps back to the formula as written. */
interface RewrittenFormula {
  readonly text: string;
  sourceOffset(offset: number): number;
}

/** expr-lang's operator spellings, in mathjs' words. */
function fromExprLang(formula: string): RewrittenFormula {
  // [offset in the rewritten text, offset in the formula] at the start of each replacement and after it.
  const marks: [number, number][] = [];
  let text = '';
  let i = 0;
  while (i < formula.length) {
    const rest = formula.slice(i);
    let replacement: string | undefined;
    let length = 2;
    if (rest.startsWith('&&')) replacement = ' and ';
    else if (rest.startsWith('||')) replacement = ' or ';
    else if (rest.startsWith('**')) replacement = '^';
    else if (rest[0] === '!' && rest[1] !== '=') {
      // A prefix `!` is `not`; a postfix one (mathjs' factorial) is left for the check to refuse.
      const before = formula.slice(0, i);
      const postfix = /[\w)\]]\s*$/.test(before) && !/(^|\W)(and|or|not)\s*$/.test(before);
      if (!postfix) {
        replacement = ' not ';
        length = 1;
      }
    }
    if (replacement === undefined) {
      text += formula[i];
      i += 1;
      continue;
    }
    marks.push([text.length, i]);
    text += replacement;
    i += length;
    marks.push([text.length, i]);
  }
  return {
    text,
    sourceOffset(offset) {
      let mapped = offset;
      for (const [at, source] of marks) {
        if (at > offset) break;
        mapped = source + (offset - at);
      }
      return Math.min(Math.max(0, mapped), formula.length);
    },
  };
}
