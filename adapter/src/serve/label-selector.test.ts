import { describe, expect, it } from 'vitest';
import { formatLabelSelector, LabelSelectorError, matchesLabels, parseLabelSelector, requiredValue } from './label-selector.js';

describe('parseLabelSelector', () => {
  it.each([
    ['', ''],
    ['scaledobject.keda.sh/name=worker', 'scaledobject.keda.sh/name=worker'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['env in (prod, dev)', 'env in (dev,prod)'],
    ['env notin (b,a,b)', 'env notin (a,b)'],
    ['tier', 'tier'],
    ['!tier', '!tier'],
    ['x>3,y<-1', 'x>3,y<-1'],
    ['z=1, a = 2 ,m', 'a=2,m,z=1'],
    ['a=', 'a='],
    ['a in ()', 'a in ()'],
    ['a in (,b)', 'a in (,b)'],
    ['a in (b,)', 'a in (,b)'],
    ['in=notin', 'in=notin'],
    ['a in (in,notin)', 'a in (in,notin)'],
  ])('reads %j as the HPA writes it: %j', (text, canonical) => {
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(canonical);
  });

  it.each([
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b', expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: '!=', '=', '==', '>', '<', 'in', 'notin'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a>b', "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"],
    ['Bad Key=1', 'unable to parse requirement'],
    ['a=has space', "found 'space', expected: ',' or 'end of string'"],
    ['a=-x', 'a valid label must consist of alphanumeric characters'],
    [`a=${'x'.repeat(64)}`, 'must be no more than 63 characters'],
    ['UPPER.example.com/name=x', 'prefix part must be a lowercase RFC 1123 subdomain'],
    ['/name=x', 'prefix part must be non-empty'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector(text)).toThrow(message);
  });
});

describe('matchesLabels', () => {
  const labels = { env: 'prod', tier: 'web', n: '5' };
  it.each([
    ['', true],
    ['env=prod', true],
    ['env==dev', false],
    ['env!=dev', true],
    ['missing!=x', true],
    ['env in (dev,prod)', true],
    ['env notin (prod)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['n>4', true],
    ['n<5', false],
    ['env=prod,tier=db', false],
  ])('%j → %s', (text, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });
});

describe('requiredValue', () => {
  const key = 'scaledobject.keda.sh/name';
  it.each([
    [`${key}=worker`, 'worker'],
    [`${key}==worker`, 'worker'],
    [`${key} in (worker)`, 'worker'],
    [`app=x,${key}=worker`, 'worker'],
    [`${key} in (a,b)`, undefined],
    [`${key}!=worker`, undefined],
    [key, undefined],
    [`${key}=`, undefined],
    ['', undefined],
  ])('%j names %j', (text, expected) => {
    expect(requiredValue(parseLabelSelector(text), key)).toBe(expected);
  });
});
