/**
 * Reads a Kong decK file (https://developer.konghq.com/deck/) that serves MCP with the AI MCP Proxy
 * plugin (https://developer.konghq.com/plugins/ai-mcp-proxy/) and the AI MCP OAuth2 plugin
 * (https://developer.konghq.com/plugins/ai-mcp-oauth2/), and writes the Gatehouse config that serves
 * the same MCP endpoints, tools, authentication and tool ACLs. Whatever Gatehouse cannot honour is
 * returned as a note naming the decK field — never dropped silently. Where the two differ, the
 * translation fails closed: an ACL entry that cannot be carried over never widens access.
 *
 * decK's `${{ env "NAME" }}` placeholders are expanded by the loader before this runs.
 */

import { CORS_EXPOSED_HEADERS, CORS_METHODS, CORS_REQUEST_HEADERS, headerSet } from './cors-headers.js';
import { asArray, isObject, TranslationNotes as Translation, type Json, type TranslationNote } from './translation-notes.js';

export type { TranslationNote } from './translation-notes.js';

/** Kong's default proxy port: clients written for Kong keep their URLs. */
const KONG_PROXY_PORT = 8000;
const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource';
const GATEHOUSE_CORS_REQUEST_HEADERS = headerSet(CORS_REQUEST_HEADERS);
const GATEHOUSE_CORS_EXPOSED_HEADERS = headerSet(CORS_EXPOSED_HEADERS);
const GATEHOUSE_CORS_METHODS = new Set(CORS_METHODS);
const REST_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ROUTE_PATH = /^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const RULE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
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

/** decK files always carry `_format_version`; Gatehouse and agentgateway files never do. */
export function isKongDeckConfig(doc: unknown): boolean {
  return isObject(doc) && '_format_version' in doc;
}

interface Plugin {
  name: string;
  config: Json;
  tags: string[];
  at: string;
}

interface Service {
  entity: Json;
  name: string;
  at: string;
  plugins: Plugin[];
}

interface Route {
  entity: Json;
  name: string;
  at: string;
  service: Service | undefined;
  plugins: Plugin[];
}

/** The decK file with nested and top-level entities flattened, each remembering where it was written. */
interface Deck {
  services: Service[];
  routes: Route[];
  globalPlugins: Plugin[];
  groups: Set<string>;
}

function readPlugin(raw: unknown, at: string, selectTags: string[], t: Translation): Plugin | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string') {
    t.note(at, 'plugin without a name');
    return undefined;
  }
  if (raw.enabled === false) {
    t.note(`${at}.enabled`, `plugin ${raw.name} is disabled in Kong and is not translated`);
    return undefined;
  }
  t.rest(raw, ['name', 'instance_name', 'config', 'tags', 'enabled', 'protocols', 'route', 'service', 'id'], at, 'plugin scoping and ordering are not supported');
  return { name: raw.name, config: isObject(raw.config) ? raw.config : {}, tags: [...strings(raw.tags), ...selectTags], at };
}

function readDeck(doc: Json, t: Translation): Deck {
  const info = isObject(doc._info) ? doc._info : {};
  // decK tags every entity of the file with select_tags, so a listener's server.tag may name one.
  const selectTags = strings(info.select_tags);
  t.rest(info, ['select_tags'], '_info', 'not supported');
  const deck: Deck = { services: [], routes: [], globalPlugins: [], groups: new Set() };
  const readRoute = (raw: unknown, at: string, service: Service | undefined): void => {
    if (!isObject(raw)) return;
    if (raw.enabled === false) {
      t.note(`${at}.enabled`, 'route is disabled in Kong and is not translated');
      return;
    }
    const name = typeof raw.name === 'string' ? raw.name : `route-${deck.routes.length + 1}`;
    const plugins = asArray(raw.plugins)
      .map((p, i) => readPlugin(p, `${at}.plugins[${i}]`, selectTags, t))
      .filter((p): p is Plugin => p !== undefined);
    deck.routes.push({ entity: raw, name, at, service, plugins });
  };
  asArray(doc.services).forEach((raw, s) => {
    const at = `services[${s}]`;
    if (!isObject(raw)) return;
    if (raw.enabled === false) {
      t.note(`${at}.enabled`, 'service is disabled in Kong and is not translated');
      return;
    }
    const name = typeof raw.name === 'string' ? raw.name : `service-${s + 1}`;
    const plugins = asArray(raw.plugins)
      .map((p, i) => readPlugin(p, `${at}.plugins[${i}]`, selectTags, t))
      .filter((p): p is Plugin => p !== undefined);
    const service: Service = { entity: raw, name, at, plugins };
    deck.services.push(service);
    asArray(raw.routes).forEach((route, r) => readRoute(route, `${at}.routes[${r}]`, service));
  });
  asArray(doc.routes).forEach((raw, r) => {
    const at = `routes[${r}]`;
    const ref = isObject(raw) ? raw.service : undefined;
    const refName = isObject(ref) ? ref.name ?? ref.id : ref;
    const service = deck.services.find((s) => s.name === refName || s.entity.id === refName);
    if (refName !== undefined && !service) t.note(`${at}.service`, `service ${String(refName)} is not in this file`);
    readRoute(raw, at, service);
  });
  asArray(doc.plugins).forEach((raw, i) => {
    const at = `plugins[${i}]`;
    const plugin = readPlugin(raw, at, selectTags, t);
    if (!plugin || !isObject(raw)) return;
    const ref = (value: unknown): unknown => (isObject(value) ? value.name ?? value.id : value);
    if (raw.consumer !== undefined || raw.consumer_group !== undefined) {
      t.note(at, `plugin ${plugin.name} scoped to a consumer or consumer group is not supported`);
      return;
    }
    if (raw.route !== undefined) {
      const route = deck.routes.find((r) => r.name === ref(raw.route) || r.entity.id === ref(raw.route));
      if (route) route.plugins.push(plugin);
      else t.note(`${at}.route`, `route ${String(ref(raw.route))} is not in this file`);
    } else if (raw.service !== undefined) {
      const service = deck.services.find((s) => s.name === ref(raw.service) || s.entity.id === ref(raw.service));
      if (service) service.plugins.push(plugin);
      else t.note(`${at}.service`, `service ${String(ref(raw.service))} is not in this file`);
    } else deck.globalPlugins.push(plugin);
  });
  asArray(doc.consumer_groups).forEach((raw, g) => {
    const at = `consumer_groups[${g}]`;
    if (!isObject(raw) || typeof raw.name !== 'string') return;
    deck.groups.add(raw.name);
    t.rest(raw, ['name', 'tags', 'id'], at, "not supported: Gatehouse reads a caller's groups from the token (auth.claims.groups), so membership lists and group plugins do not apply");
  });
  return deck;
}

