/**
 * The resource server with JWT validation against an external issuer (keys the gateway does not
 * control): the bad-token corpus, key rotation, the IdP going down, relaxed audience, metadata,
 * CORS, step-up and session binding. Nothing with a bad token may reach the upstream.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { base64url, exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { AuthTokenEvent } from '../../shared/trace-events.js';
import { startRecordingApi, type RecordingApi } from '../fixtures/recording-api.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'corpus', version: '1' } },
};

describe('JWT resource server against an external issuer', () => {
  let issuer: TestIssuer;
  let api: RecordingApi;
  let gateway: RunningGateway;
  let dataDir: string;
  const events: AuthTokenEvent[] = [];

  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: 'alice',
    client_id: 'corpus-client',
    scope: 'orders:read',
    groups: ['warehouse-ops'],
    aud: gateway.url('/shop'),
    ...overrides,
  });

  const post = (route: string, token: string | undefined, body: unknown = INITIALIZE, headers: Record<string, string> = {}) =>
    fetch(gateway.url(route), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-auth-'));
    issuer = await startTestIssuer();
    api = await startRecordingApi();
    const upstream = {
      name: 'api',
      kind: 'rest',
      base_url: api.url,
      tools: [
        { name: 'list-things', method: 'GET', path: '/things' },
        { name: 'delete-thing', method: 'DELETE', path: '/things/{id}', parameters: [{ name: 'id', in: 'path' }] },
      ],
    };
    const auth = { issuer: issuer.issuer, scopes_supported: ['orders:read', 'orders:write'], tool_scopes: { 'delete-thing': ['orders:write'] } };
    gateway = await startGateway({
      dataDir,
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [
          { path: '/shop', auth, upstreams: [upstream] },
          { path: '/other', auth: { ...auth, jwks_cooldown_s: 1 }, upstreams: [upstream] },
          { path: '/relaxed', auth: { ...auth, insecure_relaxed_audience_validation: true }, upstreams: [upstream] },
          { path: '/keycloak', auth: { issuer: issuer.issuer, claims: { groups: ['realm_access.roles'] } }, upstreams: [upstream] },
        ],
      }),
    });
    gateway.trace.subscribe((event) => {
      if (event.type === 'auth.token') events.push(event);
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await api?.close();
    await issuer?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('the bad-token corpus: 401, the right challenge, nothing upstream', () => {
    const corpus: Array<[string, () => Promise<string | undefined>, RegExp | null]> = [
      ['no token', async () => undefined, null],
      ['malformed', async () => 'not-a-jwt', /not a JWT/],
      ['alg none', async () => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims({ iss: issuer.issuer, exp: Math.floor(Date.now() / 1000) + 300 })))}.`, /algorithm|malformed/],
      [
        'HS256 signed with the RSA public key',
        async () => {
          const pem = await exportSPKI((await importJWK(issuer.publicJwk(), 'RS256', { extractable: true })) as CryptoKey);
          return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).setIssuer(issuer.issuer).setExpirationTime('5m').sign(new TextEncoder().encode(pem));
        },
        /algorithm/,
      ],
      ['expired', async () => issuer.sign(claims(), { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
      ['not yet valid', async () => issuer.sign(claims(), { notBefore: Math.floor(Date.now() / 1000) + 3600 }), /not valid yet/],
      ['wrong issuer', async () => issuer.sign(claims({ iss: 'http://evil.example' })), /issued by "http:\/\/evil\.example"/],
      ['wrong audience', async () => issuer.sign(claims({ aud: 'account' })), /audience 'account' does not match resource/],
      ['bad signature', async () => {
        const [h, p, s] = (await issuer.sign(claims())).split('.');
        return `${h}.${p}.${s!.slice(0, -6)}${s!.slice(-6).split('').reverse().join('')}`;
      }, /signature does not verify/],
      ['unknown kid', async () => issuer.sign(claims(), { key: 'unpublished', kid: 'ghost' }), /unknown kid/],
      ['token for another route', async () => issuer.sign(claims({ aud: gateway.url('/other') })), /does not match resource/],
      ['no group', async () => issuer.sign(claims({ groups: [] })), /carries no group/],
    ];

    it.each(corpus)('%s', async (_name, make, description) => {
      const before = api.requests.length;
      const response = await post('/shop', await make());
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate')!;
      expect(challenge).toContain(`resource_metadata="${gateway.url('/.well-known/oauth-protected-resource/shop')}"`);
      expect(challenge).toContain('scope="orders:read orders:write"');
      if (description) {
        expect(challenge).toContain('error="invalid_token"');
        expect(((await response.json()) as { error_description: string }).error_description).toMatch(description);
      } else {
        expect(challenge).not.toContain('error=');
      }
      expect(api.requests.length).toBe(before);
    });

    it('traces each rejection with the failing claim and the token shortened', () => {
      const audience = events.find((e) => e.outcome === 'rejected' && e.claim === 'aud')!;
      expect(audience).toMatchObject({ reason: 'check_failed', status: 401, error: 'invalid_token' });
      expect(audience.token).toMatch(/^.{8}….{3}$/);
      expect(JSON.stringify(events)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
    });
  });

  it('a valid token lists and calls tools; the Authorization header never reaches the upstream', async () => {
    const token = await issuer.sign(claims());
    const client = new Client({ name: 'good', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/shop')), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['list-things', 'delete-thing']);
    const result = await client.callTool({ name: 'list-things', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
    const seen = api.requests.at(-1)!;
    expect(seen.path).toBe('/things');
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(api.requests)).not.toContain(token);
  });

  it('step-up: a tool needing a scope the token lacks gets 403 insufficient_scope, and works with it', async () => {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete-thing', arguments: { id: '7' } } };
    const session = await post('/shop', await issuer.sign(claims()));
    const sessionId = session.headers.get('mcp-session-id')!;
    const denied = await post('/shop', await issuer.sign(claims()), call, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]*orders:write[^"]*", scope="orders:write", resource_metadata="/);

    const upgraded = await issuer.sign(claims({ scope: 'orders:read orders:write' }));
    const fresh = await post('/shop', upgraded);
    const allowed = await post('/shop', upgraded, call, { 'mcp-session-id': fresh.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('/things/7');
  });

  it('a session belongs to who opened it: another subject on it gets 403', async () => {
    const opened = await post('/shop', await issuer.sign(claims()));
    expect(opened.status).toBe(200);
    const ping = { jsonrpc: '2.0', id: 3, method: 'ping' };
    const headers = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    expect((await post('/shop', await issuer.sign(claims()), ping, headers)).status).toBe(200);
    const stolen = await post('/shop', await issuer.sign(claims({ sub: 'mallory' })), ping, headers);
    expect(stolen.status).toBe(403);
    expect(((await stolen.json()) as { error: { message: string } }).error.message).toMatch(/opened by another user/);
  });

  it('reads groups from a configured claim path (Keycloak realm_access.roles)', async () => {
    const ok = await post('/keycloak', await issuer.sign(claims({ groups: undefined, realm_access: { roles: ['ops'] }, aud: gateway.url('/keycloak') })));
    expect(ok.status).toBe(200);
  });

  it('relaxed audience lets a foreign aud through, with a warning in the trace', async () => {
    const response = await post('/relaxed', await issuer.sign(claims({ aud: 'account' })));
    expect(response.status).toBe(200);
    const event = events.findLast((e) => e.route === '/relaxed' && e.outcome === 'valid')!;
    expect(event.warnings?.[0]).toMatch(/relaxed audience/);
  });

  it('serves Protected Resource Metadata at the path-suffixed URI, open to browsers', async () => {
    const response = await fetch(gateway.url('/.well-known/oauth-protected-resource/shop'), { headers: { origin: 'http://localhost:6274' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      resource: gateway.url('/shop'),
      authorization_servers: [issuer.issuer],
      scopes_supported: ['orders:read', 'orders:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Gatehouse /shop',
    });
    // Several protected routes: the root form cannot choose, so it is not served.
    expect((await fetch(gateway.url('/.well-known/oauth-protected-resource'))).status).toBe(404);
  });

  it('the resource URL follows the local name the client used', async () => {
    const url = gateway.url('/.well-known/oauth-protected-resource/shop').replace('127.0.0.1', 'localhost');
    expect(((await (await fetch(url)).json()) as { resource: string }).resource).toBe(gateway.url('/shop').replace('127.0.0.1', 'localhost'));
    const token = await issuer.sign(claims({ aud: gateway.url('/shop').replace('127.0.0.1', 'localhost') }));
    expect((await post('/shop', token)).status).toBe(200);
  });

  it('browser clients can read the 401 challenge; preflights need no token', async () => {
    const response = await post('/shop', undefined, INITIALIZE, { origin: 'http://localhost:6274' });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(response.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    const preflight = await fetch(gateway.url('/shop'), {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  // On /other, whose keys may be refetched after 1 s (jwks_cooldown_s; the default is 30 s).
  it('key rotation: a token signed with a new key is accepted after one JWKS refresh', async () => {
    const other = () => claims({ aud: gateway.url('/other') });
    expect((await post('/other', await issuer.sign(other()))).status).toBe(200);
    await issuer.rotate();
    // A new kid within the cooldown is refused without a fetch: refreshes are rate-limited.
    const early = issuer.jwksFetches;
    expect((await post('/other', await issuer.sign(other()))).status).toBe(401);
    expect(issuer.jwksFetches).toBe(early);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fetchesBefore = issuer.jwksFetches;
    expect((await post('/other', await issuer.sign(other()))).status).toBe(200);
    expect(issuer.jwksFetches).toBe(fetchesBefore + 1);
    expect((await post('/other', await issuer.sign(other()))).status).toBe(200);
    expect(issuer.jwksFetches).toBe(fetchesBefore + 1);
  });

  it('a token verified once is not verified again on the route, and what is not about its signature is still checked every time', async () => {
    // /other: its short JWKS cooldown picks up the keys the rotation test above made.
    const cache = gateway.routes.get('/other')!.resourceServer!.verifiedJwts;
    // A jti of its own: RS256 signatures are deterministic, and an identical token may have been verified before.
    const token = await issuer.sign(claims({ aud: gateway.url('/other'), jti: randomUUID() }));
    const seen = events.length;
    expect((await post('/other', token)).status).toBe(200);
    const hits = cache.hits;
    expect((await post('/other', token)).status).toBe(200);
    expect(cache.hits).toBe(hits + 1);
    expect(events.slice(seen).filter((event) => event.outcome === 'valid').map((event) => event.cached ?? false)).toEqual([false, true]);
    // The cached payload still goes through the scope check: delete-thing needs orders:write.
    const stepUp = await post('/other', token, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete-thing', arguments: { id: '1' } } });
    expect(stepUp.status).toBe(403);
    expect(stepUp.headers.get('www-authenticate')).toContain('insufficient_scope');
    // A token that failed verification is never remembered: checked (and refused) each time.
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${base64url.encode('not the signature')}`;
    const [hitsBefore, missesBefore] = [cache.hits, cache.misses];
    expect((await post('/other', forged)).status).toBe(401);
    expect((await post('/other', forged)).status).toBe(401);
    expect([cache.hits - hitsBefore, cache.misses - missesBefore]).toEqual([0, 2]);
  });

  it('the IdP down: tokens keep validating with the cached keys, and after it returns', async () => {
    const token = await issuer.sign(claims({ aud: gateway.url('/other') }));
    await issuer.stop();
    try {
      expect((await post('/other', token)).status).toBe(200);
    } finally {
      await issuer.start();
    }
    expect((await post('/other', await issuer.sign(claims({ aud: gateway.url('/other') })))).status).toBe(200);
  });
});
