import { describe, expect, it } from 'vitest';

import { decide, isAllowed } from '../../../main/policy/decide.js';
import type { RouteAclInput } from '../../../main/policy/policy-schema.js';
import type { Effect, ItemKind, PolicyPrincipal, Right } from '../../../shared/policy.js';
import { alice, bob, carol, policy, principal } from './policy-fixtures.js';

type RuleInput = NonNullable<RouteAclInput['rules']>[number];

const rule = (id: string, parts: Partial<RuleInput> = {}): RuleInput => ({ id, kind: 'tools', match: ['cancel-order'], effect: 'allow', ...parts });

interface Row {
  name: string;
  acl: RouteAclInput;
  who: PolicyPrincipal;
  right?: Right;
  kind?: ItemKind;
  item?: string;
  method?: string;
  effect: Effect;
  rule?: string;
  matched?: Record<string, string[]>;
  why?: Record<string, string>;
}

function check(row: Row) {
  const decision = decide(policy(row.acl), row.who, { right: row.right ?? 'call', kind: row.kind ?? 'tools', name: row.item ?? 'cancel-order', method: row.method });
  expect(decision.version).toBe(1);
  expect(decision.effect).toBe(row.effect);
  expect(decision.rule?.id).toBe(row.rule);
  if (row.rule) expect(decision.rule?.effect).toBe(row.effect);
  if (row.matched) expect(decision.matched).toEqual(row.matched);
  for (const [id, why] of Object.entries(row.why ?? {})) {
    expect(decision.considered.find((entry) => entry.id === id)?.why, `why for ${id}`).toBe(why);
  }
  expect(decision.reason).toMatch(/\.$/);
}

describe('subjects: any-of within a field, non-empty fields AND-ed', () => {
  const rows: Row[] = [
    { name: 'one group of several matches', acl: { rules: [rule('r', { subjects: { groups: ['warehouse-ops', 'customer-support'] } })] }, who: bob, effect: 'allow', rule: 'r', matched: { groups: ['customer-support'] } },
    {
      name: 'a group mismatch says which groups the rule wanted and which the principal has',
      acl: { rules: [rule('r', { subjects: { groups: ['customer-support'] } })] },
      who: alice,
      effect: 'no_match',
      why: { r: 'no subject match: groups [customer-support] ∌ warehouse-ops' },
    },
    {
      name: 'several principal groups are listed',
      acl: { rules: [rule('r', { subjects: { groups: ['customer-support'] } })] },
      who: principal('dave', { groups: ['sales', 'finance'] }),
      effect: 'no_match',
      why: { r: 'no subject match: groups [customer-support] ∌ any of [sales, finance]' },
    },
    {
      name: 'a principal without groups',
      acl: { rules: [rule('r', { subjects: { groups: ['customer-support'] } })] },
      who: carol,
      effect: 'no_match',
      why: { r: 'no subject match: groups [customer-support], and the token carries no groups' },
    },
    {
      name: 'groups AND scopes: the group alone is not enough',
      acl: { rules: [rule('r', { subjects: { groups: ['customer-support'], scopes: ['orders:write'] } })] },
      who: bob,
      effect: 'no_match',
      why: { r: 'no subject match: scopes [orders:write] ∌ orders:read' },
    },
    {
      name: 'groups AND scopes: both present',
      acl: { rules: [rule('r', { subjects: { groups: ['customer-support'], scopes: ['orders:write', 'admin'] } })] },
      who: principal('bob', { groups: ['customer-support'], scopes: ['openid', 'orders:write'] }),
      effect: 'allow',
      rule: 'r',
      matched: { groups: ['customer-support'], scopes: ['orders:write'] },
    },
    { name: 'users match the subject', acl: { rules: [rule('r', { subjects: { users: ['alice'] } })] }, who: alice, effect: 'allow', rule: 'r', matched: { users: ['alice'] } },
    { name: 'users: another subject', acl: { rules: [rule('r', { subjects: { users: ['alice'] } })] }, who: bob, effect: 'no_match', why: { r: 'no subject match: users [alice] ∌ bob' } },
    { name: 'clients match client_id', acl: { rules: [rule('r', { subjects: { clients: ['cursor'] } })] }, who: bob, effect: 'allow', rule: 'r', matched: { clients: ['cursor'] } },
    {
      name: 'clients: a token without client_id',
      acl: { rules: [rule('r', { subjects: { clients: ['cursor'] } })] },
      who: alice,
      effect: 'no_match',
      why: { r: 'no subject match: clients [cursor], and the token carries no client_id' },
    },
    { name: 'empty subjects: every authenticated principal', acl: { rules: [rule('r')] }, who: carol, effect: 'allow', rule: 'r', matched: {}, why: { r: 'allow: every authenticated principal' } },
  ];
  it.each(rows)('$name', check);
});

