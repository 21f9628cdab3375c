/**
 * A secured upstream (issue #7): server-everything behind its own resource server, whose
 * authorization server is a second oidc-provider. The gateway logs in with its own credentials
 * (the test plays the person at the browser), keeps them in a real keychain (a private
 * gnome-keyring), survives a restart without a new login, refreshes a short-lived token with
 * rotation, and after revocation at the IdP asks for a login again — while the upstream never
 * sees the token the gateway's own client presented.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { gatehouseConfigSchema, type GatehouseConfig } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { KEYCHAIN_SERVICE_ENV, openSecretStore, type SecretStore } from '../../main/secrets/secret-store.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import type { TokenSet } from '../../main/upstream/oauth/credential-vault.js';
import { login, tokensList, tokensRevoke } from '../../main/upstream/oauth/oauth-cli.js';
import { UpstreamOAuth, installUpstreamOAuth, routeFinder } from '../../main/upstream/oauth/upstream-oauth.js';
import type { SupervisedUpstream } from '../../main/upstream/supervised-upstream.js';
import { startProtectedEverything, type ProtectedEverything } from '../fixtures/protected-everything.js';
import { UPSTREAM_USER, startSecondIdp, type SecondIdp } from '../fixtures/second-idp.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';
import { completeAuthorization } from '../helpers/oauth-login.js';
import { startTestKeychain, useTestKeychainInThisProcess, type TestKeychain } from '../helpers/test-keychain.js';

/** Short enough that the test sees a refresh, long enough for a login to finish. */
const ACCESS_TOKEN_TTL_S = 4;
const TARGET = 'secured/everything';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a secured upstream: the gateway logs in with its own tokens, kept in the OS keychain', () => {
  let keychain: TestKeychain;
  let dir: string;
  let configFile: string;
  let config: GatehouseConfig;
  let env: NodeJS.ProcessEnv;
  let idp: SecondIdp;
  let everything: ServerEverythingHttp;
  let upstream: ProtectedEverything;
  let inbound: TestIssuer;
  let gateway: RunningGateway | undefined;
  let trace: TraceBus;
  let store: SecretStore;
  const opened: URL[] = [];
  const output: string[] = [];
  const cli = () => ({
    dataDir: dir,
    env,
    out: (line: string) => output.push(line),
    err: (line: string) => output.push(line),
    // The person at the browser: signs in at the second IdP, and the browser follows the
    // redirect to Gatehouse's loopback listener.
    opener: async (url: string) => {
      opened.push(new URL(url));
      const answer = await completeAuthorization(url, UPSTREAM_USER);
      await (await fetch(answer.redirectUrl)).text();
    },
  });

  async function startGatewayFresh(): Promise<void> {
    trace = new TraceBus();
    store = await openSecretStore({ dataDir: dir, service: env[KEYCHAIN_SERVICE_ENV] });
    installUpstreamOAuth(new UpstreamOAuth({ store, trace, routeOf: routeFinder(() => config) }));
    gateway = await startGateway({ config, configPath: configFile, dataDir: dir, trace });
  }

  function securedUpstream(): SupervisedUpstream {
    return gateway!.routes.get('/secured')!.shared.upstreams.get('everything')!;
  }

  async function withClient<T>(work: (client: Client) => Promise<T>): Promise<{ result: T; token: string }> {
    const token = await inbound.sign({ sub: 'alice', client_id: 'ide', aud: gateway!.url('/secured') });
    const client = new Client({ name: 'secured-upstream-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway!.url('/secured')), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      return { result: await work(client), token };
    } finally {
      await client.close();
    }
  }

  const echo = (message: string) => withClient((client) => client.callTool({ name: 'everything_echo', arguments: { message } }));

  async function storedTokens(): Promise<TokenSet | undefined> {
    const raw = await store.get({ kind: 'tokens', issuer: idp.issuer, resource: upstream.url });
    return raw ? (JSON.parse(raw) as TokenSet) : undefined;
  }

  beforeAll(async () => {
    keychain = await startTestKeychain();
    useTestKeychainInThisProcess(keychain);
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-secured-'));
    env = { ...process.env, [KEYCHAIN_SERVICE_ENV]: `gatehouse-test-${randomBytes(4).toString('hex')}` };
    idp = await startSecondIdp({ accessTokenTtlS: ACCESS_TOKEN_TTL_S });
    everything = await startServerEverythingHttp('streamableHttp');
    upstream = await startProtectedEverything({ issuer: idp.issuer, upstreamUrl: everything.url, scopes: ['mcp:tools'] });
    idp.protect(upstream.url, ['mcp:tools']);
    inbound = await startTestIssuer();
    const raw = {
      listen: { port: 0 },
      routes: [
        {
          path: '/secured',
          prefix: 'always',
          auth: { issuer: inbound.issuer, groups_optional: true },
          upstreams: [
            { name: 'everything', kind: 'http', url: upstream.url, auth: { type: 'oauth' } },
            { name: 'plain', kind: 'http', url: everything.url },
          ],
        },
      ],
    };
    configFile = path.join(dir, 'gatehouse.yaml');
    await writeFile(configFile, stringify(raw));
    config = gatehouseConfigSchema.parse(raw);
    await startGatewayFresh();
  }, 60_000);

  afterAll(async () => {
    installUpstreamOAuth(undefined);
    await gateway?.close();
    await Promise.all([upstream?.close(), everything?.close(), inbound?.close()]);
    await idp?.close();
    await keychain?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('before any login: the upstream waits in auth_needed with the login command, the other upstream is served', async () => {
    const secured = await until('auth_needed', async () => (securedUpstream().state === 'auth_needed' ? securedUpstream() : undefined));
    expect(secured.lastError).toContain(`gatehouse login ${TARGET}`);
    const { result } = await withClient((client) => client.listTools());
    const names = result.tools.map((tool) => tool.name);
    expect(names).toContain('plain_echo');
    expect(names).not.toContain('everything_echo');
    expect(upstream.tokensSeen).toEqual([]);
  });

  it('gatehouse login: system browser to the IdP, code on the loopback redirect, tokens in the keychain; the running gateway connects', async () => {
    const code = await login(configFile, TARGET, cli());
    expect(code, output.join('\n')).toBe(0);
    expect(opened).toHaveLength(1);
    const authorize = opened[0]!;
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('resource')).toBe(upstream.url);
    expect(authorize.searchParams.get('scope')?.split(' ')).toContain('mcp:tools');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(new URL(authorize.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');
    expect(output.join('\n')).toMatch(/Logged in to secured\/everything at http:\/\/127\.0\.0\.1:\d+: access token \S+…\S+ \(expires in \d+ s, refreshable\), kept in the OS keychain\. \d+ tools available\./);

    const entries = await store.list();
    expect(entries.map((entry) => [entry.kind, entry.issuer, entry.resource]).sort()).toEqual([
      ['client', idp.issuer, upstream.url],
      ['tokens', idp.issuer, upstream.url],
    ]);
    const tokens = await storedTokens();
    expect(decodeJwt(tokens!.access_token)).toMatchObject({ iss: idp.issuer, aud: upstream.url });
    expect(tokens!.refresh_token).toBeTruthy();

    output.length = 0;
    expect(await tokensList(cli())).toBe(0);
    expect(output.join('\n')).toContain(upstream.url);
    expect(output.join('\n')).not.toContain(tokens!.access_token);
    expect(output.join('\n')).not.toContain(tokens!.refresh_token!);

    // What the window does after a login: the waiting upstream tries again now.
    securedUpstream().retryNow();
    await until('connected', async () => (securedUpstream().state === 'connected' ? true : undefined));
    const { result } = await until('the echo through the secured upstream', () => echo('through the gateway'));
    expect(JSON.stringify(result)).toContain('Echo: through the gateway');
  });

  it("the upstream only ever sees the gateway's own tokens, never the client's", async () => {
    const { token: clientToken } = await echo('whose token?');
    expect(upstream.tokensSeen.length).toBeGreaterThan(0);
    expect(upstream.tokensSeen).not.toContain(clientToken);
    for (const seen of upstream.tokensSeen) expect(decodeJwt(seen)).toMatchObject({ iss: idp.issuer, aud: upstream.url });
  });

  it('survives a gateway restart without logging in again', async () => {
    await gateway!.close();
    await startGatewayFresh();
    const { result } = await until('the echo after the restart', () => echo('after restart'));
    expect(JSON.stringify(result)).toContain('Echo: after restart');
    expect(opened).toHaveLength(1);
    const steps = trace.recent().filter((event) => event.type === 'oauth.client').map((event) => event.type === 'oauth.client' && event.step);
    expect(steps).not.toContain('authorize');
  });

  it('refreshes the short-lived access token before it expires, rotating the refresh token, with the same resource', async () => {
    const refreshes = () => trace.recent().filter((event) => event.type === 'oauth.client' && event.step === 'refresh' && event.outcome === 'ok').length;
    const counted = refreshes();
    const before = (await storedTokens())!;
    await until('a refresh', async () => {
      await echo('keep going');
      return refreshes() > counted ? true : undefined;
    });
    const after = (await storedTokens())!;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    const refreshAtIdp = idp.trace.recent().filter((event) => event.type === 'idp.step' && event.step === 'refresh');
    expect(refreshAtIdp.length).toBeGreaterThan(0);
    for (const event of refreshAtIdp) expect(event.type === 'idp.step' && event.resource).toBe(upstream.url);
    await echo('with the new token');
    expect(upstream.tokensSeen.at(-1)).toBe(after.access_token);
  });

  it('after revocation at the IdP the upstream asks for a login again, and a new login brings it back', async () => {
    output.length = 0;
    expect(await tokensRevoke(TARGET, { ...cli(), configFile }), output.join('\n')).toBe(0);
    expect(output.join("\n")).toMatch(/revoked at http:\/\/127\.0\.0\.1:\d+ \(refresh token\); the access token cannot be revoked there \(self-contained\) and stays valid until it expires \(expires in \d+ s\); removed from the OS keychain/);
    expect(await storedTokens()).toBeUndefined();

    // The gateway still holds the revoked grant in memory: its next refresh is refused.
    const seen: string[] = [];
    const failure = await until('auth_needed after revocation', async () => {
      const text = await echo('still there?').then(
        ({ result }) => JSON.stringify(result),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      seen.push(text);
      return text.includes('needs a login') ? text : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; answers: ${[...new Set(seen)].join(' | ')}`);
    });
    expect(failure).toContain(`gatehouse login ${TARGET}`);
    // Reported as the upstream's state (on the connection set of the client's session); the
    // trace names it in the detail where its state list has no auth_needed.
    const authNeeded = trace.recent().filter(
      (event) => event.type === 'upstream.state' && event.upstream === 'everything' && (String(event.state) === 'auth_needed' || event.detail?.startsWith('auth_needed')),
    );
    expect(authNeeded.length).toBeGreaterThan(0);

    expect(await login(configFile, TARGET, cli())).toBe(0);
    expect(opened).toHaveLength(2);
    securedUpstream().retryNow();
    const { result } = await until('the echo after the new login', () => echo('logged in again'));
    expect(JSON.stringify(result)).toContain('Echo: logged in again');
  });

  it("the upstream refuses the token the gateway holds: its 401 is traced as the challenge that starts a login, and a refresh brings a token it takes", async () => {
    const seen = trace.recent().at(-1)?.seq ?? 0;
    const rejectedBefore = upstream.rejected;
    const steps = () => trace.recent().flatMap((event) => (event.seq > seen && event.type === 'oauth.client' ? [event] : []));
    let outcome = '';
    // The gateway refreshes its 4 s tokens by itself: if it did so just before a call, that call
    // carried a token the upstream had not seen yet. A few tries make the refusal certain.
    for (let attempt = 0; attempt < 5 && !steps().some((event) => event.challenge); attempt++) {
      upstream.refuseTokensSeenSoFar();
      outcome = await echo(`after the upstream refused (${attempt})`).then(
        ({ result }) => JSON.stringify(result),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
    }
    expect(outcome).toMatch(/Echo: after the upstream refused \(\d\)/);
    expect(upstream.rejected).toBeGreaterThan(rejectedBefore);
    const all = steps();
    const at = all.findIndex((event) => event.challenge);
    // Flagged, so the window draws it as the expected first step of a new authorization…
    expect(all[at]).toMatchObject({ step: 'authorize', outcome: 'error', detail: expect.stringMatching(/^401 from the upstream \(scope "mcp:tools"\); re-authorizing once$/) });
    // …which the refresh token completes without a browser; nothing else is flagged.
    expect(all[at + 1]).toMatchObject({ step: 'refresh', outcome: 'ok' });
    expect(all.filter((event) => event.challenge)).toHaveLength(1);
  });
});
