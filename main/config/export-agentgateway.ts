/**
 * Writes the agentgateway config (https://agentgateway.dev/docs/, schema
 * https://agentgateway.dev/schema/config) that serves the same MCP endpoints as a Gatehouse config:
 * the reverse of main/config/agentgateway.ts, whose mapping decisions it mirrors so that
 * agentgateway → Gatehouse → agentgateway keeps every field both sides support.
 *
 * Whatever agentgateway cannot express is returned as a note naming the Gatehouse field, never
 * dropped silently. Authorization fails closed: an allow that cannot be written is left out (the
 * item is then denied), a deny that cannot be narrowed exactly is widened, never the reverse.
 */
import type { AclRule, RouteAcl, SubjectSet } from '../../shared/policy.js';
import { parseNamePattern } from '../policy/name-pattern.js';
import { CORS_EXPOSED_HEADERS, CORS_METHODS, CORS_REQUEST_HEADERS } from './cors-headers.js';
import { DEFAULT_ALGORITHMS, type CorsConfig, type GatehouseConfig, type RouteAuthConfig, type RouteConfig, type UpstreamConfig } from './schema.js';
import { TranslationNotes, type Json, type TranslationNote } from './translation-notes.js';

/** A Gatehouse field that does not carry over, by its dotted path, e.g. routes[0].acl.rules[2].when */
export type ExportNote = TranslationNote;
type ItemKind = AclRule['kind'];

const ALL_KINDS: readonly ItemKind[] = ['tools', 'prompts', 'resources', 'resource_templates'];
/** The CEL name agentgateway gives each kind's item (https://agentgateway.dev/docs/mcp/mcp-authz/). */
const KIND_FIELD: Record<ItemKind, string> = {
  tools: 'mcp.tool.name',
  prompts: 'mcp.prompt.name',
  resources: 'mcp.resource.uri',
  resource_templates: 'mcp.resource.uri',
};
const KIND_PRESENT: Record<ItemKind, string> = {
  tools: 'has(mcp.tool)',
  prompts: 'has(mcp.prompt)',
  resources: 'has(mcp.resource)',
  resource_templates: 'has(mcp.resource)',
};
const DEFAULT_TIMEOUT_MS: Record<UpstreamConfig['kind'], number> = { http: 60_000, sse: 60_000, stdio: 60_000, rest: 30_000, openapi: 30_000 };
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

class Export extends TranslationNotes {}

/** A CEL string literal. Single quotes, as agentgateway's examples write them. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** `a.b-c` → `jwt.a["b-c"]`-free form when every segment is an identifier, else index syntax. */
export function celClaim(path: string): string {
  return `jwt${path
    .split('.')
    .map((segment) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${celString(segment)}]`))
    .join('')}`;
}

/** A glob as an RE2 regex body (CEL's matches() is RE2 and unanchored). */
function globRegex(glob: string): string {
  let out = '';
  for (const char of glob) {
    if (char === '*') out += '.*';
    else if (char === '?') out += '.';
    else out += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** CEL that is true when `field` matches one of the ACL `match` entries, or undefined for "any name". */
export function celNameMatch(field: string, match: readonly string[]): string | undefined {
  if (match.includes('*')) return undefined;
  const literals: string[] = [];
  const regexes: string[] = [];
  for (const entry of match) {
    const pattern = parseNamePattern(entry);
    if (typeof pattern === 'string') continue; // The schema already rejected it.
    if (pattern.type === 'literal') literals.push(pattern.name);
    else if (pattern.type === 'glob') regexes.push(`^${globRegex(pattern.source)}$`);
    else {
      const [, body = '', flags = ''] = /^\/(.*)\/([a-z]*)$/s.exec(pattern.source) ?? [];
      const inline = [...flags].filter((f) => f === 'i' || f === 's').join('');
      regexes.push(`${inline ? `(?${inline})` : ''}^(?:${body})$`);
    }
  }
  const parts: string[] = [];
  if (literals.length === 1) parts.push(`${field} == ${celString(literals[0]!)}`);
  else if (literals.length > 1) parts.push(`${field} in ${celList(literals)}`);
  for (const regex of regexes) parts.push(`${field}.matches(${celString(regex)})`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' || ')})`;
}

