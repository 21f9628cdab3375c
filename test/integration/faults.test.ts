/**
 * Fault injection, seen the way a developer's client sees it: each FaultSet fault and each token
 * invalidation observed through real HTTP requests and the MCP SDK's OAuth client against a
 * protected demo route (built-in IdP), every shaped exchange marked with its fault in the trace,
 * and turning the faults off restores normal answers. An external issuer (test/fixtures) shows
 * what "revoke" can and cannot do where Gatehouse is not the IdP.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  auth,
  Client,
  InsufficientScopeError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type CallToolResult,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema, routeAuthSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { HttpExchangeEvent, TraceEvent, UpstreamResultEvent } from '../../shared/trace-events.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';
import { createTestOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
const EXTERNAL = '/external-mcp';
const ALICE = { username: 'alice', password: 'demo' };

let shop: RunningShopApi;
let issuer: TestIssuer;
let gateway: RunningGateway;
let dataDir: string;
const clients: Client[] = [];

function lastSeq(): number {
  return gateway.trace.recent().at(-1)?.seq ?? 0;
}

function exchangesAfter(seq: number): HttpExchangeEvent[] {
  return gateway.trace.recent().filter((event): event is HttpExchangeEvent => event.seq > seq && event.type === 'http.exchange');
}

function eventsAfter(seq: number): TraceEvent[] {
  return gateway.trace.recent().filter((event) => event.seq > seq);
}

function post(routePath: string, body: unknown, token?: string): Promise<Response> {
  return fetch(gateway.url(routePath), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'faults-test', version: '1' } } };

/** A signed-in SDK client on the route, and its provider (which holds the tokens). */
async function signedIn(options: { onInsufficientScope?: 'throw' } = {}): Promise<{ client: Client; provider: TestOAuthProvider; transport: StreamableHTTPClientTransport }> {
  const provider = createTestOAuthProvider({ credentials: ALICE });
  expect(await auth(provider, { serverUrl: gateway.url(ROUTE) })).toBe('REDIRECT');
  expect(await auth(provider, { serverUrl: gateway.url(ROUTE), authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
  const client = new Client({ name: 'faults-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  clients.push(client);
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider, ...options });
  await client.connect(transport);
  return { client, provider, transport };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-faults-'));
  shop = await startShopApi();
  issuer = await startTestIssuer();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  const shopRoute = { ...demo.routes.find((route) => route.path === ROUTE)!, acl: undefined };
  gateway = await startGateway({
    dataDir,
    config: gatehouseConfigSchema.parse({
      ...demo,
      routes: [
        // Faults can come from the config too.
        { ...shopRoute, faults: { hide_path_metadata: true } },
        { ...shopRoute, path: EXTERNAL, auth: routeAuthSchema.parse({ issuer: issuer.issuer, scopes_supported: ['shop:read'] }) },
      ],
    }),
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await issuer?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('faults from the config', () => {
  it('start active: the path-suffixed metadata is 404 and the exchange is marked, the root one stays', async () => {
    expect(gateway.faults(ROUTE)).toEqual({ hide_path_metadata: true });
    const before = lastSeq();
    const hidden = await fetch(gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`));
    expect(hidden.status).toBe(404);
    await hidden.body?.cancel();
    const exchange = exchangesAfter(before).find((e) => e.step === 'resource-metadata')!;
    expect(exchange).toMatchObject({ status: 404, route: ROUTE, fault: 'hide_path_metadata' });
    expect(exchange.failure?.spec?.url).toContain('rfc9728');
  });

  it('turned off at run time, the metadata is back', async () => {
    gateway.setFaults(ROUTE, {});
    expect(gateway.faults(ROUTE)).toEqual({});
    const before = lastSeq();
    const metadata = await fetch(gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`));
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: gateway.url(ROUTE) });
    expect(exchangesAfter(before).find((e) => e.step === 'resource-metadata')?.fault).toBeUndefined();
  });

  it('a reload that leaves the faults key alone keeps the run-time faults', async () => {
    gateway.setFaults(ROUTE, { upstream_delay_ms: 1 });
    const next = structuredClone(gateway.config);
    next.routes[0]!.description = 'reloaded';
    await gateway.reload(next);
    expect(gateway.faults(ROUTE)).toEqual({ upstream_delay_ms: 1 });
    const changed = structuredClone(gateway.config);
    changed.routes[0]!.faults = { upstream_failure: false, drop_resource_metadata: true };
    await gateway.reload(changed);
    expect(gateway.faults(ROUTE)).toEqual({ drop_resource_metadata: true });
    gateway.setFaults(ROUTE, {});
  });
});

describe('drop_resource_metadata', () => {
  it('leaves resource_metadata out of the 401, marked in the trace; off, it is back', async () => {
    gateway.setFaults(ROUTE, { drop_resource_metadata: true });
    let before = lastSeq();
    const dropped = await post(ROUTE, INITIALIZE);
    expect(dropped.status).toBe(401);
    await dropped.body?.cancel();
    expect(dropped.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(dropped.headers.get('www-authenticate')).not.toContain('resource_metadata');
    expect(exchangesAfter(before).find((e) => e.step === 'challenge')).toMatchObject({ status: 401, fault: 'drop_resource_metadata' });

    gateway.setFaults(ROUTE, {});
    before = lastSeq();
    const normal = await post(ROUTE, INITIALIZE);
    await normal.body?.cancel();
    expect(normal.headers.get('www-authenticate')).toContain(`resource_metadata="${gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`)}"`);
    expect(exchangesAfter(before).find((e) => e.step === 'challenge')?.fault).toBeUndefined();
  });
});

describe('require_scope', () => {
  it('makes every tools/call a 403 step-up for the extra scope, while lists still work', async () => {
    const { client } = await signedIn({ onInsufficientScope: 'throw' });
    gateway.setFaults(ROUTE, { require_scope: 'shop:audit' });
    const before = lastSeq();
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const error = await client.callTool({ name: 'list-orders', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).requiredScope?.split(' ')).toContain('shop:audit');
    const refused = exchangesAfter(before).find((e) => e.status === 403)!;
    expect(refused).toMatchObject({ step: 'challenge', mcpMethod: 'tools/call', fault: 'require_scope' });
    expect(refused.response.headers['www-authenticate']).toMatch(/error="insufficient_scope".*scope="[^"]*shop:audit/);
    expect(refused.failure?.spec?.url).toMatch(/#scope-challenge-handling$/);
  });

  it("the SDK's step-up gets the extra scope from the built-in IdP, and the call goes through", async () => {
    const { client, provider, transport } = await signedIn();
    gateway.setFaults(ROUTE, { require_scope: 'shop:audit' });
    await expect(client.callTool({ name: 'list-orders', arguments: {} })).rejects.toBeInstanceOf(UnauthorizedError);
    await transport.finishAuth(provider.callbackParams!);
    expect(String(decodeJwt((await provider.tokens())!.access_token).scope).split(' ')).toContain('shop:audit');
    const result = (await client.callTool({ name: 'list-orders', arguments: {} })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    gateway.setFaults(ROUTE, {});
  });

  it('off: a token without the scope calls again', async () => {
    const { client } = await signedIn({ onInsufficientScope: 'throw' });
    const result = (await client.callTool({ name: 'list-orders', arguments: {} })) as CallToolResult;
    expect(result.isError).toBeFalsy();
  });
});

describe('upstream faults', () => {
  it('upstream_delay_ms: the upstream call starts no earlier than the delay, and the exchange is marked', async () => {
    const { client } = await signedIn();
    gateway.setFaults(ROUTE, { upstream_delay_ms: 300 });
    const before = lastSeq();
    const result = (await client.callTool({ name: 'get-order', arguments: { orderId: '1041' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const upstream = eventsAfter(before).find((e): e is UpstreamResultEvent => e.type === 'upstream.result')!;
    expect(upstream.durationMs).toBeGreaterThanOrEqual(300);
    expect(exchangesAfter(before).find((e) => e.mcpMethod === 'tools/call')).toMatchObject({ status: 200, fault: 'upstream_delay_ms' });
    gateway.setFaults(ROUTE, {});
  });

  it('upstream_failure: calls fail the way a dead upstream fails; off, they work again', async () => {
    const { client } = await signedIn();
    gateway.setFaults(ROUTE, { upstream_failure: true });
    let before = lastSeq();
    await expect(client.callTool({ name: 'get-order', arguments: { orderId: '1041' } })).rejects.toThrow(/upstream "shop" is not connected \(injected fault upstream_failure/);
    const failed = exchangesAfter(before).find((e) => e.mcpMethod === 'tools/call')!;
    expect(failed).toMatchObject({ fault: 'upstream_failure' });
    expect(failed.failure?.reason).toMatch(/an upstream failed — JSON-RPC error -32603/);
    expect(eventsAfter(before).find((e) => e.type === 'upstream.result')).toMatchObject({ error: expect.stringMatching(/injected fault/) });

    gateway.setFaults(ROUTE, {});
    before = lastSeq();
    expect(((await client.callTool({ name: 'get-order', arguments: { orderId: '1041' } })) as CallToolResult).isError).toBeFalsy();
    expect(exchangesAfter(before).find((e) => e.mcpMethod === 'tools/call')?.fault).toBeUndefined();
  });
});

describe('token invalidation at the built-in IdP', () => {
  it('expire: the current token gets 401 "expired (injected fault)"; the client refreshes without signing in', async () => {
    const { client, provider } = await signedIn();
    const old = (await provider.tokens())!.access_token;
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const outcome = await gateway.invalidateTokens(ROUTE, 'expire');
    expect(outcome.affected).toBeGreaterThanOrEqual(1);
    const before = lastSeq();
    const refused = await post(ROUTE, INITIALIZE, old);
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="The access token expired \(injected fault\)/);
    const exchange = exchangesAfter(before).find((e) => e.step === 'challenge')!;
    expect(exchange).toMatchObject({ status: 401, fault: 'expire_tokens' });
    expect(exchange.failure?.reason).toMatch(/expired \(injected fault\).*claim exp/);

    const logins = provider.authorizationCount;
    const refreshAt = lastSeq();
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(provider.authorizationCount).toBe(logins);
    expect((await provider.tokens())!.access_token).not.toBe(old);
    expect(exchangesAfter(refreshAt).some((e) => e.server === 'idp' && e.step === 'token' && /grant_type=refresh_token/.test(e.request.body ?? '') && e.status === 200)).toBe(true);
  });

  it('revoke: the token gets 401, refreshing fails with invalid_grant at the IdP, and the client must sign in again', async () => {
    const { client, provider, transport } = await signedIn();
    const { access_token: accessToken, refresh_token: refreshToken } = (await provider.tokens())!;
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const outcome = await gateway.invalidateTokens(ROUTE, 'revoke');
    expect(outcome.affected).toBeGreaterThanOrEqual(2);
    expect(outcome.detail).toMatch(/grant\(s\) for .*ecommerce-mcp were revoked/);

    let before = lastSeq();
    const refused = await post(ROUTE, INITIALIZE, accessToken);
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    expect(exchangesAfter(before).find((e) => e.step === 'challenge')).toMatchObject({ fault: 'revoke_tokens', failure: { reason: expect.stringMatching(/revoked \(injected fault\)/) } });

    before = lastSeq();
    const refresh = await fetch(`${gateway.idp!.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken!, client_id: (await provider.clientInformation())!.client_id }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
    const failedRefresh = exchangesAfter(before).find((e) => e.server === 'idp' && e.step === 'token')!;
    expect(failedRefresh.failure).toMatchObject({ reason: expect.stringMatching(/^invalid_grant/), spec: { url: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2' } });

    const logins = provider.authorizationCount;
    await expect(client.listTools()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationCount).toBe(logins + 1);
    await transport.finishAuth(provider.callbackParams!);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });
});

describe('token invalidation with an external issuer', () => {
  // The issuer stamps iat itself; jti tells two tokens of the same second apart.
  const token = () => issuer.sign({ sub: 'carol', groups: ['ops'], scope: 'shop:read', aud: gateway.url(EXTERNAL), client_id: 'external-client', jti: randomUUID() }, { expiresIn: '1h' });

  it('revoke refuses the tokens locally and says the IdP was not touched; new tokens work', async () => {
    const old = await token();
    const accepted = await post(EXTERNAL, INITIALIZE, old);
    expect(accepted.status).toBe(200);
    await accepted.body?.cancel();

    const outcome = await gateway.invalidateTokens(EXTERNAL, 'revoke');
    expect(outcome.affected).toBe(1);
    expect(outcome.detail).toMatch(/external issuer .* cannot revoke/);
    const refused = await post(EXTERNAL, INITIALIZE, old);
    expect(refused.status).toBe(401);
    await refused.body?.cancel();

    const before = lastSeq();
    const fresh = await post(EXTERNAL, INITIALIZE, await token());
    expect(fresh.status, JSON.stringify(eventsAfter(before).find((e) => e.type === 'auth.token'))).toBe(200);
    await fresh.body?.cancel();
  });
});

describe('mistakes', () => {
  it('name the route and the fix', async () => {
    expect(() => gateway.setFaults('/nope', {})).toThrow(/no route \/nope — the routes are \/ecommerce-mcp, \/external-mcp/);
    await expect(gateway.invalidateTokens('/nope', 'expire')).rejects.toThrow(/no route \/nope/);
  });
});
