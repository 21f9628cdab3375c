/**
 * The sample e-commerce REST API that `gatehouse demo` puts behind the /ecommerce-mcp route, so the
 * REST-to-MCP conversion, ACLs and the trace can be shown with no setup. It is a real HTTP server
 * with in-memory state: every instance starts from the same seed, so demos and tests are
 * repeatable. Errors are JSON bodies `{error, message}` with the status a real API would use, because
 * the gateway relays them to the model and the model should be able to act on them.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type NextFunction, type Request, type Response } from 'express';

export interface ShopApiOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback interface to bind: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
}

export interface RunningShopApi {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  currency: 'EUR';
  items: OrderLine[];
  totalCents: number;
  createdAt: string;
  trackingNumber?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

export interface InventoryItem {
  sku: string;
  name: string;
  quantity: number;
  /** At or below this quantity the item counts as low stock. */
  reorderLevel: number;
}

export interface Customer {
  customerId: string;
  name: string;
  email: string;
  phone: string;
  city: string;
  country: string;
  createdAt: string;
}

/** Orders at or past this point have left the warehouse and can no longer be cancelled. */
const NOT_CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['shipped', 'delivered', 'cancelled']);
const MAX_RESTOCK = 10_000;
const MAX_LIST_LIMIT = 100;
const MAX_REASON_LENGTH = 500;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
/** Deliberately loose: the demo should reject obvious typos, not argue about RFC 5322. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{5,19}$/;

const SEED_INVENTORY: readonly InventoryItem[] = [
  { sku: 'MUG-CER-350', name: 'Ceramic mug, 350 ml, slate grey', quantity: 124, reorderLevel: 40 },
  { sku: 'TEE-ORG-M', name: 'Organic cotton T-shirt, size M, navy', quantity: 18, reorderLevel: 25 },
  { sku: 'BTL-STL-750', name: 'Insulated steel bottle, 750 ml', quantity: 57, reorderLevel: 20 },
  { sku: 'NB-A5-DOT', name: 'A5 dotted notebook, 120 pages', quantity: 6, reorderLevel: 15 },
  { sku: 'HDP-WL-BLK', name: 'Wireless headphones, black', quantity: 0, reorderLevel: 5 },
  { sku: 'CBL-USBC-1M', name: 'Braided USB-C cable, 1 m', quantity: 240, reorderLevel: 60 },
];

const SEED_CUSTOMERS: readonly Customer[] = [
  { customerId: 'cus_1001', name: 'Maya Okafor', email: 'maya.okafor@example.com', phone: '+44 20 7946 0958', city: 'London', country: 'GB', createdAt: '2025-03-14T09:12:00Z' },
  { customerId: 'cus_1002', name: 'Jonas Lindqvist', email: 'jonas.lindqvist@example.net', phone: '+46 8 123 456 78', city: 'Stockholm', country: 'SE', createdAt: '2025-06-02T17:45:00Z' },
  { customerId: 'cus_1003', name: 'Priya Raman', email: 'priya.raman@example.org', phone: '+1 555 0143', city: 'Toronto', country: 'CA', createdAt: '2025-09-21T11:03:00Z' },
  { customerId: 'cus_1004', name: 'Tomás Herrera', email: 'tomas.herrera@example.com', phone: '+34 600 000 117', city: 'Valencia', country: 'ES', createdAt: '2026-01-08T08:30:00Z' },
];

function line(sku: string, quantity: number, unitPriceCents: number): OrderLine {
  const item = SEED_INVENTORY.find((candidate) => candidate.sku === sku);
  if (item === undefined) throw new Error(`shop seed: order line refers to unknown SKU ${sku}`);
  return { sku, name: item.name, quantity, unitPriceCents };
}

function order(fields: Omit<Order, 'currency' | 'totalCents'>): Order {
  const totalCents = fields.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  return { ...fields, currency: 'EUR', totalCents };
}

const SEED_ORDERS: readonly Order[] = [
  order({ orderId: '1038', customerId: 'cus_1001', status: 'delivered', createdAt: '2026-10-28T14:02:00Z', trackingNumber: 'DHL-7730021845', items: [line('MUG-CER-350', 2, 1450), line('NB-A5-DOT', 1, 990)] }),
  order({ orderId: '1039', customerId: 'cus_1002', status: 'shipped', createdAt: '2026-11-09T10:21:00Z', trackingNumber: 'UPS-1Z999AA10123456784', items: [line('HDP-WL-BLK', 1, 8900)] }),
  order({ orderId: '1040', customerId: 'cus_1003', status: 'cancelled', createdAt: '2026-11-12T19:40:00Z', cancelledAt: '2026-11-13T08:05:00Z', cancelReason: 'Ordered the wrong size', items: [line('TEE-ORG-M', 2, 2400)] }),
  order({ orderId: '1041', customerId: 'cus_1001', status: 'paid', createdAt: '2026-11-18T07:55:00Z', items: [line('BTL-STL-750', 1, 2900), line('CBL-USBC-1M', 3, 1200)] }),
  order({ orderId: '1042', customerId: 'cus_1004', status: 'pending', createdAt: '2026-11-20T16:14:00Z', items: [line('TEE-ORG-M', 1, 2400), line('MUG-CER-350', 4, 1450)] }),
  order({ orderId: '1043', customerId: 'cus_1002', status: 'paid', createdAt: '2026-11-21T12:30:00Z', items: [line('NB-A5-DOT', 5, 990)] }),
  order({ orderId: '1044', customerId: 'cus_1003', status: 'pending', createdAt: '2026-11-22T09:08:00Z', items: [line('CBL-USBC-1M', 1, 1200), line('BTL-STL-750', 2, 2900)] }),
];

/** A client mistake, answered as `{error: code, message}` with `status`. */
class ShopApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ShopApiError';
  }
}

