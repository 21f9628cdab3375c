/**
 * The built-in identity provider, for real: oidc-provider on a loopback port, driven by
 * openid-client 6 (an independent OAuth client), the MCP SDK's OAuth client and plain fetch, with
 * tokens verified by jose against the IdP's published JWKS. Grouped by mechanism: metadata
 * (RFC 8414), registration (RFC 7591, RFC 8252), the code flow (PKCE, RFC 9207, RFC 8707),
 * refresh rotation, introspection/revocation (RFC 7662/7009), keys, trace, startup errors.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { auth } from '@modelcontextprotocol/client';
import express from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtinIdpSchema, type BuiltinIdpConfig } from '../../main/config/schema.js';
import { startBuiltinIdp, type IdpResource, type RunningIdp } from '../../main/idp/builtin-idp.js';
import { IdpError } from '../../main/idp/idp-error.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import type { IdpStepEvent, TraceEvent } from '../../shared/trace-events.js';
import { AuthorizationErrorResponse, completeAuthorization, createTestOAuthProvider, LoginRejected } from '../helpers/oauth-login.js';

const ALICE = { username: 'alice', password: 'alice-Pa55word-for-tests' };
const BOB = { username: 'bob', password: 'bob-Pa55word-for-tests' };
const WRONG_PASSWORD = 'definitely-Not-alices-password';

const SHOP = 'http://127.0.0.1:8400/ecommerce-mcp';
const SUPPORT = 'http://127.0.0.1:8400/support-mcp';

const idpConfig: BuiltinIdpConfig = builtinIdpSchema.parse({
  kind: 'builtin',
  port: 0,
  users: [
    { ...ALICE, groups: ['warehouse-ops'], name: 'Alice (warehouse ops)' },
    { ...BOB, groups: ['customer-support'] },
  ],
});

const resources: IdpResource[] = [
  { resource: SHOP, scopes: ['orders:read', 'orders:write'], accessTokenFormat: 'jwt' },
  { resource: SUPPORT, scopes: ['tickets:read'], accessTokenFormat: 'opaque' },
];

let dataDir: string;
let trace: TraceBus;
let idp: RunningIdp;
const events: TraceEvent[] = [];
/** Every secret the tests handle; none may show up in a trace event. */
const secrets = new Set<string>([ALICE.password, BOB.password, WRONG_PASSWORD]);

const insecure = { execute: [oidc.allowInsecureRequests] };

function loopbackRedirect(): string {
  return `http://127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}/callback`;
}

async function registerPublicClient(redirectUri = loopbackRedirect(), extra: Partial<oidc.ClientMetadata> = {}) {
  const config = await oidc.dynamicClientRegistration(
    new URL(idp.issuer),
    { redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'openid-client test', ...extra },
    oidc.None(),
    insecure,
  );
  return { config, redirectUri };
}

interface FlowOptions {
  user?: typeof ALICE;
  resource?: string;
  scope?: string;
  consent?: boolean;
  redirectUri?: string;
}

/** Registers (or reuses) a client and runs authorization code + PKCE up to the authorization response. */
async function authorize(client: { config: oidc.Configuration; redirectUri: string }, options: FlowOptions = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(client.config, {
    redirect_uri: options.redirectUri ?? client.redirectUri,
    scope: options.scope ?? 'orders:read',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(options.resource === '' ? {} : { resource: options.resource ?? SHOP }),
  });
  const result = await completeAuthorization(url, options.user ?? ALICE, { consent: options.consent ?? true });
  secrets.add(result.code);
  return { result, verifier, state };
}

async function exchange(client: { config: oidc.Configuration }, flow: Awaited<ReturnType<typeof authorize>>, parameters: Record<string, string> = {}) {
  const tokens = await oidc.authorizationCodeGrant(client.config, flow.result.redirectUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }, parameters);
  secrets.add(tokens.access_token);
  if (tokens.refresh_token) secrets.add(tokens.refresh_token);
  if (tokens.id_token) secrets.add(tokens.id_token);
  return tokens;
}

function idpSteps(step?: IdpStepEvent['step']): IdpStepEvent[] {
  return events.filter((e): e is IdpStepEvent => e.type === 'idp.step' && (step === undefined || e.step === step));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-idp-test-'));
  trace = new TraceBus();
  trace.subscribe((event) => events.push(event));
  idp = await startBuiltinIdp({ config: idpConfig, dataDir, trace, resources: () => resources });
  secrets.add(idp.introspectionClient.clientSecret);
});

