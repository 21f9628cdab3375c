/**
 * `gatehouse check` on ACLs, as a user runs it: one config whose ACL holds every lint problem
 * (docs/policy.md, "Lint") is valid — exit 0, the summary line, and each finding with its rule id
 * and fix — while an ACL on a route without auth and a `when` that is not CEL are config errors
 * that name the field (and its line).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function check(file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'check', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The shop's endpoints, declared as REST tools: the catalog `check` lints against without running anything. */
const UPSTREAMS = `    upstreams:
      - name: shop
        kind: rest
        base_url: http://127.0.0.1:9/api
        tools:
          - {name: list-orders, method: GET, path: /orders}
          - {name: get-order, method: GET, path: "/orders/{orderId}", parameters: [{name: orderId, in: path, required: true}]}
          - {name: cancel-order, method: POST, path: "/orders/{orderId}/cancel", parameters: [{name: orderId, in: path, required: true}]}
          - {name: restock-item, method: POST, path: "/inventory/{sku}/restock", parameters: [{name: sku, in: path, required: true}, {name: quantity, in: body, required: true}]}
          - {name: get-customer, method: GET, path: "/customers/{customerId}", parameters: [{name: customerId, in: path, required: true}]}
`;

const AUTH = `    auth: {issuer: builtin, scopes_supported: ["shop:read"]}
`;

/** One problem per rule; the built-in IdP's default users are alice (warehouse-ops) and bob (customer-support). */
const LINTY_ACL = `    acl:
      default:
        allow: {groups: [warehouse-ops, customer-support]}
      rules:
        # never_matches: a literal name the catalog does not have
        - id: typo-tool
          kind: tools
          match: [cancel-ordr]
          effect: allow
          subjects: {groups: [customer-support]}
        # unknown_group: a group no built-in user has, next to one that exists
        - id: auditors-too
          kind: tools
          match: [list-orders]
          effect: allow
          subjects: {groups: [customer-support, auditors]}
        - id: support-customers
          kind: tools
          match: [get-customer]
          effect: allow
          subjects: {groups: [customer-support]}
        # shadowed: identical to the rule above
        - id: support-customers-again
          kind: tools
          match: [get-customer]
          effect: allow
          subjects: {groups: [customer-support]}
        # useless_allow: the deny below covers it
        - id: ops-restock
          kind: tools
          match: [restock-item]
          effect: allow
          subjects: {groups: [warehouse-ops]}
        - id: restock-freeze
          kind: tools
          match: [restock-item]
          effect: deny
        # matches_nothing: export-* finds nothing (get-order does)
        - id: exports
          kind: tools
          match: [get-order, "export-*"]
          effect: allow
          subjects: {groups: [customer-support]}
`;

