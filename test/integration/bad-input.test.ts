/**
 * What a route answers to requests no well-behaved MCP client sends: broken JSON, wrong JSON-RPC
 * shapes, unknown sessions, oversized bodies, foreign Host and Origin headers (DNS rebinding),
 * CORS preflights, and 2026-07-28 requests whose headers contradict their body. Every answer is
 * a status that says what kind of mistake it was and, on MCP routes, a well-formed JSON-RPC
 * error; and after all of it the gateway still serves a real SDK client.
 */
import { request as httpRequest } from 'node:http';

import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  Client,
  PROTOCOL_VERSION_META_KEY,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { shopTools } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';

/** Small on purpose: a tools/list request fits, a padded one does not. */
const MAX_BODY_BYTES = 1024;
const ROUTE = '/shop';
/** Same upstream, but a browser app on this origin is allowed to call it. */
const CORS_ROUTE = '/shop-for-browser';
const FOREIGN_ORIGIN = 'https://evil.example';
const MODERN_REVISION = '2026-07-28';

/** The headers every Streamable HTTP client sends with a POST. */
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let shop: RunningShopApi;
let gateway: RunningGateway;

beforeAll(async () => {
  shop = await startShopApi();
  const upstreams = [{ name: 'shop', kind: 'rest', base_url: shop.url, tools: shopTools() }];
  gateway = await startGateway({
    config: gatehouseConfigSchema.parse({
      listen: { host: '127.0.0.1', port: 0, max_body_bytes: MAX_BODY_BYTES },
      routes: [
        { path: ROUTE, upstreams },
        { path: CORS_ROUTE, cors: { allowed_origins: [FOREIGN_ORIGIN], max_age_s: 120 }, upstreams },
      ],
    }),
  });
});

afterAll(async () => {
  await gateway?.close();
  await shop?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function send(init: RequestInit, routePath = ROUTE): Promise<Answer> {
  const response = await fetch(gateway.url(routePath), init);
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

function post(body: string, headers: Record<string, string> = {}, routePath = ROUTE): Promise<Answer> {
  return send({ method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body }, routePath);
}

/** A JSON-RPC 2.0 error response (§5, §5.1): version, an id (null when unknown), an integer code and a message. */
function expectJsonRpcError(answer: Answer, code?: number): { code: number; message: string; data?: unknown } {
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  const body = answer.body as Record<string, unknown>;
  expect(body).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number), message: expect.any(String) } });
  expect(body).toHaveProperty('id');
  expect(body).not.toHaveProperty('result');
  const error = body['error'] as { code: number; message: string; data?: unknown };
  expect(Number.isInteger(error.code)).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
  if (code !== undefined) expect(error.code).toBe(code);
  return error;
}

/** A raw request through node:http, which (unlike fetch) lets a test choose the Host header. */
function withHost(host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: gateway.port, path: ROUTE, method: 'POST', headers: { ...MCP_HEADERS, ...headers, host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }));
  });
}

const toolsList = (id: unknown = 1) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' });

describe('malformed bodies', () => {
  it('answers a body that is not JSON with 400 and a parse error (-32700)', async () => {
    const answer = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32700);
  });

  it('answers an empty POST body with 400 and a parse error (-32700)', async () => {
    const answer = await post('');
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32700);
  });

  it.each([
    ['jsonrpc is missing', JSON.stringify({ id: 1, method: 'tools/list' })],
    ['jsonrpc is not "2.0"', JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'tools/list' })],
    ['method is not a string', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 42 })],
    ['id is an object', JSON.stringify({ jsonrpc: '2.0', id: { nested: true }, method: 'tools/list' })],
    ['the body is a number', '42'],
    ['the body is null', 'null'],
    ['the batch is garbage', JSON.stringify([1, 'two', null, { nope: true }])],
    ['the batch is empty', '[]'],
  ])('answers a request where %s with a 4xx JSON-RPC invalid-request error', async (_case, body) => {
    const answer = await post(body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expectJsonRpcError(answer, -32600);
  });

  it('answers a POST that is not application/json with 415', async () => {
    const answer = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expectJsonRpcError(answer);
  });
});

