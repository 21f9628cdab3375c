import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { fromAgentgateway } from '../../main/config/agentgateway.js';
import { toAgentgateway } from '../../main/config/export-agentgateway.js';
import { toKongDeck } from '../../main/config/export-kong.js';
import { gatehouseConfigSchema, type GatehouseConfig } from '../../main/config/schema.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/agentgateway');

function gatehouse(doc: unknown): GatehouseConfig {
  return gatehouseConfigSchema.parse(fromAgentgateway(doc).config);
}

/** A routes[i].policies.mcpAuthorization.rules list, or a bind's listener routes, out of an exported document. */
function agRoutes(doc: Record<string, unknown>): Array<Record<string, any>> {
  return (doc as any).binds[0].listeners[0].routes;
}

describe('agentgateway → Gatehouse → agentgateway keeps every supported field', () => {
  /**
   * Documented exception: Gatehouse always accepts the route's own URL as audience (RFC 8707) and
   * agentgateway only what it lists, so the export adds it and it comes back in auth.audiences.
   * Elsewhere (not in these fixtures): prefix: conditional with several upstreams comes back as
   * always, groups_optional: false comes back true, rule ids come back as agentgateway-rule-N.
   */
  function withoutOwnAudience(config: GatehouseConfig, original: GatehouseConfig): GatehouseConfig {
    const copy = structuredClone(config);
    copy.routes.forEach((route, i) => {
      const own = `http://localhost:${config.listen.port}${route.path}`;
      const before = original.routes[i]?.auth?.audiences ?? [];
      if (route.auth && !before.includes(own)) route.auth.audiences = route.auth.audiences.filter((a) => a !== own);
    });
    return copy;
  }

  for (const file of ['short-stdio.yaml', 'binds-auth.yaml']) {
    it(file, async () => {
      const doc: unknown = parse(await readFile(path.join(fixtures, file), 'utf8'));
      const first = gatehouse(doc);
      const { document } = toAgentgateway(first);
      const second = gatehouse(document);
      expect(withoutOwnAudience(second, first)).toEqual(first);
      // The same document again: a fixed point, with no exception at all.
      expect(gatehouse(toAgentgateway(second).document)).toEqual(second);
    });
  }

  it('writes the binds form with one route per Gatehouse route', async () => {
    const doc: unknown = parse(await readFile(path.join(fixtures, 'binds-auth.yaml'), 'utf8'));
    const { document } = toAgentgateway(gatehouse(doc));
    expect((document as any).binds[0].port).toBe(3000);
    const [stdio, openapi] = agRoutes(document);
    expect(stdio!.matches).toEqual([{ path: { pathPrefix: '/stdio/mcp' } }]);
    expect(stdio!.backends[0].mcp.prefixMode).toBe('always');
    expect(stdio!.backends[0].mcp.targets).toEqual([
      { name: 'everything', stdio: { cmd: 'npx', args: ['@modelcontextprotocol/server-everything'] } },
      { name: 'mcpbin', mcp: { host: 'https://mcpbin.is.solo.io/remote/mcp' } },
      { name: 'legacy', sse: { host: 'http://localhost:3002/sse' } },
    ]);
    expect(stdio!.policies.mcpAuthentication).toMatchObject({
      issuer: 'http://localhost:9000',
      jwks: { url: 'http://localhost:9000/.well-known/jwks.json' },
      resourceMetadata: { resource: 'http://localhost:3000/stdio/mcp', scopesSupported: ['read:all'] },
    });
    expect(stdio!.policies.mcpAuthorization.rules[0]).toBe('mcp.tool.name == "echo"');
    expect(openapi!.backends[0].mcp.targets[0]).toEqual({ name: 'openapi', openapi: { schema: { file: './examples/mcp-openapi/openapi.json' }, host: 'http://localhost:8080' } });
  });
});

const base = { listen: { port: 8400 }, idp: 'builtin' };

