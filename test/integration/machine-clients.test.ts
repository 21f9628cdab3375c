/**
 * Machine clients, both ways round (OAuth 2.1 §4.2 client_credentials, MCP extension SEP-1046),
 * with real parts only:
 * - in front: a CI job gets a token from the built-in IdP as a configured machine client
 *   (`idp.clients`) and calls the demo shop route; the route's ACL treats it by its groups.
 * - behind: a secured upstream (server-everything behind its own resource server, a second
 *   oidc-provider as its authorization server) that the gateway reaches with `grant:
 *   client_credentials` — no login ever; a rejected or expiring token is simply replaced; a wrong
 *   secret is named, with the fix, while the gateway keeps serving.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { clientConfigs } from '../../main/admin/client-configs.js';
import { builtinIdpSchema, gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import { EphemeralSecretStore } from '../../main/upstream/oauth/ephemeral-secret-store.js';
import { login } from '../../main/upstream/oauth/oauth-cli.js';
import { UpstreamOAuth, installUpstreamOAuth } from '../../main/upstream/oauth/upstream-oauth.js';
import type { RouteSummary } from '../../shared/admin-api.js';
import type { DecisionEvent, OAuthClientStepEvent } from '../../shared/trace-events.js';
import { startProtectedEverything, type ProtectedEverything } from '../fixtures/protected-everything.js';
import { startSecondIdp, type SecondIdp } from '../fixtures/second-idp.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';

/** With the characters a generated secret has (base64) and ones form encoding must carry: + / = % & and a space. */
const CI_JOB = { client_id: 'nightly-report', client_secret: 'rep+ort/Secret=for%20tests&0123 456789' };
/** + and % as a base64 or generated secret has them: sent raw in HTTP Basic, the IdP would decode them into another secret. */
const GATEWAY_CLIENT = { client_id: 'gatehouse-upstream', client_secret: 'upstream+Secret/for%tests=0123456789' };
/** The demo ACL's tools for warehouse-ops (docs/policy.md). */
const WAREHOUSE_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item'];
const TOKEN_TTL_S = 2;
const run = promisify(execFile);

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'machine-clients-test', version: '1' });
  const requestInit = token ? { headers: { authorization: `Bearer ${token}` } } : undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit }));
  return client;
}

