/**
 * The ACL of the demo's /ecommerce-mcp route (docs/policy.md has it as a table): both demo groups
 * may use the read-only order and inventory tools, customer support alone may change orders and
 * customers, and warehouse ops alone may restock. Alice (warehouse-ops) sees 5 tools, Bob
 * (customer-support) 7. Written the Kong way: a default ACL for the shared tools, and rules that
 * replace it for the restricted ones, so a tool the shop adds later is open to both groups.
 */
import type { RouteAcl } from '../../shared/policy.js';
import { routeAclSchema, type RouteAclInput } from './policy-schema.js';

export const DEMO_GROUPS = { warehouse: 'warehouse-ops', support: 'customer-support' } as const;

export function demoShopAclInput(): RouteAclInput {
  return {
    default: { allow: { groups: [DEMO_GROUPS.warehouse, DEMO_GROUPS.support] } },
    combine: 'replace',
    rules: [
      {
        id: 'customer-support-only',
        kind: 'tools',
        match: ['cancel-order', 'get-customer', 'update-customer-contact'],
        rights: ['list', 'call'],
        effect: 'allow',
        subjects: { groups: [DEMO_GROUPS.support] },
      },
      {
        id: 'warehouse-ops-only',
        kind: 'tools',
        match: ['restock-item'],
        rights: ['list', 'call'],
        effect: 'allow',
        subjects: { groups: [DEMO_GROUPS.warehouse] },
      },
    ],
  };
}

/** The demo ACL in the config shape, parsed by routeAclSchema. */
export function demoShopAcl(): RouteAcl {
  return routeAclSchema.parse(demoShopAclInput());
}