describe('toAgentgateway: Gatehouse-only features', () => {
  it('writes ACL rules as CEL allow/deny rules and the built-in IdP as a placeholder with a note', () => {
    const config = gatehouseConfigSchema.parse({
      ...base,
      routes: [
        {
          path: '/shop',
          auth: { issuer: 'builtin', scopes_supported: ['mcp:use'] },
          acl: {
            rules: [
              { id: 'support', kind: 'tools', match: ['cancel-order', 'refund', 'get-*', '/list-(a|b)/i'], effect: 'allow', subjects: { groups: ['support'] } },
              { id: 'no-danger', kind: 'tools', match: ['drop-*'], effect: 'deny', subjects: {} },
              { id: 'p', kind: 'prompts', match: ['*'], effect: 'allow', subjects: { scopes: ['p:read'] } },
            ],
          },
          upstreams: [{ name: 'a', kind: 'stdio', command: 'a', cwd: '/tmp' }],
        },
      ],
    });
    const { document, untranslated } = toAgentgateway(config);
    const route = agRoutes(document)[0]!;
    expect(route.policies.mcpAuthentication.issuer).toBe('http://127.0.0.1:8401');
    expect(route.policies.mcpAuthorization.rules).toEqual([
      `(mcp.tool.name in ['cancel-order', 'refund'] || mcp.tool.name.matches('^get-.*$') || mcp.tool.name.matches('(?i)^(?:list-(a|b))$')) && 'support' in jwt.groups`,
      { deny: "mcp.tool.name.matches('^drop-.*$')" },
      `has(mcp.prompt) && jwt.scope.matches('(^| )p:read( |$)')`,
    ]);
    const fields = untranslated.map((n) => n.field);
    expect(fields).toContain('routes[0].auth.issuer');
    expect(fields).toContain('routes[0].upstreams[0].cwd');
    expect(fields).toContain('idp');
  });

  it('parenthesises a condition with || when it is AND-ed with subjects', () => {
    const config = gatehouseConfigSchema.parse({
      ...base,
      routes: [
        {
          path: '/shop',
          auth: { issuer: 'https://idp.example.com', jwks_uri: 'https://idp.example.com/jwks' },
          acl: { rules: [{ id: 'r', kind: 'tools', match: ['*'], effect: 'allow', subjects: { groups: ['g'] }, when: "(jwt.a == 'x') || (jwt.b == 'y')" }] },
          upstreams: [{ name: 'a', kind: 'http', url: 'http://127.0.0.1:1/mcp' }],
        },
      ],
    });
    expect(agRoutes(toAgentgateway(config).document)[0]!.policies.mcpAuthorization.rules).toEqual([
      "has(mcp.tool) && 'g' in jwt.groups && ((jwt.a == 'x') || (jwt.b == 'y'))",
    ]);
  });

  it('keeps a default ACL to the items no rule names (combine: replace)', () => {
    const config = gatehouseConfigSchema.parse({
      ...base,
      routes: [
        {
          path: '/shop',
          auth: { issuer: 'https://idp.example.com', jwks_uri: 'https://idp.example.com/jwks' },
          acl: {
            default: { allow: { groups: ['ops'] } },
            rules: [{ id: 'r', kind: 'tools', match: ['x'], effect: 'allow', subjects: { groups: ['support'] } }],
          },
          upstreams: [{ name: 'a', kind: 'http', url: 'http://127.0.0.1:1/mcp' }],
        },
      ],
    });
    const rules = agRoutes(toAgentgateway(config).document)[0]!.policies.mcpAuthorization.rules;
    expect(rules).toContain("has(mcp.tool) && !(mcp.tool.name == 'x') && 'ops' in jwt.groups");
    expect(rules).toContain("has(mcp.prompt) && 'ops' in jwt.groups");
  });

  it('notes what has no agentgateway equivalent', () => {
    const config = gatehouseConfigSchema.parse({
      ...base,
      routes: [
        {
          path: '/api',
          prefix: 'conditional',
          auth: { issuer: 'https://idp.example.com', jwks_uri: 'https://idp.example.com/jwks', introspection: { client_id: 'gw', client_secret: '${S}' } },
          acl: { rules: [{ id: 'l', kind: 'tools', match: ['x'], rights: ['list'], effect: 'allow' }] },
          upstreams: [
            { name: 'r', kind: 'rest', base_url: 'http://127.0.0.1:1', tools: [{ name: 't', method: 'GET', path: '/t' }] },
            { name: 'h', kind: 'http', url: 'http://127.0.0.1:2/mcp' },
          ],
        },
      ],
    });
    const { document, untranslated } = toAgentgateway(config);
    const fields = untranslated.map((n) => n.field);
    expect(fields).toEqual(expect.arrayContaining(['routes[0].upstreams[0]', 'routes[0].prefix', 'routes[0].auth.introspection', 'routes[0].acl.rules[0].rights']));
    // The list-only allow is left out, and with no allow left agentgateway must deny everything.
    expect(agRoutes(document)[0]!.policies.mcpAuthorization.rules).toEqual(['false']);
  });
});

