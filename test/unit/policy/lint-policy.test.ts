import { describe, expect, it } from 'vitest';

import { lintPolicy } from '../../../main/policy/lint-policy.js';
import { PolicyError } from '../../../main/policy/policy-error.js';
import type { RouteAclInput } from '../../../main/policy/policy-schema.js';
import type { LintContext, LintFinding } from '../../../shared/policy.js';
import { acl, SHOP_TOOLS } from './policy-fixtures.js';

type RuleInput = NonNullable<RouteAclInput['rules']>[number];
const rule = (id: string, parts: Partial<RuleInput> = {}): RuleInput => ({ id, kind: 'tools', match: ['cancel-order'], effect: 'allow', ...parts });

const catalog: LintContext['catalog'] = { tools: SHOP_TOOLS, prompts: ['triage'], resources: ['file:///docs/a.md'], resource_templates: [] };
const knownGroups = ['warehouse-ops', 'customer-support'];

function lint(input: RouteAclInput, context: LintContext = { catalog, knownGroups }): LintFinding[] {
  const findings = lintPolicy(acl(input), context);
  for (const finding of findings) {
    expect(finding.message.length).toBeGreaterThan(10);
    expect(finding.fix.length).toBeGreaterThan(10);
  }
  return findings;
}

const summary = (findings: LintFinding[]) => findings.map((f) => `${f.ruleId}:${f.problem}`);

