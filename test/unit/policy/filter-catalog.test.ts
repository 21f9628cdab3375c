import { describe, expect, it } from 'vitest';

import { compilePolicy } from '../../../main/policy/compile-policy.js';
import { decide } from '../../../main/policy/decide.js';
import { demoShopAcl } from '../../../main/policy/demo-acl.js';
import { filterCatalog } from '../../../main/policy/filter-catalog.js';
import { lintPolicy } from '../../../main/policy/lint-policy.js';
import { routeAclSchema } from '../../../main/policy/policy-schema.js';
import { shopTools } from '../../../main/demo/demo-config.js';
import { DEMO_USERS } from '../../../main/config/schema.js';
import { alice, bob, carol, policy, principal, SHOP_TOOLS } from './policy-fixtures.js';

describe('the demo shop ACL (docs/policy.md)', () => {
  const shop = compilePolicy(demoShopAcl());

  it('is in the config shape, already parsed by routeAclSchema', () => {
    expect(routeAclSchema.parse(demoShopAcl())).toEqual(demoShopAcl());
  });

  it('covers exactly the tools of the demo shop', () => {
    expect(shopTools().map((tool) => tool.name).toSorted()).toEqual(SHOP_TOOLS.toSorted());
  });

  it('shows alice (warehouse-ops) 5 tools', () => {
    expect(filterCatalog(shop, alice, 'tools', SHOP_TOOLS).visible).toEqual(['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item']);
  });

  it('shows bob (customer-support) 7 tools', () => {
    expect(filterCatalog(shop, bob, 'tools', SHOP_TOOLS).visible).toEqual([
      'list-orders',
      'get-order',
      'list-inventory',
      'check-inventory',
      'cancel-order',
      'get-customer',
      'update-customer-contact',
    ]);
  });

  it('shows someone in neither group nothing', () => {
    expect(filterCatalog(shop, carol, 'tools', SHOP_TOOLS).visible).toEqual([]);
  });

  it.each([
    ['list-orders', true, true],
    ['get-order', true, true],
    ['list-inventory', true, true],
    ['check-inventory', true, true],
    ['cancel-order', false, true],
    ['get-customer', false, true],
    ['update-customer-contact', false, true],
    ['restock-item', true, false],
  ])('%s: warehouse-ops %s, customer-support %s — for calls as for lists', (tool, warehouse, support) => {
    for (const right of ['list', 'call'] as const) {
      expect(decide(shop, alice, { right, kind: 'tools', name: tool }).effect === 'allow').toBe(warehouse);
      expect(decide(shop, bob, { right, kind: 'tools', name: tool }).effect === 'allow').toBe(support);
    }
  });

  it('lints clean against the shop catalog and the demo users', () => {
    const catalog = { tools: SHOP_TOOLS, prompts: [], resources: [], resource_templates: [] };
    expect(lintPolicy(demoShopAcl(), { catalog, knownGroups: DEMO_USERS.flatMap((user) => user.groups) })).toEqual([]);
  });

  it('returns fresh objects each time', () => {
    const one = demoShopAcl();
    one.rules[0]!.match.push('restock-item');
    expect(demoShopAcl().rules[0]!.match).not.toContain('restock-item');
  });
});

describe('filterCatalog', () => {
  const p = policy({
    default: { allow: { groups: ['staff'] } },
    rules: [
      { id: 'hide-admin', kind: 'tools', match: ['admin-*'], effect: 'deny', rights: ['list'] },
      { id: 'see-only', kind: 'tools', match: ['peek'], effect: 'allow', rights: ['list'] },
    ],
  });
  const staff = principal('s', { groups: ['staff'] });

  it('keeps catalog order and returns one list decision per name, hidden ones included', () => {
    const names = ['b', 'admin-reset', 'peek', 'a', 'b'];
    const { visible, decisions } = filterCatalog(p, staff, 'tools', names);
    expect(visible).toEqual(['b', 'peek', 'a', 'b']);
    expect(decisions.map((d) => [d.item, d.right, d.effect, d.rule?.id])).toEqual([
      ['b', 'list', 'allow', 'default'],
      ['admin-reset', 'list', 'deny', 'hide-admin'],
      ['peek', 'list', 'allow', 'see-only'],
      ['a', 'list', 'allow', 'default'],
      ['b', 'list', 'allow', 'default'],
    ]);
  });

  it('agrees with decide(list) item by item', () => {
    const names = ['b', 'admin-reset', 'peek'];
    const { decisions } = filterCatalog(p, staff, 'tools', names);
    expect(decisions).toEqual(names.map((name) => decide(p, staff, { right: 'list', kind: 'tools', name })));
  });

  it('lists what cannot be called when a rule grants list only', () => {
    expect(filterCatalog(p, carol, 'tools', ['peek']).visible).toEqual(['peek']);
    expect(decide(p, carol, { right: 'call', kind: 'tools', name: 'peek' }).effect).toBe('no_match');
  });

  it('handles an empty catalog', () => {
    expect(filterCatalog(p, staff, 'prompts', [])).toEqual({ visible: [], decisions: [] });
  });
});