const kongConfig = {
  listen: { port: 8400 },
  routes: [
    {
      path: '/ecommerce-mcp',
      auth: {
        issuer: 'https://keycloak.example.com/realms/shop',
        introspection: { endpoint: 'https://keycloak.example.com/realms/shop/protocol/openid-connect/token/introspect', client_id: 'gatehouse', client_secret: '${KC_SECRET}' },
        scopes_supported: ['mcp:use'],
        insecure_relaxed_audience_validation: true,
        claims: { groups: ['realm_access.roles'] },
        claim_to_header: { 'X-User-Id': 'sub' },
      },
      cors: { allowed_origins: ['https://inspector.example.com'] },
      acl: {
        default: { allow: { groups: ['warehouse-ops', 'customer-support'] } },
        rules: [
          { id: 'support-cancels', kind: 'tools', match: ['cancel-order'], effect: 'allow', subjects: { groups: ['customer-support'] } },
          { id: 'no-suspended', kind: 'tools', match: ['get-*'], effect: 'deny', subjects: { groups: ['suspended'] } },
          { id: 'cel', kind: 'tools', match: ['list-orders'], effect: 'allow', subjects: { groups: ['x'] }, when: "jwt.email.endsWith('@acme.com')" },
          { id: 'prompts', kind: 'prompts', match: ['*'], effect: 'allow' },
        ],
      },
      upstreams: [
        {
          name: 'orders',
          kind: 'rest',
          base_url: 'http://127.0.0.1:9000/api',
          tools: [
            { name: 'get-order', description: 'Read an order', method: 'GET', path: '/orders/{orderId}', parameters: [{ name: 'orderId', in: 'path' }], annotations: { readOnlyHint: true, title: 'Get order' } },
            { name: 'cancel-order', method: 'POST', path: '/orders/{orderId}/cancel', parameters: [{ name: 'orderId', in: 'path' }, { name: 'reason', in: 'body' }], annotations: { destructiveHint: true } },
          ],
        },
        { name: 'inventory', kind: 'rest', base_url: 'http://127.0.0.1:9001', tools: [{ name: 'list-orders', method: 'GET', path: '/orders', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }] }] },
        { name: 'local', kind: 'stdio', command: 'npx' },
        { name: 'spec', kind: 'openapi', spec: './petstore.yaml' },
      ],
    },
  ],
};

