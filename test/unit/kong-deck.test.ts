import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { fromKongDeck, isKongDeckConfig } from '../../main/config/kong-deck.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/kong');

async function translate(file: string) {
  const doc: unknown = parse(await readFile(path.join(fixtures, file), 'utf8'));
  expect(isKongDeckConfig(doc)).toBe(true);
  const { config, unsupported } = fromKongDeck(doc);
  return { config: gatehouseConfigSchema.parse(config), unsupported, fields: unsupported.map((n) => n.field) };
}

const LISTENER = 'services[3].routes[0]';
const PASSTHROUGH = 'services[4].routes[0]';

describe('detection', () => {
  it('recognises _format_version, and not a Gatehouse or agentgateway config', () => {
    expect(isKongDeckConfig({ _format_version: '3.0' })).toBe(true);
    expect(isKongDeckConfig({ routes: [] })).toBe(false);
    expect(isKongDeckConfig({ binds: [] })).toBe(false);
    expect(isKongDeckConfig(null)).toBe(false);
  });
});

describe('secure internal MCP gateway recipe', () => {
  it('serves the listener and the passthrough route, not the conversion-only ones', async () => {
    const { config, fields } = await translate('secure-internal-mcp.yaml');
    expect(config.listen).toMatchObject({ port: 8000, max_body_bytes: 1048576 });
    expect(config.routes.map((r) => r.path)).toEqual(['/ecommerce-mcp', '/support-mcp']);
    for (const s of [0, 1, 2]) expect(fields).toContain(`services[${s}].routes[0]`);
  });

  it('turns each tagged conversion-only service into a rest upstream at the service URL', async () => {
    const { config } = await translate('secure-internal-mcp.yaml');
    const route = config.routes[0]!;
    expect(route.prefix).toBe('conditional');
    expect(route.upstreams.map((u) => [u.name, u.kind])).toEqual([
      ['orders-api', 'rest'],
      ['inventory-api', 'rest'],
      ['customers-api', 'rest'],
    ]);
    const orders = route.upstreams[0]!;
    if (orders.kind !== 'rest') throw new Error('orders-api is not a rest upstream');
    expect(orders.base_url).toBe('https://httpbin.konghq.com/anything');
    expect(orders.timeout_ms).toBe(10000);
    expect(orders.tools.map((t) => t.name)).toEqual(['list-orders', 'get-order', 'cancel-order']);
    expect(orders.tools[0]).toMatchObject({
      method: 'GET',
      path: '/orders',
      annotations: { readOnlyHint: true, title: 'List orders' },
      parameters: [
        { name: 'status', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'date', in: 'query', required: false },
      ],
    });
    expect(orders.tools[2]).toMatchObject({
      method: 'POST',
      path: '/orders/{orderId}/cancel',
      annotations: { destructiveHint: true },
      parameters: [
        { name: 'orderId', in: 'path', required: true },
        { name: 'reason', in: 'body', required: true, schema: { type: 'string' } },
      ],
    });
  });

  it('maps ai-mcp-oauth2 to route auth with introspection and the groups claim', async () => {
    const { config, fields } = await translate('secure-internal-mcp.yaml');
    expect(config.routes[0]!.auth).toMatchObject({
      issuer: 'http://localhost:8080/realms/gatehouse',
      introspection: {
        endpoint: 'http://localhost:8080/realms/gatehouse/protocol/openid-connect/token/introspect',
        client_id: 'kong',
        client_secret: 'kong-introspection-secret',
        cache_max_s: 300,
      },
      scopes_supported: ['openid'],
      insecure_relaxed_audience_validation: true,
      claim_to_header: { 'X-User-Id': 'sub' },
      claims: { subject: 'sub', groups: ['groups'] },
      groups_optional: false,
    });
    // The resource and metadata path are the route's own, so they need no note.
    expect(fields).not.toContain(`${LISTENER}.plugins[0].config.resource`);
    expect(fields).not.toContain(`${LISTENER}.plugins[0].config.metadata_endpoint`);
    expect(config.routes[1]!.auth).toMatchObject({
      jwks_uri: 'http://localhost:8080/realms/gatehouse/protocol/openid-connect/certs',
      claims: { groups: ['realm_access.roles'] },
    });
    expect(config.routes[1]!.auth?.introspection).toBeUndefined();
  });

  it("maps default_acl to the route default and per-tool acls to rules that replace it", async () => {
    const { config } = await translate('secure-internal-mcp.yaml');
    expect(config.routes[0]!.acl).toEqual({
      combine: 'replace',
      default: { allow: { groups: ['warehouse-ops', 'customer-support'], users: [], clients: [], scopes: [] }, deny: { groups: [], users: [], clients: [], scopes: [] } },
      rules: [
        expect.objectContaining({ id: 'allow-customer-support', kind: 'tools', match: ['cancel-order', 'get-customer', 'update-customer-contact'], effect: 'allow', subjects: expect.objectContaining({ groups: ['customer-support'] }) }),
        expect.objectContaining({ id: 'allow-warehouse-ops', match: ['restock-item'], effect: 'allow', subjects: expect.objectContaining({ groups: ['warehouse-ops'] }) }),
      ],
    });
  });

  it('proxies the passthrough-listener service as an http upstream with its tool ACLs', async () => {
    const { config, fields } = await translate('secure-internal-mcp.yaml');
    const route = config.routes[1]!;
    expect(route.upstreams).toEqual([expect.objectContaining({ name: 'support-mcp-server', kind: 'http', url: 'http://127.0.0.1:3001/mcp', timeout_ms: 45000 })]);
    const acl = route.acl!;
    expect(acl.default?.tools).toMatchObject({ allow: { groups: ['customer-support'] }, deny: { groups: ['warehouse-ops'] } });
    const rule = (id: string) => acl.rules.find((r) => r.id === id);
    expect(rule('allow-customer-support')).toMatchObject({ match: ['refund-payment'], effect: 'allow' });
    // Kong OR-s the entries of a list; Gatehouse AND-s subject fields, so a consumer gets its own rule.
    expect(rule('allow-users-finance-lead')).toMatchObject({ match: ['refund-payment'], subjects: { users: ['finance-lead'] } });
    // Only a deny list: Kong lets everyone else in.
    expect(rule('deny-warehouse-ops')).toMatchObject({ match: ['echo'], effect: 'deny' });
    expect(rule('allow-everyone')).toMatchObject({ match: ['echo'], effect: 'allow', subjects: { groups: [], users: [] } });
    expect(rule('allow-everyone-prompts')).toMatchObject({ kind: 'prompts', match: ['*'] });
    expect(fields).toContain(`${PASSTHROUGH}.plugins[1].config.tools[0].acl.allow`);
  });

  it('lists what Gatehouse cannot honour by name', async () => {
    const { unsupported, fields } = await translate('secure-internal-mcp.yaml');
    expect(fields).toEqual(
      expect.arrayContaining([
        `${LISTENER}.plugins[3]`, // rate-limiting
        `${LISTENER}.plugins[2].config.methods`, // HEAD, PUT, PATCH
        `${LISTENER}.plugins[1].config.logging`,
        `${LISTENER}.plugins[1].config.server.forward_client_headers`,
        `${LISTENER}.plugins[0].config.consumer_by`,
        `${LISTENER}.plugins[0].config.credential_claim`,
        'services[0].routes[0].plugins[0].config.logging',
        'services[4].read_timeout',
      ]),
    );
    expect(unsupported.find((n) => n.field === `${LISTENER}.plugins[3]`)?.message).toMatch(/rate-limiting/);
    expect(fields.every((f) => !f.includes('select_tags'))).toBe(true);
  });
});