/** Kong runs one plugin of a name per request: the route's wins over the service's, which wins over a global one. */
function pluginsOf(route: Route, deck: Deck): Plugin[] {
  const out = [...route.plugins];
  for (const plugin of [...(route.service?.plugins ?? []), ...deck.globalPlugins]) {
    if (!out.some((p) => p.name === plugin.name)) out.push(plugin);
  }
  return out;
}

/** The service's URL: `url`, or protocol://host:port/path with Kong's defaults. */
function serviceUrl(service: Service, t: Translation): string | undefined {
  const s = service.entity;
  t.rest(
    s,
    ['name', 'id', 'url', 'host', 'port', 'protocol', 'path', 'routes', 'plugins', 'tags', 'enabled'],
    service.at,
    'not supported',
  );
  if (typeof s.url === 'string') return s.url.replace(/\/+$/, '');
  const protocol = typeof s.protocol === 'string' ? s.protocol : 'http';
  if (protocol !== 'http' && protocol !== 'https') {
    t.note(`${service.at}.protocol`, `protocol ${protocol}: Gatehouse calls upstreams over http or https only`);
    return undefined;
  }
  if (typeof s.host !== 'string') {
    t.note(service.at, `service ${service.name} has neither url nor host`);
    return undefined;
  }
  const url = new URL(`${protocol}://${s.host}`);
  if (typeof s.port === 'number') url.port = String(s.port);
  if (typeof s.path === 'string') url.pathname = s.path;
  return url.toString().replace(/\/+$/, '');
}