describe('sessions (protocol 2025)', () => {
  it('answers an unknown Mcp-Session-Id with 404 so the client knows to reconnect', async () => {
    const answer = await post(toolsList(), { 'mcp-session-id': 'no-such-session' });
    expect(answer.status).toBe(404);
    const error = expectJsonRpcError(answer);
    expect(error.message).toMatch(/session/i);
  });

  it('answers a non-initialize request without a session with 400', async () => {
    const answer = await post(toolsList());
    expect(answer.status).toBe(400);
    const error = expectJsonRpcError(answer);
    expect(error.message).toMatch(/initialize/);
  });

  it('keeps no session for an initialize sent as a notification (no id), whose sender never learns the session id', async () => {
    // Each kept session holds its own upstream connections (a spawned process per stdio
    // upstream) until it idles out, and counts against the route's session limit.
    const runtime = gateway.routes.get(ROUTE)!;
    const before = runtime.sessionCount;
    const initializeWithoutId = {
      jsonrpc: '2.0',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bad-input-test', version: '1' } },
    };
    const answer = await post(JSON.stringify(initializeWithoutId));
    expect(answer.headers.get('mcp-session-id')).toBeNull();
    expect(runtime.sessionCount).toBe(before);
  });

  it('answers GET without a session with 405 and Allow: POST', async () => {
    const answer = await send({ method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expectJsonRpcError(answer);
  });

  it('answers DELETE without a session with 405', async () => {
    const answer = await send({ method: 'DELETE' });
    expect(answer.status).toBe(405);
    expectJsonRpcError(answer);
  });
});

describe('body size (listen.max_body_bytes)', () => {
  const padded = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { padding: 'x'.repeat(MAX_BODY_BYTES * 4) } });

  it('answers a body whose Content-Length is over the limit with 413', async () => {
    const answer = await post(padded);
    expect(answer.status).toBe(413);
    const error = expectJsonRpcError(answer);
    expect(error.message).toMatch(/too large/i);
  });

  it('answers a chunked body (no Content-Length) that grows over the limit with 413', async () => {
    const bytes = new TextEncoder().encode(padded);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const answer = await send({ method: 'POST', headers: MCP_HEADERS, body: stream, duplex: 'half' } as RequestInit);
    expect(answer.status).toBe(413);
    expectJsonRpcError(answer);
  });
});

describe('DNS-rebinding protection', () => {
  it.each(['evil.example', 'evil.example:80', 'localhost.evil.example', '127.0.0.1.nip.io'])('answers Host: %s with 403', async (host) => {
    const answer = await withHost(host);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('allowed_hosts') } });
  });

  it('accepts the local names a client really uses', async () => {
    for (const host of [`localhost:${gateway.port}`, `127.0.0.1:${gateway.port}`, `[::1]:${gateway.port}`]) {
      const answer = await withHost(host);
      // Past the guard: an initialize with empty params is the SDK's business (not 403).
      expect(answer.status, host).not.toBe(403);
    }
  });

  it('answers a non-local Origin with 403 when the route does not list it', async () => {
    const answer = await post(toolsList(), { origin: FOREIGN_ORIGIN });
    expect(answer.status).toBe(403);
    const error = expectJsonRpcError(answer, -32000);
    expect(error.message).toContain('cors.allowed_origins');
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts a local Origin', async () => {
    const answer = await post(toolsList(), { origin: 'http://localhost:6274' });
    expect(answer.status).not.toBe(403);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });

  it('lets the Origin through on a route whose cors.allowed_origins lists it, exposing the MCP headers', async () => {
    const answer = await post(toolsList(), { origin: FOREIGN_ORIGIN }, CORS_ROUTE);
    // Past the guard: tools/list without a session is the next rule's 400, not a 403.
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer);
    expect(answer.headers.get('access-control-allow-origin')).toBe(FOREIGN_ORIGIN);
    expect(answer.headers.get('vary')).toMatch(/Origin/);
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['www-authenticate', 'mcp-session-id', 'mcp-protocol-version']));
  });

  it('answers a CORS preflight with 204 and the methods and headers an MCP client needs', async () => {
    const answer = await send(
      {
        method: 'OPTIONS',
        headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, mcp-session-id, mcp-protocol-version' },
      },
      CORS_ROUTE,
    );
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(FOREIGN_ORIGIN);
    const methods = (answer.headers.get('access-control-allow-methods') ?? '').split(/\s*,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
    const allowed = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['content-type', 'accept', 'authorization', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'last-event-id']),
    );
    expect(answer.headers.get('access-control-max-age')).toBe('120');
  });

  it('refuses a preflight from an origin the route does not list', async () => {
    const answer = await send({ method: 'OPTIONS', headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(answer.status).toBe(403);
  });
});

