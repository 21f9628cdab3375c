/**
 * Writes the Kong decK file (https://developer.konghq.com/deck/, `_format_version: "3.0"`) that
 * serves the same MCP endpoints as a Gatehouse config, with Kong AI Gateway's plugins:
 * - ai-mcp-proxy (https://developer.konghq.com/plugins/ai-mcp-proxy/): REST upstreams become
 *   `conversion-listener` tools, or — when a route aggregates several of them or needs OAuth —
 *   one `conversion-only` route per upstream tagged with the route's name plus a `listener` route
 *   that serves every tool with that tag; a Streamable HTTP upstream becomes `passthrough-listener`.
 * - ai-mcp-oauth2 (https://developer.konghq.com/plugins/ai-mcp-oauth2/): route auth. Kong forbids
 *   it next to conversion-listener (3.13+), hence the listener form for routes with auth.
 * - cors, and consumer_groups for the groups the ACL names (tools[].acl, default_acl).
 *
 * Whatever Kong cannot express is returned as a note naming the Gatehouse field, never dropped
 * silently: stdio and legacy SSE upstreams, openapi upstreams, CEL conditions, prompt and resource
 * rules, subjects other than groups. An allow that cannot be written is left out (fail closed); a
 * deny that cannot be narrowed is widened.
 */
import type { AclRule, RouteAcl, SubjectSet } from '../../shared/policy.js';
import { parseNamePattern, patternMatches } from '../policy/name-pattern.js';
import type { ExportNote } from './export-agentgateway.js';
import { exposeNames } from './prefix-names.js';
import { CORS_EXPOSED_HEADERS, CORS_METHODS, CORS_REQUEST_HEADERS } from './cors-headers.js';
import { DEFAULT_ALGORITHMS, type CorsConfig, type GatehouseConfig, type HttpUpstreamConfig, type RestToolConfig, type RestUpstreamConfig, type RouteAuthConfig, type RouteConfig } from './schema.js';
import { TranslationNotes, type Json } from './translation-notes.js';

export type { ExportNote } from './export-agentgateway.js';


/** Kong's default proxy listener (kong.conf proxy_listen); the resource URL clients will use. */
const KONG_PROXY_BASE = 'http://localhost:8000';

class Export extends TranslationNotes {
  readonly groups = new Set<string>();
}

