import { describe, expect, it } from 'vitest';
import { compileFormula, FormulaError } from './formula.js';

const NAMES = ['queue', 'backlog', 'max', 'e'];
const run = (formula: string, values: Record<string, number | null>) => compileFormula(formula, NAMES).evaluate(values);

describe('compileFormula', () => {
  it.each([
    ['queue + backlog', { queue: 3, backlog: 4 }, 7],
    ['(queue + backlog) / 2', { queue: 3, backlog: 4 }, 3.5],
    ['queue * 2 - backlog % 3', { queue: 3, backlog: 4 }, 5],
    ['queue ^ 2', { queue: 3 }, 9],
    ['queue ** 2', { queue: 3 }, 9],
    ['queue > 2 ? queue : 0', { queue: 3 }, 3],
    ['queue > 5 ? queue : 0', { queue: 3 }, 0],
    ['queue >= 3 and backlog < 5 ? 1 : 0', { queue: 3, backlog: 4 }, 1],
    ['queue >= 3 && backlog < 5 ? 1 : 0', { queue: 3, backlog: 4 }, 1],
    ['queue == 3 || backlog != 4 ? 1 : 0', { queue: 0, backlog: 4 }, 0],
    ['!(queue == 3) ? 1 : 2', { queue: 3 }, 2],
    ['queue > 1 && !(backlog > 1) ? 1 : 2', { queue: 3, backlog: 0 }, 1],
    ['max(queue, backlog) + min(queue, backlog)', { queue: 3, backlog: 4 }, 7],
    ['abs(queue - backlog) + ceil(1.2) + floor(1.8)', { queue: 3, backlog: 4 }, 4],
    ['queue ?? 5', { queue: null }, 5],
    ['(queue ?? 5) + backlog', { queue: null, backlog: 1 }, 6],
    ['queue ?? 5', { queue: 2 }, 2],
    ['queue ?? nil', { queue: null }, null],
  ] as const)('%s = %s', (formula, values, expected) => {
    expect(run(formula, values)).toBe(expected);
  });

  it('lists the trigger names a formula reads, in order of first use', () => {
    expect(compileFormula('backlog + queue * backlog', NAMES).triggerNames).toEqual(['backlog', 'queue']);
  });

  it('keeps a trigger named like a function or a constant apart from it', () => {
    expect(run('max(max, e) + e', { max: 2, e: 10 })).toBe(20);
  });

  it('names unknown trigger names and lists the known ones', () => {
    expect(() => compileFormula('queue + missing + other', ['queue', 'jobs'])).toThrow(
      new FormulaError('formula uses "missing", "other", which are not trigger names; the triggers it can use are "queue", "jobs"', 8),
    );
    expect(() => compileFormula('queue', [])).toThrow('formula uses "queue", which is not a trigger name; no trigger has a name; set spec.triggers[].name');
    // mathjs constants are not trigger names either.
    expect(() => compileFormula('queue * pi', ['queue'])).toThrow('formula uses "pi", which is not a trigger name');
  });

  it.each([
    ['queue = 3', /queue = 3 \(AssignmentNode\) is not allowed/],
    ['f(x) = x', /is not allowed/],
    ['sqrt(queue)', /the function sqrt\(\) is not allowed/],
    ['evaluate("1")', /the function evaluate\(\) is not allowed/],
    ['import({})', /is not allowed/],
    ['[queue, backlog]', /ArrayNode\) is not allowed/],
    ['"text"', /the constant "text" is not allowed/],
    ['2 queue', /implicit multiplication \(2 queue\); write \* between the factors/],
    ['5 cm', /implicit multiplication/],
    ['queue.length', /AccessorNode\) is not allowed/],
    ['queue!', /the operator "!"|is not allowed/],
  ])('refuses %s', (formula, message) => {
    expect(() => compileFormula(formula, NAMES)).toThrow(message);
  });

  it('says what is allowed when it refuses something', () => {
    expect(() => compileFormula('sqrt(queue)', NAMES)).toThrow(/it may use numbers, trigger names, \+ - \* \/ % \^, .* and min, max, abs, ceil, floor/);
  });

  it('reports a syntax error with the formula', () => {
    expect(() => compileFormula('queue +', NAMES)).toThrow(/^cannot parse formula "queue \+": /);
  });

  it('refuses results that are not finite numbers, and null in arithmetic', () => {
    expect(() => run('queue > 1', { queue: 3 })).toThrow('formula "queue > 1" must evaluate to a number, got true; use c ? a : b to turn a condition into a number');
    expect(() => run('queue / backlog', { queue: 3, backlog: 0 })).toThrow('formula "queue / backlog" evaluated to Infinity');
    expect(() => run('queue + 1', { queue: null })).toThrow(/^cannot evaluate formula "queue \+ 1": .*\(queue has no value: use \?\? to give a default\)$/);
  });
});
