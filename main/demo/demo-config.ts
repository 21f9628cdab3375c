/**
 * The configuration `gatehouse demo` runs: the built-in shop API (./shop-api.ts) behind
 * /ecommerce-mcp as REST tools, and the reference MCP server `server-everything` behind /everything
 * over stdio. The tool descriptions are written for the model that reads them: what the tool does,
 * when to use it, and what it changes.
 */
import { createRequire } from 'node:module';

import {
  builtinIdpSchema,
  routeAuthSchema,
  type GatehouseConfig,
  type RestParameterConfig,
  type RestToolConfig,
  type RouteAuthConfig,
} from '../config/schema.js';
import { demoShopAcl } from '../policy/demo-acl.js';
import { ORDER_STATUSES } from './shop-api.js';

/**
 * The demo's machine client (client_credentials, no person): a published secret like the demo
 * users' password `demo`, for trying a CI job or agent against the shop with zero setup.
 */
export const DEMO_MACHINE_CLIENT = { client_id: 'demo-agent', client_secret: 'demo', groups: ['warehouse-ops'], name: 'Demo agent (warehouse ops)' };

/** The demo's machine client with its published secret, which may be shown (it is in the README). */
export function isDemoMachineClient(client: { client_id: string; client_secret: string }): boolean {
  return client.client_id === DEMO_MACHINE_CLIENT.client_id && client.client_secret === DEMO_MACHINE_CLIENT.client_secret;
}

export interface DemoConfigOptions {
  /** Base URL of the running shop API, as returned by startShopApi(). */
  shopUrl: string;
  /** Port the gateway listens on. */
  port: number;
  /** Protect both routes with the built-in identity provider (users alice and bob, password demo). */
  auth?: boolean;
  /** Port of the built-in identity provider (default 8401). */
  idpPort?: number;
}

// Functions, not shared constants: each tool gets its own objects, so a caller that edits one tool
// (filtering, renaming) cannot change another.
const orderIdParameter = (): RestParameterConfig => ({
  name: 'orderId',
  in: 'path',
  required: true,
  description: 'The order number, e.g. "1042".',
  schema: { type: 'string', pattern: '^[0-9]+$' },
});

const skuParameter = (): RestParameterConfig => ({
  name: 'sku',
  in: 'path',
  required: true,
  description: 'Stock-keeping unit of the item, e.g. "MUG-CER-350".',
  schema: { type: 'string', minLength: 1 },
});

const customerIdParameter = (): RestParameterConfig => ({
  name: 'customerId',
  in: 'path',
  required: true,
  description: 'The customer ID, e.g. "cus_1001".',
  schema: { type: 'string', pattern: '^cus_[0-9]+$' },
});