describe('patterns: literal, glob, whole-name regex; by kind', () => {
  const rows: Row[] = [
    { name: 'literal', acl: { rules: [rule('r', { match: ['get-order'] })] }, who: bob, item: 'get-order', effect: 'allow', rule: 'r' },
    { name: 'literal is exact', acl: { rules: [rule('r', { match: ['get-order'] })] }, who: bob, item: 'get-orders', effect: 'no_match' },
    { name: 'glob prefix', acl: { rules: [rule('r', { match: ['get-*'] })] }, who: bob, item: 'get-customer', effect: 'allow', rule: 'r' },
    { name: 'glob suffix', acl: { rules: [rule('r', { match: ['*-order'] })] }, who: bob, item: 'cancel-order', effect: 'allow', rule: 'r' },
    { name: 'glob infix', acl: { rules: [rule('r', { match: ['*-cust*-*'] })] }, who: bob, item: 'update-customer-contact', effect: 'allow', rule: 'r' },
    { name: 'glob ? is one character', acl: { rules: [rule('r', { match: ['get-?'] })] }, who: bob, item: 'get-ab', effect: 'no_match' },
    { name: 'glob ? matches one character', acl: { rules: [rule('r', { match: ['get-??'] })] }, who: bob, item: 'get-ab', effect: 'allow', rule: 'r' },
    { name: 'glob * alone matches everything', acl: { rules: [rule('r', { match: ['*'] })] }, who: bob, item: 'anything.at/all', effect: 'allow', rule: 'r' },
    { name: 'regex', acl: { rules: [rule('r', { match: ['/^list-(orders|inventory)$/'] })] }, who: bob, item: 'list-inventory', effect: 'allow', rule: 'r' },
    { name: 'regex alternatives are exact', acl: { rules: [rule('r', { match: ['/^list-(orders|inventory)$/'] })] }, who: bob, item: 'list-customers', effect: 'no_match' },
    { name: 'regex must match the whole name', acl: { rules: [rule('r', { match: ['/list-.*/'] })] }, who: bob, item: 'blacklist-users', effect: 'no_match' },
    { name: 'regex flags', acl: { rules: [rule('r', { match: ['/LIST-.*/i'] })] }, who: bob, item: 'list-orders', effect: 'allow', rule: 'r' },
    { name: 'a tools rule says nothing about prompts', acl: { rules: [rule('r', { match: ['*'] })] }, who: bob, kind: 'prompts', item: 'triage', effect: 'no_match' },
    { name: 'prompts', acl: { rules: [rule('r', { kind: 'prompts', match: ['triage'] })] }, who: bob, kind: 'prompts', item: 'triage', effect: 'allow', rule: 'r' },
    { name: 'resources by URI glob', acl: { rules: [rule('r', { kind: 'resources', match: ['file:///docs/*'] })] }, who: bob, kind: 'resources', item: 'file:///docs/a/b.md', effect: 'allow', rule: 'r' },
    {
      name: 'resource templates by template',
      acl: { rules: [rule('r', { kind: 'resource_templates', match: ['shop://orders/{orderId}'] })] },
      who: bob,
      kind: 'resource_templates',
      item: 'shop://orders/{orderId}',
      effect: 'allow',
      rule: 'r',
    },
    {
      name: 'literal and pattern of one rule both matching: considered once',
      acl: { rules: [rule('r', { match: ['cancel-order', 'cancel-*', '/cancel-.+/'] })] },
      who: bob,
      effect: 'allow',
      rule: 'r',
    },
  ];
  it.each(rows)('$name', check);

  it('a rule listed by literal and by pattern appears once in considered, in config order', () => {
    const p = policy({ rules: [rule('glob', { match: ['cancel-*'] }), rule('lit', { match: ['x', 'cancel-order', 'cancel-order'] }), rule('both', { match: ['*-order', 'cancel-order'] })] });
    expect(decide(p, bob, { right: 'call', kind: 'tools', name: 'cancel-order' }).considered.map((c) => c.id)).toEqual(['glob', 'lit', 'both', 'default']);
  });
});