afterAll(async () => {
  await idp?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('authorization server metadata (RFC 8414)', () => {
  it('is served at both well-known URIs with PKCE S256, iss responses, registration and every scope', async () => {
    const oauth = (await (await fetch(`${idp.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>;
    const openid = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(openid).toEqual(oauth);
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(oauth).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/auth`,
      token_endpoint: `${idp.issuer}/token`,
      registration_endpoint: `${idp.issuer}/reg`,
      introspection_endpoint: `${idp.issuer}/token/introspection`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
      jwks_uri: `${idp.issuer}/jwks`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      response_types_supported: ['code'],
      client_id_metadata_document_supported: true,
    });
    expect(oauth.token_endpoint_auth_methods_supported).toContain('none');
    expect(oauth.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(oauth.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'orders:read', 'orders:write', 'tickets:read']));
    expect(oauth.dpop_signing_alg_values_supported).toBeUndefined();
  });

  it('works with openid-client discovery', async () => {
    const config = await oidc.discovery(new URL(idp.issuer), 'anything', undefined, oidc.None(), insecure);
    expect(config.serverMetadata().issuer).toBe(idp.issuer);
  });
});

describe('dynamic client registration (RFC 7591) with the redirect URIs MCP clients use', () => {
  async function register(metadata: Record<string, unknown>) {
    const response = await fetch(`${idp.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it.each([
    ['Claude Code', ['http://localhost:45123/callback'], 'native'],
    ['VS Code (loopback)', ['http://127.0.0.1:33418'], 'native'],
    ['Cursor (private-use scheme)', ['cursor://anysphere.cursor-mcp/oauth/callback'], 'native'],
    ['claude.ai', ['https://claude.ai/api/mcp/auth_callback'], 'web'],
    ['VS Code (web + loopback)', ['https://vscode.dev/redirect', 'http://127.0.0.1:33418/'], 'native'],
  ])('accepts %s: %j as a public client', async (_name, redirectUris, applicationType) => {
    const { status, body } = await register({ client_name: _name, redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ redirect_uris: redirectUris, token_endpoint_auth_method: 'none', application_type: applicationType });
    expect(body.client_secret).toBeUndefined();
    expect(body.registration_access_token).toBeUndefined();
  });

  it('gives a confidential client a secret (which never reaches the trace)', async () => {
    const { status, body } = await register({ redirect_uris: ['https://app.example/callback'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(status).toBe(201);
    expect(typeof body.client_secret).toBe('string');
    secrets.add(body.client_secret as string);
  });

  it('treats a client that declares web but redirects to loopback as native, so any port works', async () => {
    const { status, body } = await register({ application_type: 'web', redirect_uris: ['http://127.0.0.1:33418/'], token_endpoint_auth_method: 'none' });
    expect(status).toBe(201);
    expect(body.application_type).toBe('native');
  });

  it('accepts route scopes in the registration without failing it, and defaults grant_types to allow refresh', async () => {
    const { status, body } = await register({ redirect_uris: ['http://localhost:6274/oauth/callback'], token_endpoint_auth_method: 'none', scope: 'openid orders:read' });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.scope).toBe('openid');
    expect(body.grant_types).toEqual(['authorization_code', 'refresh_token']);
  });

  it('still rejects redirect URIs no native app can own', async () => {
    const { status, body } = await register({ application_type: 'native', redirect_uris: ['http://evil.example/callback'], token_endpoint_auth_method: 'none' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_redirect_uri');
  });

  it('answers CORS preflights for browser clients', async () => {
    const response = await fetch(`${idp.issuer}/reg`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });

  it('matches a loopback redirect on another port at authorization time (RFC 8252 §7.3)', async () => {
    const client = await registerPublicClient('http://127.0.0.1:33418/callback');
    const { result } = await authorize(client, { redirectUri: 'http://127.0.0.1:51789/callback' });
    expect(result.redirectUrl.host).toBe('127.0.0.1:51789');
    expect(result.code).toBeTruthy();
  });
});

describe('authorization code + PKCE with a resource indicator (RFC 8707)', () => {
  it('issues alice a JWT access token for the route, verified against the JWKS, with iss on the response', async () => {
    const client = await registerPublicClient();
    const flow = await authorize(client, { scope: 'orders:read orders:write' });
    expect(flow.result.iss).toBe(idp.issuer);
    expect(flow.result.state).toBe(flow.state);

    const tokens = await exchange(client, flow, { resource: SHOP });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });

    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: idp.issuer, audience: SHOP, typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: 'alice',
      aud: SHOP,
      iss: idp.issuer,
      groups: ['warehouse-ops'],
      client_id: client.config.clientMetadata().client_id,
      scope: 'orders:read orders:write',
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('uses the granted resource when the token request omits it', async () => {
    const client = await registerPublicClient();
    const tokens = await exchange(client, await authorize(client));
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { audience: SHOP });
    expect(payload.scope).toBe('orders:read');
  });

  it('sets aud to the indicator exactly as sent when it names the route by another loopback name', async () => {
    const asSent = 'http://localhost:8400/ecommerce-mcp';
    const client = await registerPublicClient();
    const tokens = await exchange(client, await authorize(client, { resource: asSent }));
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { audience: asSent });
    expect(payload.aud).toBe(asSent);
  });

  it('rejects an unknown resource with invalid_target and says which resources exist', async () => {
    const client = await registerPublicClient();
    const error = await authorize(client, { resource: 'http://127.0.0.1:8400/nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationErrorResponse);
    const response = error as AuthorizationErrorResponse;
    expect(response.error).toBe('invalid_target');
    expect(response.errorDescription).toContain('http://127.0.0.1:8400/nope');
    expect(response.errorDescription).toContain(SHOP);
    expect(response.redirectUrl.searchParams.get('iss')).toBe(idp.issuer);

    const step = idpSteps('authorize').find((e) => e.outcome === 'error' && e.detail?.includes('invalid_target'));
    expect(step?.resource).toBe('http://127.0.0.1:8400/nope');
  });

  it('rejects a token request for a resource that was not authorized', async () => {
    const client = await registerPublicClient();
    const flow = await authorize(client);
    await expect(exchange(client, flow, { resource: SUPPORT })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('requires PKCE from every client', async () => {
    const client = await registerPublicClient();
    const url = oidc.buildAuthorizationUrl(client.config, { redirect_uri: client.redirectUri, scope: 'orders:read', resource: SHOP, state: 'x' });
    const error = await completeAuthorization(url, ALICE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationErrorResponse);
    expect((error as AuthorizationErrorResponse).error).toBe('invalid_request');
    expect((error as AuthorizationErrorResponse).errorDescription).toMatch(/PKCE/);
  });
});

describe('the sign-in and consent pages', () => {
  it('shows an error for a wrong password and issues no code', async () => {
    const client = await registerPublicClient();
    const before = idpSteps('authorize').filter((e) => e.outcome === 'ok' && e.detail?.startsWith('authorization granted')).length;
    const error = await authorize(client, { user: { username: 'alice', password: WRONG_PASSWORD } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRejected);
    expect((error as LoginRejected).pageMessage).toBe('Wrong username or password.');
    expect((error as LoginRejected).html).not.toContain(WRONG_PASSWORD);
    const after = idpSteps('authorize').filter((e) => e.outcome === 'ok' && e.detail?.startsWith('authorization granted')).length;
    expect(after).toBe(before);
    const failure = idpSteps('login').find((e) => e.outcome === 'error' && e.detail?.includes('wrong password'));
    expect(failure).toMatchObject({ subject: 'alice', clientId: client.config.clientMetadata().client_id });
  });

  it('answers access_denied (with iss) when the user denies consent', async () => {
    const client = await registerPublicClient();
    const error = await authorize(client, { consent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationErrorResponse);
    expect((error as AuthorizationErrorResponse).error).toBe('access_denied');
    expect((error as AuthorizationErrorResponse).redirectUrl.searchParams.get('iss')).toBe(idp.issuer);
    expect(idpSteps('consent').some((e) => e.outcome === 'error' && e.subject === 'alice')).toBe(true);
  });

  it('shows which client asks for which resource and scopes, HTML-escaped, and refuses cross-site posts', async () => {
    const nasty = '<img src=x onerror=alert(1)>';
    const client = await registerPublicClient(loopbackRedirect(), { client_name: nasty });
    const url = oidc.buildAuthorizationUrl(client.config, {
      redirect_uri: client.redirectUri,
      scope: 'orders:read',
      resource: SHOP,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const first = await fetch(url, { redirect: 'manual' });
    const cookies = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const loginUrl = new URL(first.headers.get('location')!, url);
    const page = await fetch(loginUrl, { headers: { cookie: cookies } });
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(nasty);
    expect(html).toContain(SHOP);
    expect(html).toContain('orders:read');
    expect(html).toMatch(/name="password" type="password"/);

    const crossSite = await fetch(new URL(`${loginUrl.pathname}/login`, url), {
      method: 'POST',
      headers: { cookie: cookies, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: ALICE.password, action: 'login' }),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);

    const withoutCookie = await fetch(new URL(`${loginUrl.pathname}/login`, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: ALICE.password, action: 'login' }),
      redirect: 'manual',
    });
    expect(withoutCookie.status).toBe(400);
    expect(await withoutCookie.text()).toContain('no longer valid');
  });

  it('refuses requests whose Host is not a loopback name (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: idp.port, path: '/.well-known/openid-configuration', headers: { host: `rebind.example:${idp.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('refresh tokens', () => {
  it('rotates the refresh token on every use and rejects the spent one', async () => {
    const client = await registerPublicClient();
    const first = await exchange(client, await authorize(client));
    const second = await oidc.refreshTokenGrant(client.config, first.refresh_token!);
    secrets.add(second.access_token);
    secrets.add(second.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const { payload } = await jwtVerify(second.access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { audience: SHOP });
    expect(payload).toMatchObject({ sub: 'alice', groups: ['warehouse-ops'] });

    await expect(oidc.refreshTokenGrant(client.config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(idpSteps('refresh').some((e) => e.outcome === 'ok' && e.detail?.includes('new refresh token'))).toBe(true);
    expect(idpSteps('refresh').some((e) => e.outcome === 'error' && e.detail?.includes('invalid_grant'))).toBe(true);
  });
});

describe('opaque tokens, introspection (RFC 7662) and revocation (RFC 7009)', () => {
  it('introspects an opaque token for the gateway, then reports it inactive after revocation', async () => {
    const client = await registerPublicClient();
    const tokens = await exchange(client, await authorize(client, { user: BOB, resource: SUPPORT, scope: 'tickets:read' }));
    expect(tokens.access_token.split('.')).toHaveLength(1);

    const gateway = await oidc.discovery(new URL(idp.issuer), idp.introspectionClient.clientId, undefined, oidc.ClientSecretBasic(idp.introspectionClient.clientSecret), insecure);
    const active = await oidc.tokenIntrospection(gateway, tokens.access_token);
    expect(active).toMatchObject({
      active: true,
      sub: 'bob',
      aud: SUPPORT,
      scope: 'tickets:read',
      groups: ['customer-support'],
      client_id: client.config.clientMetadata().client_id,
      iss: idp.issuer,
      token_type: 'Bearer',
    });

    await oidc.tokenRevocation(client.config, tokens.access_token);
    expect(await oidc.tokenIntrospection(gateway, tokens.access_token)).toEqual({ active: false });

    expect(idpSteps('introspection').some((e) => e.outcome === 'ok' && e.subject === 'bob' && e.resource === SUPPORT)).toBe(true);
    expect(idpSteps('revocation').some((e) => e.outcome === 'ok' && e.subject === 'bob')).toBe(true);
  });

  it('does not let another client introspect or authenticate with a wrong gateway secret', async () => {
    const client = await registerPublicClient();
    const tokens = await exchange(client, await authorize(client, { resource: SUPPORT, scope: 'tickets:read' }));
    const stranger = await registerPublicClient();
    expect(await oidc.tokenIntrospection(stranger.config, tokens.access_token)).toEqual({ active: false });

    const wrongSecret = 'not-the-gateway-secret';
    const impostor = await oidc.discovery(new URL(idp.issuer), idp.introspectionClient.clientId, undefined, oidc.ClientSecretBasic(wrongSecret), insecure);
    const rejected = await oidc.tokenIntrospection(impostor, tokens.access_token).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
    expect(idpSteps('introspection').some((e) => e.outcome === 'error' && e.detail?.includes('invalid_client'))).toBe(true);
  });
});

describe('the MCP SDK OAuth client (test helper createTestOAuthProvider)', () => {
  let resourceServer: Server;
  let mcpUrl: string;

  beforeAll(async () => {
    // Only the Protected Resource Metadata (RFC 9728) of a route: the SDK's auth() needs no more.
    const app = express();
    app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
      res.json({ resource: mcpUrl, authorization_servers: [idp.issuer], scopes_supported: ['tools:call'] });
    });
    resourceServer = createServer(app);
    await new Promise<void>((resolve) => resourceServer.listen(0, '127.0.0.1', resolve));
    mcpUrl = `http://127.0.0.1:${(resourceServer.address() as AddressInfo).port}/mcp`;
    resources.push({ resource: mcpUrl, scopes: ['tools:call'], accessTokenFormat: 'jwt' });
  });

  afterAll(async () => {
    await new Promise((resolve) => resourceServer?.close(resolve));
  });

  it('registers, signs in as bob and gets a token for the MCP URL', async () => {
    const provider = createTestOAuthProvider({ credentials: BOB });
    expect(await auth(provider, { serverUrl: mcpUrl })).toBe('REDIRECT');
    expect(provider.authorizationCount).toBe(1);
    expect(provider.lastAuthorizationUrl?.searchParams.get('resource')).toBe(mcpUrl);
    expect(provider.lastAuthorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.iss).toBe(idp.issuer);
    secrets.add(provider.authorizationCode!);

    expect(await auth(provider, { serverUrl: mcpUrl, authorizationCode: provider.authorizationCode, iss: provider.iss })).toBe('AUTHORIZED');
    const tokens = (await provider.tokens())!;
    secrets.add(tokens.access_token);
    if (tokens.refresh_token) secrets.add(tokens.refresh_token);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { issuer: idp.issuer, audience: mcpUrl });
    expect(payload).toMatchObject({ sub: 'bob', groups: ['customer-support'], scope: 'tools:call' });
    expect(tokens.refresh_token).toBeTruthy();

    // A later auth() refreshes instead of asking the user again.
    expect(await auth(provider, { serverUrl: mcpUrl })).toBe('AUTHORIZED');
    expect(provider.authorizationCount).toBe(1);
    const refreshed = (await provider.tokens())!;
    secrets.add(refreshed.access_token);
    if (refreshed.refresh_token) secrets.add(refreshed.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });
});

describe('keys and restarts', () => {
  it('keeps the signing keys (same kid) and client registrations across restarts, in 0600 files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-idp-keys-'));
    try {
      const first = await startBuiltinIdp({ config: idpConfig, dataDir: dir, trace: new TraceBus(), resources: () => resources });
      const kidsBefore = ((await (await fetch(`${first.issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] }).keys;
      expect(kidsBefore.every((k) => k.d === undefined)).toBe(true);
      const redirectUri = loopbackRedirect();
      const registration = await oidc.dynamicClientRegistration(new URL(first.issuer), { redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }, oidc.None(), insecure);
      const clientId = registration.clientMetadata().client_id;
      const firstSecret = first.introspectionClient.clientSecret;
      await first.close();

      const keyFile = path.join(dir, 'idp-keys.json');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(dir, 'idp-clients.json'))).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(keyFile, 'utf8')).jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(kidsBefore.map((k) => k.kid));

      const second = await startBuiltinIdp({ config: idpConfig, dataDir: dir, trace: new TraceBus(), resources: () => resources });
      try {
        const kidsAfter = ((await (await fetch(`${second.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys;
        expect(kidsAfter.map((k) => k.kid)).toEqual(kidsBefore.map((k) => k.kid));
        expect(second.introspectionClient.clientSecret).not.toBe(firstSecret);
        // A client the IdP knows gets its errors at its redirect URI; an unknown one gets an error page.
        const known = await fetch(`${second.issuer}/auth?client_id=${encodeURIComponent(clientId)}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`, { redirect: 'manual' });
        expect(known.status).toBe(303);
        expect(known.headers.get('location')?.startsWith(`${redirectUri}?`)).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a taken port with the port number and the idp.port key', async () => {
    const error = await startBuiltinIdp({ config: { ...idpConfig, port: idp.port }, dataDir, trace: new TraceBus(), resources: () => resources }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpError);
    expect((error as IdpError).code).toBe('port_in_use');
    expect((error as IdpError).message).toContain(String(idp.port));
    expect((error as IdpError).message).toContain('idp.port');
  });
});

describe('trace', () => {
  it('has an idp.step for every step of the handshake', () => {
    const steps = new Set(idpSteps().map((e) => e.step));
    for (const step of ['discovery', 'registration', 'authorize', 'login', 'consent', 'token', 'refresh', 'introspection', 'revocation', 'jwks'] as const) {
      expect(steps, `no ${step} step`).toContain(step);
    }
    const token = idpSteps('token').find((e) => e.outcome === 'ok' && e.resource === SHOP);
    expect(token?.detail).toMatch(/authorization_code: JWT access token for http:\/\/127\.0\.0\.1:8400\/ecommerce-mcp/);
    expect(idpSteps('login').some((e) => e.outcome === 'ok' && e.subject === 'alice')).toBe(true);
    expect(idpSteps('registration').some((e) => e.detail?.includes('cursor://anysphere.cursor-mcp/oauth/callback'))).toBe(true);
  });

  it('never carries a token, code, client secret or password', () => {
    expect(secrets.size).toBeGreaterThan(10);
    for (const event of events) {
      const text = JSON.stringify(event);
      for (const secret of secrets) expect(text.includes(secret), `${event.type} ${text.slice(0, 200)} leaks a secret`).toBe(false);
    }
  });
});
