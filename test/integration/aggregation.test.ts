/**
 * Several upstreams behind one route (main/gateway/catalog.ts): how colliding tool names are kept
 * apart under each prefix mode, and that a call under the exposed name reaches the upstream that
 * owns it. Two REST upstreams are two demo shops ("eu" and "us") declaring some of the same tools,
 * with different state so a result shows which shop answered; one route mixes server-everything
 * (stdio) with a REST upstream that also declares an `echo`. The naming rule itself, exposeNames,
 * is checked directly at the end.
 */
import { Client, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema, type PrefixMode, type RestToolConfig } from '../../main/config/schema.js';
import { demoConfig, shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { PREFIX_SEPARATOR, RouteCatalog, exposeNames } from '../../main/gateway/catalog.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';

const ROUTE = '/orders';
const MIXED_ROUTE = '/mixed';
/** An order both shops have; the "us" shop cancels it before the gateway starts. */
const ORDER = '1042';

function pick(...names: string[]): RestToolConfig[] {
  const tools = shopTools().filter((tool) => names.includes(tool.name));
  expect(tools.map((tool) => tool.name).sort()).toEqual([...names].sort());
  return tools;
}

/** "eu" and "us" share get-order and list-orders; list-inventory is only in eu, get-customer only in us. */
const EU_TOOLS = ['get-order', 'list-orders', 'list-inventory'];
const US_TOOLS = ['get-order', 'list-orders', 'get-customer'];

const prefixed = (upstream: string, name: string) => `${upstream}${PREFIX_SEPARATOR}${name}`;

let eu: RunningShopApi;
let us: RunningShopApi;
const gateways: RunningGateway[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  [eu, us] = await Promise.all([startShopApi(), startShopApi()]);
  const cancelled = await fetch(`${us.url}/orders/${ORDER}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(cancelled.status).toBe(200);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all([eu?.close(), us?.close()]);
});

async function connect(gateway: RunningGateway, routePath: string, mode: 'legacy' | 'auto' = 'legacy'): Promise<Client> {
  const client = new Client({ name: 'aggregation-test', version: '1' }, { versionNegotiation: { mode } });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(routePath))));
  return client;
}

function structured(result: CallToolResult): Record<string, unknown> {
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent as Record<string, unknown>;
}

function text(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}

describe.each([
  {
    mode: 'conditional' as const,
    exposed: [prefixed('eu', 'get-order'), prefixed('eu', 'list-orders'), 'list-inventory', prefixed('us', 'get-order'), prefixed('us', 'list-orders'), 'get-customer'],
    euGetOrder: prefixed('eu', 'get-order'),
    usGetOrder: prefixed('us', 'get-order') as string | undefined,
    listInventory: 'list-inventory',
    getCustomer: 'get-customer',
  },
  {
    mode: 'always' as const,
    exposed: [...EU_TOOLS.map((name) => prefixed('eu', name)), ...US_TOOLS.map((name) => prefixed('us', name))],
    euGetOrder: prefixed('eu', 'get-order'),
    usGetOrder: prefixed('us', 'get-order') as string | undefined,
    listInventory: prefixed('eu', 'list-inventory'),
    getCustomer: prefixed('us', 'get-customer'),
  },
  {
    mode: 'never' as const,
    exposed: ['get-order', 'list-orders', 'list-inventory', 'get-customer'],
    euGetOrder: 'get-order',
    usGetOrder: undefined,
    listInventory: 'list-inventory',
    getCustomer: 'get-customer',
  },
])('two REST upstreams with colliding tool names, prefix $mode', ({ mode, exposed, euGetOrder, usGetOrder, listInventory, getCustomer }) => {
  let gateway: RunningGateway;
  let client: Client;
  let tools: Map<string, Tool>;

  beforeAll(async () => {
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { host: '127.0.0.1', port: 0 },
        routes: [
          {
            path: ROUTE,
            prefix: mode,
            upstreams: [
              { name: 'eu', kind: 'rest', base_url: eu.url, tools: pick(...EU_TOOLS) },
              { name: 'us', kind: 'rest', base_url: us.url, tools: pick(...US_TOOLS) },
            ],
          },
        ],
      }),
    });
    gateways.push(gateway);
    client = await connect(gateway, ROUTE);
    tools = new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
  });

  it('exposes the expected names', () => {
    expect([...tools.keys()].sort()).toEqual([...exposed].sort());
  });

  it('keeps each tool as its upstream declared it, but for the name', () => {
    const original = shopTools().find((tool) => tool.name === 'get-order')!;
    const tool = tools.get(euGetOrder)!;
    expect(tool.description).toBe(original.description);
    expect(tool.inputSchema.required).toEqual(['orderId']);
    expect(tool.annotations).toEqual(original.annotations);
  });

  it('sends a call under the exposed name to the upstream that owns it', async () => {
    expect(structured(await client.callTool({ name: euGetOrder, arguments: { orderId: ORDER } }) as CallToolResult)).toMatchObject({ orderId: ORDER, status: 'pending' });
    if (usGetOrder !== undefined) {
      expect(structured(await client.callTool({ name: usGetOrder, arguments: { orderId: ORDER } }) as CallToolResult)).toMatchObject({ orderId: ORDER, status: 'cancelled' });
    }
    expect(structured(await client.callTool({ name: listInventory, arguments: {} }) as CallToolResult)['count']).toBe(6);
    expect(structured(await client.callTool({ name: getCustomer, arguments: { customerId: 'cus_1001' } }) as CallToolResult)).toMatchObject({ name: 'Maya Okafor' });
  });

  it(mode === 'never' ? 'reports each collision, naming the upstream that kept the name and the one that lost it' : 'reports no collision', () => {
    const { collisions } = gateway.routes.get(ROUTE)!.catalog;
    if (mode !== 'never') {
      expect(collisions).toEqual([]);
      return;
    }
    expect(collisions).toEqual(
      expect.arrayContaining([
        { kind: 'tools', name: 'get-order', upstreams: ['eu', 'us'] },
        { kind: 'tools', name: 'list-orders', upstreams: ['eu', 'us'] },
      ]),
    );
    expect(collisions).toHaveLength(2);
  });

  it('answers an unprefixed colliding name only when the mode keeps it', async () => {
    const outcome = await client.callTool({ name: 'get-order', arguments: { orderId: ORDER } }).then(
      (result) => ({ result: result as CallToolResult }),
      (error: unknown) => ({ error: error as { code?: number } }),
    );
    if (mode === 'never') expect('result' in outcome && structured(outcome.result)['status']).toBe('pending');
    else expect('error' in outcome && outcome.error.code).toBe(-32602);
  });
});

describe('an MCP upstream (server-everything, stdio) and a REST upstream that both have `echo`, prefix conditional', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // The stdio upstream exactly as the demo runs it (this Node, the installed server-everything).
    const everything = demoConfig({ shopUrl: eu.url, port: 0 }).routes.find((route) => route.path === '/everything')!.upstreams[0]!;
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { host: '127.0.0.1', port: 0 },
        routes: [
          {
            path: MIXED_ROUTE,
            prefix: 'conditional',
            upstreams: [
              everything,
              {
                name: 'shop',
                kind: 'rest',
                base_url: eu.url,
                tools: [
                  { name: 'echo', description: 'Checks that the shop API is up.', method: 'GET', path: '/health', annotations: { readOnlyHint: true } },
                  ...pick('get-order'),
                ],
              },
            ],
          },
        ],
      }),
    });
    gateways.push(gateway);
  });

  it.each(['legacy', 'auto'] as const)('prefixes only `echo`, and each prefixed echo reaches its own upstream (client %s)', async (negotiation) => {
    const client = await connect(gateway, MIXED_ROUTE, negotiation);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['everything_echo', 'shop_echo', 'get-sum', 'get-order']));
    expect(names).not.toContain('echo');
    expect(names.filter((name) => name.startsWith('everything_') || name.startsWith('shop_')).sort()).toEqual(['everything_echo', 'shop_echo']);

    const fromEverything = (await client.callTool({ name: 'everything_echo', arguments: { message: 'through the gateway' } })) as CallToolResult;
    expect(fromEverything.isError).toBeFalsy();
    expect(text(fromEverything)).toBe('Echo: through the gateway');

    expect(structured((await client.callTool({ name: 'shop_echo', arguments: {} })) as CallToolResult)).toEqual({ status: 'ok' });

    expect(text((await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })) as CallToolResult)).toContain('5');
    expect(structured((await client.callTool({ name: 'get-order', arguments: { orderId: ORDER } })) as CallToolResult)['orderId']).toBe(ORDER);
  });

  it('reports no collision', () => {
    expect(gateway.routes.get(MIXED_ROUTE)!.catalog.collisions).toEqual([]);
  });
});

describe('exposeNames', () => {
  const names = new Map<string, string[]>([
    ['eu', ['get-order', 'list-orders', 'list-inventory']],
    ['us', ['get-order', 'list-orders', 'get-customer']],
    ['billing', ['get-order', 'refund']],
  ]);
  const mapping = (result: ReturnType<typeof exposeNames>) => Object.fromEntries([...result.exposed].map(([upstream, map]) => [upstream, Object.fromEntries(map)]));

  it('conditional: prefixes only the names two or more upstreams share', () => {
    const result = exposeNames('conditional', names);
    expect(mapping(result)).toEqual({
      eu: { 'get-order': 'eu_get-order', 'list-orders': 'eu_list-orders', 'list-inventory': 'list-inventory' },
      us: { 'get-order': 'us_get-order', 'list-orders': 'us_list-orders', 'get-customer': 'get-customer' },
      billing: { 'get-order': 'billing_get-order', refund: 'refund' },
    });
    expect(result.collisions).toEqual([]);
  });

  it('always: prefixes every name', () => {
    const result = exposeNames('always', names);
    expect(mapping(result)).toEqual({
      eu: { 'get-order': 'eu_get-order', 'list-orders': 'eu_list-orders', 'list-inventory': 'eu_list-inventory' },
      us: { 'get-order': 'us_get-order', 'list-orders': 'us_list-orders', 'get-customer': 'us_get-customer' },
      billing: { 'get-order': 'billing_get-order', refund: 'billing_refund' },
    });
    expect(result.collisions).toEqual([]);
  });

  it('never: the first upstream in route order keeps a shared name, every later one is reported', () => {
    const result = exposeNames('never', names);
    expect(mapping(result)).toEqual({
      eu: { 'get-order': 'get-order', 'list-orders': 'list-orders', 'list-inventory': 'list-inventory' },
      us: { 'get-customer': 'get-customer' },
      billing: { refund: 'refund' },
    });
    expect(result.collisions).toEqual([
      { name: 'get-order', upstreams: ['eu', 'us'] },
      { name: 'list-orders', upstreams: ['eu', 'us'] },
      { name: 'get-order', upstreams: ['eu', 'billing'] },
    ]);
  });

  it('never: route order, not name order, decides who keeps a name', () => {
    const reversed = exposeNames('never', new Map([['us', ['get-order']], ['eu', ['get-order']]]));
    expect(reversed.exposed.get('us')?.get('get-order')).toBe('get-order');
    expect(reversed.exposed.get('eu')?.has('get-order')).toBe(false);
    expect(reversed.collisions).toEqual([{ name: 'get-order', upstreams: ['us', 'eu'] }]);
  });

  it('does not count a name an upstream lists twice as a collision with itself', () => {
    const result = exposeNames('conditional', new Map([['eu', ['get-order', 'get-order']], ['us', ['get-customer']]]));
    expect(result.exposed.get('eu')?.get('get-order')).toBe('get-order');
    expect(exposeNames('never', new Map([['eu', ['get-order', 'get-order']]])).collisions).toEqual([]);
  });

  it('leaves a lone upstream alone unless the mode is always', () => {
    const lone = new Map([['shop', ['get-order']]]);
    expect(exposeNames('conditional', lone).exposed.get('shop')?.get('get-order')).toBe('get-order');
    expect(exposeNames('never', lone).exposed.get('shop')?.get('get-order')).toBe('get-order');
    expect(exposeNames('always', lone).exposed.get('shop')?.get('get-order')).toBe('shop_get-order');
  });

  // An upstream may already expose prefixed names — another gateway (or another Gatehouse route)
  // behind this one does exactly that. Its native "jira_search" must not silently swallow the
  // "jira_search" this route makes from upstream "jira"'s "search".
  const clash: Array<[PrefixMode, Map<string, string[]>]> = [
    ['conditional', new Map([['team-gateway', ['jira_search']], ['jira', ['search']], ['confluence', ['search']]])],
    ['always', new Map([['team', ['jira_search']], ['team_jira', ['search']]])],
  ];

  it.each(clash)('%s: gives no two items the same exposed name, even when a prefixed name equals another upstream’s name', (mode, clashing) => {
    const result = exposeNames(mode, clashing);
    const all = [...result.exposed.values()].flatMap((map) => [...map.values()]);
    const duplicates = all.filter((name, index) => all.indexOf(name) !== index);
    expect(duplicates, `exposed names: ${JSON.stringify(mapping(result))}`).toEqual([]);
  });

  it.each(clash)('%s: RouteCatalog lists every upstream tool or reports it in collisions, never drops one silently', (mode, clashing) => {
    const catalog = new RouteCatalog(mode, [...clashing.keys()]);
    for (const [upstream, tools] of clashing) {
      catalog.set(upstream, { tools: tools.map((name) => ({ name, inputSchema: { type: 'object' as const } })), prompts: [], resources: [], resourceTemplates: [] });
    }
    const reachable = new Set(catalog.tools().map((tool) => {
      const entry = catalog.resolve<Tool>('tools', tool.name)!;
      return `${entry.upstream}/${entry.original}`;
    }));
    // A report may name the item by its own name or by the exposed name it could not get.
    const reported = (upstream: string, name: string) =>
      catalog.collisions.some((collision) => collision.upstreams.includes(upstream) && [name, prefixed(upstream, name)].includes(collision.name));
    const lost = [...clashing]
      .flatMap(([upstream, tools]) => tools.map((name) => ({ upstream, name })))
      .filter(({ upstream, name }) => !reachable.has(`${upstream}/${name}`) && !reported(upstream, name))
      .map(({ upstream, name }) => `${upstream}/${name}`);
    expect(lost, 'upstream tools neither listed nor reported as a collision').toEqual([]);
  });
});
