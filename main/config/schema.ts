/**
 * Gatehouse's own configuration format. Every key documents itself here (description, example);
 * docs/configuration.md is written from these descriptions. Unknown keys are errors: a typo must
 * never be silently ignored.
 */
import { z } from 'zod';

import { isPasswordHash, PASSWORD_HASH_FORMAT } from './password-hash-format.js';
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

/**
 * The gateway's own OAuth client towards a secured upstream (MCP authorization spec, client side).
 * Credentials it obtains live in the OS keychain, keyed by issuer and resource, never in this file.
 */
export const upstreamOAuthSchema = z
  .strictObject({
    type: z.literal('oauth').describe('OAuth 2.1, as an MCP client (https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization).'),
    grant: z
      .enum(['authorization_code', 'client_credentials'])
      .default('authorization_code')
      .describe(
        'authorization_code: a person logs in once in the browser (PKCE), Gatehouse refreshes. client_credentials (OAuth 2.1 §4.2, MCP extension SEP-1046): Gatehouse is the client itself, with client_id and client_secret or a private key, and fetches a new token whenever it needs one — no login, no refresh token. Example: client_credentials',
      ),
    issuer: z
      .url()
      .optional()
      .describe("The upstream's authorization server. When set, Gatehouse refuses any other issuer the upstream's metadata names (and binds client_id/secret to it). Example: https://login.example.com/oauth2/default"),
    client_id: z
      .string()
      .min(1)
      .optional()
      .describe('A client registered beforehand at the authorization server (needed where there is no open dynamic registration: Entra, Google, Cognito, Okta). Without it Gatehouse tries client_metadata_url, then dynamic client registration.'),
    client_secret: z.string().min(1).optional().describe('Secret of that client, for confidential clients; write ${ENV_VAR} rather than the secret itself.'),
    token_endpoint_auth_method: z
      .enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'])
      .optional()
      .describe('How Gatehouse authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). Default: client_secret_basic with a secret, none without one; private_key_jwt needs private_key_file or private_key_jwk.'),
    private_key_file: z.string().min(1).optional().describe('PEM (PKCS#8) private key for private_key_jwt; relative paths resolve against this config file. Example: ./keys/gatehouse.pem'),
    private_key_jwk: z.record(z.string(), z.unknown()).optional().describe('The private key for private_key_jwt as a JWK, instead of a file.'),
    signing_algorithm: z.string().default('RS256').describe('JWS algorithm of private_key_jwt client assertions. Example: ES256'),
    scopes: z
      .array(z.string())
      .default([])
      .describe("Scopes to ask for besides those the upstream's 401 challenge names; when neither names any, its metadata's scopes_supported are asked for."),
    client_metadata_url: z
      .url()
      .optional()
      .describe("An https URL where Gatehouse's Client ID Metadata Document is hosted; used as client_id when the authorization server advertises client_id_metadata_document_supported. Example: https://example.com/gatehouse/client.json"),
    redirect_port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(0)
      .describe('Port of the one-shot loopback redirect http://127.0.0.1:PORT/callback that receives the code; 0 picks a free one each time. Set it when the client is registered with one exact redirect URI (GitHub).'),
    resource_parameter: z
      .boolean()
      .default(true)
      .describe('Send the RFC 8707 resource parameter on authorize, token and refresh requests. Turn off only for authorization servers that reject it (Entra v2 endpoints: AADSTS9010010).'),
    max_step_up: z.number().int().min(0).max(5).default(2).describe('How many times one request may re-authorize with wider scopes after 403 insufficient_scope before failing.'),
  })
  .superRefine((auth, ctx) => {
    const method = auth.token_endpoint_auth_method;
    if (auth.client_secret && !auth.client_id) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'client_secret without client_id — add the client_id it belongs to' });
    }
    if ((method === 'client_secret_basic' || method === 'client_secret_post') && !auth.client_secret) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: `token_endpoint_auth_method ${method} needs client_secret (write \${ENV_VAR})` });
    }
    if (method === 'private_key_jwt' && !auth.private_key_file && !auth.private_key_jwk) {
      ctx.addIssue({ code: 'custom', path: ['private_key_file'], message: 'private_key_jwt needs private_key_file or private_key_jwk' });
    }
    if (method === 'private_key_jwt' && !auth.client_id) {
      ctx.addIssue({ code: 'custom', path: ['client_id'], message: 'private_key_jwt needs the client_id the key is registered for' });
    }
    if (auth.grant === 'client_credentials') {
      if (!auth.client_id) {
        ctx.addIssue({ code: 'custom', path: ['client_id'], message: 'grant client_credentials needs the client_id registered for this machine client at the authorization server' });
      } else if (!auth.client_secret && method !== 'private_key_jwt') {
        ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'grant client_credentials needs client_secret (write ${ENV_VAR}) or token_endpoint_auth_method: private_key_jwt with a private key' });
      }
      if (method === 'none') {
        ctx.addIssue({ code: 'custom', path: ['token_endpoint_auth_method'], message: 'grant client_credentials needs a client that authenticates (client_secret_basic, client_secret_post or private_key_jwt), not none' });
      }
      if (auth.client_metadata_url) {
        ctx.addIssue({ code: 'custom', path: ['client_metadata_url'], message: 'client_metadata_url is for browser logins (authorization_code); a client_credentials client is registered beforehand — remove it' });
      }
    }
    if (auth.client_metadata_url && !/^https:\/\/[^/]+\/.+/.test(auth.client_metadata_url)) {
      ctx.addIssue({ code: 'custom', path: ['client_metadata_url'], message: 'client_metadata_url must be an https URL with a path (it becomes the client_id)' });
    }
  })
  .describe(
    "Log Gatehouse in to this upstream with its own OAuth credentials (never the client's token). Run `gatehouse login <route>/<upstream>` once; tokens are kept in the OS keychain and refreshed. With grant: client_credentials no login is needed: Gatehouse fetches its own tokens.",
  );