interface ShopState {
  orders: Map<string, Order>;
  inventory: Map<string, InventoryItem>;
  customers: Map<string, Customer>;
}

function freshState(): ShopState {
  return {
    orders: new Map(SEED_ORDERS.map((o) => [o.orderId, structuredClone(o)])),
    inventory: new Map(SEED_INVENTORY.map((i) => [i.sku, structuredClone(i)])),
    customers: new Map(SEED_CUSTOMERS.map((c) => [c.customerId, structuredClone(c)])),
  };
}

/** Reads one query parameter; a repeated parameter (?status=a&status=b) is ambiguous, so it is rejected. */
function queryParam(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ShopApiError(400, 'invalid_query', `Query parameter ${name} must be given once, as a single value`);
  }
  return value;
}

/** The JSON body as an object; a missing body (no JSON content type) counts as `{}`. */
function bodyObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ShopApiError(400, 'invalid_body', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ShopApiError(400, 'unknown_field', `Unknown field(s) ${unknown.join(', ')}; this endpoint accepts ${allowed.join(', ')}`);
  }
}

function findOrder(state: ShopState, orderId: string): Order {
  const found = state.orders.get(orderId);
  if (found === undefined) throw new ShopApiError(404, 'order_not_found', `Order ${orderId} does not exist`);
  return found;
}

/** SKUs are matched case-insensitively: models often lower-case identifiers they copy. */
function findItem(state: ShopState, sku: string): InventoryItem {
  const found = state.inventory.get(sku.toUpperCase());
  if (found === undefined) throw new ShopApiError(404, 'sku_not_found', `No inventory item has SKU ${sku}; list the inventory to see valid SKUs`);
  return found;
}

function findCustomer(state: ShopState, customerId: string): Customer {
  const found = state.customers.get(customerId);
  if (found === undefined) throw new ShopApiError(404, 'customer_not_found', `Customer ${customerId} does not exist`);
  return found;
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  // Express only routes here when the segment is present, so this is a programming error.
  if (typeof value !== 'string') throw new Error(`shop api: route has no :${name} parameter`);
  return value;
}

function listOrders(state: ShopState, req: Request, res: Response): void {
  const status = queryParam(req, 'status');
  if (status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new ShopApiError(400, 'invalid_query', `status must be one of ${ORDER_STATUSES.join(', ')}; got "${status}"`);
  }
  const customerId = queryParam(req, 'customerId');
  const limitText = queryParam(req, 'limit');
  const limit = limitText === undefined ? MAX_LIST_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ShopApiError(400, 'invalid_query', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}; got "${limitText}"`);
  }
  const orders = [...state.orders.values()]
    .filter((o) => (status === undefined || o.status === status) && (customerId === undefined || o.customerId === customerId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit);
  res.json({ orders, count: orders.length });
}

function cancelOrder(state: ShopState, req: Request, res: Response): void {
  const target = findOrder(state, param(req, 'orderId'));
  const body = bodyObject(req);
  rejectUnknownFields(body, ['reason']);
  const reason = body['reason'];
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
    throw new ShopApiError(400, 'invalid_reason', `reason must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  if (NOT_CANCELLABLE.has(target.status)) {
    throw new ShopApiError(409, 'order_not_cancellable', `Order ${target.orderId} is already ${target.status} and cannot be cancelled; only pending or paid orders can be`);
  }
  const restocked = target.items.map((item) => {
    const stock = findItem(state, item.sku);
    stock.quantity += item.quantity;
    return { sku: stock.sku, added: item.quantity, quantity: stock.quantity };
  });
  target.status = 'cancelled';
  target.cancelledAt = new Date().toISOString();
  if (reason !== undefined && reason !== '') target.cancelReason = reason;
  res.json({ order: target, restocked });
}

