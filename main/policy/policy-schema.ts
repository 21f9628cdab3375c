/**
 * A route's `acl` key (main/config/schema.ts plugs it in). Every key documents itself, as in the
 * rest of the config; semantics and examples are in docs/policy.md. The checks compilePolicy
 * makes (patterns, CEL, rights, unique ids) run here too, so a bad ACL is a config error with a
 * line number rather than a failure when the route starts.
 */
import { z } from 'zod';

import type { RouteAcl } from '../../shared/policy.js';
import { findPolicyProblems } from './compile-policy.js';

// Defaults are functions throughout: zod hands a constant default out as the same object on every
// parse, and a caller that edits one parsed ACL must not change the next.
const names = (what: string, example: string) =>
  z
    .array(z.string().min(1))
    .default(() => [])
    .describe(`${what} Example: ${example}`);

export const subjectSetSchema = z
  .strictObject({
    groups: names("Group names, matched against the principal's groups (the route's auth.claims.groups).", '[customer-support]'),
    users: names('Token subjects (sub, or the route\'s auth.claims.subject claim).', '[alice]'),
    clients: names('OAuth client IDs (client_id or azp).', '[cursor]'),
    scopes: names('OAuth scopes; the principal needs any one of them.', '[orders:write]'),
  })
  .describe('Who: any value within a field matches, and the fields that are not empty must all match (groups AND scopes, …).');

export const aclListsSchema = z
  .strictObject({
    allow: subjectSetSchema.optional().describe('Who may list and call the items no rule names. Empty or absent: nobody.'),
    deny: subjectSetSchema.optional().describe('Who may not, even if allow names them too (deny wins). Empty or absent: nobody.'),
  })
  .describe("The route's default ACL for one kind of item (Kong's default_acl); replaces the all-kinds lists for that kind.");

export const defaultAclSchema = z
  .strictObject({
    allow: subjectSetSchema.optional().describe('Who may list and call items that no rule names, of every kind. Empty or absent: nobody.'),
    deny: subjectSetSchema.optional().describe('Who may not, even if allow names them too (deny wins). Empty or absent: nobody.'),
    tools: aclListsSchema.optional().describe('Default ACL for tools only, replacing allow/deny above for tools.'),
    prompts: aclListsSchema.optional().describe('Default ACL for prompts only, replacing allow/deny above for prompts.'),
    resources: aclListsSchema.optional().describe('Default ACL for resources only, replacing allow/deny above for resources.'),
    resource_templates: aclListsSchema.optional().describe('Default ACL for resource templates only, replacing allow/deny above for them.'),
  })
  .describe("The route's default ACL (Kong default_acl): applies to an item when no rule matches it, or always with combine: merge.");

export const aclRuleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - only, at most 64 characters')
    .describe('Unique name of the rule, shown in decisions, the trace and lint findings. Example: support-cancels'),
  kind: z.enum(['tools', 'prompts', 'resources', 'resource_templates']).describe('Which catalog the rule is about.'),
  match: z
    .array(z.string().min(1))
    .min(1)
    .describe('Names (resource URIs for resources): a literal, a glob (* any run of characters, ? one character) or /regex/flags, which must match the whole name. Example: [cancel-order, "get-*", "/^list-(orders|inventory)$/"]'),
  rights: z
    .array(z.enum(['list', 'call']))
    .min(1)
    .default((): Array<'list' | 'call'> => ['list', 'call'])
    .describe('list: the item shows in */list. call: tools/call, prompts/get, resources/read. An allow rule cannot grant call without list; a call always needs list too.'),
  effect: z.enum(['allow', 'deny']).describe('allow or deny; a deny that applies wins over every allow.'),
  subjects: subjectSetSchema.default(() => ({ groups: [], users: [], clients: [], scopes: [] })).describe('Who the rule is about. Empty or absent: every authenticated principal.'),
  when: z
    .string()
    .min(1)
    .optional()
    .describe("Extra condition in CEL over jwt.* (token claims), mcp.tool.name, mcp.prompt.name, mcp.resource.uri and request.method (agentgateway's names). Example: jwt.email.endsWith('@acme.com')"),
});

export const routeAclSchema = z
  .strictObject({
    default: defaultAclSchema.optional(),
    combine: z
      .enum(['replace', 'merge'])
      .default('replace')
      .describe("replace (Kong): rules that match an item replace the default ACL for that item. merge: rules and the default both apply, and a deny from either wins."),
    rules: z.array(aclRuleSchema).default(() => []).describe('Per-item rules, by kind and name. With no rule and no default an item is denied.'),
  })
  .superRefine((acl, ctx) => {
    for (const problem of findPolicyProblems(acl)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .describe('Who may list and call which tools, prompts and resources on this route. See docs/policy.md.');

export type RouteAclInput = z.input<typeof routeAclSchema>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Fails to compile when the schema and shared/policy.ts's RouteAcl drift apart. */
export type RouteAclSchemaMatchesType = Assert<Same<z.output<typeof routeAclSchema>, RouteAcl>>;