/** A name for an upstream (letters, digits, _ and - only). */
function upstreamName(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'upstream';
  let candidate = base;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${base}-${n}`;
  taken.add(candidate);
  return candidate;
}

// ── Tools ──────────────────────────────────────────────────────────────────────────────────────

interface KongTool {
  name: string;
  /** The tool's own ACL as written (acl.allow / acl.deny). */
  rawAcl: Json | undefined;
  /** It read against the consumer groups; set by toolsOf. */
  acl?: AclList;
  at: string;
  /** The Gatehouse REST tool; undefined in passthrough mode, where tools only carry ACLs. */
  tool?: Json;
}

const ANNOTATIONS: Record<string, string> = {
  title: 'title',
  read_only_hint: 'readOnlyHint',
  destructive_hint: 'destructiveHint',
  idempotent_hint: 'idempotentHint',
  open_world_hint: 'openWorldHint',
};

function translateParameter(raw: unknown, at: string, t: Translation): Json | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string') {
    t.note(at, 'parameter without a name; left out');
    return undefined;
  }
  if (raw.in !== 'path' && raw.in !== 'query' && raw.in !== 'header') {
    t.note(`${at}.in`, `parameter ${raw.name} in ${String(raw.in)}: Gatehouse REST tools send path, query, header and JSON body arguments only; left out`);
    return undefined;
  }
  t.rest(raw, ['name', 'in', 'required', 'description', 'schema'], at, 'OpenAPI parameter field not supported by Gatehouse REST tools');
  return {
    name: raw.name,
    in: raw.in,
    ...(typeof raw.required === 'boolean' ? { required: raw.required } : {}),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(isObject(raw.schema) ? { schema: raw.schema } : {}),
  };
}

/** An OpenAPI 3.0 requestBody: a JSON object's top-level properties become body arguments. */
function bodyParameters(body: Json, at: string, t: Translation): Json[] {
  const content = isObject(body.content) ? body.content : {};
  const jsonType = Object.keys(content).find((type) => /^application\/(.+\+)?json\b/.test(type));
  const media = jsonType ? content[jsonType] : undefined;
  const schema = isObject(media) && isObject(media.schema) ? media.schema : undefined;
  const properties = schema && isObject(schema.properties) ? schema.properties : undefined;
  if (!properties || !Object.keys(properties).length) {
    t.note(`${at}.content`, `request body ${Object.keys(content).join(', ') || 'without content'}: Gatehouse REST tools send a JSON object whose top-level properties are the arguments; the body is left out`);
    return [];
  }
  const required = new Set(body.required === true && schema ? strings(schema.required) : []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'body',
    ...(required.has(name) ? { required: true } : {}),
    ...(isObject(property) && typeof property.description === 'string' ? { description: property.description } : {}),
    ...(isObject(property) ? { schema: property } : {}),
  }));
}

/** Kong names a tool by `name`, else by its annotations.title. */
function toolName(raw: Json, index: number, at: string, t: Translation): string {
  const annotations = isObject(raw.annotations) ? raw.annotations : {};
  const given = typeof raw.name === 'string' ? raw.name : typeof annotations.title === 'string' ? annotations.title : undefined;
  if (given !== undefined && TOOL_NAME.test(given)) return given;
  const fallback = given ?? `${String(raw.method ?? 'tool')}-${String(raw.path ?? index)}`;
  const name = fallback.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 128) || `tool-${index + 1}`;
  t.note(raw.name === undefined ? at : `${at}.name`, `tool name "${fallback}" is not a Gatehouse tool name (letters, digits, _ . - only); it is served as ${name}`);
  return name;
}

function translateTool(raw: unknown, index: number, at: string, passthrough: boolean, t: Translation): KongTool | undefined {
  if (!isObject(raw)) return undefined;
  const rawAcl = isObject(raw.acl) ? raw.acl : undefined;
  if (passthrough) {
    // The upstream MCP server defines the tools; Kong's entry only names one for its ACL.
    if (typeof raw.name !== 'string') {
      t.note(at, 'a passthrough-listener tool without a name matches no upstream tool; its ACL is left out');
      return undefined;
    }
    t.rest(raw, ['name', 'description', 'acl'], at, 'ignored in passthrough-listener mode: the upstream MCP server defines its tools');
    return { name: raw.name, rawAcl, at };
  }
  const name = toolName(raw, index, at, t);
  t.rest(raw, ['name', 'description', 'method', 'path', 'parameters', 'request_body', 'annotations', 'acl'], at, 'per-tool host, scheme, fixed headers or query, and response validation are not supported; the tool calls the service URL');
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET';
  if (!REST_METHODS.has(method)) {
    t.note(`${at}.method`, `method ${method} is not supported; tool ${name} is left out`);
    return undefined;
  }
  let path = typeof raw.path === 'string' ? raw.path : '/';
  if (!path.startsWith('/')) {
    t.note(`${at}.path`, `relative path "${path}" is taken relative to the service URL`);
    path = `/${path}`;
  }
  const parameters = asArray(raw.parameters)
    .map((p, i) => translateParameter(p, `${at}.parameters[${i}]`, t))
    .filter((p): p is Json => p !== undefined);
  if (isObject(raw.request_body)) parameters.push(...bodyParameters(raw.request_body, `${at}.request_body`, t));
  const tool: Json = { name, method, path, parameters };
  if (typeof raw.description === 'string') tool.description = raw.description;
  if (isObject(raw.annotations)) {
    const annotations: Json = {};
    for (const [key, value] of Object.entries(raw.annotations)) {
      const mapped = ANNOTATIONS[key];
      if (mapped) annotations[mapped] = value;
      else t.note(`${at}.annotations.${key}`, `annotation ${key} is not an MCP tool annotation`);
    }
    tool.annotations = annotations;
  }
  return { name, rawAcl, at, tool };
}

// ── ACLs ───────────────────────────────────────────────────────────────────────────────────────

interface Subjects {
  groups: string[];
  users: string[];
}

interface AclContext {
  /** Consumer group names of the file; an ACL entry names one only if the serving plugin sets include_consumer_groups. */
  groups: Set<string>;
  includeGroups: boolean;
  identifier: string;
}

/** Kong matches an entry against the consumer and its groups; Gatehouse against token groups or the subject. */
function splitSubjects(list: unknown, at: string, context: AclContext, t: Translation): Subjects {
  const out: Subjects = { groups: [], users: [] };
  for (const entry of strings(list)) {
    if (context.includeGroups && context.groups.has(entry)) out.groups.push(entry);
    else {
      out.users.push(entry);
      const why = context.groups.has(entry) ? 'names a consumer group, but include_consumer_groups is not true on the serving plugin, so Kong reads it as a consumer' : 'is not a consumer group of this file';
      t.note(at, `"${entry}" ${why}; Gatehouse matches it against the token subject (auth.claims.subject), where Kong matches the consumer's ${context.identifier} — check that they agree`);
    }
  }
  return out;
}

interface AclList {
  allow: Subjects | undefined;
  deny: Subjects;
}

function readAclList(acl: Json, at: string, context: AclContext, t: Translation): AclList {
  t.rest(acl, ['allow', 'deny', 'scope'], at, 'not supported');
  return {
    allow: Array.isArray(acl.allow) ? splitSubjects(acl.allow, `${at}.allow`, context, t) : undefined,
    deny: splitSubjects(acl.deny, `${at}.deny`, context, t),
  };
}

