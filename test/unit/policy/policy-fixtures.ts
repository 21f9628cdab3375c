/** Builders for policy tests: ACLs go through routeAclSchema, as they do from a config file. */
import { compilePolicy, type CompiledPolicy } from '../../../main/policy/compile-policy.js';
import { routeAclSchema, type RouteAclInput } from '../../../main/policy/policy-schema.js';
import type { PolicyPrincipal, RouteAcl } from '../../../shared/policy.js';

export function acl(input: RouteAclInput): RouteAcl {
  return routeAclSchema.parse(input);
}

export function policy(input: RouteAclInput): CompiledPolicy {
  return compilePolicy(acl(input));
}

export function principal(subject: string, parts: Partial<Omit<PolicyPrincipal, 'subject'>> = {}): PolicyPrincipal {
  return { subject, groups: [], scopes: [], claims: { sub: subject }, ...parts };
}

export const alice = principal('alice', { groups: ['warehouse-ops'], claims: { sub: 'alice', email: 'alice@acme.com' } });
export const bob = principal('bob', { groups: ['customer-support'], clientId: 'cursor', scopes: ['orders:read'], claims: { sub: 'bob', email: 'bob@gmail.com' } });
export const carol = principal('carol', { groups: [], claims: { sub: 'carol' } });

export const SHOP_TOOLS = [
  'list-orders',
  'get-order',
  'list-inventory',
  'check-inventory',
  'cancel-order',
  'get-customer',
  'update-customer-contact',
  'restock-item',
];