describe('toKongDeck', () => {
  it('writes conversion-only services, a listener with ai-mcp-oauth2 and cors, and consumer groups', () => {
    const { document, untranslated } = toKongDeck(gatehouseConfigSchema.parse(kongConfig));
    const doc = document as any;
    expect(doc._format_version).toBe('3.0');
    expect(doc.consumer_groups).toEqual([{ name: 'customer-support' }, { name: 'suspended' }, { name: 'warehouse-ops' }]);
    expect(doc.services.map((s: any) => [s.name, s.url])).toEqual([
      ['orders', 'http://127.0.0.1:9000/api'],
      ['inventory', 'http://127.0.0.1:9001'],
    ]);
    const [ordersTools, listener] = doc.services[0].routes;
    const conversion = ordersTools.plugins[0];
    expect(conversion).toMatchObject({ name: 'ai-mcp-proxy', tags: ['ecommerce-mcp'], config: { mode: 'conversion-only', server: { timeout: 30_000 } } });
    expect(conversion.config.tools).toEqual([
      {
        name: 'get-order',
        description: 'Read an order',
        method: 'GET',
        path: '/orders/{orderId}',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        annotations: { title: 'Get order', read_only_hint: true },
        acl: { allow: [], deny: ['suspended'] },
      },
      {
        name: 'cancel-order',
        method: 'POST',
        path: '/orders/{orderId}/cancel',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        request_body: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string' } } } } } },
        annotations: { destructive_hint: true },
        acl: { allow: ['customer-support'], deny: [] },
      },
    ]);
    expect(listener.paths).toEqual(['/ecommerce-mcp']);
    const [proxy, oauth, cors] = listener.plugins;
    expect(conversion.config.default_acl).toEqual([{ scope: 'tools', allow: ['warehouse-ops', 'customer-support'], deny: [] }]);
    expect(proxy.config).toEqual({ mode: 'listener', server: { tag: 'ecommerce-mcp' }, max_request_body_size: 4 * 1024 * 1024, include_consumer_groups: true });
    expect(oauth).toEqual({
      name: 'ai-mcp-oauth2',
      config: {
        resource: 'http://localhost:8000/ecommerce-mcp',
        authorization_servers: ['https://keycloak.example.com/realms/shop'],
        introspection_endpoint: 'https://keycloak.example.com/realms/shop/protocol/openid-connect/token/introspect',
        client_id: 'gatehouse',
        client_secret: '${{ env "DECK_KC_SECRET" }}',
        cache_introspection: true,
        scopes_supported: ['mcp:use'],
        insecure_relaxed_audience_validation: true,
        claim_to_header: [{ claim: 'sub', header: 'X-User-Id' }],
        consumer_groups_claim: ['realm_access', 'roles'],
        consumer_groups_optional: false,
      },
    });
    expect(cors).toMatchObject({ name: 'cors', config: { origins: ['https://inspector.example.com'], max_age: 600 } });
    const inventoryTools = doc.services[1].routes[0].plugins[0].config.tools;
    expect(inventoryTools[0].acl).toBeUndefined(); // the CEL allow rule is left out (noted), so the default applies
    expect(inventoryTools[0].parameters).toEqual([{ name: 'limit', in: 'query', required: false, schema: { type: 'integer' } }]);

    const fields = untranslated.map((n) => n.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'routes[0].acl.rules[2].when',
        'routes[0].acl.rules[3]',
        'routes[0].upstreams[2]',
        'routes[0].upstreams[3]',
        'listen',
      ]),
    );
  });

  it('uses conversion-listener for one REST upstream without auth, and passthrough-listener for an MCP server', () => {
    const config = gatehouseConfigSchema.parse({
      routes: [
        { path: '/rest', upstreams: [{ name: 'r', kind: 'rest', base_url: 'http://127.0.0.1:1', tools: [{ name: 't', method: 'GET', path: '/t' }] }] },
        { path: '/mcp', upstreams: [{ name: 'h', kind: 'http', url: 'http://127.0.0.1:2/mcp' }, { name: 'h2', kind: 'http', url: 'http://127.0.0.1:3/mcp' }, { name: 's', kind: 'sse', url: 'http://127.0.0.1:4/sse' }] },
      ],
    });
    const { document, untranslated } = toKongDeck(config);
    const doc = document as any;
    expect(doc.services.map((s: any) => [s.routes[0].paths[0], s.routes[0].plugins[0].config.mode])).toEqual([
      ['/rest', 'conversion-listener'],
      ['/mcp', 'passthrough-listener'],
      ['/mcp/h2', 'passthrough-listener'],
    ]);
    expect(untranslated.map((n) => n.field)).toEqual(expect.arrayContaining(['routes[1].upstreams[1]', 'routes[1].upstreams[2]']));
  });
});

