// expr-lang words that are operators or literals, not variables.
const RESERVED = new Set(['and', 'or', 'not', 'in', 'matches', 'contains', 'startsWith', 'endsWith', 'true', 'false', 'nil', 'let', 'if', 'else']);

/**
 * The variable names a scalingModifiers formula reads: identifiers that are not string contents,
 * function calls, member accesses or keywords. A stand-in until the expression engine parses
 * formulas for real; it errs toward finding names, which the caller checks against trigger names.
 */
export function formulaIdentifiers(formula: string): string[] {
  const code = formula.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ');
  const names = new Set<string>();
  for (const match of code.matchAll(/(?<![\w.$#])[A-Za-z_][A-Za-z0-9_]*(?!\s*\()/g)) {
    // `(?!\s*\()` may stop a call's name one letter short (`ma` of `max(`): skip any partial word.
    const end = match.index + match[0].length;
    if (/[A-Za-z0-9_]/.test(code[end] ?? '')) continue;
    if (!RESERVED.has(match[0])) names.add(match[0]);
  }
  return [...names];
}
