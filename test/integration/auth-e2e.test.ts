/**
 * OAuth end to end with real parts only: the demo shop behind /ecommerce-mcp protected by the
 * built-in IdP, reached by the MCP SDK's own OAuth client (StreamableHTTPClientTransport with an
 * OAuthClientProvider) in both protocol eras, and by the MCP Inspector CLI. The client starts
 * with nothing but the route URL: 401 → Protected Resource Metadata (RFC 9728) → authorization
 * server metadata (RFC 8414) → dynamic registration (RFC 7591) → authorization code + PKCE with
 * the resource indicator (RFC 8707) → a JWT for the route → tools. Then step-up (403
 * insufficient_scope → re-authorization with the union of scopes). The JWT resource server's
 * bad-token corpus lives in auth-jwt.test.ts and is not repeated here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig, shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { AuthTokenEvent, IdpStepEvent, RequestInEvent, TraceEvent } from '../../shared/trace-events.js';
import { CLIENT_ERAS } from '../fixtures/answering-client.js';
import { createTestOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
/** The demo's default user (main/config/schema.ts DEMO_USERS). */
const ALICE = { username: 'alice', password: 'demo' };
const INSPECTOR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js', import.meta.url));

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
/** Every token and code the tests handle: none may appear in a trace event. */
const secrets = new Set<string>();
const clients: Client[] = [];

function remember(provider: TestOAuthProvider, tokens: { access_token: string; refresh_token?: string } | undefined): void {
  if (provider.authorizationCode) secrets.add(provider.authorizationCode);
  if (tokens?.access_token) secrets.add(tokens.access_token);
  if (tokens?.refresh_token) secrets.add(tokens.refresh_token);
}

function newClient(mode: 'legacy' | 'auto'): Client {
  const client = new Client({ name: 'gatehouse-auth-e2e', version: '1.0.0' }, { versionNegotiation: { mode } });
  clients.push(client);
  return client;
}

/** Events after `seq`, oldest first. */
function traceSince(seq: number): TraceEvent[] {
  return gateway.trace.recent().filter((event) => event.seq > seq);
}

function lastSeq(): number {
  return gateway.trace.recent().at(-1)?.seq ?? 0;
}

