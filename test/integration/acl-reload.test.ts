/**
 * An ACL-only config reload on a running gateway: the route is not rebuilt, so an open 2025-era
 * session of alice (signed in through the built-in IdP with the SDK's OAuth client) survives,
 * receives notifications/tools/list_changed, and its next tools/list and tools/call follow the new
 * ACL — with no reconnect and no new sign-in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  Client,
  ProtocolError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type CallToolResult,
  type FetchLike,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema, type GatehouseConfig } from '../../main/config/schema.js';
import { shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { RouteRuntime } from '../../main/gateway/route-runtime.js';
import type { RouteAclInput } from '../../main/policy/policy-schema.js';
import { createTestOAuthProvider, type TestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/shop-mcp';
const ALICE = { username: 'alice', password: 'demo' };

/** Before: the warehouse sees the read-only tools; every write tool is customer support's. */
const ACL_BEFORE: RouteAclInput = {
  default: { allow: { groups: ['warehouse-ops', 'customer-support'] } },
  rules: [
    {
      id: 'support-writes',
      kind: 'tools',
      match: ['cancel-order', 'restock-item', 'update-customer-contact', 'get-customer'],
      effect: 'allow',
      subjects: { groups: ['customer-support'] },
    },
  ],
};

/** After: the warehouse may also restock (a second allow rule for restock-item). */
const ACL_AFTER: RouteAclInput = {
  ...ACL_BEFORE,
  rules: [
    ...ACL_BEFORE.rules!,
    { id: 'warehouse-restocks', kind: 'tools', match: ['restock-item'], effect: 'allow', subjects: { groups: ['warehouse-ops'] } },
  ],
};

const BEFORE_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory'];
const AFTER_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item'];

