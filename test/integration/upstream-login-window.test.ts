/**
 * Logging the gateway in to a secured upstream from the window (issues #5 and #7): Gatehouse
 * launched as the CLI and the app launch it (launchGatehouse, a real config file, a private
 * gnome-keyring), with server-everything behind its own resource server whose authorization
 * server is a second oidc-provider. The test is the window — it only speaks the admin API — and
 * the person at the browser: the injected opener records where the browser was sent, and the
 * test signs in there. The routes list shows the login state; after the login the upstream
 * connects and its tools work through the gateway; a logout revokes and forgets the tokens.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import type { AdminError, RouteSummary, UpstreamLoginStarted, UpstreamLogoutResult, UpstreamSummary } from '../../shared/admin-api.js';
import type { TraceEvent } from '../../shared/trace-events.js';
import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { KEYCHAIN_SERVICE_ENV, openSecretStore, type SecretStore } from '../../main/secrets/secret-store.js';
import { startProtectedEverything, type ProtectedEverything } from '../fixtures/protected-everything.js';
import { UPSTREAM_USER, startSecondIdp, type SecondIdp } from '../fixtures/second-idp.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';
import { completeAuthorization } from '../helpers/oauth-login.js';
import { startTestKeychain, useTestKeychainInThisProcess, type TestKeychain } from '../helpers/test-keychain.js';

const ROUTE = '/secured';
/**
 * How long a login may take to show as connected: shorter than the supervisor's own 15 s re-read
 * of the secret store (AUTH_RECHECK_MS in supervised-upstream.ts), so only the immediate
 * reconnect after the login passes — a bound, not a latency figure.
 */
