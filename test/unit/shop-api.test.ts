import { existsSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig, shopTools } from '../../main/demo/demo-config.js';
import { startShopApi } from '../../main/demo/shop-api.js';

// Each test gets a fresh shop (seed state), so state changes in one test never leak into another.
let shop: Awaited<ReturnType<typeof startShopApi>>;
beforeEach(async () => {
  shop = await startShopApi();
});
afterEach(async () => {
  await shop.close();
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, body?: unknown, rawBody?: string): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined || rawBody !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = rawBody ?? JSON.stringify(body);
  }
  const response = await fetch(`${shop.url}${path}`, init);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function quantityOf(sku: string): Promise<number> {
  const { body } = await call('GET', `/inventory/${sku}`);
  return body['quantity'] as number;
}

describe('startShopApi', () => {
  it('listens on loopback and answers /health', async () => {
    expect(shop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('refuses a non-loopback host', async () => {
    await expect(startShopApi({ host: '0.0.0.0' })).rejects.toThrow(/not a loopback address/);
  });

  it('answers an unknown endpoint with a JSON 404', async () => {
    const { status, body } = await call('GET', '/nope');
    expect(status).toBe(404);
    expect(body['error']).toBe('not_found');
  });
});

describe('orders', () => {
  it('lists all orders newest first', async () => {
    const { status, body } = await call('GET', '/orders');
    expect(status).toBe(200);
    const orders = body['orders'] as { orderId: string; createdAt: string }[];
    expect(orders.length).toBeGreaterThanOrEqual(5);
    expect(body['count']).toBe(orders.length);
    const dates = orders.map((o) => o.createdAt);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('filters by status, customer and limit', async () => {
    const pending = (await call('GET', '/orders?status=pending')).body['orders'] as { status: string }[];
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((o) => o.status === 'pending')).toBe(true);

    const mine = (await call('GET', '/orders?customerId=cus_1001')).body['orders'] as { customerId: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.customerId === 'cus_1001')).toBe(true);

    expect((await call('GET', '/orders?limit=2')).body['count']).toBe(2);
  });

  it('rejects a bad status or limit with 400', async () => {
    const badStatus = await call('GET', '/orders?status=lost');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body['error']).toBe('invalid_query');
    expect(badStatus.body['message']).toMatch(/pending/);
    expect((await call('GET', '/orders?limit=0')).status).toBe(400);
    expect((await call('GET', '/orders?limit=abc')).status).toBe(400);
    expect((await call('GET', '/orders?status=paid&status=pending')).status).toBe(400);
  });

  it('gets one order', async () => {
    const { status, body } = await call('GET', '/orders/1042');
    expect(status).toBe(200);
    expect(body).toMatchObject({ orderId: '1042', customerId: 'cus_1004', status: 'pending', currency: 'EUR' });
    expect(body['totalCents']).toBe(2400 + 4 * 1450);
  });

  it('answers a missing order with 404 order_not_found', async () => {
    expect(await call('GET', '/orders/9999')).toEqual({
      status: 404,
      body: { error: 'order_not_found', message: 'Order 9999 does not exist' },
    });
  });
});

describe('cancel-order', () => {
  it('cancels a pending order, keeps the reason and restocks its items', async () => {
    const [tees, mugs] = [await quantityOf('TEE-ORG-M'), await quantityOf('MUG-CER-350')];
    const { status, body } = await call('POST', '/orders/1042/cancel', { reason: 'Customer changed their mind' });
    expect(status).toBe(200);
    expect(body['order']).toMatchObject({ orderId: '1042', status: 'cancelled', cancelReason: 'Customer changed their mind' });
    expect(body['restocked']).toEqual([
      { sku: 'TEE-ORG-M', added: 1, quantity: tees + 1 },
      { sku: 'MUG-CER-350', added: 4, quantity: mugs + 4 },
    ]);
    expect(await quantityOf('TEE-ORG-M')).toBe(tees + 1);
    expect(await quantityOf('MUG-CER-350')).toBe(mugs + 4);
    expect((await call('GET', '/orders/1042')).body['status']).toBe('cancelled');
  });

  it('cancels without a body', async () => {
    const response = await fetch(`${shop.url}/orders/1041/cancel`, { method: 'POST' });
    expect(response.status).toBe(200);
  });

  it('answers a second cancel with 409 and restocks only once', async () => {
    expect((await call('POST', '/orders/1043/cancel', {})).status).toBe(200);
    const after = await quantityOf('NB-A5-DOT');
    const again = await call('POST', '/orders/1043/cancel', {});
    expect(again.status).toBe(409);
    expect(again.body['error']).toBe('order_not_cancellable');
    expect(again.body['message']).toMatch(/already cancelled/);
    expect(await quantityOf('NB-A5-DOT')).toBe(after);
  });

  it('refuses to cancel a shipped order with 409', async () => {
    const { status, body } = await call('POST', '/orders/1039/cancel', {});
    expect(status).toBe(409);
    expect(body['message']).toMatch(/already shipped/);
    expect((await call('GET', '/orders/1039')).body['status']).toBe('shipped');
  });

  it('answers a missing order with 404 and a non-string reason with 400', async () => {
    expect((await call('POST', '/orders/9999/cancel', {})).status).toBe(404);
    const bad = await call('POST', '/orders/1042/cancel', { reason: 42 });
    expect(bad.status).toBe(400);
    expect((await call('GET', '/orders/1042')).body['status']).toBe('pending');
  });
});

describe('inventory', () => {
  it('lists every item with sku, name, quantity and reorder level', async () => {
    const { status, body } = await call('GET', '/inventory');
    expect(status).toBe(200);
    const items = body['items'] as Record<string, unknown>[];
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['name', 'quantity', 'reorderLevel', 'sku']);
    }
  });

  it('lists only low-stock items when asked', async () => {
    const items = (await call('GET', '/inventory?lowStockOnly=true')).body['items'] as { quantity: number; reorderLevel: number }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.quantity <= i.reorderLevel)).toBe(true);
    const all = (await call('GET', '/inventory?lowStockOnly=false')).body['items'] as unknown[];
    expect(all.length).toBeGreaterThan(items.length);
    expect((await call('GET', '/inventory?lowStockOnly=yes')).status).toBe(400);
  });

  it('checks one item, case-insensitively', async () => {
    const { status, body } = await call('GET', '/inventory/nb-a5-dot');
    expect(status).toBe(200);
    expect(body).toMatchObject({ sku: 'NB-A5-DOT', quantity: 6, reorderLevel: 15, lowStock: true });
  });

  it('answers a missing SKU with 404 sku_not_found', async () => {
    const { status, body } = await call('GET', '/inventory/NOPE-1');
    expect(status).toBe(404);
    expect(body['error']).toBe('sku_not_found');
  });

  it('restocks an item and the new quantity is visible', async () => {
    const before = await quantityOf('HDP-WL-BLK');
    const { status, body } = await call('POST', '/inventory/HDP-WL-BLK/restock', { quantity: 25 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ sku: 'HDP-WL-BLK', quantity: before + 25, added: 25 });
    expect(await quantityOf('HDP-WL-BLK')).toBe(before + 25);
  });

  it.each([[{ quantity: 0 }], [{ quantity: -3 }], [{ quantity: 2.5 }], [{ quantity: '10' }], [{}], [{ quantity: 1_000_000 }]])(
    'rejects restock body %j with 400 invalid_quantity',
    async (payload) => {
      const before = await quantityOf('MUG-CER-350');
      const { status, body } = await call('POST', '/inventory/MUG-CER-350/restock', payload);
      expect(status).toBe(400);
      expect(body['error']).toBe('invalid_quantity');
      expect(await quantityOf('MUG-CER-350')).toBe(before);
    },
  );

  it('answers restocking a missing SKU with 404', async () => {
    expect((await call('POST', '/inventory/NOPE-1/restock', { quantity: 5 })).status).toBe(404);
  });
});

