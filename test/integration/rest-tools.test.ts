/**
 * REST endpoints declared as MCP tools (main/upstream/rest-upstream.ts), called through the
 * gateway by a real SDK client against the real demo shop API: each of the eight shop tools, what
 * a client sees in tools/list, how HTTP errors become tool errors the model can read, and how a
 * missing argument or an unreachable API become JSON-RPC errors that say what to fix. Run once
 * per protocol era, each era with its own fresh shop, since several tools change its state.
 */
import { createServer } from 'node:net';

import { Client, ProtocolError, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';

const ROUTE = '/shop';
const OFFLINE_ROUTE = '/offline-shop';
const OFFLINE_UPSTREAM = 'offline-shop';
/** Tools declared over the same shop API in ways the eight demo tools do not exercise. */
const EXTRAS_ROUTE = '/shop-extras';

/**
 * A customer-scoped order lookup (the shop has no such endpoint: a correct call is a 404) and an
 * order lookup that forwards a tracing header taken from the arguments.
 */
const EXTRA_TOOLS = [
  {
    name: 'get-customer-order',
    method: 'GET',
    path: '/customers/{customerId}/orders/{orderId}',
    parameters: [
      { name: 'customerId', in: 'path' },
      { name: 'orderId', in: 'path' },
    ],
    annotations: { readOnlyHint: true },
  },
  {
    name: 'get-order-traced',
    method: 'GET',
    path: '/orders/{orderId}',
    parameters: [
      { name: 'orderId', in: 'path' },
      { name: 'X-Trace-Id', in: 'header', required: true },
    ],
    annotations: { readOnlyHint: true },
  },
];

/** A loopback port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The body of a successful JSON response, as the tool result's text and structuredContent both carry it. */
function json(result: CallToolResult): Record<string, unknown> {
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toBeDefined();
  const text = result.content.find((block) => block.type === 'text');
  expect(text).toBeDefined();
  expect(JSON.parse((text as { text: string }).text)).toEqual(result.structuredContent);
  return result.structuredContent as Record<string, unknown>;
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}

describe.each(['legacy', 'auto'] as const)('REST tools through the gateway (client versionNegotiation: %s)', (mode) => {
  let shop: RunningShopApi;
  let gateway: RunningGateway;
  let client: Client;

  beforeAll(async () => {
    shop = await startShopApi();
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { host: '127.0.0.1', port: 0 },
        routes: [
          { path: ROUTE, upstreams: [{ name: 'shop', kind: 'rest', base_url: shop.url, tools: shopTools() }] },
          { path: OFFLINE_ROUTE, upstreams: [{ name: OFFLINE_UPSTREAM, kind: 'rest', base_url: `http://127.0.0.1:${await closedPort()}`, tools: shopTools() }] },
          { path: EXTRAS_ROUTE, upstreams: [{ name: 'shop', kind: 'rest', base_url: shop.url, tools: EXTRA_TOOLS }] },
        ],
      }),
    });
    client = new Client({ name: 'rest-tools-test', version: '1' }, { versionNegotiation: { mode } });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE))));
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await shop?.close();
  });

  const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

  /** The JSON-RPC error a call fails with. */
  async function rejection(name: string, args: Record<string, unknown>, target = client): Promise<ProtocolError> {
    const outcome = await target.callTool({ name, arguments: args }).then(
      (result) => ({ resolved: result }),
      (error: unknown) => ({ rejected: error }),
    );
    expect(outcome, `the call should fail with a JSON-RPC error; it returned ${JSON.stringify(outcome).slice(0, 400)}`).toHaveProperty('rejected');
    const error = (outcome as { rejected: unknown }).rejected;
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }

  describe('tools/list', () => {
    let tools: Map<string, Tool>;

    beforeAll(async () => {
      tools = new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
    });

    it('lists the eight shop tools with their descriptions', () => {
      expect([...tools.keys()].sort()).toEqual(shopTools().map((tool) => tool.name).sort());
      for (const declared of shopTools()) expect(tools.get(declared.name)?.description).toBe(declared.description);
    });

    it('turns the declared parameters into an object input schema, path parameters required', () => {
      expect(tools.get('get-order')?.inputSchema).toEqual({
        type: 'object',
        properties: { orderId: { type: 'string', pattern: '^[0-9]+$', description: 'The order number, e.g. "1042".' } },
        required: ['orderId'],
      });
      const listOrders = tools.get('list-orders')!.inputSchema;
      expect(listOrders.required).toBeUndefined();
      expect(Object.keys(listOrders.properties ?? {}).sort()).toEqual(['customerId', 'limit', 'status']);
      expect(listOrders.properties?.['status']).toMatchObject({ type: 'string', enum: ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] });
      expect(tools.get('restock-item')?.inputSchema.required?.slice().sort()).toEqual(['quantity', 'sku']);
      expect(tools.get('update-customer-contact')?.inputSchema.required).toEqual(['customerId']);
    });

    it('passes the annotations through: readOnlyHint on every GET, destructiveHint on cancel-order', () => {
      for (const declared of shopTools()) {
        expect(tools.get(declared.name)?.annotations, declared.name).toEqual(declared.annotations);
        if (declared.method === 'GET') expect(tools.get(declared.name)?.annotations?.readOnlyHint, declared.name).toBe(true);
        else expect(tools.get(declared.name)?.annotations?.readOnlyHint, declared.name).toBe(false);
      }
      expect(tools.get('cancel-order')?.annotations?.destructiveHint).toBe(true);
    });
  });

  describe('orders', () => {
    it('list-orders filters by status (query parameter)', async () => {
      const body = json(await call('list-orders', { status: 'paid' }));
      const orders = body['orders'] as Array<{ orderId: string; status: string }>;
      expect(orders.map((order) => order.orderId).sort()).toEqual(['1041', '1043']);
      expect(orders.every((order) => order.status === 'paid')).toBe(true);
      expect(body['count']).toBe(2);
    });

    it('list-orders combines filters and sends integer limits', async () => {
      const body = json(await call('list-orders', { customerId: 'cus_1001', limit: 1 }));
      expect(body['orders']).toEqual([expect.objectContaining({ orderId: '1041', customerId: 'cus_1001' })]);
    });

    it('get-order returns the order (path parameter)', async () => {
      const body = json(await call('get-order', { orderId: '1043' }));
      expect(body).toMatchObject({ orderId: '1043', customerId: 'cus_1002', status: 'paid', totalCents: 4950, currency: 'EUR' });
    });

    it('get-order of an unknown order is a tool error carrying the 404 and the API body', async () => {
      const text = errorText(await call('get-order', { orderId: '9999' }));
      expect(text).toContain('HTTP 404');
      expect(text).toContain('order_not_found');
      expect(text).toContain('Order 9999 does not exist');
    });

    it('cancel-order cancels once (body parameter), then is a tool error carrying the 409 and the API body', async () => {
      const first = json(await call('cancel-order', { orderId: '1042', reason: 'Customer changed their mind' }));
      expect(first['order']).toMatchObject({ orderId: '1042', status: 'cancelled', cancelReason: 'Customer changed their mind' });
      expect(first['restocked']).toEqual(expect.arrayContaining([expect.objectContaining({ sku: 'MUG-CER-350', added: 4 })]));

      const second = await call('cancel-order', { orderId: '1042' });
      const text = errorText(second);
      expect(text).toContain('HTTP 409');
      expect(text).toContain('order_not_cancellable');
      expect(text).toContain('Order 1042 is already cancelled');
      expect(json(await call('get-order', { orderId: '1042' }))['status']).toBe('cancelled');
    });
  });

  describe('inventory', () => {
    it('list-inventory with lowStockOnly (boolean query parameter) lists only low items', async () => {
      const body = json(await call('list-inventory', { lowStockOnly: true }));
      const items = body['items'] as Array<{ sku: string; quantity: number; reorderLevel: number }>;
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.quantity <= item.reorderLevel)).toBe(true);
      expect(items.map((item) => item.sku)).toEqual(expect.arrayContaining(['NB-A5-DOT', 'HDP-WL-BLK']));
      const all = json(await call('list-inventory'));
      expect(all['count']).toBe(6);
    });

    it('check-inventory returns one item', async () => {
      expect(json(await call('check-inventory', { sku: 'HDP-WL-BLK' }))).toMatchObject({ sku: 'HDP-WL-BLK', quantity: 0, lowStock: true });
    });

    it('restock-item adds stock, and check-inventory then sees the increase', async () => {
      const before = json(await call('check-inventory', { sku: 'BTL-STL-750' }))['quantity'] as number;
      const restocked = json(await call('restock-item', { sku: 'BTL-STL-750', quantity: 25 }));
      expect(restocked).toMatchObject({ sku: 'BTL-STL-750', quantity: before + 25, added: 25 });
      expect(json(await call('check-inventory', { sku: 'BTL-STL-750' }))['quantity']).toBe(before + 25);
    });

    it('a rejected request body is a tool error carrying the 400 and the API body', async () => {
      const text = errorText(await call('restock-item', { sku: 'BTL-STL-750', quantity: 0 }));
      expect(text).toContain('HTTP 400');
      expect(text).toContain('invalid_quantity');
    });
  });

  describe('customers', () => {
    it('get-customer returns the profile', async () => {
      expect(json(await call('get-customer', { customerId: 'cus_1003' }))).toMatchObject({ customerId: 'cus_1003', name: 'Priya Raman', city: 'Toronto' });
    });

    it('update-customer-contact changes the email (PATCH with a JSON body), and get-customer sees it', async () => {
      const updated = json(await call('update-customer-contact', { customerId: 'cus_1002', email: 'jonas@example.se' }));
      expect(updated).toMatchObject({ customerId: 'cus_1002', email: 'jonas@example.se', phone: '+46 8 123 456 78' });
      expect(json(await call('get-customer', { customerId: 'cus_1002' }))['email']).toBe('jonas@example.se');
    });
  });

  describe('arguments that must not change the request', () => {
    let extras: Client;

    beforeAll(async () => {
      extras = new Client({ name: 'rest-tools-test', version: '1' }, { versionNegotiation: { mode } });
      await extras.connect(new StreamableHTTPClientTransport(new URL(gateway.url(EXTRAS_ROUTE))));
    });

    afterAll(async () => {
      await extras?.close();
    });

    it('a header argument reaches the API as a header', async () => {
      const result = (await extras.callTool({ name: 'get-order-traced', arguments: { orderId: '1043', 'X-Trace-Id': 'trace-1' } })) as CallToolResult;
      expect(json(result)['orderId']).toBe('1043');
    });

    it('a correct call of get-customer-order reaches /customers/…/orders/… (a 404 in the shop)', async () => {
      const result = (await extras.callTool({ name: 'get-customer-order', arguments: { customerId: 'cus_1004', orderId: '1042' } })) as CallToolResult;
      expect(errorText(result)).toContain('HTTP 404 Not Found from GET /customers/cus_1004/orders/1042');
    });

    it('a path argument ".." cannot step out of the declared path template into another endpoint', async () => {
      // "/customers/../orders/1042" is normalised by the URL parser to "/orders/1042": the
      // customer scope the tool declares (and any per-tool ACL on it) would be bypassed.
      const error = await rejection('get-customer-order', { customerId: '..', orderId: '1042' }, extras);
      expect(error.code).toBe(-32602);
      expect(error.message).toContain('customerId');
    });

    it('a header argument with a line break is invalid params (-32602) naming the argument, not "check base_url"', async () => {
      const error = await rejection('get-order-traced', { orderId: '1043', 'X-Trace-Id': 'trace-1\r\nX-Injected: 1' }, extras);
      expect(error.code).toBe(-32602);
      expect(error.message).toContain('X-Trace-Id');
      expect(error.message).not.toContain('base_url');
    });
  });

  describe('JSON-RPC errors', () => {
    it('a missing required argument is invalid params (-32602) naming the argument', async () => {
      const error = await rejection('get-order', {});
      expect(error.code).toBe(-32602);
      expect(error.message).toContain('orderId');
    });

    it('a missing required body argument is invalid params (-32602) too', async () => {
      const error = await rejection('restock-item', { sku: 'BTL-STL-750' });
      expect(error.code).toBe(-32602);
      expect(error.message).toContain('quantity');
    });

    it('an unknown tool is invalid params (-32602) naming the route', async () => {
      const error = await rejection('no-such-tool', {});
      expect(error.code).toBe(-32602);
      expect(error.message).toContain(ROUTE);
    });

    it('an API that is not listening is an error naming the upstream and saying to check base_url', async () => {
      const offline = new Client({ name: 'rest-tools-test', version: '1' }, { versionNegotiation: { mode } });
      try {
        await offline.connect(new StreamableHTTPClientTransport(new URL(gateway.url(OFFLINE_ROUTE))));
        const error = await rejection('get-order', { orderId: '1042' }, offline);
        expect(error.code).toBe(-32603);
        expect(error.message).toContain(`upstream "${OFFLINE_UPSTREAM}"`);
        expect(error.message).toContain('check base_url');
        expect(error.data).toMatchObject({ upstream: OFFLINE_UPSTREAM, reason: 'upstream_unreachable' });
        // The shop route next to it is unaffected.
        expect(json(await call('get-order', { orderId: '1043' }))['orderId']).toBe('1043');
      } finally {
        await offline.close();
      }
    });
  });
});
