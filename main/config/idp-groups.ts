/**
 * The groups the built-in identity provider puts into tokens: its users' and its machine
 * clients'. What the ACL lint and the ACL grid know as groups that exist on a route using it.
 */
import type { BuiltinIdpConfig } from './schema.js';

export function builtinIdpGroups(idp: BuiltinIdpConfig | undefined): string[] {
  if (!idp) return [];
  return [...new Set([...idp.users, ...idp.clients].flatMap((holder) => holder.groups))];
}
