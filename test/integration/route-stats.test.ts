/**
 * What the routes screen reads from the running gateway: traffic counters and latency that move
 * as real requests happen (401s and ACL refusals as denied, upstream failures as errors), the
 * upstreams' health with their targets free of secrets, the current config, and a change signal
 * that fires when any of it moves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { auth, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { waitForTrace } from '../fixtures/wait-for-trace.js';
import { createTestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
const BROKEN = '/broken';
const URL_SECRET = 'sk-live-abcdefghijklmnopqrstuvwxyz0123';
const ARG_SECRET = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const PASSWORD = 'hunter2-but-longer';

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
let client: Client;

/** Resolves at the next change signal. */
function nextChange(): Promise<void> {
  return new Promise((resolve) => {
    const stop = gateway.onChange(() => {
      stop();
      resolve();
    });
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-route-stats-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  // The demo route keeps its ACL: alice may not cancel orders, which counts as a refusal.
  const shopRoute = demo.routes.find((route) => route.path === ROUTE)!;
  gateway = await startGateway({
    dataDir,
    config: gatehouseConfigSchema.parse({
      ...demo,
      routes: [
        shopRoute,
        {
          path: BROKEN,
          upstreams: [
            { name: 'gone', kind: 'http', url: `http://deploy:${PASSWORD}@127.0.0.1:1/mcp?api_key=${URL_SECRET}&team=blue` },
            { name: 'crashing', kind: 'stdio', command: process.execPath, args: ['-e', 'process.exit(3)', '--', '--token', ARG_SECRET, '--verbose'] },
          ],
        },
      ],
    }),
  });
});

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('traffic', () => {
  it('starts at zero', () => {
    expect(gateway.traffic(ROUTE)).toEqual({ requests: 0, errors: 0, denied: 0 });
  });

  it('counts a request without a token as denied, and signals the change', async () => {
    const changed = nextChange();
    const startedAt = Date.now();
    const response = await fetch(gateway.url(ROUTE), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(response.status).toBe(401);
    await response.body?.cancel();
    await changed;
    const traffic = gateway.traffic(ROUTE);
    expect(traffic).toMatchObject({ requests: 1, errors: 0, denied: 1 });
    expect(traffic.lastAt).toBeGreaterThanOrEqual(startedAt);
    expect(traffic.p50Ms).toBeGreaterThanOrEqual(0);
  });

  it('counts MCP requests with their latency percentiles', async () => {
    const provider = createTestOAuthProvider({ credentials: { username: 'alice', password: 'demo' } });
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE) })).toBe('REDIRECT');
    expect(await auth(provider, { serverUrl: gateway.url(ROUTE), authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
    client = new Client({ name: 'route-stats-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider }));
    const before = gateway.traffic(ROUTE).requests;
    for (let i = 0; i < 5; i++) expect((await client.listTools()).tools).toHaveLength(5);
    const traffic = gateway.traffic(ROUTE);
    expect(traffic.requests).toBeGreaterThanOrEqual(before + 5);
    expect(traffic.errors).toBe(0);
    expect(traffic.p95Ms!).toBeGreaterThanOrEqual(traffic.p50Ms!);
  });

  it('counts an ACL refusal as denied, with the reason on the exchange', async () => {
    const { denied } = gateway.traffic(ROUTE);
    const at = gateway.trace.recent().at(-1)!.seq;
    await expect(client.callTool({ name: 'cancel-order', arguments: { orderId: '1042' } })).rejects.toThrow(/not available/);
    expect(gateway.traffic(ROUTE).denied).toBe(denied + 1);
    const exchange = gateway.trace.recent().find((event): event is HttpExchangeEvent => event.seq > at && event.type === 'http.exchange' && event.mcpMethod === 'tools/call');
    expect(exchange?.failure?.reason).toMatch(/refused by the route's ACL/);
  });

  it('counts an upstream failure as an error', async () => {
    const { errors, requests } = gateway.traffic(ROUTE);
    gateway.setFaults(ROUTE, { upstream_failure: true });
    await expect(client.callTool({ name: 'list-orders', arguments: {} })).rejects.toThrow(/injected fault/);
    gateway.setFaults(ROUTE, {});
    expect(gateway.traffic(ROUTE)).toMatchObject({ errors: errors + 1, requests: requests + 1 });
  });
});

describe('upstream health', () => {
  it('shows a connected upstream with its target', () => {
    expect(gateway.upstreams(ROUTE)).toEqual([{ name: 'shop', kind: 'rest', target: shop.url, state: 'connected' }]);
  });

  it('shows failing upstreams with the reason, and no secret from their URL or arguments', async () => {
    await waitForTrace(gateway.trace, (event) => event.type === 'upstream.state' && event.route === BROKEN && event.upstream === 'crashing' && event.state !== 'connected', 'the crashing upstream failing');
    const [gone, crashing] = gateway.upstreams(BROKEN);
    expect(gone).toMatchObject({ name: 'gone', kind: 'http', state: expect.stringMatching(/^(error|restarting|connecting)$/) });
    expect(crashing).toMatchObject({ name: 'crashing', kind: 'stdio', state: expect.stringMatching(/^(error|restarting|connecting)$/) });
    expect(gone!.detail).toBeTruthy();
    expect(gone!.target).toContain('team=blue');
    expect(crashing!.target).toContain('--verbose');
    expect(gone!.target).toMatch(/^http:\/\/deploy:…@127\.0\.0\.1:1\/mcp\?api_key=sk-live-…123&team=blue$/);
    // Neither the summaries nor the state changes in the trace quote a secret.
    const states = gateway.trace.recent().filter((event) => event.type === 'upstream.state' && event.route === BROKEN);
    expect(states.length).toBeGreaterThan(0);
    const shown = JSON.stringify([gone, crashing, states]);
    for (const secret of [URL_SECRET, ARG_SECRET, PASSWORD]) expect(shown).not.toContain(secret);
  });

  it('names an unknown route', () => {
    expect(() => gateway.upstreams('/nope')).toThrow(/no route \/nope/);
    expect(() => gateway.traffic('/nope')).toThrow(/no route \/nope/);
  });
});

describe('config and change signals', () => {
  it('setting faults signals a change and shows in faults()', async () => {
    const changed = nextChange();
    gateway.setFaults(ROUTE, { upstream_delay_ms: 5 });
    await changed;
    expect(gateway.faults(ROUTE)).toEqual({ upstream_delay_ms: 5 });
    gateway.setFaults(ROUTE, {});
  });

  it('config is the running config, and a reload replaces it and signals', async () => {
    expect(gateway.config.routes.map((route) => route.path)).toEqual([ROUTE, BROKEN]);
    const next = structuredClone(gateway.config);
    next.routes = next.routes.filter((route) => route.path === ROUTE);
    next.routes[0]!.description = 'the shop, reloaded';
    const changed = nextChange();
    await gateway.reload(next);
    await changed;
    expect(gateway.config.routes.map((route) => [route.path, route.description])).toEqual([[ROUTE, 'the shop, reloaded']]);
    // The rebuilt route keeps its counters.
    expect(gateway.traffic(ROUTE).requests).toBeGreaterThan(5);
  });
});