describe('customers', () => {
  it('gets a customer', async () => {
    const { status, body } = await call('GET', '/customers/cus_1001');
    expect(status).toBe(200);
    expect(body).toMatchObject({ customerId: 'cus_1001', name: 'Maya Okafor', email: 'maya.okafor@example.com' });
  });

  it('answers a missing customer with 404 customer_not_found', async () => {
    const { status, body } = await call('GET', '/customers/cus_0000');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'customer_not_found', message: 'Customer cus_0000 does not exist' });
  });

  it('updates email and phone and the change is visible', async () => {
    const { status, body } = await call('PATCH', '/customers/cus_1002/contact', { email: 'jonas@example.se', phone: '+46 70 123 45 67' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ email: 'jonas@example.se', phone: '+46 70 123 45 67' });
    expect((await call('GET', '/customers/cus_1002')).body).toMatchObject({ email: 'jonas@example.se', phone: '+46 70 123 45 67' });
  });

  it('rejects an invalid email or an empty update with 400 and changes nothing', async () => {
    const badEmail = await call('PATCH', '/customers/cus_1002/contact', { email: 'not-an-email', phone: '+46 70 000 00 00' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body['error']).toBe('invalid_email');
    const empty = await call('PATCH', '/customers/cus_1002/contact', {});
    expect(empty.status).toBe(400);
    expect(empty.body['error']).toBe('empty_update');
    expect((await call('PATCH', '/customers/cus_1002/contact', { nickname: 'jo' })).body['error']).toBe('unknown_field');
    expect((await call('GET', '/customers/cus_1002')).body).toMatchObject({ email: 'jonas.lindqvist@example.net', phone: '+46 8 123 456 78' });
  });

  it('answers updating a missing customer with 404', async () => {
    expect((await call('PATCH', '/customers/cus_0000/contact', { email: 'a@example.com' })).status).toBe(404);
  });
});

