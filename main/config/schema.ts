/**
 * Gatehouse's own configuration format. Every key documents itself here (description, example);
 * docs/configuration.md is written from these descriptions. Unknown keys are errors: a typo must
 * never be silently ignored.
 */
import { z } from 'zod';

import { routeAclSchema } from '../policy/policy-schema.js';

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

export const openApiUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('openapi').describe('A REST API described by an OpenAPI 3.0/3.1 document: one tool per operation.'),
  spec: z.string().min(1).describe('The OpenAPI document: a file path (relative to this config file) or an http(s) URL. Example: ./petstore.yaml'),
  base_url: z.url().optional().describe("Where the API is. Default: the document's first servers[] entry."),
  include: z
    .strictObject({
      tags: z.array(z.string()).default([]).describe('Only operations with one of these tags.'),
      operations: z.array(z.string()).default([]).describe('Only these operationIds.'),
    })
    .optional()
    .describe('Which operations become tools (both empty or absent: all).'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(30_000).describe('Per-call HTTP timeout.'),
});

export const upstreamSchema = z.discriminatedUnion('kind', [
  httpUpstreamSchema,
  sseUpstreamSchema,
  stdioUpstreamSchema,
  restUpstreamSchema,
  openApiUpstreamSchema,
]);

export const corsSchema = z.strictObject({
  allowed_origins: z
    .array(z.string())
    .default([])
    .describe('Browser origins allowed to call this route (besides localhost ones), e.g. "https://inspector.example.com"; "*" allows any.'),
  allow_credentials: z.boolean().default(false).describe('Send Access-Control-Allow-Credentials: true.'),
  max_age_s: z.number().int().nonnegative().default(600).describe('How long a browser may cache the preflight answer.'),
}).describe('CORS for browser MCP clients (MCP Inspector, claude.ai). Localhost origins are always allowed.');

/** The JWT signature algorithms a route accepts unless it says otherwise. */
export const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

const claimPath = z
  .string()
  .min(1)
  .describe('A claim name or a dotted path into the token claims. Examples: groups, realm_access.roles, resource_access.my-app.roles');

export const introspectionSchema = z
  .strictObject({
    endpoint: z.url().optional().describe('RFC 7662 introspection endpoint. Default: introspection_endpoint from the issuer metadata.'),
    client_id: z.string().min(1).optional().describe('Client the gateway authenticates as. Not needed with issuer: builtin.'),
    client_secret: z.string().min(1).optional().describe('Its secret; write ${ENV_VAR} rather than the secret itself.'),
    auth_method: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic').describe('How the gateway authenticates to the introspection endpoint.'),
    cache_max_s: z.number().int().nonnegative().default(300).describe("Longest time an introspection result is reused (never past the token's exp). 0 disables the cache."),
  })
  .describe('Validate tokens by RFC 7662 introspection (opaque tokens). When set, it wins over JWT validation, as in Kong.');

export const routeAuthSchema = z
  .strictObject({
    issuer: z
      .union([z.literal('builtin'), z.url()])
      .describe('The authorization server: "builtin" for Gatehouse\'s own identity provider, or an issuer URL (Keycloak realm, Okta, Entra, Auth0…). Written into the Protected Resource Metadata byte for byte.'),
    jwks_uri: z.url().optional().describe('Where the signing keys are. Default: jwks_uri from the issuer metadata.'),
    introspection: introspectionSchema.optional(),
    algorithms: z
      .array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']))
      .min(1)
      .default(() => [...DEFAULT_ALGORITHMS])
      .describe('Accepted JWT signature algorithms. "none" and HMAC algorithms are never accepted.'),
    clock_skew_s: z.number().int().nonnegative().max(300).default(30).describe('Tolerance for exp/nbf/iat, in seconds.'),
    jwks_cooldown_s: z
      .number()
      .nonnegative()
      .default(30)
      .describe('Least time between two fetches of the signing keys: a token with an unknown kid (key rotation) refetches them at most this often. Keys stay cached while the IdP is down.'),
    audiences: z.array(z.string()).default([]).describe("Extra accepted audiences besides the route's own URL (RFC 8707). Example: an Entra app ID URI."),
    insecure_relaxed_audience_validation: z
      .boolean()
      .default(false)
      .describe("Accept tokens whose aud is not this route (most IdPs do not do resource indicators yet). Every request that relied on it is flagged in the trace."),
    scopes_supported: z.array(z.string()).default([]).describe('Scopes listed in the Protected Resource Metadata and in the 401 challenge.'),
    required_scopes: z.array(z.string()).default([]).describe('Scopes every request to the route needs.'),
    tool_scopes: z
      .record(z.string(), z.array(z.string()).min(1))
      .default({})
      .describe('Extra scopes per tool (by the name clients see). A call without them gets 403 insufficient_scope (step-up). Example: {cancel-order: [orders:write]}'),
    claims: z
      .strictObject({
        subject: claimPath.default('sub'),
        client_id: claimPath.default('client_id'),
        scope: claimPath.default('scope'),
        groups: z.array(claimPath).default(['groups']).describe('Where groups are read from, first found wins. Examples: groups, realm_access.roles, roles'),
      })
      .default({ subject: 'sub', client_id: 'client_id', scope: 'scope', groups: ['groups'] })
      .describe('Where the principal is read from in the token claims.'),
    groups_optional: z
      .boolean()
      .default(false)
      .describe('Accept tokens that carry no group. By default they are rejected (Kong consumer_groups_optional: false); set true for IdPs that issue no group claim.'),
    claim_to_header: z
      .record(z.string(), claimPath)
      .default({})
      .describe('Forward chosen claims to the upstreams as headers (the token itself never is). Example: {X-User-Id: sub}'),
    resource_documentation: z.url().optional().describe('Link for humans, served in the Protected Resource Metadata.'),
  })
  .describe('OAuth 2.1 resource server for this route (MCP authorization spec): a 401 with Protected Resource Metadata for requests without a valid token.');

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
  auth: routeAuthSchema.optional(),
  acl: routeAclSchema.optional().describe('Who may see and call which tools, prompts and resources (docs/policy.md). Needs auth.'),
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

