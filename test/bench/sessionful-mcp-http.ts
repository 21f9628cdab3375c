/**
 * The benchmark's own MCP servers on HTTP (echo-http-server.ts, sdk-relay.ts): Streamable HTTP on
 * node:http with the SDK's Node transport, sessionful (one session object per 2025 session, the
 * way real 2025 servers run), answering with JSON instead of event streams
 * (`enableJsonResponse`), the cheapest shape a tools/call answer can take. Listens on 127.0.0.1
 * (PORT env, default: free), prints `{"ready": {"url": ...}}`, and exits on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';

const MCP_PATH = '/mcp';

export interface McpSession {
  close(): Promise<void>;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  served: McpSession;
}

/** Serves MCP at /mcp; `connect` puts a new session's server on its transport. */
export function serveSessionfulMcp(connect: (transport: NodeStreamableHTTPServerTransport) => Promise<McpSession>): void {
  const sessions = new Map<string, Session>();

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
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => {
        sessions.delete(id);
        void session.served.close();
      },
    });
    const session: Session = { transport, served: { close: async () => undefined } };
    void connect(transport)
      .then((served) => {
        session.served = served;
        return transport.handleRequest(req, res);
      })
      .then(() => {
        if (!transport.sessionId || !sessions.has(transport.sessionId)) void session.served.close();
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
}