describe('a machine client of the built-in IdP calls a route with an ACL', () => {
  let dataDir: string;
  let shop: RunningShopApi;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-machine-in-'));
    shop = await startShopApi();
    const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
    const idp = builtinIdpSchema.parse({ kind: 'builtin', port: 0, clients: [{ ...CI_JOB, groups: ['warehouse-ops'] }] });
    const routes = demo.routes.filter((route) => route.path === '/ecommerce-mcp');
    gateway = await startGateway({ dataDir, config: gatehouseConfigSchema.parse({ ...demo, idp, routes }) });
  });

  afterAll(async () => {
    await gateway?.close();
    await shop?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('gets a token without a person and sees exactly what its groups allow', async () => {
    const route = gateway.url('/ecommerce-mcp');
    const response = await fetch(`${gateway.idp!.issuer}/token`, {
      method: 'POST',
      // RFC 6749 §2.3.1: id and secret are form-encoded before they go into Basic.
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(CI_JOB.client_id)}:${encodeURIComponent(CI_JOB.client_secret)}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: route, scope: 'shop:read' }),
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ sub: CI_JOB.client_id, aud: route, groups: ['warehouse-ops'] });

    const client = await connect(route, access_token);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(WAREHOUSE_TOOLS);
      const refused = await client.callTool({ name: 'cancel-order', arguments: { orderId: '1043' } }).catch((error: unknown) => error as Error);
      expect(refused).toBeInstanceOf(Error);
    } finally {
      await client.close();
    }
    const decision = gateway.trace
      .recent()
      .filter((event): event is DecisionEvent => event.type === 'policy.decision')
      .find((event) => event.decision.item === 'cancel-order');
    expect(decision).toMatchObject({ subject: CI_JOB.client_id, clientId: CI_JOB.client_id, groups: ['warehouse-ops'] });
  });

  it("the window's Script / CI snippet runs as is (curl, the IdP, the Inspector CLI), and stops at a wrong secret", async () => {
    const route = gateway.url('/ecommerce-mcp');
    const summary: RouteSummary = { path: '/ecommerce-mcp', url: route, auth: { mode: 'jwt', issuer: gateway.idp!.issuer, scopes: ['shop:read'] }, upstreams: [], traffic: { requests: 0, errors: 0, denied: 0 }, acl: true, faults: {} };
    const builtinIdp = { users: [], demoPasswords: false, issuer: gateway.idp!.issuer, machineClients: [{ clientId: CI_JOB.client_id, groups: ['warehouse-ops'] }] };
    const script = clientConfigs({ route: summary, name: 'shop', registration: 'dynamic', builtinIdp }).find((snippet) => snippet.client === 'machine')!;
    const { stdout } = await run('sh', ['-c', script.content], { timeout: 60_000, env: { ...process.env, CLIENT_SECRET: CI_JOB.client_secret } });
    expect((JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toEqual(WAREHOUSE_TOOLS);

    const wrong = await run('sh', ['-c', script.content], { timeout: 60_000, env: { ...process.env, CLIENT_SECRET: 'not-the-secret' } }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    expect('code' in wrong && wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401/);
    expect(wrong.stdout ?? '').not.toContain('tools');
  }, 90_000);
});

describe('a secured upstream reached with grant: client_credentials', () => {
  let dataDir: string;
  let idp: SecondIdp;
  let everything: ServerEverythingHttp;
  let upstream: ProtectedEverything;
  let gateway: RunningGateway;
  let trace: TraceBus;
  let store: EphemeralSecretStore;
  let configFile: string;

  const echo = async (route: string, message: string) => {
    const client = await connect(gateway.url(route));
    try {
      return await client.callTool({ name: 'everything_echo', arguments: { message } });
    } finally {
      await client.close();
    }
  };
  const tokenSteps = () =>
    trace
      .recent()
      .filter((event): event is OAuthClientStepEvent => event.type === 'oauth.client' && event.step === 'token')
      .filter((event) => event.upstream === 'everything');

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-machine-out-'));
    idp = await startSecondIdp({ accessTokenTtlS: TOKEN_TTL_S, clients: [GATEWAY_CLIENT] });
    everything = await startServerEverythingHttp('streamableHttp');
    upstream = await startProtectedEverything({ issuer: idp.issuer, upstreamUrl: everything.url, scopes: ['mcp:tools'] });
    idp.protect(upstream.url, ['mcp:tools']);
    trace = new TraceBus();
    store = new EphemeralSecretStore();
    installUpstreamOAuth(new UpstreamOAuth({ store, trace }));
    const secured = (name: string, secret: string) => ({
      name,
      kind: 'http',
      url: upstream.url,
      auth: { type: 'oauth', grant: 'client_credentials', issuer: idp.issuer, client_id: GATEWAY_CLIENT.client_id, client_secret: secret },
    });
    const raw = {
      listen: { port: 0 },
      routes: [
        { path: '/machine', prefix: 'always', upstreams: [secured('everything', GATEWAY_CLIENT.client_secret)] },
        { path: '/misconfigured', prefix: 'always', upstreams: [secured('wrong', 'not-the-secret'), { name: 'plain', kind: 'http', url: everything.url }] },
      ],
    };
    configFile = path.join(dataDir, 'gatehouse.yaml');
    await writeFile(configFile, stringify(raw));
    const config = gatehouseConfigSchema.parse(raw);
    gateway = await startGateway({ config, dataDir, trace });
  }, 60_000);

  afterAll(async () => {
    installUpstreamOAuth(undefined);
    await gateway?.close();
    await Promise.all([upstream?.close(), everything?.close()]);
    await idp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('calls through with a token the gateway got itself: no login, audience the upstream, subject the gateway client', async () => {
    const result = await echo('/machine', 'no login needed');
    expect(JSON.stringify(result)).toContain('Echo: no login needed');
    const token = upstream.tokensSeen.at(-1)!;
    expect(decodeJwt(token)).toMatchObject({ sub: GATEWAY_CLIENT.client_id, aud: upstream.url, iss: idp.issuer });
    expect(tokenSteps().at(-1)).toMatchObject({ outcome: 'ok', grant: 'client_credentials' });
    // The window offers no login for it: nobody has to log in.
    expect(gateway.upstreamLogin('/machine', 'everything')).toEqual({ issuer: idp.issuer, state: 'logged_in', machine: true });
    expect(JSON.stringify(trace.recent())).not.toContain(GATEWAY_CLIENT.client_secret);
    // Kept in memory only: the secret store's slot for this upstream is a person's login's.
    expect(await store.list()).toEqual([]);
  });

  it('gatehouse login checks the credentials at once, and keeps nothing', async () => {
    const lines: string[] = [];
    const code = await login(configFile, 'machine/everything', { dataDir, out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toContain(`Client ${GATEWAY_CLIENT.client_id} gets tokens for machine/everything`);
    const wrong = await login(configFile, 'misconfigured/wrong', { dataDir, out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect(wrong).toBe(1);
    expect(lines.at(-1)).toContain('invalid_client');
  });

  it('replaces a token the upstream refuses, and one that is about to expire', async () => {
    upstream.refuseTokensSeenSoFar();
    const before = new Set(upstream.tokensSeen);
    expect(JSON.stringify(await echo('/machine', 'after a refusal'))).toContain('Echo: after a refusal');
    const fresh = upstream.tokensSeen.filter((token) => !before.has(token));
    expect(fresh.length).toBeGreaterThan(0);

    // Past the token's exp (whole seconds, so the gateway's own count, from when it got the token,
    // has it within the last half of its life): the gateway fetches a new one before sending, and
    // the upstream refuses nothing.
    const current = fresh.at(-1)!;
    const { exp } = decodeJwt(current);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp! * 1000 - Date.now()) + 50));
    const rejected = upstream.rejected;
    expect(JSON.stringify(await echo('/machine', 'after expiry'))).toContain('Echo: after expiry');
    expect(upstream.tokensSeen.at(-1)).not.toBe(current);
    expect(upstream.rejected).toBe(rejected);
  });

  it('a wrong secret: the upstream is in error naming the refusal and the fix; the route keeps serving its other upstream', async () => {
    const wrong = gateway.routes.get('/misconfigured')!.shared.upstreams.get('wrong')!;
    const client = await connect(gateway.url('/misconfigured'));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('plain_echo');
      expect(names).not.toContain('wrong_echo');
      expect(JSON.stringify(await client.callTool({ name: 'plain_echo', arguments: { message: 'still here' } }))).toContain('Echo: still here');
    } finally {
      await client.close();
    }
    expect(wrong.state).toBe('error');
    expect(wrong.lastError).toContain('invalid_client');
    expect(wrong.lastError).toContain(`check client_id ${GATEWAY_CLIENT.client_id} and its client_secret`);
  });
});