export const httpUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('http').describe('A Streamable HTTP MCP server.'),
  url: z.url().describe('The MCP endpoint. Example: http://127.0.0.1:3001/mcp'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(60_000).describe('Per-request timeout towards this upstream.'),
  auth: upstreamOAuthSchema.optional(),
});

export const sseUpstreamSchema = z.strictObject({
  name: upstreamName,
  kind: z.literal('sse').describe('A legacy HTTP+SSE MCP server (protocol 2024-11-05).'),
  url: z.url().describe('The SSE endpoint. Example: http://127.0.0.1:3001/sse'),
  headers: headersSchema.optional(),
  timeout_ms: z.number().int().positive().default(60_000).describe('Per-request timeout towards this upstream.'),
  auth: upstreamOAuthSchema.optional(),
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

/** Headers claim_to_header may not set: credentials and MCP routing are the gateway's own. */
const RESERVED_CLAIM_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host', 'mcp-session-id', 'mcp-protocol-version']);

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
      // Credentials and routing are the gateway's own: a claim must never replace an upstream's bearer token.
      .superRefine((headers, ctx) => {
        for (const name of Object.keys(headers)) {
          if (RESERVED_CLAIM_HEADERS.has(name.toLowerCase())) {
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} is the gateway's own header (Authorization, Proxy-Authorization, Cookie, Host, Mcp-Session-Id, MCP-Protocol-Version) — pick another name, e.g. X-User-Id` });
          }
        }
      })
      .default({})
      .describe('Forward chosen claims to the upstreams as headers (the token itself never is). Example: {X-User-Id: sub}'),
    resource_documentation: z.url().optional().describe('Link for humans, served in the Protected Resource Metadata.'),
  })
  .describe('OAuth 2.1 resource server for this route (MCP authorization spec): a 401 with Protected Resource Metadata for requests without a valid token.');

/** Mirrors FaultSet (shared/admin-api.ts): what the window's fault panel sets at run time. */
export const faultSetSchema = z
  .strictObject({
    drop_resource_metadata: z
      .boolean()
      .optional()
      .describe('401 challenges leave out resource_metadata (RFC 9728 §5.1), as a misconfigured server would; clients such as Claude Desktop then stop.'),
    hide_path_metadata: z
      .boolean()
      .optional()
      .describe('The path-suffixed Protected Resource Metadata (/.well-known/oauth-protected-resource/<route>) answers 404; the root one stays.'),
    require_scope: z
      .string()
      .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'one scope token (RFC 6749 §3.3: no spaces or quotes)')
      .optional()
      .describe('Every tools/call demands this extra scope: 403 insufficient_scope, so the client must step up. Example: shop:audit'),
    upstream_delay_ms: z.number().int().nonnegative().max(120_000).optional().describe('Added delay before each upstream call, in ms (a slow upstream). Example: 2000'),
    upstream_failure: z.boolean().optional().describe('Upstream calls fail as if the upstream had died.'),
  })
  .describe('Faults injected on purpose, to see how a client copes; every exchange one shapes is marked in the trace. The window sets them at run time too.');

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
  faults: faultSetSchema.optional(),
});

export const listenSchema = z.strictObject({
  host: z
    .string()
    .default('127.0.0.1')
    .describe('Interface to bind. Loopback by default; anything else exposes your MCP servers to the network.'),
  port: z.number().int().min(0).max(65535).default(8400).describe('TCP port; 0 picks a free one.'),
  max_body_bytes: z.number().int().positive().default(4 * 1024 * 1024).describe('Largest accepted request body; bigger ones get 413.'),
}).describe('Where the gateway listens. --port and --host on the command line override it.');

export const idpUserSchema = z
  .strictObject({
    username: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/).describe('Login name; also the token subject (sub). Example: alice'),
    password: z.string().min(1).optional().describe('Password for the login page; write ${ENV_VAR} for anything but demo users. Give this or password_hash.'),
    password_hash: z
      .string()
      .refine(isPasswordHash, { message: `not a password hash Gatehouse can read — expected ${PASSWORD_HASH_FORMAT}, as the window's Settings writes it; or give the password instead` })
      .optional()
      .describe("A salted scrypt hash of the password (RFC 7914), as the window's Settings writes it — keeps the password out of the file. Format scrypt$N$r$p$salt$key."),
    groups: z.array(z.string()).default([]).describe('Groups, issued in the "groups" claim. Example: [warehouse-ops]'),
    name: z.string().optional().describe('Display name.'),
    email: z.email().optional(),
  })
  .superRefine((user, ctx) => {
    // The index is in the issue's path (the problem's field, idp.users[N]); the message names the user.
    if (user.password !== undefined && user.password_hash !== undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: `user ${user.username}: give either password or password_hash, not both` });
    } else if (user.password === undefined && user.password_hash === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: `user ${user.username}: give a password (or password_hash)` });
    }
  });