describe('effects: deny wins, no_match is a deny reported apart', () => {
  const deny = rule('no-support', { effect: 'deny', subjects: { groups: ['customer-support'] } });
  const allow = rule('support', { subjects: { groups: ['customer-support'] } });
  const rows: Row[] = [
    { name: 'deny after allow', acl: { rules: [allow, deny] }, who: bob, effect: 'deny', rule: 'no-support', matched: { groups: ['customer-support'] } },
    { name: 'deny before allow', acl: { rules: [deny, allow] }, who: bob, effect: 'deny', rule: 'no-support' },
    { name: 'a deny that does not apply does nothing', acl: { rules: [rule('no-alice', { effect: 'deny', subjects: { users: ['alice'] } }), allow] }, who: bob, effect: 'allow', rule: 'support' },
    { name: 'a deny applies to anyone it names, whatever else they are', acl: { rules: [deny, allow] }, who: principal('eve', { groups: ['x', 'customer-support'] }), effect: 'deny', rule: 'no-support' },
    { name: 'the first of several allows decides', acl: { rules: [rule('a1'), rule('a2')] }, who: bob, effect: 'allow', rule: 'a1' },
    { name: 'the first of several denies decides', acl: { rules: [rule('a1'), rule('d1', { effect: 'deny' }), rule('d2', { effect: 'deny' })] }, who: bob, effect: 'deny', rule: 'd1' },
    { name: 'no rules, no default', acl: {}, who: bob, effect: 'no_match', why: { default: 'no default ACL for tools' } },
    { name: 'rules for other items only', acl: { rules: [rule('r', { match: ['get-order'] })] }, who: bob, effect: 'no_match' },
  ];
  it.each(rows)('$name', check);

  it('no_match is not allowed, and carries no rule', () => {
    const decision = decide(policy({}), bob, { right: 'list', kind: 'tools', name: 'x' });
    expect(isAllowed(decision)).toBe(false);
    expect(decision.rule).toBeUndefined();
    expect(decision.matched).toBeUndefined();
    expect(decision.reason).toBe('Nothing allows bob to see tool x in tools/list, so it is denied (no rule names this tool; default: no default ACL for tools).');
  });
});

