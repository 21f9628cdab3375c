/**
 * Properties that must hold for every ACL, principal and request, checked with fast-check over a
 * small universe of names, patterns, groups and conditions (small, so rules and requests collide
 * often).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { combineEffects } from '../../../main/policy/combine-effects.js';
import { compilePolicy } from '../../../main/policy/compile-policy.js';
import { decide } from '../../../main/policy/decide.js';
import { filterCatalog } from '../../../main/policy/filter-catalog.js';
import { parseNamePattern, patternMatches } from '../../../main/policy/name-pattern.js';
import type { AclLists, AclRule, ItemKind, PolicyPrincipal, PolicyRequest, Right, RouteAcl, SubjectSet } from '../../../shared/policy.js';

const NAMES = ['a', 'b', 'ab', 'ba', 'abc', 'c'];
const PATTERNS = [...NAMES, 'a*', '*b', '?', '*', 'a?', 'ab*', '/a.*/', '/(b|c)/', '/A/i', '/b(a|c)/'];
const KINDS: ItemKind[] = ['tools', 'prompts'];
const CONDITIONS = [undefined, 'jwt.level > 2', "request.method == 'tools/call'", "request.method == 'tools/list'", 'has(jwt.email)', "jwt.email.endsWith('@acme.com')", "mcp.tool.name != 'a'"];

const subjects: fc.Arbitrary<SubjectSet> = fc.record({
  groups: fc.subarray(['g1', 'g2', 'g3']),
  users: fc.subarray(['u1', 'u2']),
  clients: fc.subarray(['c1']),
  scopes: fc.subarray(['s1', 's2']),
});

const lists: fc.Arbitrary<AclLists> = fc.record({ allow: subjects, deny: subjects }, { requiredKeys: [] });

const rule: fc.Arbitrary<Omit<AclRule, 'id'>> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    match: fc.subarray(PATTERNS, { minLength: 1, maxLength: 3 }),
    effect: fc.constantFrom('allow' as const, 'deny' as const),
    rights: fc.constantFrom<Right[]>(['list'], ['call'], ['list', 'call']),
    subjects,
    when: fc.constantFrom(...CONDITIONS),
  })
  // An allow rule cannot grant call without list (a compile error).
  .map((r) => (r.effect === 'allow' && r.rights.length === 1 && r.rights[0] === 'call' ? { ...r, rights: ['list', 'call'] } : r));

const routeAcl: fc.Arbitrary<RouteAcl> = fc
  .record({
    combine: fc.constantFrom('replace' as const, 'merge' as const),
    default: fc.option(fc.record({ allow: subjects, deny: subjects, tools: lists }, { requiredKeys: [] }), { nil: undefined }),
    rules: fc.array(rule, { maxLength: 8 }),
  })
  .map(({ rules, ...rest }) => ({ ...rest, rules: rules.map((r, i) => ({ id: `r${i}`, ...r })) }));

const principal: fc.Arbitrary<PolicyPrincipal> = fc.record(
  {
    subject: fc.constantFrom('u1', 'u2', 'u3'),
    clientId: fc.constantFrom('c1', 'c2'),
    groups: fc.subarray(['g1', 'g2', 'g3', 'g4']),
    scopes: fc.subarray(['s1', 's2']),
    claims: fc.record({ level: fc.integer({ min: 0, max: 5 }), email: fc.constantFrom('x@acme.com', 'y@gmail.com') }, { requiredKeys: ['level'] }),
  },
  { requiredKeys: ['subject', 'groups', 'scopes', 'claims'] },
);

const request: fc.Arbitrary<PolicyRequest> = fc.record({ right: fc.constantFrom<Right>('list', 'call'), kind: fc.constantFrom(...KINDS), name: fc.constantFrom(...NAMES) });

const RUNS = { numRuns: 400 };

