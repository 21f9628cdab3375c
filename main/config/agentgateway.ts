/**
 * Reads an agentgateway config (https://agentgateway.dev/docs/, schema
 * https://agentgateway.dev/schema/config) and writes the Gatehouse config that serves the same MCP
 * endpoints, authentication and authorization. Whatever Gatehouse cannot honour is returned as a
 * note naming the agentgateway field — never dropped silently. Where the two differ, the
 * translation fails closed: an authorization rule that cannot be carried over is left out of an
 * allow-list (or becomes an unconditional deny), never turned into an allow.
 */

import { CORS_EXPOSED_HEADERS, CORS_REQUEST_HEADERS, headerSet } from './cors-headers.js';
import { asArray, isObject, TranslationNotes as Translation, type Json, type TranslationNote } from './translation-notes.js';

export type { TranslationNote } from './translation-notes.js';

/** agentgateway's default port for the short `mcp:` form (DEFAULT_MCP_PORT in types/local.rs). */
const DEFAULT_SHORT_FORM_PORT = 3000;
/** Where MCP clients connect when agentgateway matches every path (its examples use /mcp). */
const DEFAULT_PATH = '/mcp';
const GATEHOUSE_CORS_REQUEST_HEADERS = headerSet(CORS_REQUEST_HEADERS);
const GATEHOUSE_CORS_EXPOSED_HEADERS = headerSet(CORS_EXPOSED_HEADERS);
/** CEL variables agentgateway offers that Gatehouse's rule conditions know (main/policy/rule-condition.ts). */
const GATEHOUSE_MCP_FIELDS = new Set(['tool.name', 'prompt.name', 'resource.uri']);
const AGENTGATEWAY_CEL_ROOTS = ['response', 'proxy', 'env', 'apiKey', 'basicAuth', 'llm', 'llmRequest', 'source', 'destination', 'backend', 'extauthz', 'extproc', 'mcpGuardrails', 'metadata'];

export function isAgentgatewayConfig(doc: unknown): boolean {
  return isObject(doc) && ('binds' in doc || 'mcp' in doc);
}

/** agentgateway accepts `host` as a URI or host:port (scheme http by default), or host + port + path. */
function targetUrl(spec: Json, at: string, t: Translation): string | undefined {
  if (typeof spec.backend === 'string') {
    t.note(`${at}.backend`, 'a target that names a backend from the top-level backends list is not supported; write its URL as host');
    return undefined;
  }
  if (typeof spec.host !== 'string') {
    t.note(at, 'target has no host');
    return undefined;
  }
  const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec.host) ? spec.host : `http://${spec.host}`;
  if (typeof spec.port === 'number' && typeof spec.path === 'string') {
    const url = new URL(base);
    url.port = String(spec.port);
    url.pathname = spec.path;
    return url.toString();
  }
  return base;
}

function translateTarget(target: unknown, at: string, t: Translation): Json | undefined {
  if (!isObject(target) || typeof target.name !== 'string') {
    t.note(at, 'MCP target without a name');
    return undefined;
  }
  const name = target.name;
  if (isObject(target.policies)) t.note(`${at}.policies`, `transport policies on target ${name} (${Object.keys(target.policies).join(', ')}) are not supported`);
  if (isObject(target.stdio)) {
    const stdio = target.stdio;
    t.rest(stdio, ['cmd', 'args', 'env'], `${at}.stdio`, 'not supported (Gatehouse always starts stdio servers with a reduced environment plus env)');
    return { name, kind: 'stdio', command: stdio.cmd, args: asArray(stdio.args), env: isObject(stdio.env) ? stdio.env : {} };
  }
  if (isObject(target.mcp)) {
    const url = targetUrl(target.mcp, `${at}.mcp`, t);
    return url === undefined ? undefined : { name, kind: 'http', url };
  }
  if (isObject(target.sse)) {
    const url = targetUrl(target.sse, `${at}.sse`, t);
    return url === undefined ? undefined : { name, kind: 'sse', url };
  }
  if (isObject(target.openapi)) {
    const openapi = target.openapi;
    const schema = openapi.schema;
    let spec: string | undefined;
    if (isObject(schema) && typeof schema.file === 'string') spec = schema.file;
    else if (isObject(schema) && typeof schema.url === 'string') spec = schema.url;
    else t.note(`${at}.openapi.schema`, 'an inline OpenAPI document is not supported; save it to a file and give its path');
    const baseUrl = targetUrl(openapi, `${at}.openapi`, t);
    if (spec === undefined) return undefined;
    return { name, kind: 'openapi', spec, ...(baseUrl === undefined ? {} : { base_url: baseUrl }) };
  }
  t.note(at, `target ${name}: only stdio, mcp, sse and openapi targets are supported`);
  return undefined;
}

