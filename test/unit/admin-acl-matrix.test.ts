/**
 * The ACL matrix (main/admin/acl-matrix.ts): the demo ACL as a grid, which ACLs are no grid and
 * why, and the round trip — any grid a user can click together, saved as rules and compiled by
 * the real policy code, decides every cell exactly as clicked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { applyCells, deriveGrid, updateProblems, whyNotAGrid } from '../../main/admin/acl-matrix.js';
import { demoShopAcl } from '../../main/policy/demo-acl.js';
import { routeAclSchema, type RouteAclInput } from '../../main/policy/policy-schema.js';

const TOOLS = ['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'restock-item', 'get-customer', 'update-customer-contact'].map((name) => ({ name }));
const GROUPS = ['warehouse-ops', 'customer-support'];

const acl = (input: RouteAclInput) => routeAclSchema.parse(input);

describe('the demo ACL as a grid', () => {
  const grid = deriveGrid(demoShopAcl(), TOOLS, GROUPS);

  it('is editable, with both groups and every tool', () => {
    expect(grid.editable).toBe(true);
    expect(grid.groups).toEqual(GROUPS);
    expect(grid.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
  });

  it('matches the table in docs/policy.md', () => {
    const allowed = (group: string) => grid.cells.filter((c) => c.group === group && c.allowed).map((c) => c.tool);
    expect(allowed('warehouse-ops')).toEqual(['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item']);
    expect(allowed('customer-support')).toEqual(['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'get-customer', 'update-customer-contact']);
    expect(grid.cells.find((c) => c.tool === 'get-customer' && c.group === 'customer-support')!.rule).toBe('customer-support-only');
  });

  it('keeps rule ids when a save leaves their groups alone', () => {
    const written = applyCells(demoShopAcl(), grid, [{ tool: 'get-order', group: 'warehouse-ops', allowed: false }]);
    expect(written.rules.map((r) => r.id)).toEqual(['customer-support-only', 'warehouse-ops-only']);
    expect(written.rules[0]!.match).toEqual(['get-order', 'cancel-order', 'get-customer', 'update-customer-contact']);
    expect(written.default).toBeUndefined();
  });

  it('writes a deny-everyone rule for a tool no group may use', () => {
    const written = applyCells(demoShopAcl(), grid, [{ tool: 'restock-item', group: 'warehouse-ops', allowed: false }]);
    expect(written.rules.find((r) => r.match.includes('restock-item'))).toEqual({ id: 'nobody', kind: 'tools', match: ['restock-item'], effect: 'deny' });
  });

  it('names unknown tools and groups in an update', () => {
    expect(updateProblems(grid, [{ tool: 'x', group: 'interns', allowed: true }])).toEqual([
      expect.stringMatching(/no tool "x"/),
      expect.stringMatching(/unknown group "interns"/),
    ]);
  });
});

describe('ACLs that are no grid', () => {
  const base = { default: { allow: { groups: ['a'] } } };
  it.each([
    ['a condition', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['t'], effect: 'allow', subjects: { groups: ['a'] }, when: 'true' }] }, /condition/],
    ['a glob', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['get-*'], effect: 'allow', subjects: { groups: ['a'] } }] }, /pattern \(get-\*\)/],
    ['a regex', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['/^get-.+$/'], effect: 'allow', subjects: { groups: ['a'] } }] }, /pattern/],
    ['a user as subject', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['t'], effect: 'allow', subjects: { users: ['alice'] } }] }, /users, clients or scopes/],
    ['a deny for one group', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['t'], effect: 'deny', subjects: { groups: ['a'] } }] }, /denies some principals/],
    ['list without call', { ...base, rules: [{ id: 'r', kind: 'tools', match: ['t'], rights: ['list'], effect: 'allow', subjects: { groups: ['a'] } }] }, /list without call/],
    ['combine: merge', { ...base, combine: 'merge', rules: [] }, /merge/],
    ['a default deny', { default: { allow: { groups: ['a'] }, deny: { groups: ['b'] } }, rules: [] }, /default ACL/],
  ] as const)('%s', (_name, input, why) => {
    const parsed = acl(input as unknown as RouteAclInput);
    expect(whyNotAGrid(parsed)).toMatch(why);
    expect(deriveGrid(parsed, [{ name: 't' }], ['a', 'b']).editable).toBe(false);
  });

  it('a prompt rule with a condition does not stop the tool grid', () => {
    const parsed = acl({ ...base, rules: [{ id: 'p', kind: 'prompts', match: ['*'], effect: 'allow', when: 'true' }] });
    expect(whyNotAGrid(parsed)).toBeUndefined();
    const written = applyCells(parsed, deriveGrid(parsed, [{ name: 't' }], ['a']), [{ tool: 't', group: 'a', allowed: false }]);
    expect(written.rules.map((r) => r.id)).toEqual(['p', 'nobody']);
    expect(written.rules[0]).toMatchObject({ kind: 'prompts', match: ['*'], when: 'true' });
  });
});

describe('round trip', () => {
  const startingPoints = fc.constantFrom<RouteAclInput | undefined>(
    undefined,
    { default: { allow: { groups: GROUPS } }, rules: [] },
    { rules: [] },
    { default: { allow: { groups: ['warehouse-ops'] } }, rules: [] },
  );

  it('saving any grid and compiling it again gives exactly the cells clicked', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.constant(demoShopAcl() as RouteAclInput), startingPoints), fc.array(fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), { minLength: TOOLS.length, maxLength: TOOLS.length }), (start, wanted) => {
        const before = start && acl(start);
        const grid = deriveGrid(before, TOOLS, GROUPS);
        expect(grid.editable).toBe(true);
        const cells = TOOLS.flatMap((tool, t) => GROUPS.map((group, g) => ({ tool: tool.name, group, allowed: wanted[t]![g]! })));
        const written = applyCells(before, grid, cells);
        const after = acl(before ? { ...(before as RouteAclInput), rules: written.rules as RouteAclInput['rules'] } : (written as RouteAclInput));
        const again = deriveGrid(after, TOOLS, GROUPS);
        expect(again.editable).toBe(true);
        expect(again.cells.map(({ tool, group, allowed }) => ({ tool, group, allowed }))).toEqual(cells);
        // One rule per distinct set of groups, at most.
        expect(written.rules.length).toBeLessThanOrEqual(3);
      }),
      { numRuns: 200 },
    );
  });
});
