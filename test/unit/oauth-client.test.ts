/**
 * The gateway's OAuth client on its own, against real HTTP servers on loopback: what it refuses
 * (no PKCE S256, a forged state, an authorization server it cannot register with) and the
 * message each refusal gives, the one-shot loopback redirect, the config block's checks, and
 * that a gateway without tokens asks for a login without touching the network.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { upstreamOAuthSchema, type UpstreamOAuthConfig } from '../../main/config/schema.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import type { BrowserStep } from '../../main/upstream/oauth/browser-step.js';
import { EphemeralSecretStore } from '../../main/upstream/oauth/ephemeral-secret-store.js';
import { listenForRedirect } from '../../main/upstream/oauth/loopback-redirect.js';
import { AuthorizationNeeded, OAuthClientError } from '../../main/upstream/oauth/oauth-client-error.js';
import { registrationAdvice } from '../../main/upstream/oauth/registration-advice.js';
import { openSystemBrowser } from '../../main/upstream/oauth/system-browser.js';
import { UpstreamOAuth } from '../../main/upstream/oauth/upstream-oauth.js';
import { startSecondIdp, type SecondIdp } from '../fixtures/second-idp.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';

/** A resource server that only answers 401 and its Protected Resource Metadata (RFC 9728). */
interface BareResource {
  url: string;
  hits: number;
  close(): Promise<void>;
}