describe('policy properties', () => {
  it('deny always wins: a deny rule that applies makes the decision deny, wherever it sits', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, fc.nat(), fc.boolean(), (acl, who, req, at, everyone) => {
        const deny: AclRule = {
          id: 'injected-deny',
          kind: req.kind,
          match: [everyone ? '*' : req.name],
          rights: [req.right],
          effect: 'deny',
          subjects: everyone ? { groups: [], users: [], clients: [], scopes: [] } : { groups: [], users: [who.subject], clients: [], scopes: [] },
        };
        const rules = acl.rules.toSpliced(at % (acl.rules.length + 1), 0, deny);
        const decision = decide(compilePolicy({ ...acl, rules }), who, req);
        expect(decision.effect).toBe('deny');
        expect(decision.rule?.effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('deny always wins: whenever an applying deny is considered, the decision is deny', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        const decision = decide(compilePolicy(acl), who, req);
        if (decision.considered.some((entry) => entry.applies && entry.effect === 'deny')) expect(decision.effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('filterCatalog and decide(list) agree', () => {
    fc.assert(
      fc.property(routeAcl, principal, fc.constantFrom(...KINDS), fc.subarray(NAMES), (acl, who, kind, names) => {
        const policy = compilePolicy(acl);
        const { visible, decisions } = filterCatalog(policy, who, kind, names);
        const expected = names.map((name) => decide(policy, who, { right: 'list', kind, name }));
        expect(decisions).toEqual(expected);
        expect(visible).toEqual(names.filter((_, i) => expected[i]!.effect === 'allow'));
      }),
      RUNS,
    );
  });

  it('no rule and no default means deny (no_match)', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        // Only rules about the other kind, and no default: nothing speaks for this item.
        const other = acl.rules.filter((r) => r.kind !== req.kind);
        const decision = decide(compilePolicy({ combine: acl.combine, rules: other }), who, req);
        expect(decision.effect).toBe('no_match');
        expect(decision.rule).toBeUndefined();
        expect(decide(compilePolicy({ combine: acl.combine, rules: [] }), who, req).effect).toBe('no_match');
      }),
      RUNS,
    );
  });

  it('no_match means nothing applied', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        const decision = decide(compilePolicy(acl), who, req);
        if (decision.effect === 'no_match') {
          expect(decision.considered.filter((entry) => entry.right === req.right && entry.applies)).toEqual([]);
          expect(decision.rule).toBeUndefined();
        }
      }),
      RUNS,
    );
  });

  it('a call allowed implies list allowed', () => {
    fc.assert(
      fc.property(routeAcl, principal, fc.constantFrom(...KINDS), fc.constantFrom(...NAMES), (acl, who, kind, name) => {
        const policy = compilePolicy(acl);
        if (decide(policy, who, { right: 'call', kind, name }).effect === 'allow') {
          expect(decide(policy, who, { right: 'list', kind, name }).effect).toBe('allow');
        }
      }),
      RUNS,
    );
  });

  it('a list decision is the deny-overrides combination of what applied, and names a rule that did', () => {
    fc.assert(
      fc.property(routeAcl, principal, fc.constantFrom(...KINDS), fc.constantFrom(...NAMES), (acl, who, kind, name) => {
        const decision = decide(compilePolicy(acl), who, { right: 'list', kind, name });
        const applied = decision.considered.filter((entry) => entry.applies);
        expect(decision.effect).toBe(combineEffects(applied.map((entry) => entry.effect!)));
        if (decision.rule) expect(applied.find((entry) => entry.effect === decision.effect)?.id).toBe(decision.rule.id);
      }),
      RUNS,
    );
  });

  it('the index finds exactly the rules whose patterns match, in config order', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        const decision = decide(compilePolicy(acl), who, req);
        const considered = decision.considered.filter((entry) => entry.right === req.right && entry.id !== 'default').map((entry) => entry.id);
        const scanned = acl.rules
          .filter((r) => r.kind === req.kind && r.match.some((source) => patternMatches(parseNamePattern(source) as never, req.name)))
          .map((r) => r.id);
        expect(considered).toEqual(scanned);
      }),
      RUNS,
    );
  });

  it('explain: all changes the explanation, never the outcome', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        const policy = compilePolicy(acl);
        const { considered: _short, ...brief } = decide(policy, who, req);
        const { considered, ...full } = decide(policy, who, req, { explain: 'all' });
        expect(full).toEqual(brief);
        expect(considered.filter((entry) => entry.id !== 'default' && entry.right === req.right)).toHaveLength(acl.rules.length);
      }),
      RUNS,
    );
  });

  it('with no default, replace and merge decide alike', () => {
    fc.assert(
      fc.property(routeAcl, principal, request, (acl, who, req) => {
        const replace = decide(compilePolicy({ ...acl, default: undefined, combine: 'replace' }), who, req);
        const merge = decide(compilePolicy({ ...acl, default: undefined, combine: 'merge' }), who, req);
        expect(merge.effect).toBe(replace.effect);
        expect(merge.rule).toEqual(replace.rule);
      }),
      RUNS,
    );
  });
});
