import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { fromAgentgateway, isAgentgatewayConfig } from '../../main/config/agentgateway.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/agentgateway');

async function translate(file: string) {
  const doc: unknown = parse(await readFile(path.join(fixtures, file), 'utf8'));
  expect(isAgentgatewayConfig(doc)).toBe(true);
  const { config, unsupported } = fromAgentgateway(doc);
  return { config: gatehouseConfigSchema.parse(config), unsupported, fields: unsupported.map((n) => n.field) };
}

describe('detection', () => {
  it('recognises binds or a top-level mcp, and not a Gatehouse config', () => {
    expect(isAgentgatewayConfig({ binds: [] })).toBe(true);
    expect(isAgentgatewayConfig({ mcp: { targets: [] } })).toBe(true);
    expect(isAgentgatewayConfig({ routes: [] })).toBe(false);
    expect(isAgentgatewayConfig(null)).toBe(false);
  });
});

describe('short mcp: form (examples/mcp-basic)', () => {
  it('serves one stdio target at /mcp on the given port', async () => {
    const { config, fields } = await translate('short-stdio.yaml');
    expect(config.listen.port).toBe(3000);
    expect(config.routes).toHaveLength(1);
    const route = config.routes[0]!;
    expect(route.path).toBe('/mcp');
    expect(route.prefix).toBe('conditional');
    expect(route.upstreams).toEqual([
      expect.objectContaining({ name: 'everything', kind: 'stdio', command: 'npx', args: ['@modelcontextprotocol/server-everything'], env: { LOG_LEVEL: 'debug' } }),
    ]);
    expect(route.cors).toMatchObject({ allowed_origins: ['*'] });
    expect(fields).toContain('mcp.policies.cors.allowHeaders'); // cache-control
    expect(fields).toContain('mcp.port'); // all interfaces vs loopback
  });

  it('maps prefixMode and the multi-target default', () => {
    const targets = [
      { name: 'a', stdio: { cmd: 'a' } },
      { name: 'b', stdio: { cmd: 'b' } },
    ];
    const prefixOf = (mcp: object) => gatehouseConfigSchema.parse(fromAgentgateway({ mcp }).config).routes[0]!.prefix;
    expect(prefixOf({ targets })).toBe('always');
    expect(prefixOf({ targets, prefixMode: 'never' })).toBe('never');
    expect(prefixOf({ targets: targets.slice(0, 1), prefixMode: 'always' })).toBe('always');
  });
});