/** default_acl: a list keyed by scope; Kong documents scope tools (the default). */
function readDefaultAcl(value: unknown, at: string, context: AclContext, t: Translation): AclList | undefined {
  let found: AclList | undefined;
  asArray(value).forEach((entry, i) => {
    if (!isObject(entry)) return;
    const scope = entry.scope ?? 'tools';
    if (scope !== 'tools') {
      t.note(`${at}[${i}].scope`, `default ACL scope ${String(scope)} is not supported; only tools is translated`);
      return;
    }
    if (found) {
      t.note(`${at}[${i}]`, 'a second default ACL for tools is left out; the first one is used');
      return;
    }
    found = readAclList(entry, `${at}[${i}]`, context, t);
  });
  return found;
}

interface AclSource {
  tools: KongTool[];
  defaultAcl: AclList | undefined;
}

class RuleSet {
  private readonly byKey = new Map<string, Json & { match: string[] }>();

  add(effect: 'allow' | 'deny', field: 'groups' | 'users' | 'everyone', names: string[], match: string[]): void {
    if (!match.length) return;
    const key = `${effect}|${field}|${names.join('\u0000')}`;
    const existing = this.byKey.get(key);
    if (existing) {
      for (const m of match) if (!existing.match.includes(m)) existing.match.push(m);
      return;
    }
    const label = field === 'everyone' ? 'everyone' : field === 'users' ? `users-${names.join('.')}` : names.join('.');
    const wanted = `${effect}-${label}`;
    const id = RULE_ID.test(wanted) ? wanted : `kong-${effect}-${this.byKey.size + 1}`;
    this.byKey.set(key, { id, kind: 'tools', match: [...match], effect, subjects: field === 'everyone' ? {} : { [field]: names } });
  }

  /** A Kong list as rules: one rule per subject field, since Gatehouse AND-s fields and Kong OR-s entries. */
  addList(effect: 'allow' | 'deny', subjects: Subjects, match: string[]): void {
    if (subjects.groups.length) this.add(effect, 'groups', subjects.groups, match);
    if (subjects.users.length) this.add(effect, 'users', subjects.users, match);
  }

  /** Kong: deny wins; an allow list must name the caller; no allow list allows everyone not denied. */
  addAcl(list: AclList, match: string[]): void {
    this.addList('deny', list.deny, match);
    if (!list.allow) this.add('allow', 'everyone', [], match);
    else if (list.allow.groups.length || list.allow.users.length) this.addList('allow', list.allow, match);
    // An empty allow list allows nobody; a rule must still match, so the default does not speak.
    else if (!list.deny.groups.length && !list.deny.users.length) this.add('deny', 'everyone', [], match);
  }

  get rules(): Json[] {
    return [...this.byKey.values()];
  }
}

/** A pattern Gatehouse reads as a literal name. */
function literal(name: string): string {
  return /[*?]/.test(name) || name.startsWith('/') ? `/^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$/` : name;
}

/** Representable as a Gatehouse default: an allow list, and each list names only groups or only users. */
function asDefault(list: AclList | undefined): Json | undefined {
  if (!list?.allow) return undefined;
  const set = (s: Subjects): Json | undefined => {
    if (s.groups.length && s.users.length) return undefined;
    return s.users.length ? { users: s.users } : { groups: s.groups };
  };
  const allow = set(list.allow);
  const deny = set(list.deny);
  return allow && deny ? { allow, deny } : undefined;
}

/**
 * Kong's tool ACLs (https://developer.konghq.com/plugins/ai-mcp-proxy/#acl-tool-control): a tool's
 * own acl replaces default_acl for it (Gatehouse combine: replace). `passthrough` means the tool
 * list is the upstream's, so "every other tool" is a pattern rather than a list of names.
 */
