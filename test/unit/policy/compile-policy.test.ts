import { describe, expect, it } from 'vitest';

import { compilePolicy } from '../../../main/policy/compile-policy.js';
import { PolicyError } from '../../../main/policy/policy-error.js';
import { routeAclSchema } from '../../../main/policy/policy-schema.js';
import type { AclRule, PolicyProblem, RouteAcl } from '../../../shared/policy.js';

const NOBODY = { groups: [], users: [], clients: [], scopes: [] };
const rule = (id: string, parts: Partial<AclRule> = {}): AclRule => ({ id, kind: 'tools', match: ['x'], rights: ['list', 'call'], effect: 'allow', subjects: NOBODY, ...parts });
const acl = (...rules: AclRule[]): RouteAcl => ({ combine: 'replace', rules });

function problemsOf(input: RouteAcl): PolicyProblem[] {
  try {
    compilePolicy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('policy_invalid');
    return (error as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
}

describe('compilePolicy errors', () => {
  it.each<[string, AclRule, { field: string; message: RegExp }]>([
    ['a regex that does not compile', rule('r', { match: ['ok', '/(unclosed/'] }), { field: 'rules[0].match[1]', message: /^regex \/\(unclosed\/ does not compile: .*\/\(unclosed\/: Unterminated group/ }],
    ['a stateful regex flag', rule('r', { match: ['/x/g'] }), { field: 'rules[0].match[0]', message: /flags "g"; only i, s, u and v are allowed/ }],
    ['an unknown regex flag', rule('r', { match: ['/x/q'] }), { field: 'rules[0].match[0]', message: /flags "q"/ }],
    ['an empty pattern', rule('r', { match: [''] }), { field: 'rules[0].match[0]', message: /^empty pattern/ }],
    ['no patterns', rule('r', { match: [] }), { field: 'rules[0].match', message: /^match is empty/ }],
    ['CEL that does not parse', rule('r', { when: "jwt.email.endsWith('@acme.com' &&" }), { field: 'rules[0].when', message: /^CEL does not parse: / }],
    ['CEL with an unknown variable', rule('r', { when: 'user.email == "a"' }), { field: 'rules[0].when', message: /^CEL does not type-check: Unknown variable: user \(available: jwt\.\*/ }],
    ['CEL that is not a bool', rule('r', { when: '1 + 2' }), { field: 'rules[0].when', message: /^CEL condition yields int, not bool/ }],
    ['call without list', rule('r', { rights: ['call'] }), { field: 'rules[0].rights', message: /^allows call without list: a client cannot call what it cannot see — write rights: \[list, call\]/ }],
    ['no rights', rule('r', { rights: [] }), { field: 'rules[0].rights', message: /^rights is empty/ }],
    ['the reserved id default', rule('default'), { field: 'rules[0].id', message: /names the route's default ACL/ }],
  ])('%s', (_name, bad, expected) => {
    const [problem, ...rest] = problemsOf(acl(bad));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ ruleId: bad.id, field: expected.field });
    expect(problem!.message).toMatch(expected.message);
  });

  it('accepts what is allowed: list without call, deny of call only, a deny of list only', () => {
    expect(() => compilePolicy(acl(rule('a', { rights: ['list'] }), rule('b', { effect: 'deny', rights: ['call'] }), rule('c', { effect: 'deny', rights: ['list'] })))).not.toThrow();
  });

  it('lists every problem at once, each with its rule and field', () => {
    const problems = problemsOf(acl(rule('a', { match: ['/[/'], rights: ['call'] }), rule('b'), rule('a', { when: '1 +' }), rule('b')));
    expect(problems.map((p) => [p.ruleId, p.field])).toEqual([
      ['a', 'rules[0].match[0]'],
      ['a', 'rules[0].rights'],
      ['a', 'rules[2].id'],
      ['a', 'rules[2].when'],
      ['b', 'rules[3].id'],
    ]);
    expect(problems[2]!.message).toBe('id "a" is already used by rules[0] — give every rule its own id');
    expect(() => compilePolicy(acl(rule('a', { rights: ['call'] }), rule('a')))).toThrow(
      'the ACL has 2 problems:\n  rule a (rules[0].rights): allows call without list: a client cannot call what it cannot see — write rights: [list, call] (list without call is fine)\n  rule a (rules[1].id): id "a" is already used by rules[0] — give every rule its own id',
    );
  });

  it('the config schema reports the same problems, located', () => {
    const result = routeAclSchema.safeParse({ rules: [{ id: 'a', kind: 'tools', match: ['/[/'], rights: ['call'], effect: 'allow' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path)).toEqual([
      ['rules', 0, 'match', 0],
      ['rules', 0, 'rights'],
    ]);
  });
});
