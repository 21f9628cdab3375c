/**
 * The groups the built-in IdP issues — its users' and its machine clients' — are what the ACL lint
 * and the ACL grid know on a route that uses it: a rule for a group only a machine client has is
 * not "a group nobody has".
 */
import { describe, expect, it } from 'vitest';

import { builtinIdpGroups } from '../../main/config/idp-groups.js';
import { builtinIdpSchema } from '../../main/config/schema.js';
import { lintPolicy } from '../../main/policy/index.js';
import { routeAclSchema } from '../../main/policy/policy-schema.js';

const idp = builtinIdpSchema.parse({
  kind: 'builtin',
  users: [{ username: 'alice', password: 'p', groups: ['warehouse-ops'] }],
  clients: [{ client_id: 'nightly', client_secret: 's', groups: ['ci', 'warehouse-ops'] }],
});

describe('the groups of the built-in IdP', () => {
  it("are its users' and its machine clients', each once", () => {
    expect(builtinIdpGroups(idp).sort()).toEqual(['ci', 'warehouse-ops']);
    expect(builtinIdpGroups(undefined)).toEqual([]);
  });

  it('let a rule for a group only a machine client has pass the lint', () => {
    const acl = routeAclSchema.parse({ rules: [{ id: 'ci-reads', kind: 'tools', match: ['list-orders'], effect: 'allow', subjects: { groups: ['ci'] } }] });
    const groupFindings = (known: string[]) => lintPolicy(acl, { knownGroups: known }).filter((finding) => finding.problem === 'never_matches' || finding.problem === 'unknown_group');
    expect(groupFindings(['warehouse-ops'])).not.toEqual([]);
    expect(groupFindings(builtinIdpGroups(idp))).toEqual([]);
  });
});