interface ClaimPaths {
  subject: string;
  client_id: string;
  scope: string;
  groups: string;
}

function claimPaths(auth: RouteAuthConfig | undefined): ClaimPaths {
  const claims = auth?.claims;
  return { subject: claims?.subject ?? 'sub', client_id: claims?.client_id ?? 'client_id', scope: claims?.scope ?? 'scope', groups: claims?.groups[0] ?? 'groups' };
}

/** CEL for "the caller is in this subject set" (fields AND-ed, values OR-ed), or undefined for everyone. */
export function celSubjects(subjects: SubjectSet, claims: ClaimPaths): string | undefined {
  const parts: string[] = [];
  const any = (values: readonly string[], one: (value: string) => string) => {
    if (!values.length) return;
    parts.push(values.length === 1 ? one(values[0]!) : `(${values.map(one).join(' || ')})`);
  };
  any(subjects.groups, (g) => `${celString(g)} in ${celClaim(claims.groups)}`);
  if (subjects.users.length) parts.push(`${celClaim(claims.subject)} in ${celList(subjects.users)}`);
  if (subjects.clients.length) parts.push(`${celClaim(claims.client_id)} in ${celList(subjects.clients)}`);
  // scope is a space-separated string (RFC 8693 §4.2); matches() avoids CEL's strings extension.
  any(subjects.scopes, (s) => `${celClaim(claims.scope)}.matches(${celString(`(^| )${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`)})`);
  return parts.length ? parts.join(' && ') : undefined;
}

/** Whether the outer parentheses of `p` enclose all of it ("(a) || (b)" is not enclosed). */
function enclosed(p: string): boolean {
  if (!p.startsWith('(') || !p.endsWith(')')) return false;
  let depth = 0;
  const code = p.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')') depth--;
    if (depth === 0 && i < code.length - 1) return false;
  }
  return true;
}

/** CEL conjunction; a part with a lower-precedence operator is parenthesised. An empty one is true. */
function and(parts: ReadonlyArray<string | undefined>): string {
  const present = parts.filter((p): p is string => p !== undefined);
  if (!present.length) return 'true';
  if (present.length === 1) return present[0]!;
  return present.map((p) => (/\|\||\?/.test(p) && !enclosed(p) ? `(${p})` : p)).join(' && ');
}