/** The built-in IdP's own client for the gateway (introspection, revocation): configured clients may not take its id. */
export const GATEWAY_IDP_CLIENT_ID = 'gatehouse-gateway';

/** A machine client of the built-in IdP: no person, no browser — tokens by client_credentials. */
export const idpClientSchema = z
  .strictObject({
    client_id: z
      .string()
      // No ':' — it would split HTTP Basic credentials (RFC 7617).
      .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _ . and - only, at most 128 characters')
      .describe('The client id; also the subject (sub) of its tokens. Example: nightly-agent'),
    client_secret: z.string().min(1).describe('Its secret, sent with HTTP Basic (client_secret_basic) or in the form (client_secret_post); write ${ENV_VAR} rather than the secret itself.'),
    groups: z.array(z.string()).default([]).describe('Groups, issued in the "groups" claim of its tokens, so route ACLs treat it like a user of these groups. Example: [warehouse-ops]'),
    name: z.string().optional().describe('Display name.'),
  })
  .describe('A machine client (CI job, agent, another service) that gets tokens with the client_credentials grant (OAuth 2.1 §4.2, MCP extension SEP-1046).');

export const DEMO_USERS = [
  { username: 'alice', password: 'demo', groups: ['warehouse-ops'], name: 'Alice (warehouse ops)' },
  { username: 'bob', password: 'demo', groups: ['customer-support'], name: 'Bob (customer support)' },
];

export const builtinIdpSchema = z
  .strictObject({
    kind: z.literal('builtin'),
    port: z.number().int().min(0).max(65535).default(8401).describe('Port of the identity provider (issuer http://127.0.0.1:PORT); 0 picks a free one.'),
    users: z.array(idpUserSchema).min(1).default(DEMO_USERS).describe('Who can sign in. Default: the demo users alice and bob, password demo.'),
    clients: z
      .array(idpClientSchema)
      .default([])
      .superRefine((clients, ctx) => {
        const seen = new Set<string>();
        clients.forEach((client, index) => {
          if (client.client_id === GATEWAY_IDP_CLIENT_ID) ctx.addIssue({ code: 'custom', path: [index, 'client_id'], message: `${GATEWAY_IDP_CLIENT_ID} is the gateway's own client at the built-in IdP; pick another client_id` });
          if (seen.has(client.client_id)) ctx.addIssue({ code: 'custom', path: [index, 'client_id'], message: `client ${client.client_id} is listed twice; give each client its own client_id` });
          seen.add(client.client_id);
        });
      })
      .describe('Machine clients registered beforehand, which get tokens with client_credentials (for routes of this IdP) instead of a login.'),
    access_token_ttl_s: z.number().int().positive().default(3600).describe('Access token lifetime.'),
    refresh_token_ttl_s: z.number().int().positive().default(14 * 24 * 3600).describe('Refresh token lifetime (rotated on every use).'),
  })
  .superRefine((idp, ctx) => {
    // Both become the token's sub: an ACL rule for a user must not match a machine client too.
    const usernames = new Set(idp.users.map((user) => user.username));
    idp.clients.forEach((client, index) => {
      if (usernames.has(client.client_id)) {
        ctx.addIssue({ code: 'custom', path: ['clients', index, 'client_id'], message: `client ${client.client_id} has the name of a user; both would be subject "${client.client_id}" to the ACLs — rename one` });
      }
    });
  })
  .describe("Gatehouse's built-in development identity provider (oidc-provider): login page, PKCE, dynamic client registration, client_credentials for machine clients, resource indicators, introspection, revocation.");

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
        const oauth = (upstream.kind === 'http' || upstream.kind === 'sse') && upstream.auth;
        if (oauth && (oauth.client_secret || oauth.private_key_file || oauth.private_key_jwk) && !oauth.issuer) {
          // Otherwise an upstream whose metadata names another authorization server receives the credential.
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'upstreams', u, 'auth', 'issuer'],
            message: `upstream ${upstream.name} has a client secret or key but no issuer — add auth.issuer (the authorization server it was registered at) so it is never sent to another one`,
          });
        }
      });
    });
  });

export type GatehouseConfig = z.infer<typeof gatehouseConfigSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type HttpUpstreamConfig = z.infer<typeof httpUpstreamSchema>;
export type SseUpstreamConfig = z.infer<typeof sseUpstreamSchema>;
export type UpstreamOAuthConfig = z.infer<typeof upstreamOAuthSchema>;
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
export type IdpClient = z.infer<typeof idpClientSchema>;