describe('lintPolicy', () => {
  it.each<[string, RouteAclInput, string[]]>([
    ['a clean ACL', { rules: [rule('a', { match: ['get-*', 'cancel-order'] }), rule('b', { kind: 'prompts', match: ['triage'] })] }, []],
    // never_matches / matches_nothing: the catalog
    ['a rule whose names are all missing', { rules: [rule('typo', { match: ['cancel-ordr'] })] }, ['typo:never_matches']],
    ['a rule whose globs match nothing at all', { rules: [rule('gone', { match: ['refund-*', '/^void-.*$/'] })] }, ['gone:never_matches']],
    ['one missing literal in a rule that matches', { rules: [rule('part', { match: ['cancel-order', 'refund-order'] })] }, ['part:never_matches']],
    ['one dead glob in a rule that matches', { rules: [rule('part', { match: ['cancel-order', 'refund-*'] })] }, ['part:matches_nothing']],
    ['a missing literal and a dead glob', { rules: [rule('part', { match: ['cancel-order', 'refund-order', 'refund-*'] })] }, ['part:never_matches', 'part:matches_nothing']],
    ['the catalog of the rule kind', { rules: [rule('p', { kind: 'prompts', match: ['cancel-order'] })] }, ['p:never_matches']],
    ['resources by URI', { rules: [rule('r', { kind: 'resources', match: ['file:///docs/*'] })] }, []],
    // unknown_group / never_matches: the users
    ['a group nobody has', { rules: [rule('g', { subjects: { groups: ['customer-support', 'suport'] } })] }, ['g:unknown_group']],
    ['only groups nobody has', { rules: [rule('g', { subjects: { groups: ['suport'] } })] }, ['g:never_matches']],
    ['a group nobody has, in the default', { default: { allow: { groups: ['customer-support'] }, tools: { deny: { groups: ['contractors'] } } } }, ['default:unknown_group']],
    // shadowed
    ['an allow covered by an earlier broader one', { rules: [rule('all-get', { match: ['get-*'] }), rule('get-order', { match: ['get-order'] })] }, ['get-order:shadowed']],
    ['an identical rule', { rules: [rule('a'), rule('b')] }, ['b:shadowed']],
    ['a glob covered by a broader glob', { rules: [rule('a', { match: ['*'] }), rule('b', { match: ['get-*'] })] }, ['b:shadowed']],
    ['subjects: the earlier rule for everyone', { rules: [rule('a'), rule('b', { subjects: { groups: ['customer-support'] } })] }, ['b:shadowed']],
    ['subjects: the earlier rule for more groups', { rules: [rule('a', { subjects: { groups: ['customer-support', 'warehouse-ops'] } }), rule('b', { subjects: { groups: ['customer-support'] } })] }, ['b:shadowed']],
    ['not shadowed: the later rule names more groups', { rules: [rule('a', { subjects: { groups: ['customer-support'] } }), rule('b', { subjects: { groups: ['customer-support', 'warehouse-ops'] } })] }, []],
    ['not shadowed: the later rule is broader', { rules: [rule('a', { match: ['get-order'] }), rule('b', { match: ['get-*'] })] }, []],
    ['not shadowed: other effect', { rules: [rule('a'), rule('b', { effect: 'deny', subjects: { groups: ['warehouse-ops'] } })] }, []],
    ['not shadowed: other kind', { rules: [rule('a', { match: ['triage'], kind: 'prompts' }), rule('b', { match: ['triage'], kind: 'prompts', subjects: { users: ['x'] } }), rule('c', { match: ['get-order'] })] }, ['b:shadowed']],
    ['not shadowed: fewer rights', { rules: [rule('a', { rights: ['list'] }), rule('b')] }, []],
    ['shadowed: more rights', { rules: [rule('a'), rule('b', { rights: ['list'] })] }, ['b:shadowed']],
    ['not shadowed: the earlier rule has a condition', { rules: [rule('a', { when: 'has(jwt.email)' }), rule('b')] }, []],
    ['shadowed: the same condition', { rules: [rule('a', { when: 'has(jwt.email)' }), rule('b', { when: 'has(jwt.email)' })] }, ['b:shadowed']],
    ['shadowed: the later rule has a condition', { rules: [rule('a'), rule('b', { when: 'has(jwt.email)' })] }, ['b:shadowed']],
    ['not shadowed: a regex and a glob', { rules: [rule('a', { match: ['/^get-.*$/'] }), rule('b', { match: ['get-*'] })] }, []],
    ['shadowed deny: a deny of list also refuses calls', { rules: [rule('a', { effect: 'deny', rights: ['list'] }), rule('b', { effect: 'deny', rights: ['call'] })] }, ['b:shadowed']],
    // useless_allow
    ['an allow under a deny for the same people', { rules: [rule('allow-support', { subjects: { groups: ['customer-support'] } }), rule('no-support', { match: ['*'], effect: 'deny', subjects: { groups: ['customer-support'] } })] }, ['allow-support:useless_allow']],
    ['an allow under an earlier deny for everyone', { rules: [rule('d', { effect: 'deny' }), rule('a', { subjects: { users: ['bob'] } })] }, ['a:useless_allow']],
    ['a deny of list covers an allow of list and call', { rules: [rule('a'), rule('hide', { effect: 'deny', rights: ['list'] })] }, ['a:useless_allow']],
    ['not useless: the deny covers call only', { rules: [rule('a'), rule('no-call', { effect: 'deny', rights: ['call'] })] }, []],
    ['not useless: the deny is for fewer people', { rules: [rule('a'), rule('d', { effect: 'deny', subjects: { groups: ['warehouse-ops'] } })] }, []],
    ['not useless: the deny has a condition', { rules: [rule('a'), rule('d', { effect: 'deny', when: "jwt.email.endsWith('@gmail.com')" })] }, []],
    ['the default allow under the default deny', { default: { allow: { groups: ['customer-support'] }, deny: { groups: ['customer-support', 'warehouse-ops'] } } }, ['default:useless_allow']],
    ['a per-kind default allow under its deny', { default: { tools: { allow: { users: ['bob'] }, deny: { users: ['bob'] } } } }, ['default:useless_allow']],
  ])('%s', (_name, input, expected) => {
    expect(summary(lint(input))).toEqual(expected);
  });

  it('suggests the closest catalog name for a typo', () => {
    const [finding] = lint({ rules: [rule('typo', { match: ['cancel-ordr'] })] });
    expect(finding).toEqual({
      ruleId: 'typo',
      problem: 'never_matches',
      message: 'rule typo matches none of the 8 tools in the catalog (it names cancel-ordr), so it never applies. Did you mean cancel-order (for cancel-ordr)?',
      fix: 'Correct the names in match to ones the route serves, or remove the rule if the tools are gone.',
    });
  });

  it('names both rules in a shadowing finding', () => {
    const [finding] = lint({ rules: [rule('all-get', { match: ['get-*'] }), rule('get-order', { match: ['get-order'] })] });
    expect(finding!.message).toBe('rule get-order is shadowed by rule all-get: all-get already allows list and call on every tool get-order matches, for everyone get-order names.');
    expect(finding!.fix).toBe('Remove rule get-order, or narrow rule all-get (patterns, subjects or rights) if get-order was meant to be the only one for these tools.');
  });

  it('checks the catalog and groups only when given', () => {
    const input: RouteAclInput = { rules: [rule('x', { match: ['nope'], subjects: { groups: ['nobody'] } })] };
    expect(summary(lint(input, {}))).toEqual([]);
    expect(summary(lint(input, { catalog }))).toEqual(['x:never_matches']);
    expect(summary(lint(input, { knownGroups }))).toEqual(['x:never_matches']);
  });

  it('refuses an ACL that does not compile', () => {
    const [valid] = acl({ rules: [rule('a')] }).rules;
    expect(() => lintPolicy({ combine: 'replace', rules: [{ ...valid!, when: '1 +' }] })).toThrow(PolicyError);
  });
});