export const idpUserSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/).describe('Login name; also the token subject (sub). Example: alice'),
  password: z.string().min(1).describe('Password for the login page; write ${ENV_VAR} for anything but demo users.'),
  groups: z.array(z.string()).default([]).describe('Groups, issued in the "groups" claim. Example: [warehouse-ops]'),
  name: z.string().optional().describe('Display name.'),
  email: z.email().optional(),
});

export const DEMO_USERS = [
  { username: 'alice', password: 'demo', groups: ['warehouse-ops'], name: 'Alice (warehouse ops)' },
  { username: 'bob', password: 'demo', groups: ['customer-support'], name: 'Bob (customer support)' },
];

export const builtinIdpSchema = z
  .strictObject({
    kind: z.literal('builtin'),
    port: z.number().int().min(0).max(65535).default(8401).describe('Port of the identity provider (issuer http://127.0.0.1:PORT); 0 picks a free one.'),
    users: z.array(idpUserSchema).min(1).default(DEMO_USERS).describe('Who can sign in. Default: the demo users alice and bob, password demo.'),
    access_token_ttl_s: z.number().int().positive().default(3600).describe('Access token lifetime.'),
    refresh_token_ttl_s: z.number().int().positive().default(14 * 24 * 3600).describe('Refresh token lifetime (rotated on every use).'),
  })
  .describe("Gatehouse's built-in development identity provider (oidc-provider): login page, PKCE, dynamic client registration, resource indicators, introspection, revocation.");

export const gatehouseConfigSchema = z
  .strictObject({
    listen: listenSchema.default({ host: '127.0.0.1', port: 8400, max_body_bytes: 4 * 1024 * 1024 }),
    idp: z
      .preprocess((value) => (value === 'builtin' ? { kind: 'builtin' } : value), builtinIdpSchema)
      .optional()
      .describe('"builtin" (or an object with kind: builtin) starts the built-in identity provider, for routes with auth.issuer: builtin.'),
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
      if (route.auth?.issuer === 'builtin' && !config.idp) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'auth', 'issuer'],
          message: 'issuer is "builtin" but the built-in identity provider is off — add `idp: builtin` at the top level',
        });
      }
      if (route.acl && !route.auth) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'acl'],
          message: 'an ACL needs to know who is calling, and this route has no auth — add auth (e.g. issuer: builtin) or remove the acl',
        });
      }
      const auth = route.auth;
      if (auth?.issuer === 'builtin' && !auth.scopes_supported.length && !auth.required_scopes.length && !Object.keys(auth.tool_scopes).length) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'auth', 'scopes_supported'],
          message: 'the built-in identity provider grants a token only for a scope the client asks for, and this route names none — add scopes_supported: [mcp:use]',
        });
      }
      const introspection = route.auth?.introspection;
      if (introspection && route.auth?.issuer !== 'builtin' && (!introspection.client_id || !introspection.client_secret)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'auth', 'introspection'],
          message: 'introspection against an external issuer needs client_id and client_secret (the client the gateway authenticates as)',
        });
      }
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
export type OpenApiUpstreamConfig = z.infer<typeof openApiUpstreamSchema>;
export type RestToolConfig = z.infer<typeof restToolSchema>;
export type RestParameterConfig = z.infer<typeof restParameterSchema>;
export type CorsConfig = z.infer<typeof corsSchema>;
export type PrefixMode = RouteConfig['prefix'];
export type RouteAuthConfig = z.infer<typeof routeAuthSchema>;
export type BuiltinIdpConfig = z.infer<typeof builtinIdpSchema>;
export type IdpUser = z.infer<typeof idpUserSchema>;