function config(route: string, withIdp = true): string {
  return `listen: {port: 0}\n${withIdp ? 'idp: builtin\n' : ''}routes:\n  - path: /shop-mcp\n${route}`;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-acl-lint-cli-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gatehouse check on an ACL that compiles but misleads', () => {
  let file: string;
  let result: Run;
  let warnings: string[];
  const line = (ruleId: string) => {
    const found = warnings.filter((w) => w.includes(`acl rule "${ruleId}":`));
    expect(found, `one finding for ${ruleId} in:\n${warnings.join('\n')}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    file = path.join(dir, 'linty.yaml');
    await writeFile(file, config(AUTH + LINTY_ACL + UPSTREAMS));
    result = await check(file);
    warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning: '));
  });

  it('is valid: exit 0, the OK line, and the summary line', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${file}: OK — 1 route(s), 1 upstream(s)`);
    expect(result.stderr).toMatch(/^5 ACL lint finding\(s\); the config is valid, but these rules do not do what they look like\.$/m);
  });

  it('prints one finding per problem, each on the route, with its rule id, and nothing else', () => {
    expect(warnings).toHaveLength(5);
    expect(warnings.every((w) => w.startsWith('warning: route /shop-mcp: acl rule "'))).toBe(true);
    // Each has a fix after the dash.
    expect(warnings.every((w) => / — \S.{10,}$/.test(w))).toBe(true);
    for (const clean of ['support-customers', 'restock-freeze', 'default']) expect(result.stderr).not.toContain(`acl rule "${clean}"`);
  });

  it('never_matches: an unknown tool, with "did you mean" and the fix', () => {
    const finding = line('typo-tool');
    expect(finding).toContain('matches none of the 5 tools in the catalog (it names cancel-ordr), so it never applies');
    expect(finding).toContain('Did you mean cancel-order (for cancel-ordr)?');
    expect(finding).toContain(' — Correct the names in match');
  });

  it('unknown_group: a group no built-in user has', () => {
    const finding = line('auditors-too');
    expect(finding).toContain('names group no known user or machine client has: auditors');
    expect(finding).toContain(' — Check the spelling against the groups your users and machine clients have');
  });

  it('shadowed: a rule an earlier identical one already says', () => {
    const finding = line('support-customers-again');
    expect(finding).toContain('is shadowed by rule support-customers');
    expect(finding).toContain(' — Remove rule support-customers-again');
  });

  it('useless_allow: an allow a deny covers', () => {
    const finding = line('ops-restock');
    expect(finding).toContain('never takes effect: deny rule restock-freeze covers');
    expect(finding).toContain(' — Remove rule ops-restock, or narrow rule restock-freeze');
  });

  it('matches_nothing: a glob that finds nothing in the catalog', () => {
    const finding = line('exports');
    expect(finding).toContain('export-* matches no tool in the current catalog');
    expect(finding).toContain(' — Fix the pattern');
  });
});

describe('gatehouse check on ACLs that are config errors', () => {
  it('an ACL on a route without auth: exit 1, naming routes[0].acl and what to do', async () => {
    const file = path.join(dir, 'no-auth.yaml');
    await writeFile(file, config(LINTY_ACL + UPSTREAMS, false));
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('OK');
    expect(result.stderr).toMatch(/^1 problem\(s\) in the config:$/m);
    // Located at the acl's value (line 5, column 7), as other config errors are located at their value.
    expect(result.stderr).toContain(`${file}:5:7: routes[0].acl: an ACL needs to know who is calling, and this route has no auth — add auth`);
  });

  it('a `when` that is not CEL: exit 1, naming the rule’s when field and its line', async () => {
    const file = path.join(dir, 'bad-cel.yaml');
    const acl = `    acl:
      rules:
        - id: acme-only
          kind: tools
          match: [get-order]
          effect: allow
          when: "jwt.email.endsWith('@acme.com'"
`;
    await writeFile(file, config(AUTH + acl + UPSTREAMS));
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('OK');
    // `when` is on line 12 of the file.
    expect(result.stderr).toMatch(new RegExp(`${escape(file)}:12:\\d+: routes\\[0\\]\\.acl\\.rules\\[0\\]\\.when: \\S`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('a `when` naming an unknown variable or yielding a non-bool is a config error too', async () => {
    const file = path.join(dir, 'bad-cel-types.yaml');
    const acl = `    acl:
      rules:
        - id: by-clock
          kind: tools
          match: [get-order]
          effect: allow
          when: "now > 0"
        - id: not-a-bool
          kind: tools
          match: [list-orders]
          effect: allow
          when: "jwt.groups.size()"
`;
    await writeFile(file, config(AUTH + acl + UPSTREAMS));
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^2 problem\(s\) in the config:$/m);
    expect(result.stderr).toMatch(/:12:\d+: routes\[0\]\.acl\.rules\[0\]\.when: CEL does not type-check: Unknown variable: now/);
    expect(result.stderr).toMatch(/:17:\d+: routes\[0\]\.acl\.rules\[1\]\.when: CEL condition yields int, not bool/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