function inspector(url: string, ...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [INSPECTOR, '--cli', url, '--transport', 'http', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`inspector failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-auth-e2e-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  // Only the shop route: /everything would spawn server-everything, which nothing here uses.
  // And without its ACL: this file is about OAuth (alice may not cancel orders under the demo ACL;
  // test/integration/acl-e2e.test.ts covers the ACL).
  const routes = demo.routes.filter((route) => route.path === ROUTE).map((route) => ({ ...route, acl: undefined }));
  gateway = await startGateway({ dataDir, config: gatehouseConfigSchema.parse({ ...demo, routes }) });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.each(CLIENT_ERAS)('the SDK OAuth client, $name era, against the demo route', (era) => {
  let provider: TestOAuthProvider;
  let client: Client;
  let startSeq: number;
  let clientId: string;

  beforeAll(async () => {
    startSeq = lastSeq();
    provider = createTestOAuthProvider({ credentials: ALICE });
    const first = newClient(era.mode);
    const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
    // The provider signs in inside redirectToAuthorization; connect still ends in UnauthorizedError,
    // as it does for a client that must wait for the browser to come back.
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    // The IdP sends iss on the authorization response (RFC 9207): hand over all callback parameters.
    await transport.finishAuth(provider.callbackParams!);
    remember(provider, await provider.tokens());
    clientId = (await provider.clientInformation())!.client_id;

    client = newClient(era.mode);
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider }));
  });

  it(`speaks ${era.protocol}`, () => {
    expect(client.getNegotiatedProtocolVersion()).toBe(era.protocol);
  });

  it('found the IdP from the 401, registered, and ran PKCE with the route as resource indicator', async () => {
    expect(provider.authorizationCount).toBe(1);
    const request = provider.lastAuthorizationUrl!;
    expect(request.origin).toBe(gateway.idp!.issuer);
    expect(request.searchParams.get('resource')).toBe(gateway.url(ROUTE));
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.searchParams.get('client_id')).toBe(clientId);
    // What the SDK read on the way: the route's metadata and the IdP's metadata.
    const discovery = (await provider.discoveryState!())!;
    expect(discovery.resourceMetadataUrl).toBe(gateway.url(`/.well-known/oauth-protected-resource${ROUTE}`));
    expect(discovery.resourceMetadata).toMatchObject({ resource: gateway.url(ROUTE), authorization_servers: [gateway.idp!.issuer] });
    expect(discovery.authorizationServerMetadata).toMatchObject({ issuer: gateway.idp!.issuer, registration_endpoint: `${gateway.idp!.issuer}/reg` });
  });

  it('holds a JWT access token for alice whose aud is the route URL', async () => {
    const tokens = (await provider.tokens())!;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: gateway.idp!.issuer, aud: gateway.url(ROUTE), sub: 'alice', groups: ['warehouse-ops'] });
    // Least privilege: the 401 asks for shop:read only; shop:write comes by step-up when a write tool is called.
    expect(String(claims.scope).split(' ')).toEqual(['shop:read']);
  });

  it('lists the shop tools and calls list-orders through the gateway', async () => {
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list-orders');
    const result = (await client.callTool({ name: 'list-orders', arguments: { status: 'paid' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.structuredContent ?? result.content)).toContain('"1041"');
  });

  it('left the whole handshake in the trace, in order', () => {
    const events = traceSince(startSeq);
    const position = (label: string, matches: (event: TraceEvent) => boolean, from = 0): number => {
      const index = events.findIndex((event, i) => i >= from && matches(event));
      expect(index, `no ${label} in the trace after position ${from}: ${events.map((e) => `${e.type}${'step' in e ? `:${e.step}` : ''}`).join(', ')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const isAuth = (outcome: AuthTokenEvent['outcome']) => (event: TraceEvent): event is AuthTokenEvent => event.type === 'auth.token' && event.route === ROUTE && event.outcome === outcome;
    const isStep = (step: IdpStepEvent['step']) => (event: TraceEvent) => event.type === 'idp.step' && event.step === step && event.outcome === 'ok' && event.clientId === clientId;

    const rejected = position('auth.token rejected', isAuth('rejected'));
    expect(events[rejected]).toMatchObject({ status: 401, validation: 'none', reason: 'missing' });
    let at = rejected;
    for (const step of ['registration', 'authorize', 'login', 'consent', 'token'] as const) at = position(`idp.step ${step}`, isStep(step), at + 1);
    const valid = position('auth.token valid', isAuth('valid'), at + 1);
    expect(events[valid]).toMatchObject({ validation: 'jwt', subject: 'alice', groups: ['warehouse-ops'] });
    position('request.in tools/list', (event) => event.type === 'request.in' && event.route === ROUTE && (event as RequestInEvent).method === 'tools/list', valid + 1);
  });

  describe('step-up: a shop:read token calling cancel-order', () => {
    // A different pending order per era, so each era sees its own cancellation happen.
    const orderId = era.name === 'legacy' ? '1042' : '1044';
    let reader: TestOAuthProvider;
    let readerScopes: string[];

    beforeAll(async () => {
      // The route's 401 asks for every scope it knows (shop:read shop:write), and the SDK takes
      // the challenge's scope first; a least-privilege token is got the way a client configured
      // with a narrower scope gets it: the SDK's auth() with an explicit scope.
      reader = createTestOAuthProvider({ credentials: ALICE });
      expect(await auth(reader, { serverUrl: gateway.url(ROUTE), scope: 'shop:read' })).toBe('REDIRECT');
      expect(await auth(reader, { serverUrl: gateway.url(ROUTE), scope: 'shop:read', authorizationCode: reader.authorizationCode!, iss: reader.iss })).toBe('AUTHORIZED');
      remember(reader, await reader.tokens());
      readerScopes = String(decodeJwt((await reader.tokens())!.access_token).scope).split(' ');
    });

    const orderStatus = async (target: Client) => {
      const result = (await target.callTool({ name: 'get-order', arguments: { orderId } })) as CallToolResult;
      return (result.structuredContent as { status?: string } | undefined)?.status;
    };

    it('the token has shop:read and not shop:write', () => {
      expect(readerScopes).toContain('shop:read');
      expect(readerScopes).not.toContain('shop:write');
    });

    it('gets 403 insufficient_scope with scope="shop:write", and the order is untouched', async () => {
      const strict = newClient(era.mode);
      await strict.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: reader, onInsufficientScope: 'throw' }));
      const before = lastSeq();
      const error = await strict.callTool({ name: 'cancel-order', arguments: { orderId, reason: 'step-up test' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({ requiredScope: 'shop:write' });
      const denial = traceSince(before).find((event): event is AuthTokenEvent => event.type === 'auth.token' && event.outcome === 'rejected');
      expect(denial).toMatchObject({ status: 403, error: 'insufficient_scope', claim: 'scope' });
      expect(denial?.description).toMatch(/shop:write/);
      expect(await orderStatus(strict)).toMatch(/^(pending|paid)$/);
      expect(reader.authorizationCount).toBe(1);
    });

    it("re-authorizes through the SDK's step-up with the union of scopes, then the call succeeds", async () => {
      const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: reader });
      const stepping = newClient(era.mode);
      await stepping.connect(transport);
      // The 403 sends the SDK back to the authorization endpoint; like the first sign-in, that
      // surfaces as UnauthorizedError until the callback is handed to finishAuth.
      await expect(stepping.callTool({ name: 'cancel-order', arguments: { orderId, reason: 'step-up test' } })).rejects.toBeInstanceOf(UnauthorizedError);
      expect(reader.authorizationCount).toBe(2);
      expect(reader.lastAuthorizationUrl!.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['shop:read', 'shop:write']));
      expect(reader.lastAuthorizationUrl!.searchParams.get('resource')).toBe(gateway.url(ROUTE));
      await transport.finishAuth(reader.callbackParams!);
      remember(reader, await reader.tokens());
      expect(String(decodeJwt((await reader.tokens())!.access_token).scope).split(' ')).toEqual(expect.arrayContaining(['shop:read', 'shop:write']));

      const result = (await stepping.callTool({ name: 'cancel-order', arguments: { orderId, reason: 'step-up test' } })) as CallToolResult;
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(await orderStatus(stepping)).toBe('cancelled');
    });
  });
});