function listInventory(state: ShopState, req: Request, res: Response): void {
  const flag = queryParam(req, 'lowStockOnly');
  if (flag !== undefined && flag !== 'true' && flag !== 'false') {
    throw new ShopApiError(400, 'invalid_query', `lowStockOnly must be true or false; got "${flag}"`);
  }
  const items = [...state.inventory.values()].filter((i) => flag !== 'true' || i.quantity <= i.reorderLevel);
  res.json({ items, count: items.length });
}

function checkInventory(state: ShopState, req: Request, res: Response): void {
  const item = findItem(state, param(req, 'sku'));
  res.json({ ...item, lowStock: item.quantity <= item.reorderLevel });
}

function restockItem(state: ShopState, req: Request, res: Response): void {
  const item = findItem(state, param(req, 'sku'));
  const body = bodyObject(req);
  rejectUnknownFields(body, ['quantity']);
  const quantity = body['quantity'];
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_RESTOCK) {
    throw new ShopApiError(400, 'invalid_quantity', `quantity must be an integer from 1 to ${MAX_RESTOCK}; got ${JSON.stringify(quantity) ?? 'nothing'}`);
  }
  item.quantity += quantity;
  res.json({ ...item, lowStock: item.quantity <= item.reorderLevel, added: quantity });
}

function updateContact(state: ShopState, req: Request, res: Response): void {
  const customer = findCustomer(state, param(req, 'customerId'));
  const body = bodyObject(req);
  rejectUnknownFields(body, ['email', 'phone']);
  const { email, phone } = body;
  if (email === undefined && phone === undefined) {
    throw new ShopApiError(400, 'empty_update', 'Give at least one of email or phone to update');
  }
  if (email !== undefined && (typeof email !== 'string' || !EMAIL_PATTERN.test(email))) {
    throw new ShopApiError(400, 'invalid_email', `email must be an address such as name@example.com; got ${JSON.stringify(email)}`);
  }
  if (phone !== undefined && (typeof phone !== 'string' || !PHONE_PATTERN.test(phone))) {
    throw new ShopApiError(400, 'invalid_phone', `phone must be 6–20 digits, spaces, dashes or parentheses, optionally starting with +; got ${JSON.stringify(phone)}`);
  }
  // Both checked before either is written, so a half-valid update changes nothing.
  if (typeof email === 'string') customer.email = email;
  if (typeof phone === 'string') customer.phone = phone;
  res.json(customer);
}

/** Turns anything thrown in a handler (or by express.json) into a JSON error body. */
function errorResponder(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof ShopApiError) {
    res.status(err.status).json({ error: err.code, message: err.message });
    return;
  }
  // body-parser marks its errors with `type` and a 4xx `status`.
  const parserError = err as { type?: unknown; status?: unknown; message?: unknown };
  if (parserError.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', message: 'The request body is not valid JSON' });
    return;
  }
  if (parserError.type === 'entity.too.large') {
    res.status(413).json({ error: 'payload_too_large', message: 'The request body is larger than 100 kB' });
    return;
  }
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    res.status(parserError.status).json({ error: 'bad_request', message: String(parserError.message) });
    return;
  }
  res.status(500).json({ error: 'internal_error', message: 'The shop API failed unexpectedly; see the gateway log' });
  console.error('shop api: unexpected error', err);
}

function buildApp(state: ShopState): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/orders', (req, res) => listOrders(state, req, res));
  app.get('/orders/:orderId', (req, res) => {
    res.json(findOrder(state, param(req, 'orderId')));
  });
  app.post('/orders/:orderId/cancel', (req, res) => cancelOrder(state, req, res));
  app.get('/inventory', (req, res) => listInventory(state, req, res));
  app.get('/inventory/:sku', (req, res) => checkInventory(state, req, res));
  app.post('/inventory/:sku/restock', (req, res) => restockItem(state, req, res));
  app.get('/customers/:customerId', (req, res) => {
    res.json(findCustomer(state, param(req, 'customerId')));
  });
  app.patch('/customers/:customerId/contact', (req, res) => updateContact(state, req, res));

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No endpoint ${req.method} ${req.path} in the demo shop API` });
  });
  app.use(errorResponder);
  return app;
}

/**
 * Starts a fresh shop (seed state) on loopback. The API has no authentication of its own — the
 * gateway in front of it is the point of the demo — so it refuses to listen anywhere else.
 */
export async function startShopApi(options: ShopApiOptions = {}): Promise<RunningShopApi> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`demo shop API: host "${host}" is not a loopback address; it has no authentication of its own, so use 127.0.0.1, ::1 or localhost`);
  }
  const server: Server = createServer(buildApp(freshState()));
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const hint = code === 'EADDRINUSE' ? ' — it is already in use; pick another port or 0 for a free one' : '';
    throw new Error(`demo shop API: cannot listen on ${host}:${port}${hint} (${String(error)})`, { cause: error });
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (fetch keeps them) would otherwise hold close() open for seconds.
        server.closeAllConnections();
      }),
  };
}
