import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { routeAclSchema } from '../../../main/policy/policy-schema.js';

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** Every property in the JSON Schema, with its dotted path. */
function properties(schema: JsonSchema, path = 'acl'): Array<[string, JsonSchema]> {
  const out: Array<[string, JsonSchema]> = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    out.push([`${path}.${key}`, property]);
    out.push(...properties(property, `${path}.${key}`));
    if (property.items) out.push(...properties(property.items, `${path}.${key}[]`));
  }
  return out;
}

describe('routeAclSchema', () => {
  it('describes every key', () => {
    const all = properties(z.toJSONSchema(routeAclSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter(([, property]) => !property.description).map(([path]) => path)).toEqual([]);
  });

  it('fills defaults: combine replace, no rules, rights list and call, subjects everyone', () => {
    expect(routeAclSchema.parse({})).toEqual({ combine: 'replace', rules: [] });
    const [rule] = routeAclSchema.parse({ rules: [{ id: 'r', kind: 'tools', match: ['x'], effect: 'allow' }] }).rules;
    expect(rule).toEqual({ id: 'r', kind: 'tools', match: ['x'], rights: ['list', 'call'], effect: 'allow', subjects: { groups: [], users: [], clients: [], scopes: [] } });
    expect(routeAclSchema.parse({ default: { allow: { groups: ['a'] } } }).default).toEqual({ allow: { groups: ['a'], users: [], clients: [], scopes: [] } });
  });

  it('gives each parse its own default objects', () => {
    const input = { rules: [{ id: 'r', kind: 'tools', match: ['x'], effect: 'allow' }] } as const;
    const one = routeAclSchema.parse(input);
    one.rules[0]!.subjects.groups.push('mutated');
    one.rules[0]!.rights.pop();
    expect(routeAclSchema.parse(input).rules[0]).toMatchObject({ rights: ['list', 'call'], subjects: { groups: [] } });
    const lists = { default: { allow: { groups: ['a'] } } };
    routeAclSchema.parse(lists).default!.allow!.users.push('mutated');
    expect(routeAclSchema.parse(lists).default!.allow!.users).toEqual([]);
    routeAclSchema.parse({}).rules.push(one.rules[0]!);
    expect(routeAclSchema.parse({}).rules).toEqual([]);
  });

  it.each([
    [{ rules: [{ id: 'r', kind: 'tools', match: ['x'], effect: 'allow', subject: {} }] }, ['rules', 0], 'unrecognized_keys'],
    [{ default: { allow: { group: ['a'] } } }, ['default', 'allow'], 'unrecognized_keys'],
    [{ combine: 'override' }, ['combine'], 'invalid_value'],
    [{ rules: [{ id: 'r', kind: 'tool', match: ['x'], effect: 'allow' }] }, ['rules', 0, 'kind'], 'invalid_value'],
    [{ rules: [{ id: 'r', kind: 'tools', match: [], effect: 'allow' }] }, ['rules', 0, 'match'], 'too_small'],
    [{ rules: [{ id: 'r', kind: 'tools', match: ['x'] }] }, ['rules', 0, 'effect'], 'invalid_value'],
    [{ rules: [{ id: 'has space', kind: 'tools', match: ['x'], effect: 'allow' }] }, ['rules', 0, 'id'], 'invalid_format'],
    [{ rules: [{ id: 'r', kind: 'tools', match: ['x'], effect: 'allow', rights: ['read'] }] }, ['rules', 0, 'rights', 0], 'invalid_value'],
  ])('rejects %j at %j', (input, path, code) => {
    const result = routeAclSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path, code });
  });
});