function slug(path: string): string {
  return path.slice(1).replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * decK substitutes only variables named DECK_* (https://developer.konghq.com/deck/reference/environment-variables/).
 * A literal secret is never written into the file: it becomes a placeholder with a note.
 */
function secretRef(value: string, fallbackVar: string, at: string, t: Export): string {
  const env = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  if (env) {
    const name = env[1]!.startsWith('DECK_') ? env[1]! : `DECK_${env[1]}`;
    return `\${{ env "${name}" }}`;
  }
  t.note(at, `a secret written in the config is not copied into the decK file; set ${fallbackVar} in decK's environment`);
  return `\${{ env "${fallbackVar}" }}`;
}

/** Kong's ACL speaks of consumer groups only; what else a subject set says cannot follow. */
function groupsOnly(subjects: SubjectSet): boolean {
  return !subjects.users.length && !subjects.clients.length && !subjects.scopes.length;
}

interface ToolAcl {
  allow: string[];
  deny: string[];
}

interface AclPlan {
  /** Per tool name (as clients see it): the groups allowed and denied. */
  tool: (name: string) => ToolAcl | undefined;
  defaultAcl: Json[] | undefined;
  /** Literal tool names the rules mention, for passthrough routes where the tools are not known. */
  literalNames: string[];
}

function addAll(target: string[], values: readonly string[]): void {
  for (const v of values) if (!target.includes(v)) target.push(v);
}

/**
 * Kong's per-tool ACL replaces default_acl for that tool (Gatehouse combine: replace), deny wins,
 * and both cover listing and calling.
 */
function planAcl(acl: RouteAcl, at: string, allGroups: readonly string[], t: Export): AclPlan {
  if (acl.combine === 'merge') t.note(`${at}.combine`, 'Kong per-tool ACLs replace default_acl for their tool; combine: merge is written as replace');
  const usable: Array<{ rule: AclRule; allow: string[]; deny: string[] }> = [];
  acl.rules.forEach((rule, index) => {
    const ruleAt = `${at}.rules[${index}]`;
    if (rule.kind !== 'tools') {
      t.note(ruleAt, `rule ${rule.id} is about ${rule.kind}: Kong's MCP ACL covers tools only`);
      return;
    }
    const deny = rule.effect === 'deny';
    const both = rule.rights.includes('list') && rule.rights.includes('call');
    if (!both && !deny) {
      t.note(`${ruleAt}.rights`, `rule ${rule.id} allows only ${rule.rights.join(', ')}: Kong's ACL covers listing and calling together, so this allow is left out`);
      return;
    }
    if (!both) t.note(`${ruleAt}.rights`, `rule ${rule.id} denies only ${rule.rights.join(', ')}: written as a deny of both`);
    if (rule.when !== undefined) {
      if (!deny) {
        t.note(`${ruleAt}.when`, `rule ${rule.id}: CEL conditions are Gatehouse-only; this allow is left out (what it allowed is denied)`);
        return;
      }
      t.note(`${ruleAt}.when`, `rule ${rule.id}: CEL conditions are Gatehouse-only; the deny applies without its condition`);
    }
    let groups = rule.subjects.groups;
    if (!groupsOnly(rule.subjects)) {
      if (!deny) {
        t.note(`${ruleAt}.subjects`, `rule ${rule.id}: Kong's ACL names consumer groups only (not users, clients or scopes); this allow is left out`);
        return;
      }
      if (!groups.length) {
        t.note(`${ruleAt}.subjects`, `rule ${rule.id}: Kong's ACL names consumer groups only; a deny by users, clients or scopes is not carried over — add a Kong acl plugin on consumers`);
        return;
      }
      t.note(`${ruleAt}.subjects`, `rule ${rule.id}: Kong's ACL names consumer groups only; the deny applies to the whole groups ${groups.join(', ')}`);
    }
    if (!groups.length) {
      groups = [...allGroups];
      t.note(`${ruleAt}.subjects`, `rule ${rule.id} is about every caller: written as every consumer group in this config (${groups.join(', ') || 'none'}); consumers in no group differ`);
    }
    groups.forEach((g) => t.groups.add(g));
    usable.push({ rule, allow: deny ? [] : groups, deny: deny ? groups : [] });
  });

  const tool = (name: string): ToolAcl | undefined => {
    const matching = usable.filter(({ rule }) => rule.match.some((m) => {
      const p = parseNamePattern(m);
      return typeof p !== 'string' && patternMatches(p, name);
    }));
    if (!matching.length) return undefined;
    const out: ToolAcl = { allow: [], deny: [] };
    for (const m of matching) {
      addAll(out.allow, m.allow);
      addAll(out.deny, m.deny);
    }
    return out;
  };
  const literalNames: string[] = [];
  usable.forEach(({ rule }) => {
    for (const m of rule.match) {
      const p = parseNamePattern(m);
      if (typeof p !== 'string' && p.type === 'literal') addAll(literalNames, [p.name]);
    }
  });

  let defaultAcl: Json[] | undefined;
  const def = acl.default;
  if (def) {
    const lists = def.tools ?? { allow: def.allow, deny: def.deny };
    const listAt = def.tools ? `${at}.default.tools` : `${at}.default`;
    const groupsOf = (set: SubjectSet | undefined, effect: string): string[] => {
      if (!set) return [];
      if (!groupsOnly(set)) t.note(`${listAt}.${effect}`, `Kong's default_acl names consumer groups only; users, clients and scopes are not carried over${effect === 'allow' ? ' (they are not allowed)' : ''}`);
      set.groups.forEach((g) => t.groups.add(g));
      return set.groups;
    };
    defaultAcl = [{ scope: 'tools', allow: groupsOf(lists.allow, 'allow'), deny: groupsOf(lists.deny, 'deny') }];
    for (const kind of ['prompts', 'resources', 'resource_templates'] as const) {
      if (def[kind]) t.note(`${at}.default.${kind}`, `Kong's MCP ACL covers tools only; the default for ${kind} is not carried over`);
    }
  } else {
    // Gatehouse denies what nothing allows; say so to Kong instead of relying on its default.
    defaultAcl = [{ scope: 'tools', allow: [], deny: [] }];
    t.note(`${at}.default`, 'no default ACL: tools no rule names are denied in Gatehouse; written as an empty default_acl allow list');
  }
  return { tool, defaultAcl, literalNames };
}

/**
 * OpenAPI 3.0 parameter objects (https://spec.openapis.org/oas/v3.0.3#parameter-object); body
 * arguments go into a JSON requestBody, one top-level property each.
 */
function toolParameters(tool: RestToolConfig): { parameters: Json[]; request_body?: Json } {
  const parameters: Json[] = [];
  const properties: Json = {};
  const required: string[] = [];
  for (const p of tool.parameters) {
    if (p.in === 'body') {
      properties[p.name] = { ...(p.schema ?? { type: 'string' }), ...(p.description !== undefined ? { description: p.description } : {}) };
      if (p.required) required.push(p.name);
      continue;
    }
    const param: Json = { name: p.name, in: p.in, required: p.in === 'path' ? true : (p.required ?? false), schema: p.schema ?? { type: 'string' } };
    if (p.description !== undefined) param.description = p.description;
    parameters.push(param);
  }
  if (!Object.keys(properties).length) return { parameters };
  const schema: Json = { type: 'object', properties, ...(required.length ? { required } : {}) };
  return { parameters, request_body: { required: required.length > 0, content: { 'application/json': { schema } } } };
}

function toolAnnotations(tool: RestToolConfig): Json | undefined {
  const a = tool.annotations;
  if (!a) return undefined;
  const out: Json = {};
  if (a.title !== undefined) out.title = a.title;
  if (a.readOnlyHint !== undefined) out.read_only_hint = a.readOnlyHint;
  if (a.destructiveHint !== undefined) out.destructive_hint = a.destructiveHint;
  if (a.idempotentHint !== undefined) out.idempotent_hint = a.idempotentHint;
  if (a.openWorldHint !== undefined) out.open_world_hint = a.openWorldHint;
  return out;
}

function restTools(upstream: RestUpstreamConfig, exposed: ReadonlyMap<string, string> | undefined, acl: AclPlan | undefined): Json[] {
  return upstream.tools.map((tool) => {
    const name = exposed?.get(tool.name) ?? tool.name;
    const out: Json = { name, method: tool.method, path: tool.path };
    if (tool.description !== undefined) out.description = tool.description;
    Object.assign(out, toolParameters(tool));
    const annotations = toolAnnotations(tool);
    if (annotations) out.annotations = annotations;
    const toolAcl = acl?.tool(name);
    if (toolAcl) out.acl = toolAcl;
    return out;
  });
}

function oauthPlugin(auth: RouteAuthConfig, route: RouteConfig, at: string, config: GatehouseConfig, t: Export): Json {
  let issuer = auth.issuer;
  if (issuer === 'builtin') {
    issuer = `http://127.0.0.1:${config.idp?.port ?? 8401}`;
    t.note(`${at}.issuer`, `the built-in identity provider runs only inside Gatehouse; ${issuer} is a placeholder — point authorization_servers at your authorization server`);
  }
  const resource = `${KONG_PROXY_BASE}${route.path}`;
  t.note(`${at}`, `resource is written as ${resource} (Kong's default proxy port); set it to the URL clients reach Kong at`);
  const out: Json = { resource, authorization_servers: [issuer] };
  const introspection = auth.introspection;
  if (introspection) {
    if (introspection.endpoint !== undefined) out.introspection_endpoint = introspection.endpoint;
    else t.note(`${at}.introspection.endpoint`, "Kong needs introspection_endpoint; Gatehouse's default (from the issuer metadata) must be written out");
    if (introspection.client_id !== undefined) out.client_id = introspection.client_id;
    if (introspection.client_secret !== undefined) out.client_secret = secretRef(introspection.client_secret, 'DECK_CLIENT_SECRET', `${at}.introspection.client_secret`, t);
    if (introspection.auth_method === 'client_secret_post') out.client_auth = 'client_secret_post';
    out.cache_introspection = introspection.cache_max_s > 0;
    if (introspection.cache_max_s > 0 && introspection.cache_max_s !== 300) t.note(`${at}.introspection.cache_max_s`, 'Kong caches introspection results without a configurable limit here');
  } else if (auth.jwks_uri !== undefined) out.jwks_endpoint = auth.jwks_uri;
  else if (auth.issuer === 'builtin') out.jwks_endpoint = `${issuer}/jwks`;
  if (auth.scopes_supported.length) out.scopes_supported = auth.scopes_supported;
  out.insecure_relaxed_audience_validation = auth.insecure_relaxed_audience_validation;
  if (auth.audiences.length) t.note(`${at}.audiences`, `Kong checks the audience against resource only; extra audiences ${auth.audiences.join(', ')} are not carried over`);
  const claimToHeader = Object.entries(auth.claim_to_header).map(([header, claim]) => ({ claim, header }));
  if (claimToHeader.length) out.claim_to_header = claimToHeader;
  out.consumer_groups_claim = (auth.claims.groups[0] ?? 'groups').split('.');
  if (auth.claims.groups.length > 1) t.note(`${at}.claims.groups`, `Kong reads groups from one claim; ${auth.claims.groups.slice(1).join(', ')} are not read`);
  out.consumer_groups_optional = auth.groups_optional;
  if (JSON.stringify(auth.algorithms) !== JSON.stringify(DEFAULT_ALGORITHMS)) t.note(`${at}.algorithms`, 'the accepted signature algorithms are not carried over');
  if (auth.clock_skew_s !== 30) t.note(`${at}.clock_skew_s`, 'clock skew is not carried over');
  if (auth.jwks_cooldown_s !== 30) t.note(`${at}.jwks_cooldown_s`, 'the key refetch interval is not carried over');
  if (auth.required_scopes.length) t.note(`${at}.required_scopes`, 'required scopes are not carried over (ai-mcp-oauth2 does not check scopes)');
  if (Object.keys(auth.tool_scopes).length) t.note(`${at}.tool_scopes`, 'per-tool scopes with step-up (403 insufficient_scope) have no Kong equivalent');
  if (auth.resource_documentation !== undefined) t.note(`${at}.resource_documentation`, 'Kong serves no resource_documentation in the Protected Resource Metadata');
  return { name: 'ai-mcp-oauth2', config: out };
}

function corsPlugin(cors: CorsConfig, at: string, t: Export): Json {
  t.note(`${at}.allowed_origins`, 'Gatehouse always allows localhost origins; the Kong cors plugin allows only those listed');
  return {
    name: 'cors',
    config: { origins: cors.allowed_origins, credentials: cors.allow_credentials, max_age: cors.max_age_s, methods: CORS_METHODS, headers: CORS_REQUEST_HEADERS, exposed_headers: CORS_EXPOSED_HEADERS },
  };
}

function serviceFor(name: string, url: string, headers: Record<string, string> | undefined, at: string, t: Export): Json {
  if (headers && Object.keys(headers).length) t.note(`${at}.headers`, `extra upstream headers (${Object.keys(headers).join(', ')}) are not carried over; add a request-transformer plugin`);
  return { name, url, routes: [] as Json[] };
}

function translateRoute(route: RouteConfig, at: string, config: GatehouseConfig, allGroups: readonly string[], serviceName: (upstream: string) => string, t: Export): Json[] {
  const name = slug(route.path);
  const services: Json[] = [];
  const acl = route.acl ? planAcl(route.acl, `${at}.acl`, allGroups, t) : undefined;
  const servingPlugins = (): Json[] => {
    const plugins: Json[] = [];
    if (route.auth) plugins.push(oauthPlugin(route.auth, route, `${at}.auth`, config, t));
    if (route.cors) plugins.push(corsPlugin(route.cors, `${at}.cors`, t));
    return plugins;
  };
  const proxy = (mode: string, extra: Json): Json => {
    const cfg: Json = { mode, ...extra };
    if (mode !== 'conversion-only') cfg.max_request_body_size = config.listen.max_body_bytes;
    // In listener mode Kong takes the ACLs from the tagged conversion-only plugins, default included.
    if (acl && mode !== 'listener') cfg.default_acl = acl.defaultAcl;
    if (acl) cfg.include_consumer_groups = true;
    return { name: 'ai-mcp-proxy', config: cfg };
  };

  const rest: Array<[RestUpstreamConfig, number]> = [];
  const http: Array<[HttpUpstreamConfig, number]> = [];
  route.upstreams.forEach((u, i) => {
    const uAt = `${at}.upstreams[${i}]`;
    if (u.kind === 'rest') rest.push([u, i]);
    else if (u.kind === 'http') http.push([u, i]);
    else if (u.kind === 'stdio') t.note(uAt, `stdio upstream ${u.name}: Kong has no stdio transport; run the server behind an HTTP MCP bridge and add it as an http upstream`);
    else if (u.kind === 'sse') t.note(uAt, `SSE upstream ${u.name}: Kong proxies Streamable HTTP MCP servers only, not the legacy HTTP+SSE transport`);
    else t.note(uAt, `openapi upstream ${u.name}: not expanded; convert its operations to rest tools (gatehouse can do this: main/config/openapi-tools.ts) and export again`);
  });

  const names = new Map(rest.map(([u]) => [u.name, u.tools.map((tool) => tool.name)] as const));
  const { exposed } = exposeNames(route.prefix, names);
  const singleConversion = rest.length === 1 && !http.length && !route.auth;
  if (singleConversion) {
    const [u, i] = rest[0]!;
    const service = serviceFor(serviceName(u.name), u.base_url, u.headers, `${at}.upstreams[${i}]`, t);
    const tools = restTools(u, exposed.get(u.name), acl);
    service.routes = [{ name, paths: [route.path], plugins: [proxy('conversion-listener', { tools, server: { timeout: u.timeout_ms } }), ...servingPlugins()] }];
    services.push(service);
  } else if (rest.length) {
    rest.forEach(([u, i]) => {
      const service = serviceFor(serviceName(u.name), u.base_url, u.headers, `${at}.upstreams[${i}]`, t);
      const tools = restTools(u, exposed.get(u.name), acl);
      service.routes = [{ name: `${name}-${u.name}-tools`, paths: [`${route.path}/_tools/${u.name}`], plugins: [{ ...proxy('conversion-only', { tools, server: { timeout: u.timeout_ms } }), tags: [name] }] }];
      services.push(service);
    });
    (services[0]!.routes as Json[]).push({ name, paths: [route.path], plugins: [proxy('listener', { server: { tag: name } }), ...servingPlugins()] });
  }
  http.forEach(([u, i], n) => {
    const uAt = `${at}.upstreams[${i}]`;
    const own = rest.length || n > 0;
    const path = own ? `${route.path}/${u.name}` : route.path;
    if (own) t.note(uAt, `Kong cannot aggregate an MCP server with other upstreams on one endpoint; ${u.name} is served on its own route ${path}`);
    const tools: Json[] = [];
    for (const toolName of acl?.literalNames ?? []) {
      const toolAcl = acl?.tool(toolName);
      if (toolAcl) tools.push({ name: toolName, acl: toolAcl });
    }
    if (acl && route.acl!.rules.some((r) => r.kind === 'tools' && r.match.some((m) => /[*?]|^\/.*\/[a-z]*$/.test(m)))) {
      t.note(`${at}.acl.rules`, `passthrough to ${u.name}: Kong names tools exactly; rules with globs or regexes are applied only to the tool names other rules list literally`);
    }
    if (u.auth) {
      t.note(`${uAt}.auth`, `Gatehouse's own OAuth client towards ${u.name} (${u.auth.grant === 'client_credentials' ? 'client_credentials' : 'a login with the authorization code'}) is not carried over: Kong sends the upstream no token of its own unless you add one (e.g. a request-transformer header)`);
    }
    const service = serviceFor(serviceName(u.name), u.url, u.headers, uAt, t);
    service.routes = [{ name: own ? `${name}-${u.name}` : name, paths: [path], plugins: [proxy('passthrough-listener', { ...(tools.length ? { tools } : {}), server: { timeout: u.timeout_ms } }), ...servingPlugins()] }];
    services.push(service);
  });
  if (!services.length) t.note(at, `route ${route.path} has no upstream Kong can serve and is not exported`);
  if (route.allowed_hosts.length) t.note(`${at}.allowed_hosts`, 'Kong routes by hosts rather than checking them for DNS rebinding; not carried over');
  if (route.description !== undefined) t.note(`${at}.description`, 'Kong routes carry no description');
  return services;
}

/** Every group an ACL names, so "every caller" can be written as a list of consumer groups. */
function aclGroups(config: GatehouseConfig): string[] {
  const groups = new Set<string>();
  const add = (set: SubjectSet | undefined) => set?.groups.forEach((g) => groups.add(g));
  for (const route of config.routes) {
    const acl = route.acl;
    if (!acl) continue;
    acl.rules.forEach((r) => add(r.subjects));
    const def = acl.default;
    if (def) for (const lists of [def, def.tools, def.prompts, def.resources, def.resource_templates]) { add(lists?.allow); add(lists?.deny); }
  }
  config.idp?.users.forEach((u) => u.groups.forEach((g) => groups.add(g)));
  return [...groups].sort();
}

export function toKongDeck(config: GatehouseConfig): { document: Record<string, unknown>; untranslated: ExportNote[] } {
  const t = new Export();
  t.note('listen', `Kong's proxy address is set in kong.conf (proxy_listen), not in the decK file; ${config.listen.host}:${config.listen.port} is not carried over`);
  if (config.idp) t.note('idp', 'the built-in identity provider has no Kong equivalent; routes that use it get a placeholder authorization server');
  const allGroups = aclGroups(config);
  // decK service names are global; an upstream keeps its own name unless another route uses it too.
  const counts = new Map<string, number>();
  for (const route of config.routes) for (const u of route.upstreams) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
  const services = config.routes.flatMap((route, i) =>
    translateRoute(route, `routes[${i}]`, config, allGroups, (u) => (counts.get(u) === 1 ? u : `${slug(route.path)}-${u}`), t),
  );
  const document: Json = { _format_version: '3.0', services };
  if (t.groups.size) document.consumer_groups = [...t.groups].sort().map((name) => ({ name }));
  return { document, untranslated: t.notes };
}