const BEFORE_THE_PERIODIC_RECHECK_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      last = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('logging in to a secured upstream from the window', () => {
  let keychain: TestKeychain;
  let dir: string;
  let service: string;
  let previousService: string | undefined;
  let idp: SecondIdp;
  let everything: ServerEverythingHttp;
  let upstream: ProtectedEverything;
  let inbound: TestIssuer;
  let launched: LaunchedGatehouse;
  let store: SecretStore;
  /** Where the browser was sent, in order. */
  const opened: string[] = [];
  /** Set to make the next opener fail, as on a machine without a browser. */
  let noBrowser: string | undefined;

  async function api<T>(pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${launched.admin.url}/api${pathname}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${launched.admin.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function securedSummary(): Promise<UpstreamSummary> {
    const { body } = await api<RouteSummary[]>('/routes');
    return body.find((route) => route.path === ROUTE)!.upstreams.find((candidate) => candidate.name === 'everything')!;
  }

  /** The person at the browser: signs in at the upstream's IdP; the browser follows the redirect to Gatehouse's loopback listener. */
  async function signInAt(authorizationUrl: string): Promise<string> {
    const answer = await completeAuthorization(authorizationUrl, UPSTREAM_USER);
    return (await fetch(answer.redirectUrl)).text();
  }

  async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const token = await inbound.sign({ sub: 'alice', client_id: 'ide', aud: launched.gateway.url(ROUTE) });
    const client = new Client({ name: 'upstream-login-window-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(launched.gateway.url(ROUTE)), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  }

  const storedTokenIssuers = async () => (await store.list()).filter((entry) => entry.kind === 'tokens' && entry.resource === upstream.url).map((entry) => entry.issuer);

  beforeAll(async () => {
    keychain = await startTestKeychain();
    useTestKeychainInThisProcess(keychain);
    service = `gatehouse-test-${randomBytes(4).toString('hex')}`;
    // launchGatehouse opens the secret store from the environment, as the app does.
    previousService = process.env[KEYCHAIN_SERVICE_ENV];
    process.env[KEYCHAIN_SERVICE_ENV] = service;
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-upstream-login-'));
    idp = await startSecondIdp();
    everything = await startServerEverythingHttp('streamableHttp');
    upstream = await startProtectedEverything({ issuer: idp.issuer, upstreamUrl: everything.url, scopes: ['mcp:tools'] });
    idp.protect(upstream.url, ['mcp:tools']);
    inbound = await startTestIssuer();
    const configFile = path.join(dir, 'gatehouse.yaml');
    await writeFile(
      configFile,
      stringify({
        listen: { port: 0 },
        routes: [
          {
            path: ROUTE,
            prefix: 'always',
            auth: { issuer: inbound.issuer, groups_optional: true },
            upstreams: [
              { name: 'everything', kind: 'http', url: upstream.url, auth: { type: 'oauth' } },
              { name: 'plain', kind: 'http', url: everything.url },
            ],
          },
        ],
      }),
    );
    const rendererDir = path.join(dir, 'renderer');
    await mkdtemp(rendererDir);
    launched = await launchGatehouse({
      configPath: configFile,
      port: 0,
      dataDir: dir,
      rendererDir,
      openBrowser: async (url) => {
        opened.push(url);
        if (noBrowser) throw new Error(noBrowser);
      },
    });
    store = await openSecretStore({ dataDir: dir, service });
  }, 60_000);

  afterAll(async () => {
    await launched?.close();
    await Promise.all([upstream?.close(), everything?.close(), inbound?.close()]);
    await idp?.close();
    await keychain?.stop();
    if (previousService === undefined) delete process.env[KEYCHAIN_SERVICE_ENV];
    else process.env[KEYCHAIN_SERVICE_ENV] = previousService;
    await rm(dir, { recursive: true, force: true });
  });

  it('before any login the route card shows auth_needed and login needed; the plain upstream has no login', async () => {
    expect(launched.warnings).toEqual([]);
    const secured = await until('auth_needed', async () => {
      const summary = await securedSummary();
      return summary.state === 'auth_needed' ? summary : undefined;
    });
    expect(secured.login).toEqual({ state: 'needed' });
    expect(secured.detail).toContain('gatehouse login secured/everything');
    const { body } = await api<RouteSummary[]>('/routes');
    const plain = body.find((route) => route.path === ROUTE)!.upstreams.find((candidate) => candidate.name === 'plain')!;
    expect(plain.login).toBeUndefined();
  });

  it('refuses to log in to an upstream without auth or one that does not exist, saying what to fix', async () => {
    const plain = await api<AdminError>('/upstream-login', { route: ROUTE, upstream: 'plain' });
    expect(plain.status).toBe(400);
    expect(plain.body.message).toContain('add auth: {type: oauth}');
    const missing = await api<AdminError>('/upstream-login', { route: ROUTE, upstream: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('everything, plain');
    const noRoute = await api<AdminError>('/upstream-logout', { route: '/nowhere', upstream: 'everything' });
    expect(noRoute.status).toBe(404);
    expect(opened).toEqual([]);
  });

  it('POST /api/upstream-login opens the browser at the IdP and answers at once; the login completes in the background and the upstream connects', async () => {
    const started = await api<UpstreamLoginStarted>('/upstream-login', { route: ROUTE, upstream: 'everything' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.state).toBe('waiting_for_browser');
    if (started.body.state !== 'waiting_for_browser') return;
    expect(started.body.browserOpened).toBe(true);
    expect(opened).toEqual([started.body.authorizationUrl]);
    const authorize = new URL(started.body.authorizationUrl);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('resource')).toBe(upstream.url);
    expect(new URL(authorize.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');

    // A second click while the browser is awaited: the same login, no second browser.
    const again = await api<UpstreamLoginStarted>('/upstream-login', { route: ROUTE, upstream: 'everything' });
    expect(again.body).toEqual(started.body);
    expect(opened).toHaveLength(1);
    expect((await securedSummary()).login?.state).toBe('needed');

    expect(await signInAt(started.body.authorizationUrl)).toContain('Gatehouse is logged in');
    const connected = await until('connected and logged in', async () => {
      const summary = await securedSummary();
      return summary.state === 'connected' && summary.login?.state === 'logged_in' ? summary : undefined;
    }, BEFORE_THE_PERIODIC_RECHECK_MS);
    expect(connected.login).toEqual({ issuer: idp.issuer, state: 'logged_in' });
    expect(await storedTokenIssuers()).toEqual([idp.issuer]);

    const { body: trace } = await api<TraceEvent[]>('/trace?after=0&limit=5000');
    const steps = trace.flatMap((event) => (event.type === 'oauth.client' && event.upstream === 'everything' && event.route === ROUTE && event.outcome === 'ok' ? [event.step] : []));
    expect(steps).toEqual(expect.arrayContaining(['authorize', 'callback', 'token']));
  });

  it("the upstream's tools then work through the gateway, with the gateway's own token", async () => {
    const result = await until('the echo through the secured upstream', () =>
      withClient(async (client) => {
        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        if (!tools.includes('everything_echo')) return undefined;
        return client.callTool({ name: 'everything_echo', arguments: { message: 'logged in from the window' } });
      }),
    );
    expect(JSON.stringify(result)).toContain('Echo: logged in from the window');
    expect(upstream.tokensSeen.length).toBeGreaterThan(0);
  });

  it('POST /api/upstream-logout revokes at the IdP and forgets the tokens; the upstream waits for a login again', async () => {
    const { status, body } = await api<UpstreamLogoutResult>('/upstream-logout', { route: ROUTE, upstream: 'everything' });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.forgotten).toBe(true);
    expect(body.detail).toMatch(/revoked at http:\/\/127\.0\.0\.1:\d+ \(refresh token\)/);
    expect(body.detail).toContain('removed from the OS keychain');
    expect(body.upstream.login).toEqual({ issuer: idp.issuer, state: 'needed' });
    expect(await storedTokenIssuers()).toEqual([]);
    const waiting = await until('auth_needed after the logout', async () => {
      const summary = await securedSummary();
      return summary.state === 'auth_needed' ? summary : undefined;
    });
    expect(waiting.login?.state).toBe('needed');
    const failure = await withClient((client) => client.callTool({ name: 'everything_echo', arguments: { message: 'still there?' } })).then(
      (result) => JSON.stringify(result),
      (error: unknown) => String(error),
    );
    expect(failure).toContain('needs a login');

    const nothing = await api<UpstreamLogoutResult>('/upstream-logout', { route: ROUTE, upstream: 'everything' });
    expect(nothing.body.forgotten).toBe(false);
  });

  it('without a browser the answer still carries the link, and opening it by hand logs in', async () => {
    noBrowser = 'could not start xdg-open to open the browser (spawn xdg-open ENOENT)';
    const started = await api<UpstreamLoginStarted>('/upstream-login', { route: ROUTE, upstream: 'everything' });
    noBrowser = undefined;
    expect(started.body).toMatchObject({ state: 'waiting_for_browser', browserOpened: false, browserProblem: expect.stringContaining('xdg-open') });
    if (started.body.state !== 'waiting_for_browser') return;
    await signInAt(started.body.authorizationUrl);
    await until('connected again', async () => {
      const summary = await securedSummary();
      return summary.state === 'connected' && summary.login?.state === 'logged_in' ? true : undefined;
    }, BEFORE_THE_PERIODIC_RECHECK_MS);
  });
});
