/**
 * Machine clients of the built-in identity provider (`idp.clients`): the client_credentials grant
 * (OAuth 2.1 §4.2, MCP extension SEP-1046) for the clients the config lists, and for nobody else.
 * Driven by openid-client 6 and plain fetch; tokens verified by jose against the published JWKS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtinIdpSchema, gatehouseConfigSchema } from '../../main/config/schema.js';
import { startBuiltinIdp, type IdpResource, type RunningIdp } from '../../main/idp/builtin-idp.js';
import { createClientMetadataValidator, EXTRA_CLIENT_PROPERTIES } from '../../main/idp/client-metadata.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import type { IdpStepEvent, TraceEvent } from '../../shared/trace-events.js';

const AGENT = { client_id: 'nightly-agent', client_secret: 'agent-Secret-for-tests-0123456789' };
const SHOP = 'http://127.0.0.1:8400/ecommerce-mcp';
const SUPPORT = 'http://127.0.0.1:8400/support-mcp';
const resources: IdpResource[] = [
  { resource: SHOP, scopes: ['orders:read', 'orders:write'], accessTokenFormat: 'jwt' },
  { resource: SUPPORT, scopes: ['tickets:read'], accessTokenFormat: 'opaque' },
];
const insecure = { execute: [oidc.allowInsecureRequests] };

let dataDir: string;
let idp: RunningIdp;
const events: TraceEvent[] = [];

function tokenRequest(body: Record<string, string>, basic?: { id: string; secret: string }): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  return fetch(`${idp.issuer}/token`, { method: 'POST', headers, body: new URLSearchParams(body) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-idp-machine-'));
  const trace = new TraceBus();
  trace.subscribe((event) => events.push(event));
  idp = await startBuiltinIdp({
    config: builtinIdpSchema.parse({
      kind: 'builtin',
      port: 0,
      users: [{ username: 'alice', password: 'alice-Pa55word-for-tests', groups: ['warehouse-ops'] }],
      clients: [{ ...AGENT, groups: ['warehouse-ops'], name: 'Nightly agent' }],
    }),
    dataDir,
    trace,
    resources: () => resources,
  });
});

afterAll(async () => {
  await idp?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the client_credentials grant for configured machine clients', () => {
  it('is advertised, and issues a JWT for the route asked for: sub is the client, its groups in the token', async () => {
    const config = await oidc.discovery(new URL(idp.issuer), AGENT.client_id, AGENT.client_secret, oidc.ClientSecretBasic(AGENT.client_secret), insecure);
    expect(config.serverMetadata().grant_types_supported).toContain('client_credentials');
    const tokens = await oidc.clientCredentialsGrant(config, { resource: SHOP, scope: 'orders:read' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { issuer: idp.issuer, audience: SHOP });
    expect(payload).toMatchObject({ sub: AGENT.client_id, client_id: AGENT.client_id, scope: 'orders:read', groups: ['warehouse-ops'] });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('issues an opaque token for an introspected route, whose introspection names the client as subject, with its groups', async () => {
    const response = await tokenRequest({ grant_type: 'client_credentials', resource: SUPPORT }, { id: AGENT.client_id, secret: AGENT.client_secret });
    const { access_token } = (await response.json()) as { access_token: string };
    const { introspection_endpoint } = (await (await fetch(`${idp.issuer}/.well-known/oauth-authorization-server`)).json()) as { introspection_endpoint: string };
    const { clientId, clientSecret } = idp.introspectionClient;
    const introspected = await fetch(introspection_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: access_token }),
    });
    expect(await introspected.json()).toMatchObject({ active: true, sub: AGENT.client_id, client_id: AGENT.client_id, aud: SUPPORT, groups: ['warehouse-ops'] });
  });

  it('takes the secret in the form too (client_secret_post)', async () => {
    const response = await tokenRequest({ grant_type: 'client_credentials', resource: SHOP, client_id: AGENT.client_id, client_secret: AGENT.client_secret });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong secret, an unknown client, and a resource that is no route of this IdP', async () => {
    const wrong = await tokenRequest({ grant_type: 'client_credentials', resource: SHOP }, { id: AGENT.client_id, secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
    const unknown = await tokenRequest({ grant_type: 'client_credentials', resource: SHOP }, { id: 'someone-else', secret: AGENT.client_secret });
    expect(unknown.status).toBe(401);
    const elsewhere = await tokenRequest({ grant_type: 'client_credentials', resource: 'http://127.0.0.1:9999/other' }, { id: AGENT.client_id, secret: AGENT.client_secret });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { error: string }).error).toBe('invalid_target');
    // Two routes here: without resource= no route is guessed, and the answer lists them.
    const unnamed = await tokenRequest({ grant_type: 'client_credentials', scope: 'orders:read' }, { id: AGENT.client_id, secret: AGENT.client_secret });
    expect(unnamed.status).toBe(400);
    const body = (await unnamed.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_target');
    expect(body.error_description).toContain(SHOP);
  });

  it('is not open to dynamically registered clients: registration asking for it is refused', async () => {
    const { registration_endpoint } = (await (await fetch(`${idp.issuer}/.well-known/oauth-authorization-server`)).json()) as { registration_endpoint: string };
    const response = await fetch(registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:33418/callback'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client_metadata');
    expect(body.error_description).toContain('idp.clients');
    // A person's client still registers as before.
    const person = await fetch(registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:33418/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    });
    expect(person.status).toBe(201);
  });

  it('is refused to a Client ID Metadata Document asking for it, which oidc-provider validates without a request, like a static client', () => {
    const validate = createClientMetadataValidator(new Set(['openid']), new Set([AGENT.client_id]));
    const document: ClientMetadata = { client_id: 'https://attacker.example/client.json', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none', redirect_uris: [] };
    expect(() => validate(undefined, EXTRA_CLIENT_PROPERTIES[0], undefined, document)).toThrow(expect.objectContaining({ error_description: expect.stringContaining('only for the machine clients listed in the Gatehouse config') }));
    const configured: ClientMetadata = { client_id: AGENT.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', redirect_uris: [] };
    expect(() => validate(undefined, EXTRA_CLIENT_PROPERTIES[0], undefined, configured)).not.toThrow();
  });

  it('traces the token step with the grant, the client and the audience, never the secret or the token', async () => {
    events.length = 0;
    const response = await tokenRequest({ grant_type: 'client_credentials', resource: SUPPORT }, { id: AGENT.client_id, secret: AGENT.client_secret });
    const { access_token } = (await response.json()) as { access_token: string };
    const step = events.find((event): event is IdpStepEvent => event.type === 'idp.step' && event.step === 'token');
    expect(step).toMatchObject({ outcome: 'ok', clientId: AGENT.client_id, resource: SUPPORT });
    expect(step?.detail).toContain('client_credentials: opaque access token');
    const text = JSON.stringify(events);
    expect(text).not.toContain(AGENT.client_secret);
    expect(text).not.toContain(access_token);
  });
});

describe('idp.clients in the config', () => {
  const base = { routes: [{ path: '/x', upstreams: [{ name: 'a', kind: 'http', url: 'http://127.0.0.1:1/mcp' }] }] };
  it.each([
    [[{ client_id: 'gatehouse-gateway', client_secret: 's' }], "the gateway's own client"],
    [[{ client_id: 'a', client_secret: 's' }, { client_id: 'a', client_secret: 't' }], 'listed twice'],
    [[{ client_id: 'a b', client_secret: 's' }], 'letters, digits'],
    [[{ client_id: 'a' }], 'client_secret'],
    [[{ client_id: 'ci:job', client_secret: 's' }], 'letters, digits'],
    [[{ client_id: 'alice', client_secret: 's' }], 'has the name of a user'],
  ])('%j is refused: %s', (clients, message) => {
    const result = gatehouseConfigSchema.safeParse({ ...base, idp: { kind: 'builtin', clients } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