/** The eight shop endpoints, one MCP tool each. */
export function shopTools(): RestToolConfig[] {
  return [
    {
      name: 'list-orders',
      description:
        'List customer orders, newest first. Filter by status and/or customer. Each order has its items, total (in cents, EUR), status and, once shipped, a tracking number. Use get-order for a single order you already know the number of.',
      method: 'GET',
      path: '/orders',
      parameters: [
        { name: 'status', in: 'query', required: false, description: 'Only orders in this status.', schema: { type: 'string', enum: [...ORDER_STATUSES] } },
        { name: 'customerId', in: 'query', required: false, description: 'Only orders placed by this customer, e.g. "cus_1001".', schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, description: 'Return at most this many orders (default 100).', schema: { type: 'integer', minimum: 1, maximum: 100 } },
      ],
      annotations: { title: 'List orders', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'get-order',
      description: 'Get one order by its number: customer, items, total (in cents, EUR), status, tracking number and, if cancelled, when and why.',
      method: 'GET',
      path: '/orders/{orderId}',
      parameters: [orderIdParameter()],
      annotations: { title: 'Get order', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'cancel-order',
      description:
        'Cancel an order that has not shipped yet (status pending or paid) and put its items back into inventory. Cannot be undone. Fails with order_not_cancellable if the order is already shipped, delivered or cancelled. Confirm with the user before calling.',
      method: 'POST',
      path: '/orders/{orderId}/cancel',
      parameters: [
        orderIdParameter(),
        { name: 'reason', in: 'body', required: false, description: 'Why the order is cancelled, kept on the order for support staff.', schema: { type: 'string', maxLength: 500 } },
      ],
      annotations: { title: 'Cancel order', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    {
      name: 'list-inventory',
      description:
        'List the items in stock with their SKU, name, quantity on hand and reorder level. An item is low on stock when its quantity is at or below its reorder level; set lowStockOnly to see only those.',
      method: 'GET',
      path: '/inventory',
      parameters: [{ name: 'lowStockOnly', in: 'query', required: false, description: 'Only items at or below their reorder level.', schema: { type: 'boolean' } }],
      annotations: { title: 'List inventory', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'check-inventory',
      description: 'Check the stock of one item by SKU: quantity on hand, reorder level and whether it is low on stock.',
      method: 'GET',
      path: '/inventory/{sku}',
      parameters: [skuParameter()],
      annotations: { title: 'Check inventory', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'restock-item',
      description:
        'Record a delivery of stock: adds quantity units to the item with this SKU and returns the new quantity. Each call adds again, so do not retry a call that succeeded.',
      method: 'POST',
      path: '/inventory/{sku}/restock',
      parameters: [
        skuParameter(),
        { name: 'quantity', in: 'body', required: true, description: 'Number of units received, added to the current quantity.', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
      ],
      annotations: { title: 'Restock item', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    {
      name: 'get-customer',
      description: 'Get a customer profile by ID: name, email, phone, city, country and when they signed up.',
      method: 'GET',
      path: '/customers/{customerId}',
      parameters: [customerIdParameter()],
      annotations: { title: 'Get customer', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: 'update-customer-contact',
      description:
        "Change a customer's email address and/or phone number; give at least one. The old values are overwritten. Returns the updated profile.",
      method: 'PATCH',
      path: '/customers/{customerId}/contact',
      parameters: [
        customerIdParameter(),
        { name: 'email', in: 'body', required: false, description: 'New email address.', schema: { type: 'string', format: 'email' } },
        { name: 'phone', in: 'body', required: false, description: 'New phone number in international form, e.g. "+44 20 7946 0958".', schema: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{5,19}$' } },
      ],
      annotations: { title: 'Update customer contact', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
  ];
}

/** Absolute path of server-everything's entry point, so the demo never depends on npx or the network. */
function everythingServerEntry(): string {
  try {
    return createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  } catch (error) {
    throw new Error(
      'demo: @modelcontextprotocol/server-everything is not installed, so the /everything route cannot start; run npm ci in the Gatehouse folder',
      { cause: error },
    );
  }
}

/**
 * The demo's access rules: a client is sent for shop:read; the write tools need shop:write, which
 * it gets by stepping up (403 insufficient_scope, then re-authorization) when it first calls one.
 */
function demoAuth(): RouteAuthConfig {
  return routeAuthSchema.parse({
    issuer: 'builtin',
    scopes_supported: ['shop:read'],
    tool_scopes: { 'cancel-order': ['shop:write'], 'restock-item': ['shop:write'], 'update-customer-contact': ['shop:write'] },
  });
}

export function demoConfig(options: DemoConfigOptions): GatehouseConfig {
  const auth = options.auth ? { auth: demoAuth() } : {};
  return {
    listen: { host: '127.0.0.1', port: options.port, max_body_bytes: 4 * 1024 * 1024 },
    ...(options.auth ? { idp: builtinIdpSchema.parse({ kind: 'builtin', port: options.idpPort ?? 8401, clients: [DEMO_MACHINE_CLIENT] }) } : {}),
    routes: [
      {
        path: '/ecommerce-mcp',
        description: 'The demo shop: orders, inventory and customers, from a REST API turned into MCP tools.',
        prefix: 'conditional',
        allowed_hosts: [],
        ...auth,
        // The ACL matrix: alice (warehouse-ops) sees 5 tools, bob (customer-support) 7 (docs/policy.md).
        ...(options.auth ? { acl: demoShopAcl() } : {}),
        upstreams: [
          {
            name: 'shop',
            kind: 'rest',
            base_url: options.shopUrl,
            timeout_ms: 30_000,
            tools: shopTools(),
          },
        ],
      },
      {
        path: '/everything',
        description: 'The MCP reference server: every protocol feature (sampling, elicitation, roots, progress, resources, prompts).',
        prefix: 'conditional',
        allowed_hosts: [],
        ...(options.auth ? { auth: routeAuthSchema.parse({ issuer: 'builtin', scopes_supported: ['mcp:use'] }) } : {}),
        upstreams: [
          {
            name: 'everything',
            kind: 'stdio',
            // The gateway's own Node runs the server: no PATH lookup, and the same version Gatehouse was tested with.
            command: process.execPath,
            args: [everythingServerEntry(), 'stdio'],
            // Inside the desktop app execPath is Electron itself: this makes it behave as plain Node.
            env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
            timeout_ms: 60_000,
          },
        ],
      },
    ],
  };
}
