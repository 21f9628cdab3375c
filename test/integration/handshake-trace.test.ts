/**
 * The handshake trace the window draws, from real parts only: the MCP SDK's OAuth client signs
 * in to a protected demo route through the built-in IdP, and the `http.exchange` events of both
 * servers hold the whole handshake in order — 401 challenge, Protected Resource Metadata,
 * authorization server metadata, registration, authorize, login, consent, token, initialize with
 * the token, tools/list — with JWTs decoded and no secret in full anywhere in the trace. A token
 * for another route, or a forged one, is a red step that names the failed claim and the rule.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtinIdpSchema, gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { HttpExchangeEvent, TraceEvent } from '../../shared/trace-events.js';
import { createTestOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
const OTHER = '/other-mcp';
/** Long and unusual, so a leak is found by a plain substring search. */
const PASSWORD = 'correct-horse-battery-staple-4711';
const ALICE = { username: 'alice', password: PASSWORD };

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
const clients: Client[] = [];

const isExchange = (event: TraceEvent): event is HttpExchangeEvent => event.type === 'http.exchange';

function exchangesAfter(seq: number): HttpExchangeEvent[] {
  return gateway.trace.recent().filter((event): event is HttpExchangeEvent => event.seq > seq && isExchange(event));
}

function lastSeq(): number {
  return gateway.trace.recent().at(-1)?.seq ?? 0;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-handshake-trace-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  const shopRoute = { ...demo.routes.find((route) => route.path === ROUTE)!, acl: undefined };
  gateway = await startGateway({
    dataDir,
    config: gatehouseConfigSchema.parse({
      ...demo,
      idp: builtinIdpSchema.parse({ kind: 'builtin', port: 0, users: [{ username: 'alice', password: PASSWORD, groups: ['warehouse-ops'] }] }),
      // A second route on the same IdP: its tokens must not open the first.
      routes: [shopRoute, { ...shopRoute, path: OTHER }],
    }),
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a client signing in to a protected route', () => {
  let provider: TestOAuthProvider;
  let exchanges: HttpExchangeEvent[];
  let clientId: string;
  const secrets = new Set<string>();

  beforeAll(async () => {
    const start = lastSeq();
    // A confidential client (client_secret_post), so a client secret crosses the wire too.
    provider = createTestOAuthProvider({ credentials: ALICE, clientMetadata: { token_endpoint_auth_method: 'client_secret_post' } });
    const first = new Client({ name: 'handshake-trace-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    clients.push(first);
    const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    await transport.finishAuth(provider.callbackParams!);
    const client = new Client({ name: 'handshake-trace-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider }));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const information = (await provider.clientInformation())!;
    clientId = information.client_id;
    const tokens = (await provider.tokens())!;
    for (const secret of [tokens.access_token, tokens.refresh_token, provider.authorizationCode, await provider.codeVerifier(), information.client_secret, PASSWORD]) {
      if (secret) secrets.add(secret);
    }
    if (information.client_secret) secrets.add(Buffer.from(`${clientId}:${information.client_secret}`).toString('base64'));
    exchanges = exchangesAfter(start);
  });

  it('is traced step by step, in order, across the gateway and the IdP', () => {
    const shown = exchanges.map((e) => `${e.server}:${e.step}${e.mcpMethod ? `(${e.mcpMethod})` : ''}:${e.status}`).join(' → ');
    const expected: Array<[HttpExchangeEvent['server'], HttpExchangeEvent['step'], string?]> = [
      ['gateway', 'challenge'],
      ['gateway', 'resource-metadata'],
      ['idp', 'authorization-server-metadata'],
      ['idp', 'registration'],
      ['idp', 'authorize'],
      ['idp', 'login'],
      ['idp', 'consent'],
      ['idp', 'token'],
      ['gateway', 'mcp', 'initialize'],
      ['gateway', 'mcp', 'tools/list'],
    ];
    let at = -1;
    for (const [server, step, method] of expected) {
      const found = exchanges.findIndex((e, i) => i > at && e.server === server && e.step === step && (!method || e.mcpMethod === method));
      expect(found, `no ${server} ${step}${method ? ` ${method}` : ''} after position ${at} in: ${shown}`).toBeGreaterThan(at);
      at = found;
    }
  });

  it('starts with a plain 401 challenge that points at the metadata, which is no failure', () => {
    const challenge = exchanges.find((e) => e.step === 'challenge')!;
    expect(challenge).toMatchObject({ server: 'gateway', route: ROUTE, status: 401, method: 'POST', mcpMethod: 'initialize' });
    expect(challenge.failure).toBeUndefined();
    expect(challenge.request.headers.authorization).toBeUndefined();
    expect(challenge.response.headers['www-authenticate']).toContain(`resource_metadata="${gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`)}"`);
    expect(challenge.connection).toMatch(/^ua:.+@/);
    expect(challenge.durationMs).toBeGreaterThanOrEqual(0);
    const metadata = exchanges.find((e) => e.step === 'resource-metadata')!;
    expect(metadata).toMatchObject({ route: ROUTE, status: 200, url: gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`) });
    expect(JSON.parse(metadata.response.body!)).toMatchObject({ resource: gateway.url(ROUTE), authorization_servers: [gateway.idp!.issuer] });
  });

  it('shows registration, authorization and the token with the client and route named', () => {
    const registration = exchanges.find((e) => e.step === 'registration')!;
    expect(registration).toMatchObject({ server: 'idp', status: 201, clientId, connection: clientId });
    expect(registration.response.body).toMatch(/"client_secret":"\(hidden, \d+ chars\)"/);
    const authorize = exchanges.find((e) => e.step === 'authorize' && e.method === 'GET')!;
    expect(authorize).toMatchObject({ clientId, route: ROUTE });
    const login = exchanges.find((e) => e.step === 'login' && e.method === 'POST')!;
    expect(login.request.body).toContain(`username=alice&password=(hidden, ${PASSWORD.length} chars)`);
    const token = exchanges.find((e) => e.step === 'token')!;
    expect(token).toMatchObject({ server: 'idp', status: 200, clientId, route: ROUTE });
    expect(token.request.body).toMatch(/grant_type=authorization_code/);
    expect(token.request.body).toMatch(/code_verifier=.{8}…/);
    const accessToken = token.jwts?.find((jwt) => jwt.where === 'response.access_token');
    expect(accessToken?.claims).toMatchObject({ aud: gateway.url(ROUTE), sub: 'alice', client_id: clientId });
    expect(accessToken?.header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(accessToken?.token).toMatch(/^eyJ.{5}….{3}$/);
  });

  it('shows the MCP requests with the token shortened and decoded, grouped under the client id', () => {
    const initialize = exchanges.find((e) => e.step === 'mcp' && e.mcpMethod === 'initialize')!;
    expect(initialize).toMatchObject({ server: 'gateway', route: ROUTE, status: 200, clientId, connection: clientId });
    expect(initialize.request.headers.authorization).toMatch(/^Bearer eyJ.{5}….{3}$/);
    expect(initialize.jwts?.[0]).toMatchObject({ where: 'request.authorization', claims: { aud: gateway.url(ROUTE), sub: 'alice' } });
    expect(initialize.request.body).toContain('"method":"initialize"');
    expect(initialize.response.body).toContain('protocolVersion');
    const list = exchanges.find((e) => e.mcpMethod === 'tools/list')!;
    expect(list.response.body).toContain('list-orders');
    expect(list.session).toBe(initialize.session ?? list.session);
  });

  it('never holds a token, code, verifier, client secret or password in full, in any event', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(7);
    for (const event of gateway.trace.recent()) {
      const text = JSON.stringify(event);
      for (const secret of secrets) expect(text.includes(secret), `${event.type} ${'step' in event ? event.step : ''} leaks a secret: ${text.slice(0, 300)}`).toBe(false);
    }
    expect(JSON.stringify(gateway.trace.recent())).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\./);
  });
});

describe('a token the route must refuse', () => {
  async function tokenFor(routePath: string): Promise<string> {
    const provider = createTestOAuthProvider({ credentials: ALICE });
    expect(await auth(provider, { serverUrl: gateway.url(routePath) })).toBe('REDIRECT');
    expect(await auth(provider, { serverUrl: gateway.url(routePath), authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
    return (await provider.tokens())!.access_token;
  }

  async function initializeWith(token: string): Promise<HttpExchangeEvent> {
    const before = lastSeq();
    const response = await fetch(gateway.url(ROUTE), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    await response.body?.cancel();
    return exchangesAfter(before).find((e) => e.server === 'gateway' && e.route === ROUTE)!;
  }

  it('issued for another route: red, naming the aud claim and the audience-binding rule', async () => {
    const exchange = await initializeWith(await tokenFor(OTHER));
    expect(exchange).toMatchObject({ step: 'challenge', status: 401 });
    expect(exchange.failure?.reason).toMatch(/invalid_token.*audience.*claim aud/);
    expect(exchange.failure?.spec?.url).toMatch(/authorization#token-audience-binding-and-validation$/);
    expect(exchange.jwts?.[0]?.claims.aud).toBe(gateway.url(OTHER));
    expect(exchange.response.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('with a forged signature: red, with RFC 6750 §3.1', async () => {
    const token = await tokenFor(ROUTE);
    const [header, payload] = token.split('.');
    const exchange = await initializeWith(`${header}.${payload}.${'A'.repeat(342)}`);
    expect(exchange.failure?.reason).toMatch(/signature/);
    expect(exchange.failure?.spec).toEqual({ title: expect.stringContaining('RFC 6750 §3.1'), url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1' });
  });
});

describe('failures at the identity provider', () => {
  it('a wrong code_verifier at the token endpoint: invalid_grant with the PKCE rule', async () => {
    const provider = createTestOAuthProvider({ credentials: ALICE });
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE) })).toBe('REDIRECT');
    const client = (await provider.clientInformation())!;
    const before = lastSeq();
    const response = await fetch(`${gateway.idp!.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: provider.authorizationCode!,
        code_verifier: 'x'.repeat(43),
        redirect_uri: provider.redirectUrl as string,
        client_id: client.client_id,
        resource: gateway.url(ROUTE),
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    const exchange = exchangesAfter(before).find((e) => e.server === 'idp' && e.step === 'token')!;
    expect(exchange).toMatchObject({ status: 400, clientId: client.client_id, route: ROUTE });
    expect(exchange.failure?.reason).toMatch(/invalid_grant/);
    expect(exchange.failure?.spec?.url).toMatch(/rfc7636#section-4\.6|rfc6749#section-5\.2/);
    expect(JSON.stringify(exchange)).not.toContain(provider.authorizationCode!);
  });

  it('an unknown resource at authorize: invalid_target with RFC 8707', async () => {
    const provider = createTestOAuthProvider({ credentials: ALICE });
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE) })).toBe('REDIRECT');
    const authorization = new URL(provider.lastAuthorizationUrl!);
    authorization.searchParams.set('resource', 'http://127.0.0.1:1/not-a-route');
    const before = lastSeq();
    const response = await fetch(authorization, { redirect: 'manual' });
    await response.body?.cancel();
    const exchange = exchangesAfter(before).find((e) => e.server === 'idp' && e.step === 'authorize')!;
    expect(exchange.failure?.reason).toMatch(/invalid_target/);
    expect(exchange.failure?.spec?.url).toBe('https://www.rfc-editor.org/rfc/rfc8707#section-2');
  });
});
