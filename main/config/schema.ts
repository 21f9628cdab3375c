/**
 * Gatehouse's own configuration format. Every key documents itself here (description, example);
 * docs/configuration.md is written from these descriptions. Unknown keys are errors: a typo must
 * never be silently ignored.
 */
import { z } from 'zod';

const httpMethod = z
  .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
  .describe('HTTP method of the REST endpoint. Example: GET');

/** A JSON Schema object, kept as written (it is forwarded to clients as part of a tool's inputSchema). */
const jsonSchema = z.record(z.string(), z.unknown()).describe('A JSON Schema. Example: {type: string}');

export const restParameterSchema = z.strictObject({
  name: z.string().min(1).describe('Argument name as the tool exposes it. Example: orderId'),
  in: z
    .enum(['path', 'query', 'header', 'body'])
    .describe('Where the argument goes in the HTTP request: a {name} placeholder in the path, the query string, a header, or a field of the JSON body.'),
  required: z.boolean().optional().describe('Whether the caller must supply it. Path parameters are always required.'),
  description: z.string().optional().describe('Shown to the model as the argument description.'),
  schema: jsonSchema.optional().describe('JSON Schema of the value. Default: {type: string}.'),
});

export const toolAnnotationsSchema = z
  .strictObject({
    title: z.string().optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .describe('MCP tool annotations (https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool).');

export const restToolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _ . - only, at most 128 characters').describe('Tool name. Example: get-order'),
  description: z.string().optional().describe('What the tool does, for the model.'),
  method: httpMethod,
  path: z.string().startsWith('/').describe('Path template appended to base_url; {name} placeholders are path parameters. Example: /orders/{orderId}'),
  parameters: z.array(restParameterSchema).default([]).describe('The tool arguments and where each one goes.'),
  annotations: toolAnnotationsSchema.optional(),
});

const headersSchema = z.record(z.string(), z.string()).describe('Extra HTTP headers sent to the upstream. Example: {X-Team: search}');

const upstreamName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only, at most 64 characters')
  .describe('Name of the upstream, used as its prefix when names are prefixed. Example: github');

export const httpUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('http').describe('A Streamable HTTP MCP server.'),
  url: z.url().describe('The MCP endpoint. Example: http://127.0.0.1:3001/mcp'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(60_000).describe('Per-request timeout towards this upstream.'),
});

export const sseUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('sse').describe('A legacy HTTP+SSE MCP server (protocol 2024-11-05).'),
  url: z.url().describe('The SSE endpoint. Example: http://127.0.0.1:3001/sse'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(60_000).describe('Per-request timeout towards this upstream.'),
});

export const stdioUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('stdio').describe('A local MCP server the gateway spawns and talks to over stdin/stdout.'),
  command: z.string().min(1).describe('Executable to run. Example: npx'),
  args: z.array(z.string()).default([]).describe('Arguments. Example: ["-y", "@modelcontextprotocol/server-everything", "stdio"]'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables (added to PATH, HOME and the other safe defaults).'),
  cwd: z.string().optional().describe('Working directory; relative paths are resolved against the config file.'),
  timeout_ms: z.number().int().positive().default(60_000).describe('Per-request timeout towards this upstream.'),
});

export const restUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('rest').describe('REST endpoints declared as MCP tools.'),
  base_url: z.url().describe('Base URL the tool paths are appended to. Example: http://127.0.0.1:9000/api'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(30_000).describe('Per-call HTTP timeout.'),
  tools: z.array(restToolSchema).min(1).describe('The endpoints, one tool each.'),
});

export const upstreamSchema = z.discriminatedUnion('kind', [
  httpUpstreamSchema,
  sseUpstreamSchema,
  stdioUpstreamSchema,
  restUpstreamSchema,
]);

export const corsSchema = z.strictObject({
  allowed_origins: z
    .array(z.string())
    .default([])
    .describe('Browser origins allowed to call this route (besides localhost ones), e.g. "https://inspector.example.com"; "*" allows any.'),
  allow_credentials: z.boolean().default(false).describe('Send Access-Control-Allow-Credentials: true.'),
  max_age_s: z.number().int().nonnegative().default(600).describe('How long a browser may cache the preflight answer.'),
}).describe('CORS for browser MCP clients (MCP Inspector, claude.ai). Localhost origins are always allowed.');

export const routeSchema = z.strictObject({
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'a path such as /github or /team/search, without a trailing slash')
    .describe('Where the route is served: http://localhost:PORT<path>. Example: /ecommerce-mcp'),
  description: z.string().optional().describe('Shown in the window and in the server instructions.'),
  prefix: z
    .enum(['conditional', 'always', 'never'])
    .default('conditional')
    .describe('How tool, prompt and resource-template names of several upstreams are kept apart: prefix with "<upstream>_" only on collision (conditional), always, or never (a collision is then a config error).'),
  allowed_hosts: z
    .array(z.string())
    .default([])
    .describe('Extra Host header names accepted on this route besides localhost, 127.0.0.1 and [::1] (DNS-rebinding protection).'),
  cors: corsSchema.optional(),
  upstreams: z.array(upstreamSchema).min(1).describe('The servers behind this route.'),
});

export const listenSchema = z.strictObject({
  host: z
    .string()
    .default('127.0.0.1')
    .describe('Interface to bind. Loopback by default; anything else exposes your MCP servers to the network.'),
  port: z.number().int().min(0).max(65535).default(8400).describe('TCP port; 0 picks a free one.'),
  max_body_bytes: z.number().int().positive().default(4 * 1024 * 1024).describe('Largest accepted request body; bigger ones get 413.'),
}).describe('Where the gateway listens. --port and --host on the command line override it.');

export const gatehouseConfigSchema = z
  .strictObject({
    listen: listenSchema.default({ host: '127.0.0.1', port: 8400, max_body_bytes: 4 * 1024 * 1024 }),
    routes: z.array(routeSchema).min(1).describe('The MCP endpoints this gateway serves.'),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.routes.forEach((route, index) => {
      const first = seen.get(route.path);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'path'],
          message: `route path ${route.path} is already used by routes[${first}]; give each route its own path`,
        });
      }
      seen.set(route.path, index);
      const names = new Map<string, number>();
      route.upstreams.forEach((upstream, u) => {
        const other = names.get(upstream.name);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'upstreams', u, 'name'],
            message: `upstream name "${upstream.name}" is already used by upstreams[${other}] of route ${route.path}`,
          });
        }
        names.set(upstream.name, u);
      });
    });
  });

export type GatehouseConfig = z.infer<typeof gatehouseConfigSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type HttpUpstreamConfig = z.infer<typeof httpUpstreamSchema>;
export type SseUpstreamConfig = z.infer<typeof sseUpstreamSchema>;
export type StdioUpstreamConfig = z.infer<typeof stdioUpstreamSchema>;
export type RestUpstreamConfig = z.infer<typeof restUpstreamSchema>;
export type RestToolConfig = z.infer<typeof restToolSchema>;
export type RestParameterConfig = z.infer<typeof restParameterSchema>;
export type CorsConfig = z.infer<typeof corsSchema>;
export type PrefixMode = RouteConfig['prefix'];
