/**
 * The benchmark's Streamable HTTP upstream: an McpServer with one `echo` tool, as fast as the SDK
 * makes it so that what is measured is the path in front of it (sessionful, JSON answers: see
 * sessionful-mcp-http.ts). Runs in its own process so that neither the gateway nor the load
 * generator shares its event loop.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

import { serveSessionfulMcp } from './sessionful-mcp-http.js';

serveSessionfulMcp(async (transport) => {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its message.', inputSchema: z.object({ message: z.string() }) },
    ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  await server.connect(transport);
  return server;
});
