/**
 * The least a gateway that terminates MCP with the official SDK on both sides can do, for scale:
 * per client session, an SDK Server whose `tools/call` handler hands the call to an SDK Client on
 * the upstream — nothing else (no routing, policy, trace, timing). Both ends in the SDK's
 * cheapest configuration: the Node server transport answering JSON (sessionful-mcp-http.ts) and
 * the client's result check left to the server, as Gatehouse does. What Gatehouse adds beyond
 * this is its own cost; what this adds beyond the pipe proxy is the SDK's.
 *
 * `node --import tsx sdk-relay.ts UPSTREAM_URL` prints `{"ready": {"url": ...}}`.
 */
import { Client, StreamableHTTPClientTransport, type Result, type StandardSchemaV1 } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/server';

import { serveSessionfulMcp } from './sessionful-mcp-http.js';

const upstream = new URL(process.argv[2] ?? '');

/** The server checks every tools/call result on the way out: the client need not check it too. */
const UNCHECKED: StandardSchemaV1<unknown, Result> = { '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value: value as Result }) } };

serveSessionfulMcp(async (transport) => {
  const client = new Client({ name: 'sdk-relay', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(upstream));
  const server = new Server({ name: 'sdk-relay', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => client.listTools());
  server.setRequestHandler('tools/call', (request) => client.request({ method: 'tools/call', params: request.params }, UNCHECKED) as never);
  await server.connect(transport);
  return { close: () => client.close() };
});