describe('single fields', () => {
  const deck = (route: object, service: object = { name: 'api', url: 'http://127.0.0.1:9000/v1' }) => ({
    _format_version: '3.0',
    consumer_groups: [{ name: 'admin' }],
    services: [{ ...service, routes: [{ name: 'r', paths: ['/api-mcp'], ...route }] }],
  });
  const proxy = (config: object) => ({ name: 'ai-mcp-proxy', config: { mode: 'conversion-listener', include_consumer_groups: true, ...config } });
  const tool = { name: 'get-user', method: 'GET', path: '/users/{id}', parameters: [{ name: 'id', in: 'path', required: true }] };

  it('serves conversion-listener tools on the route itself, from host/port/protocol/path', () => {
    const { config } = fromKongDeck(deck({ plugins: [proxy({ tools: [tool], server: { timeout: 5000 } })] }, { name: 'users', host: 'users.internal', port: 8443, protocol: 'https', path: '/api' }));
    const parsed = gatehouseConfigSchema.parse(config);
    expect(parsed.routes[0]!.upstreams[0]).toMatchObject({ kind: 'rest', base_url: 'https://users.internal:8443/api', timeout_ms: 5000, tools: [{ name: 'get-user' }] });
    expect(parsed.routes[0]!.acl).toBeUndefined();
  });

  it('notes a cookie parameter, a tool host override and cache_introspection: false', () => {
    const oauth = { name: 'ai-mcp-oauth2', config: { authorization_servers: ['https://idp.example.com'], introspection_endpoint: 'https://idp.example.com/introspect', client_id: 'k', client_secret: 's', cache_introspection: false, ssl_verify: false, resource: 'https://mcp.example.com/api-mcp' } };
    const withCookie = { ...tool, host: 'other.internal', parameters: [...tool.parameters, { name: 'session', in: 'cookie' }] };
    const { config, unsupported } = fromKongDeck(deck({ plugins: [oauth, { name: 'ai-mcp-proxy', config: { mode: 'passthrough-listener' } }] }));
    expect(gatehouseConfigSchema.parse(config).routes[0]!.auth?.introspection?.cache_max_s).toBe(0);
    const fields = unsupported.map((n) => n.field);
    expect(fields).toContain('services[0].routes[0].plugins[0].config.ssl_verify');
    expect(fields).toContain('services[0].routes[0].plugins[0].config.resource');
    const second = fromKongDeck(deck({ plugins: [proxy({ tools: [withCookie] })] })).unsupported.map((n) => n.field);
    expect(second).toContain('services[0].routes[0].plugins[0].config.tools[0].parameters[1].in');
    expect(second).toContain('services[0].routes[0].plugins[0].config.tools[0].host');
  });

  it('keeps an ACL on a route without ai-mcp-oauth2, so the config is rejected (fail closed)', () => {
    const { config, unsupported } = fromKongDeck(deck({ plugins: [proxy({ tools: [{ ...tool, acl: { allow: ['admin'] } }] }), { name: 'key-auth', config: {} }] }));
    expect(gatehouseConfigSchema.safeParse(config).success).toBe(false);
    expect(unsupported.map((n) => n.field)).toEqual(expect.arrayContaining(['services[0].routes[0].plugins[1]', 'services[0].routes[0].plugins[0].config']));
  });

  it('applies top-level plugins by route reference and globally', () => {
    const doc = {
      _format_version: '3.0',
      services: [{ name: 'api', url: 'http://127.0.0.1:9000', routes: [{ name: 'r', paths: ['/mcp'] }] }],
      plugins: [
        { name: 'ai-mcp-proxy', route: 'r', config: { mode: 'passthrough-listener' } },
        { name: 'cors', config: { origins: ['https://inspector.example.com'], max_age: 60 } },
      ],
    };
    const parsed = gatehouseConfigSchema.parse(fromKongDeck(doc).config);
    expect(parsed.routes[0]).toMatchObject({ path: '/mcp', upstreams: [{ kind: 'http', url: 'http://127.0.0.1:9000' }], cors: { allowed_origins: ['https://inspector.example.com'], max_age_s: 60 } });
  });
});
