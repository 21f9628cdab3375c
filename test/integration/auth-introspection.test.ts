/**
 * Routes validated by RFC 7662 introspection against the built-in IdP, which then issues opaque
 * (reference) tokens for them: the MCP SDK's OAuth client gets one and uses it in both eras, the
 * introspection cache serves repeated requests, a token revoked at the IdP (RFC 7009) stops
 * working once no cache entry can vouch for it, and an unreachable introspection endpoint fails
 * closed with 503 until it is back.
 *
 * How the IdP is made unreachable: `gateway.idp.close()` is final, so instead one route's
 * introspection endpoint (`auth.introspection.endpoint`, a documented config key) points at a
 * small TCP relay in front of the built-in IdP (test/fixtures/tcp-proxy.ts). Stopping the relay
 * is what the resource server would see if the IdP died — connection refused on the introspection
 * endpoint — while the one gateway, its IdP and the other routes keep running; starting it again
 * on the same port is the IdP coming back. No second gateway, no port juggling, no sleeps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Introspector } from '../../main/auth/introspect.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { AuthTokenEvent, IdpStepEvent } from '../../shared/trace-events.js';
import { CLIENT_ERAS } from '../fixtures/answering-client.js';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy.js';
import { createTestOAuthProvider } from '../helpers/oauth-login.js';

/** cache_max_s: 60 — the cache is on. */
const CACHED = '/opaque-mcp';
/** cache_max_s: 0 — every request introspects, so revocation shows at once. */
const UNCACHED = '/opaque-uncached-mcp';
/** cache_max_s: 0, introspection through the relay that the tests take down. */
const RELAYED = '/opaque-relayed-mcp';
/** The gateway authenticates to the introspection endpoint with a wrong client secret. */
const MISCONFIGURED = '/opaque-misconfigured-mcp';

const ALICE = { username: 'alice', password: 'demo' };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'introspection-test', version: '1' } },
};

let shop: RunningShopApi;
let gateway: RunningGateway;
let relay: TcpProxy;
let dataDir: string;
const secrets = new Set<string>();
const clients: Client[] = [];

function introspector(route: string): Introspector {
  return gateway.routes.get(route)!.resourceServer!.introspector!;
}

/** An opaque token for alice, got by the SDK's auth() the way its transport would. */
async function tokenFor(route: string): Promise<{ token: string; clientId: string }> {
  const provider = createTestOAuthProvider({ credentials: ALICE });
  expect(await auth(provider, { serverUrl: gateway.url(route) })).toBe('REDIRECT');
  expect(await auth(provider, { serverUrl: gateway.url(route), authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
  const tokens = (await provider.tokens())!;
  secrets.add(provider.authorizationCode!);
  secrets.add(tokens.access_token);
  if (tokens.refresh_token) secrets.add(tokens.refresh_token);
  return { token: tokens.access_token, clientId: (await provider.clientInformation())!.client_id };
}

/** A legacy initialize with the token: the status says what the resource server decided. */
async function initialize(route: string, token: string): Promise<Response> {
  return fetch(gateway.url(route), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify(INITIALIZE),
  });
}

function verdicts(route: string, afterSeq: number): AuthTokenEvent[] {
  return gateway.trace.recent().filter((event): event is AuthTokenEvent => event.type === 'auth.token' && event.route === route && event.seq > afterSeq);
}

const lastSeq = () => gateway.trace.recent().at(-1)?.seq ?? 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-auth-introspection-'));
  shop = await startShopApi();
  // The IdP's port is known only once the gateway runs; the relay learns it then.
  relay = await startTcpProxy();
  const upstreams = [{ name: 'shop', kind: 'rest', base_url: shop.url, tools: shopTools() }];
  const opaque = (introspection: Record<string, unknown>) => ({ issuer: 'builtin', introspection, scopes_supported: ['shop:read'] });
  gateway = await startGateway({
    dataDir,
    config: gatehouseConfigSchema.parse({
      listen: { port: 0 },
      idp: { kind: 'builtin', port: 0 },
      routes: [
        { path: CACHED, auth: opaque({ cache_max_s: 60 }), upstreams },
        { path: UNCACHED, auth: opaque({ cache_max_s: 0 }), upstreams },
        { path: RELAYED, auth: opaque({ cache_max_s: 0, endpoint: `http://127.0.0.1:${relay.port}/token/introspection` }), upstreams },
        { path: MISCONFIGURED, auth: opaque({ cache_max_s: 0, client_secret: 'not-the-gateway-secret' }), upstreams },
      ],
    }),
  });
  relay.targetPort = gateway.idp!.port;
  secrets.add(gateway.idp!.introspectionClient.clientSecret);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await relay?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each(CLIENT_ERAS)('the SDK OAuth client ($name era) on an introspection route', (era) => {
  let client: Client;
  let token: string;

  beforeAll(async () => {
    const provider = createTestOAuthProvider({ credentials: ALICE });
    const first = new Client({ name: 'introspection-test', version: '1' }, { versionNegotiation: { mode: era.mode } });
    clients.push(first);
    const transport = new StreamableHTTPClientTransport(new URL(gateway.url(CACHED)), { authProvider: provider });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    await transport.finishAuth(provider.callbackParams!);
    const tokens = (await provider.tokens())!;
    token = tokens.access_token;
    secrets.add(provider.authorizationCode!);
    secrets.add(token);
    if (tokens.refresh_token) secrets.add(tokens.refresh_token);

    client = new Client({ name: 'introspection-test', version: '1' }, { versionNegotiation: { mode: era.mode } });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(CACHED)), { authProvider: provider }));
  });

  it('gets an opaque token (not a JWT) and lists the tools with it', async () => {
    expect(client.getNegotiatedProtocolVersion()).toBe(era.protocol);
    expect(token.split('.')).toHaveLength(1);
    expect(() => decodeJwt(token)).toThrow();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list-orders');
    const valid = verdicts(CACHED, 0).filter((event) => event.outcome === 'valid');
    expect(valid.at(-1)).toMatchObject({ validation: 'introspection', subject: 'alice', groups: ['warehouse-ops'] });
  });

  it('serves repeated requests within the token life from the introspection cache', async () => {
    const cache = introspector(CACHED);
    const before = { hits: cache.hits, misses: cache.misses, seq: lastSeq() };
    for (let i = 0; i < 200; i++) await client.listTools();
    const hits = cache.hits - before.hits;
    const misses = cache.misses - before.misses;
    expect(hits + misses).toBeGreaterThanOrEqual(200);
    expect(hits / (hits + misses)).toBeGreaterThanOrEqual(0.99);
    // The trace says so too, request by request.
    expect(verdicts(CACHED, before.seq).filter((event) => event.outcome === 'valid' && event.cached).length).toBeGreaterThanOrEqual(198);
  });
});