async function startBareResource(authorizationServer: () => string): Promise<BareResource> {
  const app = express();
  const state = { hits: 0, port: 0 };
  app.use((_req, _res, next) => {
    state.hits += 1;
    next();
  });
  app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
    res.json({ resource: `http://127.0.0.1:${state.port}/mcp`, authorization_servers: [authorizationServer()], scopes_supported: ['mcp:tools'] });
  });
  app.all('/mcp', (_req, res) => {
    res.status(401).set('WWW-Authenticate', `Bearer resource_metadata="http://127.0.0.1:${state.port}/.well-known/oauth-protected-resource/mcp"`).end();
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  state.port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${state.port}/mcp`,
    get hits() {
      return state.hits;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An authorization server whose RFC 8414 metadata leaves PKCE out (as Cognito's does). */
async function startAsWithoutPkce(): Promise<{ issuer: string; close(): Promise<void> }> {
  const app = express();
  let port = 0;
  app.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.json({ issuer: `http://127.0.0.1:${port}`, authorization_endpoint: `http://127.0.0.1:${port}/authorize`, token_endpoint: `http://127.0.0.1:${port}/token`, registration_endpoint: `http://127.0.0.1:${port}/register`, response_types_supported: ['code'] });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  port = (server.address() as AddressInfo).port;
  return { issuer: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function securedUpstream(url: string, auth: Partial<UpstreamOAuthConfig> = {}) {
  return { name: 'remote', kind: 'http' as const, url, timeout_ms: 10_000, auth: upstreamOAuthSchema.parse({ type: 'oauth', ...auth }) };
}

/** A "browser" that returns what the test says came back to the redirect URI. */
function answeringBrowser(answer: (authorizationUrl: URL) => URLSearchParams): BrowserStep & { visited: URL[] } {
  const visited: URL[] = [];
  return {
    visited,
    redirectUri: () => Promise.resolve('http://127.0.0.1:49999/callback'),
    visit: (url) => {
      visited.push(url);
      return Promise.resolve(answer(url));
    },
    close() {},
  };
}

describe('config: the upstream auth block', () => {
  it('defaults: random loopback port, resource parameter on, two step-ups', () => {
    expect(upstreamOAuthSchema.parse({ type: 'oauth' })).toMatchObject({ grant: 'authorization_code', redirect_port: 0, resource_parameter: true, max_step_up: 2, scopes: [], signing_algorithm: 'RS256' });
  });

  it('a machine client: client_credentials with a secret, or with a private key', () => {
    expect(upstreamOAuthSchema.safeParse({ type: 'oauth', grant: 'client_credentials', client_id: 'c', client_secret: 's' }).success).toBe(true);
    expect(upstreamOAuthSchema.safeParse({ type: 'oauth', grant: 'client_credentials', client_id: 'c', token_endpoint_auth_method: 'private_key_jwt', private_key_file: './k.pem' }).success).toBe(true);
  });

  it.each([
    [{ client_secret: 's' }, 'client_secret without client_id'],
    [{ client_id: 'c', token_endpoint_auth_method: 'client_secret_post' }, 'needs client_secret'],
    [{ client_id: 'c', token_endpoint_auth_method: 'private_key_jwt' }, 'private_key_jwt needs private_key_file or private_key_jwk'],
    [{ client_metadata_url: 'http://example.com/client.json' }, 'must be an https URL with a path'],
    [{ grant: 'client_credentials' }, 'grant client_credentials needs the client_id'],
    [{ grant: 'client_credentials', client_id: 'c' }, 'grant client_credentials needs client_secret'],
    [{ grant: 'client_credentials', client_id: 'c', token_endpoint_auth_method: 'none' }, 'needs a client that authenticates'],
    [{ grant: 'client_credentials', client_id: 'c', client_secret: 's', client_metadata_url: 'https://example.com/client.json' }, 'client_metadata_url is for browser logins'],
  ])('%j is refused: %s', (auth, message) => {
    const result = upstreamOAuthSchema.safeParse({ type: 'oauth', ...auth });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});

describe('the loopback redirect (RFC 8252 §7.3)', () => {
  it('listens on 127.0.0.1, a random port, takes exactly one callback', async () => {
    const redirect = await listenForRedirect({ port: 0, timeoutMs: 10_000 });
    redirect.expectState('xyz');
    const uri = new URL(redirect.redirectUri);
    expect(uri.hostname).toBe('127.0.0.1');
    expect(Number(uri.port)).toBeGreaterThan(0);
    expect(uri.pathname).toBe('/callback');
    const page = await fetch(`${redirect.redirectUri}?code=abc&state=xyz`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Gatehouse is logged in');
    const params = await redirect.received;
    expect([params.get('code'), params.get('state')]).toEqual(['abc', 'xyz']);
    await expect(fetch(`${redirect.redirectUri}?code=again`)).rejects.toThrow();
  });

  it('once it knows the state it waits for, turns other callbacks away and keeps waiting (RFC 6749 §10.12)', async () => {
    const redirect = await listenForRedirect({ port: 0, timeoutMs: 10_000 });
    try {
      // Before the authorization request is sent, no callback is taken, whatever it carries.
      expect((await fetch(`${redirect.redirectUri}?code=early&state=expected-state`)).status).toBe(400);
      redirect.expectState('expected-state');
      let settled = false;
      void redirect.received.then(() => (settled = true));
      for (const query of ['code=stolen&state=other-state', 'code=no-state', 'error=access_denied&state=other-state']) {
        const page = await fetch(`${redirect.redirectUri}?${query}`);
        expect(page.status, query).toBe(400);
        expect(await page.text()).toContain('Not the login Gatehouse is waiting for');
      }
      expect(settled).toBe(false);
      const page = await fetch(`${redirect.redirectUri}?code=abc&state=expected-state`);
      expect(page.status).toBe(200);
      expect((await redirect.received).get('code')).toBe('abc');
    } finally {
      redirect.close();
    }
  });

  it('shows an error answer as text, and gives up after its timeout with a message', async () => {
    const redirect = await listenForRedirect({ port: 0, timeoutMs: 10_000 });
    redirect.expectState(undefined);
    const page = await fetch(`${redirect.redirectUri}?error=access_denied&error_description=${encodeURIComponent('<script>x</script>')}`);
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain('<script>');
    const late = await listenForRedirect({ port: 0, timeoutMs: 50 });
    await expect(late.received).rejects.toThrow(/no answer from the browser within/);
  });
});

describe('the system browser opener', () => {
  it('opens only http(s) URLs (an upstream picks the authorization server)', async () => {
    await expect(openSystemBrowser('javascript:alert(1)')).rejects.toThrow(/refusing to open javascript: URL/);
    await expect(openSystemBrowser('file:///etc/passwd')).rejects.toThrow(/refusing to open file: URL/);
  });
});

describe('the OAuth client refuses what the spec forbids, and says what to do', () => {
  let issuer: TestIssuer;
  let idp: SecondIdp;
  let noPkce: { issuer: string; close(): Promise<void> };
  const resources: BareResource[] = [];

  beforeAll(async () => {
    [issuer, idp, noPkce] = await Promise.all([startTestIssuer(), startSecondIdp(), startAsWithoutPkce()]);
  });

  afterAll(async () => {
    await Promise.all(resources.map((resource) => resource.close()));
    await Promise.all([issuer?.close(), idp?.close(), noPkce?.close()]);
  });

  async function resourceOf(as: () => string): Promise<BareResource> {
    const resource = await startBareResource(as);
    resources.push(resource);
    return resource;
  }

  it('an authorization server that does not advertise PKCE S256: refused before any registration', async () => {
    const resource = await resourceOf(() => noPkce.issuer);
    const trace = new TraceBus();
    const browser = answeringBrowser(() => new URLSearchParams());
    const oauth = new UpstreamOAuth({ store: new EphemeralSecretStore(), trace, browser: () => browser });
    const attempt = oauth.authorizer(securedUpstream(resource.url), '/team').fetch(fetch)(resource.url, { method: 'POST', body: '{}' });
    await expect(attempt).rejects.toThrow(OAuthClientError);
    await expect(attempt).rejects.toThrow(/does not advertise PKCE S256 \(its metadata has no code_challenge_methods_supported\).*ask its administrator to enable PKCE/);
    expect(browser.visited).toEqual([]);
    const refused = trace.recent().find((event) => event.type === 'oauth.client' && event.step === 'authorization-server-metadata');
    expect(refused).toMatchObject({ outcome: 'error', upstream: 'remote', route: '/team' });
  });

  it('no configured client, no CIMD, no registration endpoint: a message naming what to configure', async () => {
    const resource = await resourceOf(() => issuer.issuer);
    const oauth = new UpstreamOAuth({ store: new EphemeralSecretStore(), browser: () => answeringBrowser(() => new URLSearchParams()) });
    const attempt = oauth.authorizer(securedUpstream(resource.url), '/team').fetch(fetch)(resource.url, { method: 'POST', body: '{}' });
    await expect(attempt).rejects.toMatchObject({ code: 'registration_unavailable' });
    await expect(attempt).rejects.toThrow(/offers no dynamic client registration and upstream team\/remote has no client for it — register Gatehouse there .* and set auth\.client_id/);
  });

  it('names the fix for the IdPs without open registration', () => {
    expect(registrationAdvice('https://login.microsoftonline.com/tenant/v2.0', 'r/u', false)).toMatch(/Microsoft Entra ID.*App registrations.*resource_parameter: false/);
    expect(registrationAdvice('https://accounts.google.com', 'r/u', false)).toMatch(/Google.*Desktop app.*client_secret/);
    expect(registrationAdvice('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', 'r/u', false)).toMatch(/Amazon Cognito/);
    expect(registrationAdvice('https://dev-1.okta.com/oauth2/default', 'r/u', true)).toMatch(/Okta.*auth\.client_metadata_url/);
  });

  it('a callback whose state the client did not send is ignored (CSRF), no code exchanged', async () => {
    const resource = await resourceOf(() => idp.issuer);
    idp.protect(resource.url, ['mcp:tools']);
    const trace = new TraceBus();
    const browser = answeringBrowser(() => new URLSearchParams({ code: 'stolen-code', state: 'forged', iss: idp.issuer }));
    const oauth = new UpstreamOAuth({ store: new EphemeralSecretStore(), trace, browser: () => browser });
    const attempt = oauth.authorizer(securedUpstream(resource.url), '/team').fetch(fetch)(resource.url, { method: 'POST', body: '{}' });
    await expect(attempt).rejects.toMatchObject({ code: 'state_mismatch' });
    // The request that was sent: PKCE S256, the resource indicator, the scope from the metadata, a state.
    const sent = browser.visited[0]!;
    expect(sent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sent.searchParams.get('resource')).toBe(resource.url);
    expect(sent.searchParams.get('scope')).toContain('mcp:tools');
    expect(sent.searchParams.get('state')).not.toBe('forged');
    expect(trace.recent().some((event) => event.type === 'oauth.client' && event.step === 'token')).toBe(false);
    const registered = trace.recent().find((event) => event.type === 'oauth.client' && event.step === 'registration');
    expect(registered).toMatchObject({ outcome: 'ok', issuer: idp.issuer });
    // The upstream's 401 that started the login is flagged as the challenge it is; the failure is not.
    const steps = trace.recent().flatMap((event) => (event.type === 'oauth.client' ? [event] : []));
    expect(steps[0]).toMatchObject({ step: 'authorize', outcome: 'error', challenge: true, detail: expect.stringMatching(/^401 from the upstream/) });
    expect(steps.filter((event) => event.challenge)).toHaveLength(1);
    expect(steps.at(-1)).toMatchObject({ step: 'callback', outcome: 'error' });
  });

  it('in the gateway (no browser), an upstream without stored tokens needs a login — and no request is sent', async () => {
    const resource = await resourceOf(() => idp.issuer);
    const oauth = new UpstreamOAuth({ store: new EphemeralSecretStore() });
    const attempt = oauth.authorizer(securedUpstream(resource.url), '/team').fetch(fetch)(resource.url, { method: 'POST', body: '{}' });
    await expect(attempt).rejects.toThrow(AuthorizationNeeded);
    await expect(attempt).rejects.toThrow('upstream "remote" needs a login (no stored tokens) — run `gatehouse login team/remote` or log in from the Gatehouse window');
    expect(resource.hits).toBe(0);
  });
});