function translateAcl(sources: AclSource[], passthrough: boolean, at: string, t: Translation): Json | undefined {
  if (!sources.some((s) => s.defaultAcl || s.tools.some((tool) => tool.acl))) return undefined;
  const rules = new RuleSet();
  for (const source of sources) {
    for (const tool of source.tools) {
      if (tool.acl) rules.addAcl(tool.acl, [literal(tool.name)]);
    }
  }
  const restOf = (source: AclSource): string[] => {
    const own = source.tools.filter((tool) => tool.acl).map((tool) => tool.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    if (passthrough) return [own.length ? `/^(?!(?:${own.join('|')})$).*$/` : '*'];
    return source.tools.filter((tool) => !tool.acl).map((tool) => literal(tool.name));
  };
  const withRest = sources.filter((s) => restOf(s).length);
  const defaults = withRest.map((s) => JSON.stringify(asDefault(s.defaultAcl) ?? null));
  const shared = withRest.length && defaults.every((d) => d === defaults[0]) ? asDefault(withRest[0]!.defaultAcl) : undefined;
  const acl: Json = { combine: 'replace' };
  if (shared) acl.default = passthrough ? { tools: shared } : shared;
  else {
    // Kong allows a tool without an ACL when no default allow list exists; Gatehouse's default cannot say "everyone".
    for (const source of withRest) rules.addAcl(source.defaultAcl ?? { allow: undefined, deny: { groups: [], users: [] } }, restOf(source));
  }
  acl.rules = rules.rules;
  if (passthrough) {
    for (const kind of ['prompts', 'resources', 'resource_templates']) {
      (acl.rules as Json[]).push({ id: `allow-everyone-${kind}`, kind, match: ['*'], effect: 'allow', subjects: {} });
    }
    t.note(at, "Kong's ACLs cover tools only; the upstream's prompts and resources stay open to every authenticated caller (rules allow-everyone-prompts, -resources, -resource_templates)");
  }
  return acl;
}

// ── Plugins ────────────────────────────────────────────────────────────────────────────────────

/** ai-mcp-oauth2 → route auth (OAuth 2.1 resource server with introspection or JWKS). */
function translateOauth2(plugin: Plugin, path: string, t: Translation): Json | undefined {
  const c = plugin.config;
  const at = `${plugin.at}.config`;
  t.rest(
    c,
    [
      'resource', 'authorization_servers', 'introspection_endpoint', 'client_id', 'client_secret', 'client_auth', 'jwks_endpoint', 'metadata_endpoint',
      'scopes_supported', 'insecure_relaxed_audience_validation', 'cache_introspection', 'ssl_verify', 'claim_to_header', 'upstream_headers',
      'consumer_claim', 'consumer_by', 'consumer_optional', 'consumer_groups_claim', 'consumer_groups_optional', 'credential_claim', 'max_request_body_size',
    ],
    at,
    'not supported by Gatehouse',
  );
  const servers = strings(c.authorization_servers);
  if (!isUrl(servers[0])) {
    t.note(`${at}.authorization_servers`, `authorization server "${String(servers[0])}" is not a URL; Gatehouse needs the issuer URL, so this route gets no auth`);
    return undefined;
  }
  if (servers.length > 1) t.note(`${at}.authorization_servers`, `Gatehouse trusts one issuer per route (${servers[0]}); ${servers.slice(1).join(', ')} left out`);
  const auth: Json = { issuer: servers[0] };
  const own = `http://localhost:${KONG_PROXY_PORT}${path}`;
  if (c.resource !== undefined && c.resource !== own) {
    t.note(`${at}.resource`, `Gatehouse advertises the route's own URL (${own} when reached as localhost) as the resource, not ${String(c.resource)}`);
  }
  if (typeof c.metadata_endpoint === 'string' && c.metadata_endpoint !== `${WELL_KNOWN_PRM}${path}`) {
    t.note(`${at}.metadata_endpoint`, `Gatehouse serves the Protected Resource Metadata at ${WELL_KNOWN_PRM}${path} (RFC 9728 §3.1), not ${c.metadata_endpoint}`);
  }
  if (typeof c.introspection_endpoint === 'string') {
    const introspection: Json = { endpoint: c.introspection_endpoint };
    if (typeof c.client_id === 'string') introspection.client_id = c.client_id;
    if (typeof c.client_secret === 'string') introspection.client_secret = c.client_secret;
    if (c.client_auth === 'client_secret_basic' || c.client_auth === 'client_secret_post') introspection.auth_method = c.client_auth;
    else if (c.client_auth !== undefined && c.client_auth !== null) t.note(`${at}.client_auth`, `client_auth ${String(c.client_auth)}: Gatehouse authenticates to the introspection endpoint with client_secret_basic or client_secret_post only`);
    if (c.cache_introspection === false) introspection.cache_max_s = 0;
    auth.introspection = introspection;
  }
  if (typeof c.jwks_endpoint === 'string') auth.jwks_uri = c.jwks_endpoint;
  if (Array.isArray(c.scopes_supported)) auth.scopes_supported = strings(c.scopes_supported);
  if (typeof c.insecure_relaxed_audience_validation === 'boolean') auth.insecure_relaxed_audience_validation = c.insecure_relaxed_audience_validation;
  if (c.ssl_verify === false) t.note(`${at}.ssl_verify`, 'Gatehouse always verifies the TLS certificates of the authorization server; trust its CA with NODE_EXTRA_CA_CERTS instead');
  const headers: Json = {};
  asArray(c.claim_to_header).forEach((entry, i) => {
    if (isObject(entry) && typeof entry.claim === 'string' && typeof entry.header === 'string') headers[entry.header] = entry.claim;
    else t.note(`${at}.claim_to_header[${i}]`, 'entry needs claim and header');
  });
  asArray(c.upstream_headers).forEach((entry, i) => {
    const claimPath = isObject(entry) ? strings(entry.path) : [];
    if (isObject(entry) && typeof entry.header === 'string' && claimPath.length) headers[entry.header] = claimPath.join('.');
    else t.note(`${at}.upstream_headers[${i}]`, 'entry needs header and path');
  });
  if (Object.keys(headers).length) auth.claim_to_header = headers;
  const claims: Json = {};
  const consumerClaim = strings(c.consumer_claim);
  if (consumerClaim.length) {
    claims.subject = consumerClaim.join('.');
    t.note(`${at}.consumer_claim`, `Gatehouse has no consumers: the claim ${claims.subject as string} becomes the principal's subject (auth.claims.subject), which ACL entries naming a consumer are matched against`);
  }
  if (c.consumer_by !== undefined) t.note(`${at}.consumer_by`, 'no consumer lookup in Gatehouse: the claim value itself is the subject');
  if (c.consumer_optional === false) t.note(`${at}.consumer_optional`, 'Kong rejects a token whose claim matches no consumer; Gatehouse accepts every valid token (there are no consumers to match)');
  const groupsClaim = strings(c.consumer_groups_claim);
  if (groupsClaim.length) claims.groups = [groupsClaim.join('.')];
  if (Object.keys(claims).length) auth.claims = claims;
  // Kong's default is false: a token must map to a consumer group.
  auth.groups_optional = c.consumer_groups_optional === true;
  if (c.credential_claim !== undefined) t.note(`${at}.credential_claim`, 'Gatehouse has no virtual credentials; the subject claim identifies the caller in the trace and the audit log');
  return auth;
}

function translateCors(plugin: Plugin, t: Translation): Json {
  const c = plugin.config;
  const at = `${plugin.at}.config`;
  t.rest(c, ['origins', 'credentials', 'max_age', 'methods', 'headers', 'exposed_headers', 'preflight_continue'], at, 'not supported by Gatehouse CORS');
  const out: Json = { allowed_origins: strings(c.origins) };
  if (typeof c.credentials === 'boolean') out.allow_credentials = c.credentials;
  if (typeof c.max_age === 'number') out.max_age_s = c.max_age;
  const extraMethods = strings(c.methods).filter((m) => !GATEHOUSE_CORS_METHODS.has(m.toUpperCase()));
  if (extraMethods.length) t.note(`${at}.methods`, `Gatehouse answers with the methods MCP uses (GET, POST, DELETE, OPTIONS); not allowed: ${extraMethods.join(', ')}`);
  const extraHeaders = strings(c.headers).filter((h) => !GATEHOUSE_CORS_REQUEST_HEADERS.has(h.toLowerCase()));
  if (extraHeaders.length) t.note(`${at}.headers`, `Gatehouse allows a fixed set of MCP request headers; not allowed: ${extraHeaders.join(', ')}`);
  const extraExposed = strings(c.exposed_headers).filter((h) => !GATEHOUSE_CORS_EXPOSED_HEADERS.has(h.toLowerCase()));
  if (extraExposed.length) t.note(`${at}.exposed_headers`, `Gatehouse exposes a fixed set of MCP headers; not exposed: ${extraExposed.join(', ')}`);
  if (c.preflight_continue === true) t.note(`${at}.preflight_continue`, 'Gatehouse answers preflight requests itself; they are never passed upstream');
  return out;
}

/** The ai-mcp-proxy fields every mode shares; the mode-specific ones are read by the caller. */
function proxyCommon(plugin: Plugin, handled: readonly string[], bodySizes: number[], t: Translation): void {
  const c = plugin.config;
  const at = `${plugin.at}.config`;
  t.rest(c, ['mode', 'logging', 'max_request_body_size', 'consumer_identifier', 'include_consumer_groups', ...handled], at, `not supported in ${String(c.mode)} mode`);
  if (isObject(c.logging)) {
    const on = Object.entries(c.logging).filter(([, v]) => v === true).map(([k]) => k);
    if (on.length) t.note(`${at}.logging`, `${on.join(', ')}: Gatehouse records every request and decision in its own trace and audit log; Kong log plugin output is not produced`);
  }
  if (typeof c.max_request_body_size === 'number') bodySizes.push(c.max_request_body_size);
}

interface ServedRoute {
  out: Json;
  aclSources: AclSource[];
  passthrough: boolean;
  serving: Plugin;
}

function toolsOf(plugin: Plugin, passthrough: boolean, context: AclContext, t: Translation): KongTool[] {
  return asArray(plugin.config.tools)
    .map((raw, i) => {
      const tool = translateTool(raw, i, `${plugin.at}.config.tools[${i}]`, passthrough, t);
      return tool?.rawAcl ? { ...tool, acl: readAclList(tool.rawAcl, `${tool.at}.acl`, context, t) } : tool;
    })
    .filter((tool): tool is KongTool => tool !== undefined);
}

function timeoutOf(plugin: Plugin): Json {
  const server = isObject(plugin.config.server) ? plugin.config.server : {};
  return typeof server.timeout === 'number' && server.timeout > 0 ? { timeout_ms: Math.round(server.timeout) } : {};
}

function noteServer(plugin: Plugin, handled: readonly string[], t: Translation): void {
  const server = isObject(plugin.config.server) ? plugin.config.server : undefined;
  if (!server) return;
  const at = `${plugin.at}.config.server`;
  t.rest(server, ['forward_client_headers', 'timeout', ...handled], at, 'not supported');
  if (server.forward_client_headers === true) t.note(`${at}.forward_client_headers`, 'Gatehouse never forwards client request headers to upstreams; use auth.claim_to_header or upstream headers');
}

interface Conversion {
  plugin: Plugin;
  route: Route;
  tools: KongTool[];
}

/** The MCP route a Kong route serves, or undefined when it serves none (conversion-only, or no MCP plugin). */
function translateRoute(route: Route, deck: Deck, conversions: Conversion[], bodySizes: number[], t: Translation): ServedRoute | undefined {
  const plugins = pluginsOf(route, deck);
  const proxy = plugins.find((p) => p.name === 'ai-mcp-proxy');
  const mode = proxy?.config.mode;
  if (!proxy || mode === 'conversion-only') {
    const others = plugins.filter((p) => p !== proxy).map((p) => p.name);
    const also = others.length ? `; its plugins (${others.join(', ')}) are not translated` : '';
    t.note(route.at, `route ${route.name} serves no MCP endpoint, and Gatehouse serves MCP only: its plain HTTP traffic is not proxied${also}`);
    return undefined;
  }
  const r = route.entity;
  t.rest(r, ['name', 'id', 'paths', 'protocols', 'hosts', 'plugins', 'service', 'tags', 'strip_path', 'enabled', 'preserve_host'], route.at, 'route matching on this field is not supported; the route serves every request on its path');
  const path = routePath(route, t);
  const protocols = strings(r.protocols);
  if (protocols.length && !protocols.includes('http')) {
    t.note(`${route.at}.protocols`, `protocols ${protocols.join(', ')}: Gatehouse serves plain HTTP (put a TLS-terminating proxy in front)`);
  }
  const out: Json = { path, prefix: 'conditional' };
  const hosts = strings(r.hosts);
  if (hosts.some((h) => h.includes('*'))) t.note(`${route.at}.hosts`, 'wildcard hosts are not supported; list each host name');
  if (hosts.some((h) => !h.includes('*'))) out.allowed_hosts = hosts.filter((h) => !h.includes('*'));
  const context: AclContext = {
    groups: deck.groups,
    includeGroups: proxy.config.include_consumer_groups === true,
    identifier: typeof proxy.config.consumer_identifier === 'string' ? proxy.config.consumer_identifier : 'username',
  };
  const taken = new Set<string>();
  let upstreams: Json[] = [];
  let aclSources: AclSource[] = [];
  const passthrough = mode === 'passthrough-listener';
  if (mode === 'passthrough-listener' || mode === 'conversion-listener') {
    proxyCommon(proxy, ['tools', 'server', 'default_acl'], bodySizes, t);
    noteServer(proxy, [], t);
    const base = route.service ? serviceUrl(route.service, t) : undefined;
    if (!route.service) t.note(route.at, `route ${route.name} has no service, so there is nothing to call`);
    const tools = toolsOf(proxy, passthrough, context, t);
    aclSources = [{ tools, defaultAcl: readDefaultAcl(proxy.config.default_acl, `${proxy.at}.config.default_acl`, context, t) }];
    if (base && route.service) {
      const name = upstreamName(route.service.name, taken);
      if (passthrough) {
        // strip_path false keeps the route path in the upstream request, as Kong proxies it.
        const url = r.strip_path === false ? `${base}${path}` : base;
        upstreams = [{ name, kind: 'http', url, ...timeoutOf(proxy) }];
      } else if (tools.length) {
        upstreams = [{ name, kind: 'rest', base_url: base, ...timeoutOf(proxy), tools: tools.map((tool) => tool.tool) }];
      } else t.note(`${proxy.at}.config.tools`, 'conversion-listener without tools serves nothing');
    }
  } else if (mode === 'listener') {
    proxyCommon(proxy, ['server'], bodySizes, t);
    noteServer(proxy, ['tag'], t);
    if (proxy.config.default_acl !== undefined || proxy.config.tools !== undefined) {
      t.note(`${proxy.at}.config`, 'Kong ignores tools and default_acl in listener mode (the ACLs come from the tagged plugins); so does Gatehouse');
    }
    const server = isObject(proxy.config.server) ? proxy.config.server : {};
    const tag = typeof server.tag === 'string' ? server.tag : undefined;
    const sources = tag === undefined ? [] : conversions.filter((c) => c.plugin.tags.includes(tag));
    if (tag === undefined) t.note(`${proxy.at}.config.server`, 'listener without server.tag serves no tools');
    else if (!sources.length) t.note(`${proxy.at}.config.server.tag`, `no conversion-only or conversion-listener plugin is tagged ${tag}; the listener serves no tools`);
    for (const source of sources) {
      const base = source.route.service ? serviceUrl(source.route.service, t) : undefined;
      if (!base || !source.route.service) {
        t.note(source.route.at, `route ${source.route.name} has no usable service; its tools are not served`);
        continue;
      }
      if (!source.tools.length) continue;
      upstreams.push({ name: upstreamName(source.route.service.name, taken), kind: 'rest', base_url: base, ...timeoutOf(proxy), tools: source.tools.map((tool) => tool.tool) });
      aclSources.push({ tools: source.tools, defaultAcl: readDefaultAcl(source.plugin.config.default_acl, `${source.plugin.at}.config.default_acl`, context, t) });
    }
    const seen = new Map<string, string>();
    for (const source of sources) {
      for (const tool of source.tools) {
        const other = seen.get(tool.name);
        if (other !== undefined && other !== source.route.name) {
          t.note(tool.at, `tool ${tool.name} is also defined on route ${other}; Gatehouse serves both as <upstream>_${tool.name}, and ACL rules naming ${tool.name} no longer match them`);
        }
        seen.set(tool.name, source.route.name);
      }
    }
  } else {
    t.note(`${proxy.at}.config.mode`, `mode ${String(mode)} is not an ai-mcp-proxy mode Gatehouse knows`);
    return undefined;
  }
  if (!upstreams.length) {
    t.note(route.at, `route ${route.name} has nothing Gatehouse can serve and is left out`);
    return undefined;
  }
  out.upstreams = upstreams;
  for (const plugin of plugins) {
    if (plugin === proxy) continue;
    if (plugin.name === 'ai-mcp-oauth2') {
      const auth = translateOauth2(plugin, path, t);
      if (auth) out.auth = auth;
      const size = plugin.config.max_request_body_size;
      if (typeof size === 'number') bodySizes.push(size);
    } else if (plugin.name === 'cors') out.cors = translateCors(plugin, t);
    else t.note(plugin.at, `plugin ${plugin.name} is not supported by Gatehouse`);
  }
  return { out, aclSources, passthrough, serving: proxy };
}

/** The route's MCP path: its first path that is not the Protected Resource Metadata one (Gatehouse serves that itself). */
function routePath(route: Route, t: Translation): string {
  let chosen: string | undefined;
  asArray(route.entity.paths).forEach((raw, i) => {
    const at = `${route.at}.paths[${i}]`;
    if (typeof raw !== 'string') return;
    if (raw.startsWith('~')) {
      t.note(at, `regex path ${raw} is not supported`);
      return;
    }
    if (raw.startsWith(WELL_KNOWN_PRM)) return;
    const trimmed = raw.replace(/\/+$/, '');
    if (chosen === undefined && ROUTE_PATH.test(trimmed)) chosen = trimmed;
    else if (chosen === undefined) t.note(at, `path "${raw}" is not a Gatehouse route path (such as /team/search)`);
    else if (trimmed !== chosen) t.note(at, `a Gatehouse route has one path; ${raw} is not served (the route is at ${chosen})`);
  });
  if (chosen !== undefined) return chosen;
  const fallback = `/${route.name.replace(/[^A-Za-z0-9._~-]+/g, '-')}`;
  t.note(`${route.at}.paths`, `no usable path; the route is served at ${fallback}`);
  return fallback;
}

const TOP_LEVEL_WHY: Record<string, string> = {
  consumers: "Gatehouse has no consumers: callers are identified by their token, and their groups come from the token's groups claim",
  upstreams: 'Kong load-balancer upstreams are not supported; give the service a host Gatehouse can reach',
  certificates: 'Gatehouse serves plain HTTP (put a TLS-terminating proxy in front)',
  ca_certificates: 'custom CA certificates are not supported; use NODE_EXTRA_CA_CERTS',
  vaults: 'Kong vaults are not supported; write ${ENV_VAR} references',
};

export function fromKongDeck(doc: unknown): { config: unknown; unsupported: TranslationNote[] } {
  const t = new Translation();
  if (!isObject(doc)) {
    t.note('', 'the file is not a YAML mapping');
    return { config: {}, unsupported: t.notes };
  }
  t.rest(doc, ['_format_version', '_info', 'services', 'routes', 'plugins', 'consumer_groups'], '', TOP_LEVEL_WHY);
  const deck = readDeck(doc, t);

  // Tools of conversion plugins, whichever route serves them (their own, or a listener by tag).
  const conversions: Conversion[] = [];
  for (const route of deck.routes) {
    const proxy = pluginsOf(route, deck).find((p) => p.name === 'ai-mcp-proxy');
    if (proxy?.config.mode !== 'conversion-only' && proxy?.config.mode !== 'conversion-listener') continue;
    const listener = deck.routes
      .flatMap((r) => pluginsOf(r, deck))
      .find((p) => p.name === 'ai-mcp-proxy' && p.config.mode === 'listener' && isObject(p.config.server) && proxy.tags.includes(p.config.server.tag as string));
    const context: AclContext = {
      groups: deck.groups,
      includeGroups: (listener ?? proxy).config.include_consumer_groups === true,
      identifier: typeof (listener ?? proxy).config.consumer_identifier === 'string' ? ((listener ?? proxy).config.consumer_identifier as string) : 'username',
    };
    if (proxy.config.mode === 'conversion-listener') {
      if (listener) conversions.push({ plugin: proxy, route, tools: toolsOf(proxy, false, context, new Translation()) });
      continue;
    }
    proxyCommon(proxy, ['tools', 'default_acl'], [], t);
    if (proxy.config.server !== undefined) t.note(`${proxy.at}.config.server`, 'conversion-only mode serves nothing, so server settings do not apply');
    conversions.push({ plugin: proxy, route, tools: toolsOf(proxy, false, context, t) });
  }

  const routes: Json[] = [];
  const bodySizes: number[] = [];
  for (const route of deck.routes) {
    const served = translateRoute(route, deck, conversions, bodySizes, t);
    if (!served) continue;
    const acl = translateAcl(served.aclSources, served.passthrough, `${served.serving.at}.config`, t);
    if (acl) {
      served.out.acl = acl;
      if (!served.out.auth) {
        t.note(`${served.serving.at}.config`, 'tool ACLs need to know who is calling, and this route has no ai-mcp-oauth2 plugin Gatehouse can use: the translated config is rejected until the route gets auth (fail closed)');
      }
    }
    routes.push(served.out);
  }

  const listen: Json = { port: KONG_PROXY_PORT };
  const sizes = [...new Set(bodySizes)];
  if (sizes.includes(0)) t.note('services', 'max_request_body_size 0 (unlimited) is not supported; Gatehouse keeps its limit of 4 MiB');
  const limited = sizes.filter((s) => s > 0);
  if (limited.length) {
    listen.max_body_bytes = Math.max(...limited);
    if (limited.length > 1) t.note('services', `Gatehouse has one body-size limit for all routes; the largest max_request_body_size (${String(listen.max_body_bytes)}) is used, not ${limited.filter((s) => s !== listen.max_body_bytes).join(', ')}`);
  }
  return { config: { listen, routes }, unsupported: t.notes };
}