describe('the MCP Inspector CLI with a bearer token', () => {
  it('lists the tools through the protected route', async () => {
    const provider = createTestOAuthProvider({ credentials: ALICE });
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE) })).toBe('REDIRECT');
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE), authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
    const token = (await provider.tokens())!.access_token;
    remember(provider, await provider.tokens());
    const before = lastSeq();

    const result = (await inspector(gateway.url(ROUTE), '--method', 'tools/list', '--header', `Authorization: Bearer ${token}`)) as { tools: Array<{ name: string }> };
    expect(result.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['list-orders', 'cancel-order']));
    const verdicts = traceSince(before).filter((event): event is AuthTokenEvent => event.type === 'auth.token');
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((event) => event.outcome === 'valid' && event.subject === 'alice')).toBe(true);
  });

  it('without a token it is told to authorize, and gets no tools', async () => {
    // Non-interactive, the Inspector stops where it would open the browser: it read the 401.
    await expect(inspector(gateway.url(ROUTE), '--method', 'tools/list')).rejects.toThrow(/auth_required/);
  });
});

describe('a route protected by the built-in IdP with no scopes configured', () => {
  // `auth: {issuer: builtin}` alone is valid config. The route then advertises no scope, so a
  // spec-following client (the SDK: 401 scope, else PRM scopes_supported) asks for none — the
  // IdP must still be able to issue it a token, or the config must be refused up front.
  it('is not a dead end for the SDK client: either refused at load or usable', async () => {
    const input = {
      listen: { port: 0 },
      idp: { kind: 'builtin', port: 0 },
      routes: [{ path: '/unscoped-mcp', auth: { issuer: 'builtin' }, upstreams: [{ name: 'shop', kind: 'rest', base_url: shop.url, tools: shopTools() }] }],
    };
    const parsed = gatehouseConfigSchema.safeParse(input);
    if (!parsed.success) {
      expect(parsed.error.message).toMatch(/scope/);
      return;
    }
    const unscoped = await startGateway({ dataDir: path.join(dataDir, 'unscoped'), config: parsed.data });
    try {
      const provider = createTestOAuthProvider({ credentials: ALICE });
      const transport = new StreamableHTTPClientTransport(new URL(unscoped.url('/unscoped-mcp')), { authProvider: provider });
      const first = newClient('legacy');
      await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
      await transport.finishAuth(provider.callbackParams!);
      remember(provider, await provider.tokens());
      const client = newClient('legacy');
      await client.connect(new StreamableHTTPClientTransport(new URL(unscoped.url('/unscoped-mcp')), { authProvider: provider }));
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list-orders');
      await client.close();
    } finally {
      await unscoped.close();
    }
  });
});

describe('secrets', () => {
  it('no trace event carries an access token, refresh token or authorization code', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(10);
    const events = gateway.trace.recent();
    expect(events.length).toBeGreaterThan(20);
    for (const event of events) {
      const text = JSON.stringify(event);
      for (const secret of secrets) expect(text.includes(secret), `${event.type} leaks a secret: ${text.slice(0, 200)}`).toBe(false);
    }
    // And nothing that looks like a whole JWT.
    expect(JSON.stringify(events)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\./);
  });
});