describe('request bodies', () => {
  it('answers malformed JSON with 400 invalid_json and keeps serving', async () => {
    const { status, body } = await call('POST', '/inventory/MUG-CER-350/restock', undefined, '{"quantity": ');
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_json');
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('answers a JSON array body with 400 invalid_body', async () => {
    const { status, body } = await call('PATCH', '/customers/cus_1001/contact', [{ email: 'a@example.com' }]);
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_body');
  });
});

describe('demoConfig', () => {
  const toolNames = ['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'restock-item', 'get-customer', 'update-customer-contact'];

  it('parses with the gateway schema unchanged', () => {
    const config = demoConfig({ shopUrl: shop.url, port: 8400 });
    expect(gatehouseConfigSchema.parse(config)).toEqual(config);
  });

  it('declares the eight shop tools on /ecommerce-mcp', () => {
    const route = demoConfig({ shopUrl: shop.url, port: 0 }).routes.find((r) => r.path === '/ecommerce-mcp');
    const upstream = route?.upstreams[0];
    expect(upstream?.kind).toBe('rest');
    if (upstream?.kind !== 'rest') return;
    expect(upstream.base_url).toBe(shop.url);
    expect(upstream.tools.map((t) => t.name)).toEqual(toolNames);
  });

  it('marks reads read-only and cancel-order destructive', () => {
    const byName = new Map(shopTools().map((t) => [t.name, t]));
    for (const name of ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'get-customer']) {
      expect(byName.get(name)?.annotations?.readOnlyHint).toBe(true);
    }
    expect(byName.get('cancel-order')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it('declares every {placeholder} of a path as a path parameter', () => {
    for (const tool of shopTools()) {
      const placeholders = [...tool.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const pathParameters = tool.parameters.filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect(pathParameters, tool.name).toEqual(placeholders);
    }
  });

  it('runs server-everything from an installed file over stdio', () => {
    const route = demoConfig({ shopUrl: shop.url, port: 0 }).routes.find((r) => r.path === '/everything');
    const upstream = route?.upstreams[0];
    expect(upstream?.kind).toBe('stdio');
    if (upstream?.kind !== 'stdio') return;
    expect(upstream.command).toBe(process.execPath);
    expect(upstream.args[1]).toBe('stdio');
    expect(existsSync(upstream.args[0] ?? '')).toBe(true);
  });
});
