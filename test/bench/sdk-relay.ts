/**
 * The least a gateway that terminates MCP with the official SDK on both sides can do, for scale:
 * per client session, an SDK Server whose `tools/call` handler hands the call to an SDK Client on
 * the upstream — nothing else (no routing, policy, trace, timing). Both ends in the SDK's
 * cheapest configuration: the Node server transport answering JSON (no event stream) and the
 * client's result check left to the server, as Gatehouse does. What Gatehouse adds beyond this
 * is its own cost; what this adds beyond the pipe proxy is the SDK's.
 *
 * `node --import tsx sdk-relay.ts UPSTREAM_URL` prints `{"ready": {"url": ...}}`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Client, StreamableHTTPClientTransport, type Result, type StandardSchemaV1 } from '@modelcontextprotocol/client';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { Server } from '@modelcontextprotocol/server';

const MCP_PATH = '/mcp';
const upstream = new URL(process.argv[2] ?? '');

/** The server checks every tools/call result on the way out: the client need not check it too. */
const UNCHECKED: StandardSchemaV1<unknown, Result> = { '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value: value as Result }) } };

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  client: Client;
}

const sessions = new Map<string, Session>();

async function openSession(): Promise<Session> {
  const client = new Client({ name: 'sdk-relay', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(upstream));
  const server = new Server({ name: 'sdk-relay', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => client.listTools());
  server.setRequestHandler('tools/call', (request) => client.request({ method: 'tools/call', params: request.params }, UNCHECKED) as never);
  const session: Session = {
    client,
    transport: new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => {
        sessions.delete(id);
        void client.close();
      },
    }),
  };
  await server.connect(session.transport);
  return session;
}

const http = createServer((req, res) => {
  if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const session = sessions.get(sessionId);
    if (!session) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
      return;
    }
    void session.transport.handleRequest(req, res);
    return;
  }
  // No session yet: only an initialize may come, and the transport itself rejects anything else.
  void openSession().then(async (session) => {
    await session.transport.handleRequest(req, res);
    if (!session.transport.sessionId || !sessions.has(session.transport.sessionId)) await session.client.close();
  });
});

http.keepAliveTimeout = 60_000;
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: { url: `http://127.0.0.1:${port}${MCP_PATH}` } })}\n`);
});

process.once('SIGTERM', () => {
  http.closeAllConnections();
  http.close();
  // process.exit (not the default signal death) so that a --cpu-prof profile gets written.
  process.exit(0);
});
