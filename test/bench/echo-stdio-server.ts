/**
 * The benchmark's stdio upstream: an McpServer with one `echo` tool on stdin/stdout. It has no
 * local imports and only erasable TypeScript, so plain `node echo-stdio-server.ts` runs it (Node
 * 22 strips the types): spawning it costs only Node and the SDK, not a TypeScript loader —
 * that matters to supergateway, whose default mode spawns one server per request.
 *
 * Ends when its stdin ends (the MCP stdio way of being told to stop).
 */
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-echo-stdio', version: '1.0.0' });
server.registerTool(
  'echo',
  { description: 'Returns its message.', inputSchema: z.object({ message: z.string() }) },
  ({ message }) => ({ content: [{ type: 'text', text: message }] }),
);

const transport = new StdioServerTransport();
transport.onclose = () => process.exit(0);
await server.connect(transport);