describe('default ACL and combine', () => {
  const openDefault = { allow: { groups: ['customer-support', 'warehouse-ops'] } };
  const rows: Row[] = [
    { name: 'default allow', acl: { default: openDefault }, who: bob, effect: 'allow', rule: 'default', matched: { groups: ['customer-support'] } },
    { name: 'default allow: not listed', acl: { default: openDefault }, who: carol, effect: 'no_match', why: { default: 'default.allow: no subject match: groups [customer-support, warehouse-ops], and the token carries no groups' } },
    { name: 'default deny wins over default allow', acl: { default: { ...openDefault, deny: { users: ['bob'] } } }, who: bob, effect: 'deny', rule: 'default', matched: { users: ['bob'] } },
    { name: 'an empty default allow list allows nobody', acl: { default: { allow: {}, deny: { groups: [] } } }, who: bob, effect: 'no_match' },
    {
      name: 'replace: a matching rule replaces the default even when it does not apply to the principal',
      acl: { default: openDefault, rules: [rule('support-only', { subjects: { groups: ['customer-support'] } })] },
      who: alice,
      effect: 'no_match',
      why: { default: 'replaced for this tool by rule support-only (combine: replace)' },
    },
    {
      name: 'replace: a matching rule replaces the default deny (Kong)',
      acl: { default: { deny: { groups: ['customer-support'] } }, rules: [rule('support', { subjects: { groups: ['customer-support'] } })] },
      who: bob,
      effect: 'allow',
      rule: 'support',
    },
    {
      name: 'replace: a list-only rule still replaces the default for calls',
      acl: { default: openDefault, rules: [rule('list-only', { rights: ['list'] })] },
      who: bob,
      effect: 'no_match',
      why: { 'list-only': 'right not granted: the rule covers [list], not call' },
    },
    { name: 'replace: items no rule matches keep the default', acl: { default: openDefault, rules: [rule('support-only', { subjects: { groups: ['customer-support'] } })] }, who: alice, item: 'get-order', effect: 'allow', rule: 'default' },
    {
      name: 'merge: the default applies alongside a rule that does not apply',
      acl: { combine: 'merge', default: openDefault, rules: [rule('support-only', { subjects: { groups: ['customer-support'] } })] },
      who: alice,
      effect: 'allow',
      rule: 'default',
    },
    {
      name: 'merge: a default deny wins over a rule allow',
      acl: { combine: 'merge', default: { deny: { groups: ['customer-support'] } }, rules: [rule('support', { subjects: { groups: ['customer-support'] } })] },
      who: bob,
      effect: 'deny',
      rule: 'default',
    },
    {
      name: 'merge: a rule deny wins over a default allow',
      acl: { combine: 'merge', default: openDefault, rules: [rule('no-bob', { effect: 'deny', subjects: { users: ['bob'] } })] },
      who: bob,
      effect: 'deny',
      rule: 'no-bob',
    },
    { name: 'a per-kind default replaces the all-kinds lists for its kind', acl: { default: { ...openDefault, tools: { allow: { users: ['carol'] } } } }, who: bob, effect: 'no_match', why: { default: 'default.tools.allow: no subject match: users [carol] ∌ bob' } },
    { name: 'a per-kind default for its kind', acl: { default: { ...openDefault, tools: { allow: { users: ['carol'] } } } }, who: carol, effect: 'allow', rule: 'default' },
    { name: 'the all-kinds lists still hold for other kinds', acl: { default: { ...openDefault, tools: { allow: { users: ['carol'] } } } }, who: bob, kind: 'prompts', item: 'triage', effect: 'allow', rule: 'default' },
    { name: 'an empty per-kind entry removes the default for that kind', acl: { default: { ...openDefault, tools: {} } }, who: bob, effect: 'no_match', why: { default: 'no default ACL for tools' } },
  ];
  it.each(rows)('$name', check);
});