/** agentgateway durations are strings such as "5m", "30s", "1h". */
function durationSeconds(value: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return { ms: Math.floor(n / 1000), s: n, m: n * 60, h: n * 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

function translateCors(cors: Json, at: string, t: Translation): Json {
  const out: Json = { allowed_origins: asArray(cors.allowOrigins).filter((o) => typeof o === 'string') };
  if (typeof cors.allowCredentials === 'boolean') out.allow_credentials = cors.allowCredentials;
  if (typeof cors.maxAge === 'string') {
    const seconds = durationSeconds(cors.maxAge);
    if (seconds === undefined) t.note(`${at}.maxAge`, `maxAge "${cors.maxAge}" is not a duration Gatehouse reads (e.g. 5m, 600s)`);
    else out.max_age_s = seconds;
  }
  const extraAllowed = asArray(cors.allowHeaders).filter((h) => typeof h === 'string' && !GATEHOUSE_CORS_REQUEST_HEADERS.has(h.toLowerCase()));
  if (extraAllowed.length) t.note(`${at}.allowHeaders`, `Gatehouse allows a fixed set of MCP request headers; not allowed: ${extraAllowed.join(', ')}`);
  const extraExposed = asArray(cors.exposeHeaders).filter((h) => typeof h === 'string' && !GATEHOUSE_CORS_EXPOSED_HEADERS.has(h.toLowerCase()));
  if (extraExposed.length) t.note(`${at}.exposeHeaders`, `Gatehouse exposes a fixed set of MCP headers; not exposed: ${extraExposed.join(', ')}`);
  if (asArray(cors.allowMethods).length) t.note(`${at}.allowMethods`, 'Gatehouse answers with the methods MCP uses (GET, POST, DELETE, OPTIONS); allowMethods is not configurable');
  return out;
}

function jwksUri(jwks: unknown, at: string, t: Translation): string | undefined {
  if (jwks === undefined || jwks === null) return undefined;
  if (isObject(jwks) && typeof jwks.url === 'string') return jwks.url;
  const how = isObject(jwks) && typeof jwks.file === 'string' ? `from a file (${jwks.file})` : 'inline';
  t.note(at, `keys given ${how} are not supported: Gatehouse fetches signing keys from a URL — publish them and set jwks.url, or omit jwks to use the issuer's jwks_uri`);
  return undefined;
}

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

interface RouteContext {
  path: string;
  port: number;
}

/** mcpAuthentication (https://agentgateway.dev/docs/mcp/mcp-authn/) → Gatehouse route auth (OAuth resource server). */
function translateMcpAuthentication(authn: Json, at: string, route: RouteContext, t: Translation): Json | undefined {
  t.rest(authn, ['issuer', 'audiences', 'jwks', 'mode', 'provider', 'resourceMetadata'], at, 'not supported');
  if (!isUrl(authn.issuer)) {
    t.note(`${at}.issuer`, `issuer "${String(authn.issuer)}" is not a URL; Gatehouse needs the authorization server's issuer URL`);
    return undefined;
  }
  const mode = authn.mode ?? 'strict';
  if (mode !== 'strict') {
    t.note(`${at}.mode`, `mode ${String(mode)} (requests without a valid token pass) is not supported: Gatehouse always requires a valid token on a route with auth, as mode strict does`);
  }
  if (isObject(authn.provider)) {
    t.note(`${at}.provider`, `provider ${Object.keys(authn.provider).join(', ')}: agentgateway's adapter for that IdP (rewritten authorization-server metadata, client-registration shim) is not supported; clients are sent to the issuer as it is`);
  }
  const auth: Json = {
    issuer: authn.issuer,
    audiences: asArray(authn.audiences),
    // agentgateway does not read groups; Gatehouse would otherwise reject tokens that carry none.
    groups_optional: true,
  };
  const jwks = jwksUri(authn.jwks, `${at}.jwks`, t);
  if (jwks !== undefined) auth.jwks_uri = jwks;
  const metadata = isObject(authn.resourceMetadata) ? authn.resourceMetadata : {};
  const metaAt = `${at}.resourceMetadata`;
  for (const [key, value] of Object.entries(metadata)) {
    switch (key) {
      case 'resource': {
        const own = `http://localhost:${route.port}${route.path}`;
        if (value !== own) t.note(`${metaAt}.resource`, `Gatehouse advertises the route's own URL (${own} when reached as localhost) as the resource, not ${String(value)}`);
        break;
      }
      case 'scopesSupported':
        auth.scopes_supported = asArray(value);
        break;
      case 'resourceDocumentation':
        if (isUrl(value)) auth.resource_documentation = value;
        else t.note(`${metaAt}.resourceDocumentation`, 'not a URL');
        break;
      case 'bearerMethodsSupported': {
        const others = asArray(value).filter((m) => m !== 'header');
        if (others.length) t.note(`${metaAt}.bearerMethodsSupported`, `Gatehouse reads the token from the Authorization header only (RFC 6750 §2.1); not supported: ${others.join(', ')}`);
        break;
      }
      case 'authorizationServers':
        t.note(`${metaAt}.authorizationServers`, 'Gatehouse advertises the issuer as the only authorization server');
        break;
      default:
        t.note(`${metaAt}.${key}`, `Protected Resource Metadata field ${key} is not supported`);
    }
  }
  return auth;
}

/** jwtAuth with one URL issuer is the same check on the token; Gatehouse adds the MCP 401 challenge. */
function translateJwtAuth(jwt: Json, at: string, t: Translation): Json | undefined {
  if (Array.isArray(jwt.providers)) {
    t.note(`${at}.providers`, 'several JWT providers on one route are not supported; use mcpAuthentication with one issuer');
    return undefined;
  }
  t.rest(jwt, ['issuer', 'audiences', 'jwks', 'mode'], at, 'not supported');
  if (jwt.mode !== 'strict') {
    t.note(`${at}.mode`, `mode ${String(jwt.mode ?? 'optional')} (the jwtAuth default, requests without a token pass) is not supported: Gatehouse always requires a valid token on a route with auth`);
  }
  if (!isUrl(jwt.issuer)) {
    t.note(`${at}.issuer`, `issuer "${String(jwt.issuer)}" is not a URL; Gatehouse needs the authorization server's issuer URL, so this route gets no auth`);
    return undefined;
  }
  const auth: Json = { issuer: jwt.issuer, audiences: asArray(jwt.audiences), groups_optional: true };
  const jwks = jwksUri(jwt.jwks, `${at}.jwks`, t);
  if (jwks !== undefined) auth.jwks_uri = jwks;
  return auth;
}

type ItemKind = 'tools' | 'prompts' | 'resources' | 'resource_templates';
const ALL_KINDS: ItemKind[] = ['tools', 'prompts', 'resources', 'resource_templates'];

/** CEL source with string literals blanked, so names inside strings are not taken for variables. */
function withoutStrings(source: string): string {
  return source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
}

/** The variables in `source` that Gatehouse's conditions do not have. */
function unknownVariables(source: string): { fatal: string[]; missing: string[] } {
  const code = withoutStrings(source);
  const fatal = AGENTGATEWAY_CEL_ROOTS.filter((root) => new RegExp(`(^|[^.\\w])${root}\\b`).test(code));
  const missing = new Set<string>();
  for (const m of code.matchAll(/(?:^|[^.\w])mcp\.(\w+)(?:\.(\w+))?/g)) {
    const field = m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`;
    if (!GATEHOUSE_MCP_FIELDS.has(field)) missing.add(`mcp.${field}`);
  }
  for (const m of code.matchAll(/(?:^|[^.\w])request\.(\w+)/g)) {
    if (m[1] !== 'method') missing.add(`request.${m[1]}`);
  }
  return { fatal, missing: [...missing] };
}

/** Which catalogs an expression can be true for: a rule about mcp.tool is false for a prompt. */
function kindsOf(source: string): ItemKind[] {
  const code = withoutStrings(source);
  const kinds: ItemKind[] = [];
  if (/\bmcp\.tool\b/.test(code)) kinds.push('tools');
  if (/\bmcp\.prompt\b/.test(code)) kinds.push('prompts');
  if (/\bmcp\.resource\b/.test(code)) kinds.push('resources', 'resource_templates');
  return kinds.length ? kinds : ALL_KINDS;
}

/**
 * mcpAuthorization (https://agentgateway.dev/docs/mcp/mcp-authz/): a call is allowed when no deny
 * rule is true, every require rule is true and, if there are allow rules (a plain string is one),
 * one of them is true. Gatehouse: no default ACL (deny), one allow rule per allow expression, a deny
 * rule per deny expression and a deny rule on the negation of each require expression.
 */
function translateMcpAuthorization(authz: Json, at: string, t: Translation): Json {
  const rules: Json[] = [];
  let allows = 0;
  asArray(authz.rules).forEach((raw, index) => {
    const ruleAt = `${at}.rules[${index}]`;
    let effect: 'allow' | 'deny';
    let source: string;
    if (typeof raw === 'string') [effect, source] = ['allow', raw];
    else if (isObject(raw) && typeof raw.allow === 'string') [effect, source] = ['allow', raw.allow];
    else if (isObject(raw) && typeof raw.deny === 'string') [effect, source] = ['deny', raw.deny];
    else if (isObject(raw) && typeof raw.require === 'string') [effect, source] = ['deny', `!(${raw.require})`];
    else {
      t.note(ruleAt, 'rule is neither a CEL string nor {allow|deny|require: CEL}; left out (nothing is allowed by it)');
      return;
    }
    if (effect === 'allow') allows += 1;
    const { fatal, missing } = unknownVariables(source);
    const n = index + 1;
    if (fatal.length) {
      if (effect === 'allow') {
        t.note(ruleAt, `CEL variable ${fatal.join(', ')} does not exist in Gatehouse; this allow rule is left out, so what it allowed is denied`);
        return;
      }
      t.note(ruleAt, `CEL variable ${fatal.join(', ')} does not exist in Gatehouse; this rule becomes an unconditional deny (fail closed)`);
      for (const kind of ALL_KINDS) rules.push({ id: ruleId(n, kind), kind, match: ['*'], rights: ['list', 'call'], effect: 'deny', subjects: {} });
      return;
    }
    if (missing.length) {
      t.note(ruleAt, `CEL variable ${missing.join(', ')} does not exist in Gatehouse (it has jwt.*, mcp.tool.name, mcp.prompt.name, mcp.resource.uri, request.method); the condition errors, which Gatehouse treats as not allowing (allow) or denying (deny)`);
    }
    if (effect === 'deny') t.note(ruleAt, 'a deny/require rule whose condition errors denies in Gatehouse but does not in agentgateway');
    for (const kind of kindsOf(source)) {
      rules.push({ id: ruleId(n, kind), kind, match: ['*'], rights: ['list', 'call'], effect, subjects: {}, when: source });
    }
  });
  // Only deny/require rules: agentgateway allows everything else (deny-list semantics).
  if (allows === 0) {
    for (const kind of ALL_KINDS) rules.push({ id: ruleId(0, kind).replace('rule-0', 'allow-rest'), kind, match: ['*'], rights: ['list', 'call'], effect: 'allow', subjects: {} });
  }
  return { rules };
}

function ruleId(n: number, kind: ItemKind): string {
  return kind === 'tools' ? `agentgateway-rule-${n}` : `agentgateway-rule-${n}-${kind}`;
}

const POLICY_WHY: Record<string, string> = {
  mcpGuardrails: 'external MCP policy processors are not supported',
  extAuthz: 'external authorization is not supported',
  extProc: 'external processing is not supported',
  localRateLimit: 'rate limits are not supported',
  remoteRateLimit: 'rate limits are not supported',
  a2a: 'A2A traffic is not supported',
  ai: 'LLM traffic is not supported',
  backendAuth: 'credentials sent to the backend are not supported (Gatehouse never forwards the client token; use upstream headers or auth.claim_to_header)',
};

function translatePolicies(policies: Json, at: string, route: Json, context: RouteContext, t: Translation): void {
  for (const [key, value] of Object.entries(policies)) {
    if (value === null || value === undefined) continue;
    const field = `${at}.${key}`;
    switch (key) {
      case 'cors':
        if (isObject(value)) route.cors = translateCors(value, field, t);
        break;
      case 'mcpAuthentication':
        if (isObject(value)) {
          const auth = translateMcpAuthentication(value, field, context, t);
          if (auth) route.auth = auth;
        }
        break;
      case 'jwtAuth':
        if (isObject(value) && isObject(policies.mcpAuthentication)) t.note(field, 'jwtAuth next to mcpAuthentication is not supported; mcpAuthentication is used');
        else if (isObject(value)) {
          const auth = translateJwtAuth(value, field, t);
          if (auth) route.auth = auth;
        }
        break;
      case 'mcpAuthorization':
        if (isObject(value)) route.acl = translateMcpAuthorization(value, field, t);
        break;
      default:
        t.note(field, `${key}: ${POLICY_WHY[key] ?? 'this policy is not supported by Gatehouse'}`);
    }
  }
  if (route.acl && !route.auth) {
    t.note(`${at}.mcpAuthorization`, 'mcpAuthorization without an authentication Gatehouse can use: the translated config is rejected until the route gets auth (fail closed)');
  }
}

interface McpBlock {
  targets: unknown;
  prefixMode?: unknown;
  [key: string]: unknown;
}

/**
 * agentgateway prefixes names with "<target>_" whenever a backend has several targets (prefixMode
 * conditional, the default), always with `always`, never with `never`. Gatehouse's conditional
 * prefixes only on a collision, so several targets map to always.
 */
function prefixFor(mcp: McpBlock, targetCount: number): string {
  if (mcp.prefixMode === 'always' || mcp.prefixMode === 'never') return mcp.prefixMode;
  return targetCount > 1 ? 'always' : 'conditional';
}

function translateMcpBlock(mcp: McpBlock, at: string, t: Translation): { upstreams: Json[]; prefix: string } {
  t.rest(mcp, ['targets', 'prefixMode', 'statefulMode', 'failureMode', 'dnsRebindingProtection', 'port', 'policies'], at, 'not supported');
  if (mcp.statefulMode === 'stateless') t.note(`${at}.statefulMode`, 'stateless mode is not supported: Gatehouse keeps an MCP session per client');
  if (mcp.failureMode !== undefined && mcp.failureMode !== null && mcp.failureMode !== 'failClosed') {
    t.note(`${at}.failureMode`, `failureMode ${String(mcp.failureMode)} is not supported`);
  }
  const targets = asArray(mcp.targets);
  const upstreams = targets.map((target, i) => translateTarget(target, `${at}.targets[${i}]`, t)).filter((u): u is Json => u !== undefined);
  return { upstreams, prefix: prefixFor(mcp, targets.length) };
}

const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource';
const WELL_KNOWN_AS = '/.well-known/oauth-authorization-server';

/** The route's MCP path from its matches: the first exact or prefix path that is not a well-known one. */
function routePath(matches: unknown, at: string, t: Translation): string {
  let chosen: string | undefined;
  asArray(matches).forEach((match, i) => {
    const matchAt = `${at}.matches[${i}]`;
    if (!isObject(match)) return;
    t.rest(match, ['path'], matchAt, 'matching on headers, method or query is not supported; the route serves every request on its path');
    const path = isObject(match.path) ? match.path : undefined;
    const value = typeof path?.exact === 'string' ? path.exact : typeof path?.pathPrefix === 'string' ? path.pathPrefix : undefined;
    if (value === undefined) {
      if (path) t.note(`${matchAt}.path`, 'regex path matches are not supported');
      return;
    }
    if (value.startsWith(WELL_KNOWN_PRM)) return; // Gatehouse serves the Protected Resource Metadata itself.
    if (value.startsWith(WELL_KNOWN_AS)) {
      t.note(`${matchAt}.path`, `${value}: Gatehouse does not proxy the authorization server metadata; clients read it from the issuer`);
      return;
    }
    const trimmed = value.replace(/\/+$/, '');
    if (!trimmed) return;
    if (chosen === undefined) chosen = trimmed;
    else if (trimmed !== chosen) t.note(`${matchAt}.path`, `a Gatehouse route has one path; ${value} is not served (the route is at ${chosen})`);
  });
  return chosen ?? DEFAULT_PATH;
}

function translateRoute(route: Json, at: string, port: number, t: Translation): Json | undefined {
  t.rest(route, ['name', 'namespace', 'ruleName', 'matches', 'policies', 'backends', 'hostnames'], at, 'not supported');
  const mcpBackends = asArray(route.backends).map((b, i) => [b, i] as const).filter(([b]) => isObject(b) && isObject(b.mcp));
  for (const [backend, i] of asArray(route.backends).map((b, i) => [b, i] as const)) {
    if (!isObject(backend) || isObject(backend.mcp)) continue;
    t.note(`${at}.backends[${i}]`, `backend ${Object.keys(backend).join(', ')}: only mcp backends are supported`);
  }
  if (!mcpBackends.length) {
    t.note(at, 'route has no mcp backend and is not translated');
    return undefined;
  }
  const [first, firstIndex] = mcpBackends[0]! as readonly [Json, number];
  for (const [, i] of mcpBackends.slice(1)) t.note(`${at}.backends[${i}]`, 'several weighted mcp backends on one route are not supported; only the first is used');
  t.rest(first, ['mcp', 'weight'], `${at}.backends[${firstIndex}]`, 'backend policies are not supported');
  const path = routePath(route.matches, at, t);
  const { upstreams, prefix } = translateMcpBlock(first.mcp as McpBlock, `${at}.backends[${firstIndex}].mcp`, t);
  const out: Json = { path, prefix, upstreams };
  const hostnames = asArray(route.hostnames).filter((h): h is string => typeof h === 'string');
  if (hostnames.some((h) => h.includes('*'))) t.note(`${at}.hostnames`, 'wildcard hostnames are not supported; list each host name');
  const exact = hostnames.filter((h) => !h.includes('*'));
  if (exact.length) out.allowed_hosts = exact;
  if (isObject(route.policies)) translatePolicies(route.policies, `${at}.policies`, out, { path, port }, t);
  return out;
}

const TOP_LEVEL_WHY: Record<string, string> = {
  frontendPolicies: 'frontend policies (tracing, logging, metrics, TLS settings) are not supported',
  policies: 'attached policies are not supported; put cors/mcpAuthentication/mcpAuthorization on the route',
  backends: 'top-level backends are not supported; write MCP targets inline',
  llm: 'LLM routing is not supported',
};

export function fromAgentgateway(doc: unknown): { config: unknown; unsupported: TranslationNote[] } {
  const t = new Translation();
  if (!isObject(doc)) {
    t.note('', 'the file is not a YAML mapping');
    return { config: {}, unsupported: t.notes };
  }
  t.rest(doc, ['binds', 'mcp'], '', TOP_LEVEL_WHY);
  const routes: Json[] = [];
  let port: number | undefined;

  asArray(doc.binds).forEach((bind, b) => {
    const bindAt = `binds[${b}]`;
    if (!isObject(bind)) return;
    t.rest(bind, ['port', 'listeners'], bindAt, 'not supported');
    const bindPort = typeof bind.port === 'number' ? bind.port : undefined;
    if (port === undefined) port = bindPort;
    else if (bindPort !== undefined && bindPort !== port) {
      t.note(`${bindAt}.port`, `Gatehouse listens on one port (${port}); the routes of this bind are served there instead of on ${bindPort}`);
    }
    asArray(bind.listeners).forEach((listener, l) => {
      const listenerAt = `${bindAt}.listeners[${l}]`;
      if (!isObject(listener)) return;
      t.rest(listener, ['name', 'namespace', 'routes', 'protocol', 'hostname'], listenerAt, 'not supported');
      if (listener.protocol !== undefined && listener.protocol !== 'HTTP') {
        t.note(`${listenerAt}.protocol`, `protocol ${String(listener.protocol)} is not supported: Gatehouse serves plain HTTP (put a TLS-terminating proxy in front)`);
      }
      asArray(listener.routes).forEach((route, r) => {
        if (!isObject(route)) return;
        const translated = translateRoute(route, `${listenerAt}.routes[${r}]`, bindPort ?? port ?? DEFAULT_SHORT_FORM_PORT, t);
        if (!translated) return;
        if (typeof listener.hostname === 'string' && !listener.hostname.includes('*')) {
          translated.allowed_hosts = [...asArray(translated.allowed_hosts), listener.hostname];
        } else if (typeof listener.hostname === 'string') t.note(`${listenerAt}.hostname`, 'wildcard hostnames are not supported');
        routes.push(translated);
      });
    });
  });

  if (isObject(doc.mcp)) {
    const mcp = doc.mcp as McpBlock;
    if (mcp.gateways !== undefined) t.note('mcp.gateways', 'attaching the MCP route to named gateways is not supported; it is served on listen.port');
    const shortPort = typeof mcp.port === 'number' ? mcp.port : DEFAULT_SHORT_FORM_PORT;
    if (port === undefined) port = shortPort;
    else if (shortPort !== port) t.note('mcp.port', `Gatehouse listens on one port (${port}); the mcp route is served there instead of on ${shortPort}`);
    const { upstreams, prefix } = translateMcpBlock(mcp, 'mcp', t);
    const route: Json = { path: DEFAULT_PATH, prefix, upstreams };
    if (isObject(mcp.policies)) translatePolicies(mcp.policies, 'mcp.policies', route, { path: DEFAULT_PATH, port }, t);
    routes.push(route);
  }

  if (routes.length) {
    t.note(isObject(doc.mcp) ? 'mcp.port' : 'binds[0].port', 'agentgateway listens on every interface; Gatehouse listens on 127.0.0.1 unless listen.host says otherwise (set it to 0.0.0.0 to match)');
  }
  const listen: Json = { port: port ?? DEFAULT_SHORT_FORM_PORT };
  return { config: { listen, routes }, unsupported: t.notes };
}