describe('paths', () => {
  it('answers an unknown path with a JSON 404 naming the routes', async () => {
    const answer = await post(toolsList(), {}, '/no-such-route');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ error: 'not_found', message: expect.stringContaining(ROUTE) });
  });
});

describe('protocol 2026-07-28 requests that contradict themselves', () => {
  /** The per-request envelope a 2026-07-28 client puts in params._meta (there is no initialize). */
  const envelope = {
    [PROTOCOL_VERSION_META_KEY]: MODERN_REVISION,
    [CLIENT_INFO_META_KEY]: { name: 'bad-input-test', version: '1' },
    [CLIENT_CAPABILITIES_META_KEY]: {},
  };
  const modernHeaders = (method: string, extra: Record<string, string> = {}) => ({ 'mcp-protocol-version': MODERN_REVISION, 'mcp-method': method, ...extra });
  const modern = (id: number, method: string, params: Record<string, unknown> = {}) =>
    JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope } });

  it('serves a well-formed one (the baseline the cases below break)', async () => {
    const answer = await post(modern(1, 'tools/list'), modernHeaders('tools/list'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: 1, result: { tools: expect.any(Array) } });
  });

  it('answers an MCP-Protocol-Version header that disagrees with the envelope with 400 / -32020 (HeaderMismatch)', async () => {
    const answer = await post(modern(2, 'tools/list'), modernHeaders('tools/list', { 'mcp-protocol-version': '2025-11-25' }));
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32020);
    expect(answer.body).toMatchObject({ id: 2 });
  });

  it('answers an Mcp-Method header that disagrees with the body method with 400 / -32020', async () => {
    const answer = await post(modern(3, 'tools/list'), modernHeaders('prompts/list'));
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32020);
    expect(answer.body).toMatchObject({ id: 3 });
  });

  it('answers an Mcp-Name header that disagrees with the tool called with 400 / -32020', async () => {
    const body = modern(4, 'tools/call', { name: 'get-order', arguments: { orderId: '1042' } });
    const answer = await post(body, modernHeaders('tools/call', { 'mcp-name': 'cancel-order' }));
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32020);
  });

  it('answers a modern header on a body without the envelope with 400 / -32602', async () => {
    const answer = await post(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: {} }), modernHeaders('tools/list'));
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32602);
  });

  it('answers an envelope without the required Mcp-Method header with 400 / -32020', async () => {
    const answer = await post(modern(6, 'tools/list'), { 'mcp-protocol-version': MODERN_REVISION });
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32020);
  });

  it('answers an envelope naming a revision nobody speaks with 400 / -32022 listing the supported ones', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { ...envelope, [PROTOCOL_VERSION_META_KEY]: '2099-01-01' } } });
    const answer = await post(body, modernHeaders('tools/list', { 'mcp-protocol-version': '2099-01-01' }));
    expect(answer.status).toBe(400);
    const error = expectJsonRpcError(answer, -32022);
    expect(error.data).toMatchObject({ supported: expect.arrayContaining([MODERN_REVISION]) });
  });

  it('answers a batch containing a modern request with 400 / -32600 (batches are 2025-only)', async () => {
    const answer = await post(`[${modern(8, 'tools/list')}]`, modernHeaders('tools/list'));
    expect(answer.status).toBe(400);
    expectJsonRpcError(answer, -32600);
  });
});

describe('after all of the above', () => {
  it.each(['legacy', 'auto'] as const)('still serves an SDK client (versionNegotiation %s)', async (mode) => {
    const client = new Client({ name: 'bad-input-test', version: '1' }, { versionNegotiation: { mode } });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE))));
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('get-order');
      const result = await client.callTool({ name: 'get-order', arguments: { orderId: '1042' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ orderId: '1042' });
    } finally {
      await client.close();
    }
  });
});