describe('rights: list and call are separate, and a call needs list too', () => {
  const rows: Row[] = [
    { name: 'list without call: listed', acl: { rules: [rule('see', { rights: ['list'] })] }, who: bob, right: 'list', effect: 'allow', rule: 'see' },
    { name: 'list without call: not callable', acl: { rules: [rule('see', { rights: ['list'] })] }, who: bob, right: 'call', effect: 'no_match', why: { see: 'right not granted: the rule covers [list], not call' } },
    { name: 'rights default to list and call', acl: { rules: [rule('r')] }, who: bob, right: 'list', effect: 'allow', rule: 'r' },
    { name: 'deny call only: still listed', acl: { rules: [rule('r'), rule('no-call', { effect: 'deny', rights: ['call'] })] }, who: bob, right: 'list', effect: 'allow', rule: 'r' },
    { name: 'deny call only: not callable', acl: { rules: [rule('r'), rule('no-call', { effect: 'deny', rights: ['call'] })] }, who: bob, right: 'call', effect: 'deny', rule: 'no-call' },
    { name: 'deny list only: hidden', acl: { rules: [rule('r'), rule('hide', { effect: 'deny', rights: ['list'] })] }, who: bob, right: 'list', effect: 'deny', rule: 'hide' },
    { name: 'deny list only: so not callable either', acl: { rules: [rule('r'), rule('hide', { effect: 'deny', rights: ['list'] })] }, who: bob, right: 'call', effect: 'deny', rule: 'hide' },
    { name: 'a call-only condition cannot make an item callable but invisible', acl: { rules: [rule('r', { when: "request.method == 'tools/call'" })] }, who: bob, right: 'call', effect: 'deny' },
  ];
  it.each(rows)('$name', check);

  it('a call refused for visibility explains both halves', () => {
    const decision = decide(policy({ rules: [rule('r'), rule('hide', { effect: 'deny', rights: ['list'] })] }), bob, { right: 'call', kind: 'tools', name: 'cancel-order' });
    expect(decision.reason).toBe(
      'Rule r allows bob to call tool cancel-order (every authenticated principal) — but a call also needs the list right, and: Rule hide forbids bob to see tool cancel-order in tools/list (every authenticated principal); a deny wins over any allow.',
    );
    expect(decision.considered.map((c) => `${c.right}:${c.id}`)).toEqual(['call:r', 'call:hide', 'call:default', 'list:r', 'list:hide', 'list:default']);
  });
});

describe('conditions (CEL)', () => {
  const rows: Row[] = [
    { name: 'jwt claim true', acl: { rules: [rule('acme', { when: "jwt.email.endsWith('@acme.com')" })] }, who: alice, effect: 'allow', rule: 'acme', why: { acme: 'allow: every authenticated principal; condition true' } },
    { name: 'jwt claim false', acl: { rules: [rule('acme', { when: "jwt.email.endsWith('@acme.com')" })] }, who: bob, effect: 'no_match', why: { acme: 'condition false' } },
    { name: 'numbers in claims', acl: { rules: [rule('senior', { when: 'jwt.level >= 3 && jwt.level < 10.5' })] }, who: principal('x', { claims: { level: 5 } }), effect: 'allow', rule: 'senior' },
    { name: 'lists in claims', acl: { rules: [rule('beta', { when: "'beta' in jwt.features" })] }, who: principal('x', { claims: { features: ['beta'] } }), effect: 'allow', rule: 'beta' },
    { name: 'mcp.tool.name', acl: { rules: [rule('r', { match: ['*'], when: "mcp.tool.name != 'cancel-order'" })] }, who: bob, effect: 'no_match', why: { r: 'condition false' } },
    { name: 'mcp.prompt.name', acl: { rules: [rule('r', { kind: 'prompts', match: ['*'], when: "mcp.prompt.name.startsWith('tri')" })] }, who: bob, kind: 'prompts', item: 'triage', effect: 'allow', rule: 'r' },
    { name: 'mcp.resource.uri', acl: { rules: [rule('r', { kind: 'resources', match: ['*'], when: "mcp.resource.uri.startsWith('file://')" })] }, who: bob, kind: 'resources', item: 'file:///a', effect: 'allow', rule: 'r' },
    { name: 'request.method defaults from the right', acl: { rules: [rule('r', { rights: ['list'], when: "request.method == 'tools/list'" })] }, who: bob, right: 'list', effect: 'allow', rule: 'r' },
    { name: 'request.method as passed', acl: { rules: [rule('r', { rights: ['list'], when: "request.method == 'tools/list'" })] }, who: bob, right: 'list', method: 'custom/list', effect: 'no_match' },
    {
      name: 'has() guards a missing claim',
      acl: { rules: [rule('r', { when: "has(jwt.department) && jwt.department == 'ops'" })] },
      who: bob,
      effect: 'no_match',
      why: { r: 'condition false' },
    },
    {
      name: 'an allow whose condition fails does not apply',
      acl: { rules: [rule('r', { when: "jwt.department == 'ops'" })] },
      who: bob,
      effect: 'no_match',
      why: { r: 'condition error: No such key: department — an allow rule whose condition fails does not apply (guard claims with has(jwt.x))' },
    },
    {
      name: 'a deny whose condition fails applies (fail closed)',
      acl: { rules: [rule('a'), rule('d', { effect: 'deny', when: "jwt.department == 'contractors'" })] },
      who: bob,
      effect: 'deny',
      rule: 'd',
      why: { d: 'deny: every authenticated principal; condition error (No such key: department), so this deny applies (fail closed)' },
    },
    { name: 'a dyn condition that is not a bool is an error', acl: { rules: [rule('r', { when: 'jwt.email' })] }, who: bob, effect: 'no_match', why: { r: 'condition error: condition yields string, not a bool — an allow rule whose condition fails does not apply (guard claims with has(jwt.x))' } },
    { name: 'subjects are checked before the condition', acl: { rules: [rule('r', { subjects: { users: ['alice'] }, when: "jwt.department == 'ops'" })] }, who: bob, effect: 'no_match', why: { r: 'no subject match: users [alice] ∌ bob' } },
  ];
  it.each(rows)('$name', check);
});