/** Which kinds a condition can be true for, read as agentgateway.ts's kindsOf does. */
function kindsNamedBy(when: string | undefined): Set<ItemKind> {
  const code = (when ?? '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const kinds = new Set<ItemKind>();
  if (/\bmcp\.tool\b/.test(code)) kinds.add('tools');
  if (/\bmcp\.prompt\b/.test(code)) kinds.add('prompts');
  if (/\bmcp\.resource\b/.test(code)) (['resources', 'resource_templates'] as const).forEach((k) => kinds.add(k));
  return kinds.size ? kinds : new Set(ALL_KINDS);
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Rules that differ only in kind, with match *, are one agentgateway rule (its translation splits them again). */
interface RuleGroup {
  rule: AclRule;
  index: number;
  kinds: Set<ItemKind>;
}

function groupRules(rules: readonly AclRule[]): RuleGroup[] {
  const groups: RuleGroup[] = [];
  const keyOf = (r: AclRule) => JSON.stringify([r.effect, r.match, r.rights, r.subjects, r.when ?? null]);
  const byKey = new Map<string, RuleGroup>();
  rules.forEach((rule, index) => {
    const key = keyOf(rule);
    const found = rule.match.includes('*') ? byKey.get(key) : undefined;
    if (found) {
      found.kinds.add(rule.kind);
      return;
    }
    const group = { rule, index, kinds: new Set<ItemKind>([rule.kind]) };
    groups.push(group);
    if (rule.match.includes('*')) byKey.set(key, group);
  });
  return groups;
}

/** CEL for "the item is of one of these kinds", or undefined when the rest of the expression already says so. */
function kindCondition(kinds: ReadonlySet<ItemKind>, implied: ReadonlySet<ItemKind>): string | undefined {
  if (sameSet(kinds, new Set(ALL_KINDS)) || sameSet(kinds, implied)) return undefined;
  const present = [...new Set([...kinds].map((k) => KIND_PRESENT[k]))];
  return present.length === 1 ? present[0] : `(${present.join(' || ')})`;
}

interface AuthzRule {
  effect: 'allow' | 'deny';
  source: string;
}

/** Where the item is named by some rule of its kind (combine: replace hands those items to the rules). */
function namedByRules(kind: ItemKind, rules: readonly AclRule[]): string | undefined | 'all' {
  const relevant = rules.filter((r) => r.kind === kind || (KIND_FIELD[r.kind] === KIND_FIELD[kind] && kind !== 'tools' && kind !== 'prompts'));
  if (relevant.some((r) => r.match.includes('*'))) return 'all';
  const matches = relevant.map((r) => celNameMatch(KIND_FIELD[kind], r.match)).filter((m): m is string => m !== undefined);
  return matches.length ? (matches.length === 1 ? matches[0] : `(${matches.join(' || ')})`) : undefined;
}

/**
 * A Gatehouse ACL as agentgateway mcpAuthorization rules. agentgateway allows a call when no deny
 * rule is true and, if there are allow rules, one of them is; it filters lists by the same rules.
 */
function translateAcl(acl: RouteAcl, at: string, claims: ClaimPaths, t: Export): Json {
  const out: AuthzRule[] = [];
  groupRules(acl.rules).forEach(({ rule, index, kinds }) => {
    const ruleAt = `${at}.rules[${index}]`;
    if (kinds.has('resources') !== kinds.has('resource_templates') && (kinds.has('resources') || kinds.has('resource_templates'))) {
      t.note(`${ruleAt}.kind`, `agentgateway does not tell resources from resource templates (both are mcp.resource); rule ${rule.id} applies to both there`);
    }
    const both = rule.rights.includes('list') && rule.rights.includes('call');
    if (!both && rule.effect === 'allow') {
      t.note(`${ruleAt}.rights`, `rule ${rule.id} allows only ${rule.rights.join(', ')}: agentgateway rules cover listing and calling together, so this allow is left out (what it allowed is denied)`);
      return;
    }
    if (!both) t.note(`${ruleAt}.rights`, `rule ${rule.id} denies only ${rule.rights.join(', ')}: agentgateway rules cover listing and calling together, so it denies both there`);
    if (rule.when !== undefined && /(^|[^.\w])request\.method\b/.test(rule.when)) {
      t.note(`${ruleAt}.when`, `rule ${rule.id}: request.method is the MCP method in Gatehouse but the HTTP method in agentgateway; rewrite the condition`);
    }
    if (rule.when !== undefined && rule.effect === 'deny') {
      t.note(`${ruleAt}.when`, `rule ${rule.id}: a deny whose condition errors (a missing claim) denies in Gatehouse but not in agentgateway; guard claims with has()`);
    }
    const subjects = celSubjects(rule.subjects, claims);
    if (rule.match.includes('*')) {
      out.push({ effect: rule.effect, source: and([kindCondition(kinds, kindsNamedBy(rule.when)), subjects, rule.when]) });
      return;
    }
    const byField = new Map<string, ItemKind[]>();
    for (const kind of kinds) byField.set(KIND_FIELD[kind], [...(byField.get(KIND_FIELD[kind]) ?? []), kind]);
    for (const field of byField.keys()) out.push({ effect: rule.effect, source: and([celNameMatch(field, rule.match), subjects, rule.when]) });
  });

  const def = acl.default;
  if (def) {
    const listsOf = (kind: ItemKind) => def[kind] ?? { allow: def.allow, deny: def.deny };
    const uniform = ALL_KINDS.every((k) => JSON.stringify(listsOf(k)) === JSON.stringify(listsOf('tools')));
    // combine replace: the default speaks only for items no rule of that kind names.
    const named = (kind: ItemKind) => (acl.combine === 'replace' ? namedByRules(kind, acl.rules) : undefined);
    const pushDefault = (kindCond: string | undefined, unnamed: string | undefined, lists: ReturnType<typeof listsOf>) => {
      for (const effect of ['allow', 'deny'] as const) {
        const set = lists[effect];
        if (!set || !Object.values(set).some((v) => v.length)) continue; // An empty default list matches nobody.
        out.push({ effect, source: and([kindCond, unnamed, celSubjects(set, claims)]) });
      }
    };
    if (uniform && ALL_KINDS.every((k) => named(k) === undefined)) pushDefault(undefined, undefined, listsOf('tools'));
    else {
      for (const kind of ALL_KINDS) {
        const n = named(kind);
        if (n === 'all') continue;
        pushDefault(KIND_PRESENT[kind], n === undefined ? undefined : `!${n.startsWith('(') ? n : `(${n})`}`, listsOf(kind));
      }
    }
    if (JSON.stringify(listsOf('resources')) !== JSON.stringify(listsOf('resource_templates'))) {
      t.note(`${at}.default`, 'agentgateway does not tell resources from resource templates; their different default lists are both written for mcp.resource');
    }
  }

  const seen = new Set<string>();
  const unique = out.filter((r) => {
    const key = `${r.effect} ${r.source}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const allows = unique.filter((r) => r.effect === 'allow');
  const denies = unique.filter((r) => r.effect === 'deny');
  // An unconditional allow makes the other allows moot, and agentgateway allows everything when
  // there is no allow rule: so drop them all. With no allow at all, everything must be denied.
  let rules: AuthzRule[];
  if (allows.some((r) => r.source === 'true')) rules = unique.filter((r) => r.effect === 'deny');
  else if (!allows.length) rules = [...denies, { effect: 'allow', source: 'false' }];
  else rules = unique;
  return { rules: rules.map((r) => (r.effect === 'allow' ? r.source : { deny: r.source })) };
}

function translateUpstream(upstream: UpstreamConfig, at: string, t: Export): Json | undefined {
  if (upstream.timeout_ms !== DEFAULT_TIMEOUT_MS[upstream.kind]) {
    t.note(`${at}.timeout_ms`, `agentgateway has no per-target timeout; ${upstream.timeout_ms} ms is not carried over`);
  }
  if ('headers' in upstream && upstream.headers && Object.keys(upstream.headers).length) {
    t.note(`${at}.headers`, `extra upstream headers (${Object.keys(upstream.headers).join(', ')}) are not carried over; add them as a backend policy in agentgateway`);
  }
  if ((upstream.kind === 'http' || upstream.kind === 'sse') && upstream.auth) {
    t.note(
      `${at}.auth`,
      `Gatehouse's own OAuth client towards ${upstream.name} (${upstream.auth.grant === 'client_credentials' ? 'client_credentials' : 'a login with the authorization code'}) is not carried over: give the target its credentials as an agentgateway backend policy`,
    );
  }
  switch (upstream.kind) {
    case 'stdio': {
      if (upstream.cwd !== undefined) t.note(`${at}.cwd`, 'agentgateway starts stdio servers in its own working directory; cwd is not carried over (use an absolute path in cmd/args)');
      t.note(`${at}.env`, 'agentgateway passes its whole environment to stdio servers, Gatehouse only a reduced one plus env');
      const stdio: Json = { cmd: upstream.command };
      if (upstream.args.length) stdio.args = upstream.args;
      if (Object.keys(upstream.env).length) stdio.env = upstream.env;
      return { name: upstream.name, stdio };
    }
    case 'http':
      return { name: upstream.name, mcp: { host: upstream.url } };
    case 'sse':
      return { name: upstream.name, sse: { host: upstream.url } };
    case 'openapi': {
      const schema = /^https?:\/\//i.test(upstream.spec) ? { url: upstream.spec } : { file: upstream.spec };
      if (upstream.include && (upstream.include.tags.length || upstream.include.operations.length)) {
        t.note(`${at}.include`, 'agentgateway turns every operation into a tool; include (tags/operations) is not carried over, so more tools are exposed there');
      }
      const openapi: Json = { schema };
      if (upstream.base_url !== undefined) openapi.host = upstream.base_url;
      else t.note(`${at}.base_url`, "agentgateway needs host for an openapi target; Gatehouse's default (the document's first servers[] entry) must be written out");
      return { name: upstream.name, openapi };
    }
    case 'rest':
      t.note(at, `REST upstream ${upstream.name} (tools declared in the config) has no agentgateway equivalent; describe the API in an OpenAPI document and use an openapi target`);
      return undefined;
  }
}

function translateCors(cors: CorsConfig, at: string, t: Export): Json {
  t.note(`${at}.allowed_origins`, 'Gatehouse always allows localhost origins; agentgateway allows only those listed');
  return {
    allowOrigins: cors.allowed_origins,
    allowCredentials: cors.allow_credentials,
    allowHeaders: CORS_REQUEST_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    allowMethods: CORS_METHODS,
    maxAge: `${cors.max_age_s}s`,
  };
}

/** The URL the built-in IdP issues tokens as (main/config/schema.ts builtinIdpSchema). */
function builtinIssuer(config: GatehouseConfig): string {
  return `http://127.0.0.1:${config.idp?.port ?? 8401}`;
}

function translateAuth(auth: RouteAuthConfig, at: string, resource: string, config: GatehouseConfig, t: Export): Json {
  let issuer = auth.issuer;
  if (issuer === 'builtin') {
    issuer = builtinIssuer(config);
    t.note(`${at}.issuer`, `the built-in identity provider runs only inside Gatehouse; ${issuer} is a placeholder — point it at your authorization server`);
  }
  if (auth.introspection) t.note(`${at}.introspection`, 'agentgateway mcpAuthentication validates JWTs only; opaque tokens by introspection are not supported there');
  if (JSON.stringify(auth.algorithms) !== JSON.stringify(DEFAULT_ALGORITHMS)) t.note(`${at}.algorithms`, 'agentgateway takes the algorithm from the signing key; the accepted list is not configurable');
  if (auth.clock_skew_s !== 30) t.note(`${at}.clock_skew_s`, 'clock skew is not configurable in agentgateway');
  if (auth.jwks_cooldown_s !== 30) t.note(`${at}.jwks_cooldown_s`, 'key refetch interval is not configurable in agentgateway');
  if (auth.required_scopes.length) t.note(`${at}.required_scopes`, `required scopes ${auth.required_scopes.join(', ')} are not carried over (add an mcpAuthorization require rule on jwt.scope)`);
  if (Object.keys(auth.tool_scopes).length) t.note(`${at}.tool_scopes`, 'per-tool scopes with step-up (403 insufficient_scope) have no agentgateway equivalent');
  if (Object.keys(auth.claim_to_header).length) t.note(`${at}.claim_to_header`, `forwarding claims as headers (${Object.keys(auth.claim_to_header).join(', ')}) is not carried over; use a request transformation policy`);
  if (!auth.groups_optional) t.note(`${at}.groups_optional`, 'agentgateway does not require a groups claim; tokens without groups are accepted there');
  if (auth.claims.groups.length > 1) t.note(`${at}.claims.groups`, `only the first groups claim (${auth.claims.groups[0]}) is used in the CEL rules; ${auth.claims.groups.slice(1).join(', ')} are not`);

  const out: Json = { mode: 'strict', issuer };
  if (auth.insecure_relaxed_audience_validation) {
    t.note(`${at}.insecure_relaxed_audience_validation`, 'written as no audiences, so agentgateway checks no aud at all');
  } else {
    // Gatehouse always accepts the route's own URL (RFC 8707); agentgateway only what it lists.
    out.audiences = auth.audiences.includes(resource) ? auth.audiences : [resource, ...auth.audiences];
  }
  if (auth.jwks_uri !== undefined) out.jwks = { url: auth.jwks_uri };
  else if (auth.issuer === 'builtin') out.jwks = { url: `${issuer}/jwks` };
  else t.note(`${at}.jwks_uri`, "agentgateway needs jwks.url; Gatehouse's default (jwks_uri from the issuer metadata) must be written out");
  const metadata: Json = { resource };
  if (auth.scopes_supported.length) metadata.scopesSupported = auth.scopes_supported;
  if (auth.resource_documentation !== undefined) metadata.resourceDocumentation = auth.resource_documentation;
  out.resourceMetadata = metadata;
  return out;
}

function translateRoute(route: RouteConfig, at: string, config: GatehouseConfig, t: Export): Json | undefined {
  const targets = route.upstreams.map((u, i) => translateUpstream(u, `${at}.upstreams[${i}]`, t)).filter((x): x is Json => x !== undefined);
  if (targets.length === 0) {
    t.note(at, `route ${route.path} has no upstream agentgateway can serve, so it is not exported`);
    return undefined;
  }
  const mcp: Json = { targets };
  if (route.prefix !== 'conditional') mcp.prefixMode = route.prefix;
  else if (route.upstreams.length > 1) {
    t.note(`${at}.prefix`, 'agentgateway has no "prefix only on collision": with several targets it prefixes every name (<target>_<name>), as prefix: always does');
  }
  const out: Json = { matches: [{ path: { pathPrefix: route.path } }], backends: [{ mcp }] };
  if (route.description !== undefined) out.name = route.path.slice(1).replace(/[^A-Za-z0-9-]/g, '-');
  if (route.description !== undefined) t.note(`${at}.description`, 'agentgateway routes carry no description');
  if (route.allowed_hosts.length) {
    out.hostnames = route.allowed_hosts;
    t.note(`${at}.allowed_hosts`, 'agentgateway hostnames replace, not extend, the accepted hosts: add localhost if clients use it');
  }
  const policies: Json = {};
  if (route.cors) policies.cors = translateCors(route.cors, `${at}.cors`, t);
  const resource = `http://localhost:${config.listen.port}${route.path}`;
  if (route.auth) policies.mcpAuthentication = translateAuth(route.auth, `${at}.auth`, resource, config, t);
  if (route.acl) policies.mcpAuthorization = translateAcl(route.acl, `${at}.acl`, claimPaths(route.auth), t);
  if (Object.keys(policies).length) out.policies = policies;
  return out;
}

export function toAgentgateway(config: GatehouseConfig): { document: Record<string, unknown>; untranslated: ExportNote[] } {
  const t = new Export();
  if (config.listen.host !== '0.0.0.0') t.note('listen.host', `agentgateway listens on every interface, not only ${config.listen.host}`);
  if (config.listen.max_body_bytes !== DEFAULT_MAX_BODY_BYTES) t.note('listen.max_body_bytes', 'the request body limit is not carried over');
  if (config.idp) t.note('idp', 'the built-in identity provider has no agentgateway equivalent; routes that use it get a placeholder issuer');
  const routes = config.routes.map((route, i) => translateRoute(route, `routes[${i}]`, config, t)).filter((route): route is Json => route !== undefined);
  return { document: { binds: [{ port: config.listen.port, listeners: [{ routes }] }] }, untranslated: t.notes };
}
