import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { compilePolicy } from '../../../main/policy/compile-policy.js';
import { decide } from '../../../main/policy/decide.js';
import { demoShopAcl } from '../../../main/policy/demo-acl.js';
import { routeAclSchema } from '../../../main/policy/policy-schema.js';
import { alice, bob } from './policy-fixtures.js';

const page = await readFile(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
const demoSection = page.slice(page.indexOf('## The demo ACL'), page.indexOf('## For developers'));

describe('docs/policy.md', () => {
  it('shows the demo ACL as demoShopAcl() returns it', () => {
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(demoSection)![1]!;
    expect(routeAclSchema.parse(parse(yamlBlock).acl)).toEqual(demoShopAcl());
  });

  it('has a demo matrix that matches the decisions', () => {
    const rows = demoSection.split('\n').filter((line) => /^\| `/.test(line));
    expect(rows).toHaveLength(8);
    const shop = compilePolicy(demoShopAcl());
    for (const row of rows) {
      const [tool, warehouse, support, decidedBy] = row.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', ''));
      for (const [who, expected] of [[alice, warehouse], [bob, support]] as const) {
        const decision = decide(shop, who, { right: 'call', kind: 'tools', name: tool! });
        expect(decision.effect === 'allow', `${who.subject} on ${tool}`).toBe(expected === '✓');
        if (decision.rule) expect(decision.rule.id).toBe(decidedBy);
      }
    }
  });

  it('shows a decision record as decide() writes it', () => {
    const json = /## The decision record[\s\S]*?```json\n([\s\S]*?)```/.exec(page)![1]!;
    expect(decide(compilePolicy(demoShopAcl()), alice, { right: 'call', kind: 'tools', name: 'cancel-order' })).toEqual(JSON.parse(json));
  });

  it('parses its first example', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(page)![1]!.replace('upstreams: [...]', 'upstreams: []');
    const acl = routeAclSchema.parse(parse(example).routes[0].acl);
    expect(() => compilePolicy(acl)).not.toThrow();
  });
});
