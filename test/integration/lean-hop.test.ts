/**
 * How the gateway answers a 2025 session's POSTs since its hop was made leaner
 * (main/gateway/node-mcp-bridge.ts): a call answered with nothing before its result leaves as
 * one JSON body — which every client must accept — while a call whose upstream sends progress
 * first stays an event stream, progress then result. Either way the latency headers are those of
 * the whole call, stamped when the headers leave, and the trace records the exchange.
 */
import { Client, StreamableHTTPClientTransport, type FetchLike } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { PROXY_LATENCY_HEADER, UPSTREAM_LATENCY_HEADER } from '../../main/gateway/request-timing.js';
import { pooledFetch } from '../../main/upstream/pooled-fetch.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';

const ROUTE = '/lean';

interface Answer {
  method: string;
  status: number;
  headers: Headers;
}

let upstream: ServerEverythingHttp;
let gateway: RunningGateway;
let client: Client;
const answers: Answer[] = [];

/** The client's own fetch, noting the JSON-RPC method and the answer's status and headers. */
const recordingFetch: FetchLike = async (url, init) => {
  const response = await fetch(url, init);
  const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : undefined;
  if (init?.method === 'POST' && body?.method) answers.push({ method: body.method, status: response.status, headers: response.headers });
  return response;
};

function lastAnswerTo(method: string): Answer {
  const answer = answers.findLast((candidate) => candidate.method === method);
  if (!answer) throw new Error(`no ${method} was answered (answers: ${answers.map((a) => a.method).join(', ')})`);
  return answer;
}

beforeAll(async () => {
  upstream = await startServerEverythingHttp();
  gateway = await startGateway({
    config: gatehouseConfigSchema.parse({
      listen: { port: 0 },
      routes: [{ path: ROUTE, upstreams: [{ name: 'everything', kind: 'http', url: upstream.url }] }],
    }),
  });
  client = new Client({ name: 'lean-hop-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { fetch: recordingFetch }));
});

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await upstream?.close();
});

describe("a 2025 session's POSTs through the gateway", () => {
  it('a call answered with nothing before its result comes back as one JSON body, with both latency headers', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'lean hop' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: lean hop' }]);

    const answer = lastAnswerTo('tools/call');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(Number(answer.headers.get('content-length'))).toBeGreaterThan(0);
    for (const header of [UPSTREAM_LATENCY_HEADER, PROXY_LATENCY_HEADER]) expect(answer.headers.get(header)).toMatch(/^\d+$/);

    const exchange = gateway.trace
      .recent()
      .filter((event): event is HttpExchangeEvent => event.type === 'http.exchange' && event.mcpMethod === 'tools/call')
      .at(-1);
    expect(exchange).toMatchObject({ route: ROUTE, step: 'mcp', status: 200 });
    expect(exchange?.response.body).toContain('Echo: lean hop');
    expect(exchange?.request.body).toContain('"lean hop"');
  });

  it('a call whose upstream sends progress first stays an event stream: progress, then the result', async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 2 } },
      { onprogress: (notification) => progress.push(notification.progress) },
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Long running operation completed. Duration: 1 seconds, Steps: 2.' }]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const answer = lastAnswerTo('tools/call');
    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Stamped when the headers left, at the first progress: after the upstream call began.
    expect(answer.headers.get(UPSTREAM_LATENCY_HEADER)).toMatch(/^\d+$/);
  });

  it('answers a session DELETE with no body and ends the session', async () => {
    const transport = client.transport as StreamableHTTPClientTransport;
    const sessionId = transport.sessionId;
    await transport.terminateSession();
    const answer = await fetch(gateway.url(ROUTE), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId ?? '' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(answer.status).toBe(404);
  });
});

describe('the pooled upstream fetch', () => {
  it('reads a JSON answer whole and hands an event stream over as it arrives', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } };
    const opened = await pooledFetch(upstream.url, {
      ...init,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'pooled', version: '1' } } }),
    });
    expect(opened.status).toBe(200);
    const text = await opened.text();
    expect(text).toContain('"protocolVersion"');
    expect(opened.bodyUsed).toBe(true);
    await expect(opened.text()).rejects.toThrow(/already been read/);
    await expect(pooledFetch('http://127.0.0.1:9/nothing-listens-here')).rejects.toThrow(/fetch failed/);
  });
});