describe('secured upstreams in either export', () => {
  it("notes that Gatehouse's own OAuth client towards an upstream is not carried over", () => {
    const auth = { type: 'oauth', grant: 'client_credentials', issuer: 'https://login.example.com', client_id: 'gatehouse', client_secret: '${SECRET}' };
    const config = gatehouseConfigSchema.parse({ routes: [{ path: '/mcp', upstreams: [{ name: 'h', kind: 'http', url: 'https://mcp.example.com/mcp', auth }] }] });
    for (const { untranslated } of [toKongDeck(config), toAgentgateway(config)]) {
      const note = untranslated.find((n) => n.field === 'routes[0].upstreams[0].auth');
      expect(note?.message).toMatch(/client_credentials.*not carried over/);
    }
  });
});

describe('Gatehouse → Kong → Gatehouse', () => {
  it('round-trips through main/config/kong-deck.ts when it exists', async () => {
    const modulePath = '../../main/config/kong-deck.js';
    const kong = (await import(/* @vite-ignore */ modulePath).catch(() => undefined)) as
      | { fromKongDeck?: (doc: unknown) => { config: unknown; unsupported: unknown[] } }
      | undefined;
    if (typeof kong?.fromKongDeck !== 'function') {
      console.warn('skipped: main/config/kong-deck.ts (fromKongDeck) does not exist yet, so there is no Kong → Gatehouse side to round-trip through');
      return;
    }
    const original = gatehouseConfigSchema.parse(kongConfig);
    const { config } = kong.fromKongDeck(toKongDeck(original).document);
    const back = gatehouseConfigSchema.parse(config);
    // Exceptions, each listed by toKongDeck: the stdio and openapi upstreams, the CEL rule and the
    // prompts rule are not exported; the Kong-side resource URL is on port 8000.
    const route = back.routes[0]!;
    const before = original.routes[0]!;
    expect(route.path).toBe(before.path);
    // OpenAPI parameter objects spell out what Gatehouse leaves to defaults (path parameters are
    // required, the schema is {type: string}), so they come back explicit.
    const explicit = before.upstreams
      .filter((u) => u.kind === 'rest')
      .map((u) => ({
        ...u,
        tools: u.tools.map((tool) => ({
          ...tool,
          parameters: tool.parameters.map((p) => ({
            ...p,
            schema: p.schema ?? { type: 'string' },
            ...(p.in === 'body' ? {} : { required: p.in === 'path' ? true : (p.required ?? false) }),
          })),
        })),
      }));
    expect(route.upstreams).toEqual(explicit);
    expect(route.cors).toEqual(before.cors);
    expect(route.auth).toMatchObject({
      issuer: before.auth!.issuer,
      introspection: { endpoint: before.auth!.introspection!.endpoint, client_id: 'gatehouse' },
      scopes_supported: ['mcp:use'],
      insecure_relaxed_audience_validation: true,
      claim_to_header: { 'X-User-Id': 'sub' },
      claims: { groups: ['realm_access.roles'] },
    });
    // An empty deny list matches nobody, as an absent one does.
    expect(route.acl?.default?.allow).toEqual(before.acl!.default!.allow);
    expect(route.acl?.default?.deny?.groups ?? []).toEqual([]);
    expect(route.acl?.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'tools', match: ['cancel-order'], effect: 'allow', subjects: expect.objectContaining({ groups: ['customer-support'] }) }),
        expect.objectContaining({ kind: 'tools', match: ['get-order'], effect: 'deny', subjects: expect.objectContaining({ groups: ['suspended'] }) }),
      ]),
    );
  });
});
