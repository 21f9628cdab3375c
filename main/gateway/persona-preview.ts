/**
 * "Preview as persona": the catalog a set of claims (or a built-in IdP user) would see on a
 * route, with the list and call decision for every item — computed by the same policy code the
 * gateway enforces with, without a token.
 */
import type { Decision, ItemKind, LintContext } from '../../shared/policy.js';
import { principalFrom } from '../auth/principal.js';
import { builtinIdpGroups } from '../config/idp-groups.js';
import type { BuiltinIdpConfig, GatehouseConfig, IdpClient, IdpUser } from '../config/schema.js';
import { decide, isAllowed } from '../policy/index.js';
import type { RouteRuntime } from './route-runtime.js';

export interface PreviewItem {
  name: string;
  visible: boolean;
  callable: boolean;
  list: Decision;
  call: Decision;
}

export type PersonaPreview = Record<ItemKind, PreviewItem[]> & { subject: string; groups: string[]; enforced: boolean };

function catalogNames(runtime: RouteRuntime): Record<ItemKind, string[]> {
  return {
    tools: runtime.catalog.tools().map((t) => t.name),
    prompts: runtime.catalog.prompts().map((p) => p.name),
    resources: runtime.catalog.resources().map((r) => r.uri),
    resource_templates: runtime.catalog.resourceTemplates().map((t) => t.uriTemplate),
  };
}

/** The claims the built-in IdP would put in a token for this user. */
function userClaims(user: IdpUser): Record<string, unknown> {
  return { sub: user.username, groups: user.groups, ...(user.email ? { email: user.email } : {}), ...(user.name ? { name: user.name } : {}) };
}

/** The claims of its client_credentials tokens: sub and client_id are the client id. */
function machineClaims(client: IdpClient): Record<string, unknown> {
  return { sub: client.client_id, client_id: client.client_id, groups: client.groups };
}

/** `user` names a user or a machine client of the built-in IdP (the config keeps the names apart). */
export function previewPersona(runtime: RouteRuntime, persona: { claims: Record<string, unknown> } | { user: string }, idp: Pick<BuiltinIdpConfig, 'users' | 'clients'> | undefined): PersonaPreview {
  let claims: Record<string, unknown>;
  if ('user' in persona) {
    const user = idp?.users.find((u) => u.username === persona.user);
    const machine = idp?.clients.find((c) => c.client_id === persona.user);
    if (user) claims = userClaims(user);
    else if (machine) claims = machineClaims(machine);
    else {
      const known = [...(idp?.users.map((u) => u.username) ?? []), ...(idp?.clients.map((c) => c.client_id) ?? [])];
      throw new Error(`no user or machine client "${persona.user}" in the built-in identity provider (known: ${known.join(', ') || 'none'})`);
    }
  } else {
    claims = persona.claims;
  }
  const paths = runtime.route.auth?.claims ?? { subject: 'sub', client_id: 'client_id', scope: 'scope', groups: ['groups'] };
  const principal = principalFrom(claims, paths);
  const policy = runtime.compiledPolicy;
  const names = catalogNames(runtime);
  const preview = { subject: principal.subject, groups: principal.groups, enforced: policy !== undefined } as PersonaPreview;
  for (const kind of Object.keys(names) as ItemKind[]) {
    preview[kind] = names[kind].map((name) => {
      if (!policy) {
        const open: Decision = { version: 1, effect: 'allow', right: 'list', kind, item: name, considered: [], reason: 'this route has no ACL: everyone who may use the route sees everything' };
        return { name, visible: true, callable: true, list: open, call: { ...open, right: 'call' } };
      }
      const list = decide(policy, principal, { right: 'list', kind, name });
      const call = decide(policy, principal, { right: 'call', kind, name });
      return { name, visible: isAllowed(list), callable: isAllowed(call), list, call };
    });
  }
  return preview;
}

/** What a route's ACL is linted against: its live catalog and the groups the built-in IdP's users and machine clients have. */
export function lintContext(runtime: RouteRuntime, config: GatehouseConfig): LintContext {
  const knownGroups = runtime.route.auth?.issuer === 'builtin' && config.idp ? builtinIdpGroups(config.idp) : undefined;
  return { catalog: catalogNames(runtime), ...(knownGroups ? { knownGroups } : {}) };
}