describe('the decision record', () => {
  const p = policy({ default: { allow: { groups: ['warehouse-ops'] } }, rules: [rule('support', { subjects: { groups: ['customer-support'] } }), rule('prompt', { kind: 'prompts', match: ['x'] })] });

  it('reads as one sentence', () => {
    expect(decide(p, bob, { right: 'call', kind: 'tools', name: 'cancel-order' }).reason).toBe('Rule support allows bob to call tool cancel-order (matched groups customer-support).');
    expect(decide(p, alice, { right: 'list', kind: 'tools', name: 'get-order' }).reason).toBe("The route's default ACL allows alice to see tool get-order in tools/list (matched groups warehouse-ops).");
    expect(decide(p, alice, { right: 'call', kind: 'tools', name: 'cancel-order' }).reason).toBe(
      'Nothing allows alice to call tool cancel-order, so it is denied (rule support: no subject match: groups [customer-support] ∌ warehouse-ops; default: replaced for this tool by rule support (combine: replace)).',
    );
    expect(decide(p, carol, { right: 'call', kind: 'prompts', name: 'x' }).reason).toBe('Rule prompt allows carol to get prompt x (every authenticated principal).');
    expect(decide(p, carol, { right: 'call', kind: 'resources', name: 'file:///a' }).reason).toMatch(/^Nothing allows carol to read resource file:\/\/\/a/);
  });

  it('lists only matching rules by default, and every rule with explain: all', () => {
    expect(decide(p, alice, { right: 'call', kind: 'tools', name: 'get-order' }).considered.map((c) => c.id)).toEqual(['default']);
    const all = decide(p, alice, { right: 'call', kind: 'tools', name: 'get-order' }, { explain: 'all' }).considered;
    expect(all).toEqual([
      { id: 'support', right: 'call', effect: 'allow', applies: false, why: 'pattern does not match' },
      { id: 'prompt', right: 'call', effect: 'allow', applies: false, why: 'the rule is about prompts, not tools' },
      { id: 'default', right: 'call', effect: 'allow', applies: true, why: 'default.allow matched groups warehouse-ops' },
    ]);
  });

  it('is a plain JSON record, the same for the same input', () => {
    const request = { right: 'call', kind: 'tools', name: 'cancel-order' } as const;
    const decision = decide(p, bob, request);
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
    expect(decide(p, bob, request)).toEqual(decision);
  });
});
