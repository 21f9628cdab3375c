import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseNamePattern, patternCovers, patternMatches, type NamePattern } from '../../../main/policy/name-pattern.js';

function parsed(source: string): NamePattern {
  const result = parseNamePattern(source);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

describe('parseNamePattern', () => {
  it.each([
    ['cancel-order', 'literal'],
    ['get-*', 'glob'],
    ['get-?', 'glob'],
    ['/^get-.*$/', 'regex'],
    ['/get/i', 'regex'],
    ['/', 'literal'],
    ['//', 'literal'],
  ])('%s is a %s', (source, type) => {
    expect(parsed(source).type).toBe(type);
  });

  it.each<[string, string, boolean]>([
    ['get-*', 'get-', true],
    ['get-*', 'get-order', true],
    ['get-*', 'forget-order', false],
    ['*-order', 'get-order', true],
    ['*-order', 'get-orders', false],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'a😀c', true],
    ['*', '', true],
    ['file:///docs/*', 'file:///docs/a/b.md', true],
    ['a.b*', 'axb', false],
    ['/a.b/', 'axb', true],
    ['/a|b/', 'ab', false],
    ['/a|b/', 'b', true],
    ['/list/', 'blacklist', false],
  ])('%s matches %s: %s', (source, name, expected) => {
    expect(patternMatches(parsed(source), name)).toBe(expected);
  });
});

describe('patternCovers (for lint: sound, not complete)', () => {
  it.each<[string, string, boolean]>([
    ['*', 'anything', true],
    ['*', 'get-*', true],
    ['*', '/x/', true],
    ['get-*', 'get-order', true],
    ['get-*', 'get-order-*', true],
    ['get-*', 'get-?', true],
    ['get-*', 'get*', false],
    ['get-?', 'get-*', false],
    ['a?c', 'a*c', false],
    ['*-order', 'get-order', true],
    ['/^get-.*$/', 'get-order', true],
    ['/^get-.*$/', '/^get-.*$/', true],
    ['/^get-.*$/', 'get-*', false],
    ['get-order', 'get-*', false],
    ['get-order', 'get-order', true],
    ['get-order', 'get-orders', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(patternCovers(parsed(outer), parsed(inner))).toBe(expected);
  });
});

describe('literal prefixes (the index skips patterns whose prefix a name lacks)', () => {
  it.each([
    ['get-*', 'get-'],
    ['*-order', ''],
    ['a?c', 'a'],
    ['/^svc1-(read|write)$/', 'svc1-'],
    ['/^get-.*$/', 'get-'],
    ['/ab?/', 'a'],
    ['/ab{2}/', 'a'],
    ['/a+/', ''],
    ['/a\\.b/', 'a'],
    ['/a|b/', ''],
    ['/(a|b)c/', ''],
    ['/ab(c|d)|e/', ''],
    ['/[|]ab/', ''],
    ['/ab[|]c|d/', ''],
    ['/abc/i', ''],
    ['/abc/v', ''],
  ])('%s → %j', (source, prefix) => {
    const pattern = parsed(source);
    expect(pattern.type === 'literal' ? undefined : pattern.prefix).toBe(prefix);
  });

  it('every name a regex matches starts with its prefix', () => {
    const token = fc.constantFrom('a', 'b', '-', '.', '*', '+', '?', '|', '(', ')', '[ab]', '[|)]', '\\.', '\\|', '^', '{2}', '(?:', '$');
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 8 }), fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '|') }), { maxLength: 20 }), (tokens, names) => {
        const pattern = parseNamePattern(`/${tokens.join('')}/`);
        if (typeof pattern === 'string' || pattern.type !== 'regex') return;
        for (const name of names) if (pattern.test(name)) expect(name.startsWith(pattern.prefix)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