function configWith(acl: RouteAclInput, shopUrl: string): GatehouseConfig {
  return gatehouseConfigSchema.parse({
    listen: { port: 0 },
    idp: { kind: 'builtin', port: 0 },
    routes: [
      {
        path: ROUTE,
        auth: { issuer: 'builtin', scopes_supported: ['shop:read'] },
        acl,
        upstreams: [{ name: 'shop', kind: 'rest', base_url: shopUrl, tools: shopTools() }],
      },
    ],
  });
}

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
const clients: Client[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-acl-reload-'));
  shop = await startShopApi();
  gateway = await startGateway({ dataDir, config: configWith(ACL_BEFORE, shop.url) });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('reloading a config that changes only the ACL', () => {
  let provider: TestOAuthProvider;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  let runtimeBefore: RouteRuntime;
  let sessionBefore: string;
  /** list_changed notifications alice's session received, in order. */
  const listChanged: string[] = [];
  let nextListChanged: () => Promise<void>;
  /** Every request the client made, so a reconnect (a new initialize) would show. */
  const sent: string[] = [];
  let eventStreamOpen: Promise<void>;
  let outcome: Awaited<ReturnType<RunningGateway['reload']>>;

  beforeAll(async () => {
    provider = createTestOAuthProvider({ credentials: ALICE });
    const signIn = new Client({ name: 'gatehouse-acl-reload', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    clients.push(signIn);
    const first = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
    await expect(signIn.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    await first.finishAuth(provider.callbackParams!);

    // The session hears list_changed on its GET event stream; the reload must not happen before
    // that stream is open, so the client's fetch reports when the gateway has answered the GET.
    // (Today that answer's headers reach the client only with the first event, the SDK's 15 s
    // keep-alive: toNodeHandler writes the head but does not flush it — reported to the lead.)
    let streamOpened!: () => void;
    eventStreamOpen = new Promise((resolve) => (streamOpened = resolve));
    const observingFetch: FetchLike = async (url, init) => {
      const method = init?.method ?? 'GET';
      if (method === 'POST' && typeof init?.body === 'string') {
        const body = JSON.parse(init.body) as { method?: string } | Array<{ method?: string }>;
        for (const message of Array.isArray(body) ? body : [body]) if (message.method) sent.push(message.method);
      }
      const response = await fetch(url, init);
      if (method === 'GET' && response.ok && response.headers.get('content-type')?.includes('text/event-stream')) streamOpened();
      return response;
    };

    client = new Client({ name: 'gatehouse-acl-reload', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    clients.push(client);
    let waiting: (() => void) | undefined;
    client.setNotificationHandler('notifications/tools/list_changed', (notification) => {
      listChanged.push(notification.method);
      waiting?.();
    });
    const seen = () => listChanged.length;
    nextListChanged = () => {
      const count = seen();
      return new Promise<void>((resolve) => {
        waiting = () => {
          if (seen() > count) resolve();
        };
      });
    };
    transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider, fetch: observingFetch });
    await client.connect(transport);
    await eventStreamOpen;
    sessionBefore = transport.sessionId!;
    runtimeBefore = gateway.routes.get(ROUTE)!;
  });

  it('before the reload, alice lists the read-only tools and restock-item is not available', async () => {
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    expect(sessionBefore).toBeTruthy();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(BEFORE_TOOLS);
    const refused = await client.callTool({ name: 'restock-item', arguments: { sku: 'NB-A5-DOT', quantity: 1 } }).then(
      (result) => result,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({ code: -32602 });
    expect(listChanged).toEqual([]);
  });

  it('the reload changes the route in place and the session hears tools/list_changed', async () => {
    const notified = nextListChanged();
    outcome = await gateway.reload(configWith(ACL_AFTER, shop.url));
    expect(outcome).toEqual({ added: [], changed: [ROUTE], removed: [], restartNeeded: [] });
    await notified;
    expect(listChanged).toEqual(['notifications/tools/list_changed']);
    // An ACL-only change keeps the route's runtime (and with it the sessions and upstream connections).
    expect(gateway.routes.get(ROUTE)).toBe(runtimeBefore);
    expect(gateway.routes.get(ROUTE)!.route.acl?.rules.map((rule) => rule.id)).toEqual(['support-writes', 'warehouse-restocks']);
  });

  it('the next tools/list on the same session follows the new ACL', async () => {
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(AFTER_TOOLS);
  });

  it('and restock-item can now be called, decided by the new rule', async () => {
    const before = gateway.trace.recent().at(-1)?.seq ?? 0;
    const result = (await client.callTool({ name: 'restock-item', arguments: { sku: 'NB-A5-DOT', quantity: 4 } })) as CallToolResult;
    expect(result.isError, JSON.stringify(result)).toBeFalsy();
    expect(JSON.stringify(result.structuredContent ?? result.content)).toMatch(/"quantity":\s*10\b/);
    const decision = gateway.trace.recent().find((event) => event.seq > before && event.type === 'policy.decision' && event.decision.item === 'restock-item');
    expect(decision).toMatchObject({ session: sessionBefore, subject: 'alice', decision: { effect: 'allow', rule: { id: 'warehouse-restocks' } } });
  });

  it('the session was never dropped: same session id, no second initialize, no new sign-in', () => {
    expect(transport.sessionId).toBe(sessionBefore);
    expect(sent.filter((method) => method === 'initialize')).toHaveLength(1);
    expect(provider.authorizationCount).toBe(1);
    expect(gateway.routes.get(ROUTE)!.sessionCount).toBeGreaterThanOrEqual(1);
  });

  it('reloading the old ACL takes restock-item away again, on the same session', async () => {
    const notified = nextListChanged();
    expect(await gateway.reload(configWith(ACL_BEFORE, shop.url))).toMatchObject({ changed: [ROUTE] });
    await notified;
    expect(listChanged).toHaveLength(2);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(BEFORE_TOOLS);
    await expect(client.callTool({ name: 'restock-item', arguments: { sku: 'NB-A5-DOT', quantity: 1 } })).rejects.toMatchObject({ code: -32602 });
    expect(transport.sessionId).toBe(sessionBefore);
    expect(sent.filter((method) => method === 'initialize')).toHaveLength(1);
  });
});