describe('binds form (examples/mcp-authentication, mcp-authorization, mcp-openapi)', () => {
  it('translates routes, targets, auth, acl and cors', async () => {
    const { config } = await translate('binds-auth.yaml');
    expect(config.listen.port).toBe(3000);
    expect(config.routes.map((r) => r.path)).toEqual(['/stdio/mcp', '/openapi']);
    const [main, openapi] = config.routes as [(typeof config.routes)[0], (typeof config.routes)[0]];
    expect(main.prefix).toBe('always');
    expect(main.upstreams).toEqual([
      expect.objectContaining({ name: 'everything', kind: 'stdio', command: 'npx' }),
      expect.objectContaining({ name: 'mcpbin', kind: 'http', url: 'https://mcpbin.is.solo.io/remote/mcp' }),
      expect.objectContaining({ name: 'legacy', kind: 'sse', url: 'http://localhost:3002/sse' }),
    ]);
    expect(main.cors).toEqual({ allowed_origins: ['https://inspector.example.com'], allow_credentials: false, max_age_s: 300 });
    expect(main.auth).toMatchObject({
      issuer: 'http://localhost:9000',
      jwks_uri: 'http://localhost:9000/.well-known/jwks.json',
      audiences: ['http://localhost:3000/stdio/mcp'],
      scopes_supported: ['read:all'],
      resource_documentation: 'http://localhost:3000/stdio/docs',
      groups_optional: true,
    });
    expect(main.acl?.default).toBeUndefined();
    expect(main.acl?.rules.map((r) => [r.id, r.kind, r.effect, r.when])).toEqual([
      ['agentgateway-rule-1', 'tools', 'allow', 'mcp.tool.name == "echo"'],
      ['agentgateway-rule-2', 'tools', 'allow', 'jwt.sub == "test-user" && mcp.tool.name == "get-sum"'],
      ['agentgateway-rule-3', 'tools', 'allow', 'mcp.tool.name == "get-env" && jwt.nested.key == "value"'],
      ['agentgateway-rule-4', 'tools', 'allow', 'mcp.tool.target == "mcpbin"'],
    ]);
    expect(openapi.upstreams).toEqual([expect.objectContaining({ name: 'openapi', kind: 'openapi', spec: './examples/mcp-openapi/openapi.json', base_url: 'http://localhost:8080' })]);
    expect(openapi.auth).toMatchObject({ issuer: 'http://localhost:7080/realms/mcp', audiences: ['mcp_proxy'], scopes_supported: ['profile'] });
  });

  it('lists every field it cannot honour by name', async () => {
    const { unsupported, fields } = await translate('binds-auth.yaml');
    const route0 = 'binds[0].listeners[0].routes[0].policies';
    const route1 = 'binds[0].listeners[0].routes[1].policies';
    expect(fields).toEqual(
      expect.arrayContaining([
        `${route0}.localRateLimit`,
        `${route0}.mcpAuthentication.resourceMetadata.bearerMethodsSupported`,
        `${route0}.mcpAuthentication.resourceMetadata.resourcePolicyUri`,
        `${route0}.mcpAuthorization.rules[3]`,
        `${route1}.mcpAuthentication.mode`,
        `${route1}.mcpAuthentication.provider`,
        `${route1}.extAuthz`,
      ]),
    );
    expect(unsupported.find((n) => n.field === `${route0}.mcpAuthorization.rules[3]`)?.message).toContain('mcp.tool.target');
    expect(unsupported.find((n) => n.field === `${route1}.mcpAuthentication.mode`)?.message).toContain('optional');
    // The PRM well-known match is served by Gatehouse itself, so it is not a note.
    expect(fields.some((f) => f.includes('matches[1]'))).toBe(false);
  });
});

describe('mcpAuthorization semantics', () => {
  const withRules = (rules: unknown[]) =>
    fromAgentgateway({
      mcp: {
        targets: [{ name: 'x', mcp: { host: 'http://127.0.0.1:9/mcp' } }],
        policies: { mcpAuthentication: { issuer: 'https://idp.example.com', audiences: [], resourceMetadata: {} }, mcpAuthorization: { rules } },
      },
    });

  it('turns require into a deny on the negation and keeps deny-list semantics', () => {
    const { config } = withRules([{ require: 'has(jwt.sub)' }, { deny: 'mcp.tool.name == "rm"' }]);
    const acl = gatehouseConfigSchema.parse(config).routes[0]!.acl!;
    expect(acl.rules.filter((r) => r.effect === 'deny').map((r) => [r.id, r.when])).toEqual([
      ['agentgateway-rule-1', '!(has(jwt.sub))'],
      ['agentgateway-rule-1-prompts', '!(has(jwt.sub))'],
      ['agentgateway-rule-1-resources', '!(has(jwt.sub))'],
      ['agentgateway-rule-1-resource_templates', '!(has(jwt.sub))'],
      ['agentgateway-rule-2', 'mcp.tool.name == "rm"'],
    ]);
    expect(acl.rules.filter((r) => r.effect === 'allow').every((r) => r.when === undefined)).toBe(true);
  });

  it('leaves out, and reports, an allow rule over a variable Gatehouse lacks (fail closed)', () => {
    const { config, unsupported } = withRules(['source.address == "10.0.0.1"', 'mcp.tool.name == "echo"']);
    const acl = gatehouseConfigSchema.parse(config).routes[0]!.acl!;
    expect(acl.rules.map((r) => r.id)).toEqual(['agentgateway-rule-2']);
    expect(unsupported).toContainEqual({ field: 'mcp.policies.mcpAuthorization.rules[0]', message: expect.stringContaining('source') });
  });
});