describe('revocation at the IdP (RFC 7009)', () => {
  let revocationEndpoint: string;

  beforeAll(async () => {
    // Found where a client finds it: in the authorization server metadata.
    const metadata = (await (await fetch(`${gateway.idp!.issuer}/.well-known/oauth-authorization-server`)).json()) as { revocation_endpoint: string };
    revocationEndpoint = metadata.revocation_endpoint;
  });

  /** As the public client that holds the token (token_endpoint_auth_method none: client_id only). */
  async function revoke(token: string, clientId: string): Promise<void> {
    const response = await fetch(revocationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: clientId }),
    });
    expect(response.status).toBe(200);
  }

  it('with no cache, the next request after revocation gets 401 (active: false)', async () => {
    const { token, clientId } = await tokenFor(UNCACHED);
    expect((await initialize(UNCACHED, token)).status).toBe(200);
    const before = lastSeq();
    await revoke(token, clientId);
    expect(gateway.trace.recent().some((event) => event.seq > before && event.type === 'idp.step' && (event as IdpStepEvent).step === 'revocation' && event.outcome === 'ok')).toBe(true);

    const response = await initialize(UNCACHED, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(/not active/);
    expect(verdicts(UNCACHED, before).at(-1)).toMatchObject({ outcome: 'rejected', validation: 'introspection', claim: 'active', reason: 'inactive', status: 401 });
  });

  it('with the cache on, a revoked token lives until its entry goes (cache_max_s bounds how long)', async () => {
    const { token, clientId } = await tokenFor(CACHED);
    expect((await initialize(CACHED, token)).status).toBe(200);
    await revoke(token, clientId);
    // The cached verdict still stands: the price of the cache, bounded by cache_max_s.
    expect((await initialize(CACHED, token)).status).toBe(200);
    // Once the entry is gone, the IdP is asked again and says no.
    introspector(CACHED).clear();
    expect((await initialize(CACHED, token)).status).toBe(401);
  });
});

describe('the IdP unreachable: introspection fails closed', () => {
  it('503 with a clear error_description while the introspection endpoint is down, and recovers when it is back', async () => {
    const { token } = await tokenFor(RELAYED);
    expect((await initialize(RELAYED, token)).status).toBe(200);
    const connectionsBefore = relay.connections;
    expect(connectionsBefore).toBeGreaterThan(0);

    await relay.stop();
    const before = lastSeq();
    try {
      const response = await initialize(RELAYED, token);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toMatch(/cannot introspect the token right now/);
      expect(body.error_description).toMatch(/fails closed/);
      expect(body.error_description).toContain(gateway.idp!.issuer);
      expect(verdicts(RELAYED, before).at(-1)).toMatchObject({ outcome: 'rejected', status: 503, reason: 'introspection_unavailable' });
      // The other routes introspect directly and are not affected.
      expect((await initialize(UNCACHED, (await tokenFor(UNCACHED)).token)).status).toBe(200);
    } finally {
      await relay.start();
    }

    expect((await initialize(RELAYED, token)).status).toBe(200);
    expect(relay.connections).toBeGreaterThan(connectionsBefore);
  });
});

describe('the IdP refuses the gateway (wrong introspection credentials)', () => {
  // Not an outage: the IdP answered 401 invalid_client. Whoever reads the trace must learn that,
  // since retrying will never help (OAuthError keeps `detail` "for the trace and the window").
  it('fails closed and the trace names the cause', async () => {
    const { token } = await tokenFor(MISCONFIGURED);
    const before = lastSeq();
    const response = await initialize(MISCONFIGURED, token);
    expect(response.status).toBeGreaterThanOrEqual(500);
    const rejected = verdicts(MISCONFIGURED, before).at(-1);
    expect(rejected).toMatchObject({ outcome: 'rejected', validation: 'introspection' });
    expect(JSON.stringify(rejected)).toMatch(/invalid_client/);
  });
});

describe('secrets', () => {
  it('no trace event carries a token, code or the gateway client secret', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    for (const event of gateway.trace.recent()) {
      const text = JSON.stringify(event);
      for (const secret of secrets) expect(text.includes(secret), `${event.type} leaks a secret: ${text.slice(0, 200)}`).toBe(false);
    }
  });
});
