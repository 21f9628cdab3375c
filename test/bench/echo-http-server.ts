/**
 * The benchmark's Streamable HTTP upstream: an McpServer with one `echo` tool, as fast as the SDK
 * makes it so that what is measured is the path in front of it. Sessionful (one McpServer per
 * 2025 session, the way real 2025 servers run) with JSON responses instead of SSE streams
 * (`enableJsonResponse`), the cheapest shape a tools/call answer can take.
 *
 * Runs in its own process so that neither the gateway nor the load generator shares its event
 * loop. Prints `{"ready": {"url": ...}}` once it listens on 127.0.0.1 (PORT env, default: free).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

const MCP_PATH = '/mcp';

function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its message.', inputSchema: z.object({ message: z.string() }) },
    ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  return server;
}

const sessions = new Map<string, NodeStreamableHTTPServerTransport>();

const http = createServer((req, res) => {
  if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const transport = sessions.get(sessionId);
    if (!transport) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
      return;
    }
    void transport.handleRequest(req, res);
    return;
  }
  // No session yet: only an initialize may come, and the transport itself rejects anything else.
  const transport = new NodeStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
    onsessioninitialized: (id) => void sessions.set(id, transport),
    onsessionclosed: (id) => void sessions.delete(id),
  });
  const server = createEchoServer();
  void server
    .connect(transport)
    .then(() => transport.handleRequest(req, res))
    .then(() => {
      if (!transport.sessionId || !sessions.has(transport.sessionId)) void server.close();
    });
});

http.keepAliveTimeout = 60_000;
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: { url: `http://127.0.0.1:${port}${MCP_PATH}` } })}\n`);
});

process.once('SIGTERM', () => {
  http.closeAllConnections();
  http.close();
  // process.exit (not the default signal death) so that a --cpu-prof profile gets written.
  process.exit(0);
});
