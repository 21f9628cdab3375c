/**
 * The window's admin client against the real admin server (the demo without auth, launched the
 * way the CLI launches it): the token rides on every request, errors arrive as AdminRequestError
 * with the server's words, and the SSE stream read through fetch delivers hello and live trace
 * events. The SSE parser is also fed adversarial chunking directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { AdminRequestError, createAdminClient, readServerSentEvents } from '../../renderer/src/api/admin-client.js';
import type { AdminStreamMessage, Overview, RouteSummary } from '../../shared/admin-api.js';

let launched: LaunchedGatehouse;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-client-'));
  launched = await launchGatehouse({ demo: true, auth: false, port: 0, adminPort: 0, dataDir });
});

afterAll(async () => {
  await launched?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('createAdminClient', () => {
  it('reads the API with the bearer token', async () => {
    const client = createAdminClient({ adminUrl: launched.admin.url, token: launched.admin.token });
    const overview = await client.get<Overview>('/api/overview');
    expect(overview.demo).toBe(true);
    const routes = await client.get<RouteSummary[]>('/api/routes');
    expect(routes.map((r) => r.path)).toContain('/ecommerce-mcp');
  });

  it('throws AdminRequestError with the server’s explanation on a wrong token', async () => {
    const client = createAdminClient({ adminUrl: launched.admin.url, token: 'not-the-token' });
    const error = await client.get('/api/overview').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminRequestError);
    expect((error as AdminRequestError).status).toBe(401);
    expect((error as AdminRequestError).body.message.length).toBeGreaterThan(10);
  });

  it('throws AdminRequestError carrying the AdminError body for a refused edit', async () => {
    const client = createAdminClient({ adminUrl: launched.admin.url, token: launched.admin.token });
    const error = await client.send('PUT', '/api/acl-matrix', { route: '/no-such-route', cells: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminRequestError);
    expect((error as AdminRequestError).status).toBeGreaterThanOrEqual(400);
    expect((error as AdminRequestError).body.message).toContain('/no-such-route');
  });

  it('says the admin API is unreachable, in words, when nothing listens', async () => {
    const client = createAdminClient({ adminUrl: 'http://127.0.0.1:9', token: 't' });
    const error = (await client.get('/api/overview').catch((e: unknown) => e)) as AdminRequestError;
    expect(error.status).toBe(0);
    expect(error.body.message).toMatch(/did not answer/);
  });

  it('streams hello, then live trace events, over fetch with the token', async () => {
    const client = createAdminClient({ adminUrl: launched.admin.url, token: launched.admin.token });
    const messages: AdminStreamMessage[] = [];
    const statuses: boolean[] = [];
    let stop = () => {};
    const sawTrace = new Promise<void>((resolve) => {
      stop = client.events(
        (message) => {
          messages.push(message);
          if (message.kind === 'hello') {
            // Some real traffic on the gateway: an MCP initialize on the unauthenticated demo route.
            void fetch(`${launched.gateway.url('/ecommerce-mcp')}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
              body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'renderer-test', version: '1' } } }),
            }).then((r) => r.body?.cancel());
          }
          if (message.kind === 'trace') resolve();
        },
        (connected) => statuses.push(connected),
      );
    });
    await sawTrace;
    stop();
    expect(messages[0].kind).toBe('hello');
    expect(statuses[0]).toBe(true);
  });
});

describe('readServerSentEvents', () => {
  function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
  }

  it('joins events split across chunks, CRLF lines and multi-line data; skips comments', async () => {
    const got: string[] = [];
    await readServerSentEvents(streamOf([': keep-alive\n\nda', 'ta: {"a"', ':1}\n', '\n', 'data: one\r\ndata: two\r\n\r\n', 'event: x\nid: 3\ndata:{"b":2}\n\n']), (d) => got.push(d));
    expect(got).toEqual(['{"a":1}', 'one\ntwo', '{"b":2}']);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: ∌\n\n');
    const got: string[] = [];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    await readServerSentEvents(stream, (d) => got.push(d));
    expect(got).toEqual(['∌']);
  });
});
