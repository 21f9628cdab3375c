/**
 * Access control for MCP items: the ACL a route carries, who is asking, and the decision with its
 * explanation. The window shows decisions and lint findings and previews an ACL as a persona, so
 * these types live here, shared by main and renderer. The semantics are written out in
 * docs/policy.md; the logic is main/policy/.
 *
 * Decisions follow Cerbos' model (`EFFECT_ALLOW | EFFECT_DENY | EFFECT_NO_MATCH`, a versioned
 * record): `no_match` is a deny, reported apart so "nobody wrote a rule" is not mistaken for
 * "a rule said no".
 */

/** The MCP catalogs an ACL rule can be about. */
export type ItemKind = 'tools' | 'prompts' | 'resources' | 'resource_templates';

/**
 * `list`: the item appears in tools/list, prompts/list, resources/list or
 * resources/templates/list. `call`: tools/call, prompts/get, resources/read.
 */
export type Right = 'list' | 'call';

export type RuleEffect = 'allow' | 'deny';

/** `no_match`: neither a rule nor the default ACL applied; the gateway treats it as deny. */
export type Effect = RuleEffect | 'no_match';

/**
 * Who a rule or a default list is about. Within one field any value matches (any-of); the
 * non-empty fields are AND-ed, so adding a field narrows the set.
 */
export interface SubjectSet {
  /** Group names, compared with the principal's groups. */
  groups: string[];
  /** Token subjects (`sub`, or the configured subject claim). */
  users: string[];
  /** OAuth client IDs (`client_id` / `azp`). */
  clients: string[];
  /** OAuth scopes; any one of them is enough. */
  scopes: string[];
}

/** Kong's default_acl: allow and deny lists. An absent or empty list matches nobody. */
export interface AclLists {
  allow?: SubjectSet;
  deny?: SubjectSet;
}

/** The route's default ACL, for every kind at once, with optional per-kind replacements. */
export interface DefaultAcl extends AclLists {
  tools?: AclLists;
  prompts?: AclLists;
  resources?: AclLists;
  resource_templates?: AclLists;
}

export interface AclRule {
  /** Unique within the route; named in decisions, the trace and lint findings. */
  id: string;
  kind: ItemKind;
  /** Literal names, globs (`*`, `?`) or `/regex/flags`; a regex must match the whole name. */
  match: string[];
  rights: Right[];
  effect: RuleEffect;
  /** All fields empty: every authenticated principal. */
  subjects: SubjectSet;
  /** CEL over jwt.*, mcp.tool.name, mcp.prompt.name, mcp.resource.uri, request.method. */
  when?: string;
}

export type CombineMode = 'replace' | 'merge';

/** A route's `acl` key, as validated by routeAclSchema (defaults applied). */
export interface RouteAcl {
  default?: DefaultAcl;
  /** replace (Kong): rules that match an item replace the default for it; merge: both apply. */
  combine: CombineMode;
  rules: AclRule[];
}

/** Who is asking: read from validated token claims (main/auth/principal.ts). */
export interface PolicyPrincipal {
  subject: string;
  clientId?: string;
  groups: readonly string[];
  scopes: readonly string[];
  /** The token's claims, visible to conditions as `jwt`. */
  claims: Readonly<Record<string, unknown>>;
}

export interface PolicyRequest {
  right: Right;
  kind: ItemKind;
  /** Tool or prompt name, resource URI, or resource template URI template. */
  name: string;
  /** JSON-RPC method, visible to conditions as `request.method`. Default: derived from right and kind. */
  method?: string;
}

/** The claim values a subject set matched on, per field. Empty for "everyone authenticated". */
export interface MatchedSubjects {
  groups?: string[];
  users?: string[];
  clients?: string[];
  scopes?: string[];
}

/** One rule (or the default, id `default`) and whether it applied to this request. */
export interface ConsideredRule {
  id: string;
  /** The right this entry was evaluated for: a call is also checked for list (see docs/policy.md). */
  right: Right;
  /** The rule's effect; absent for a default that had nothing to say. */
  effect?: RuleEffect;
  applies: boolean;
  /** e.g. "no subject match: groups [warehouse-ops] ∌ customer-support", "condition false". */
  why: string;
}

/** A policy decision, kept as a versioned record for the trace and the audit log. */
export interface Decision {
  version: 1;
  effect: Effect;
  right: Right;
  kind: ItemKind;
  item: string;
  /** The rule that decided (`id: 'default'` for the route's default ACL); absent for no_match. */
  rule?: { id: string; effect: RuleEffect };
  /** The claim values the deciding rule matched on. */
  matched?: MatchedSubjects;
  /** Every rule whose pattern matches the item, in config order, then the default. */
  considered: ConsideredRule[];
  /** One sentence a developer understands. */
  reason: string;
}

/** One problem compilePolicy found; the config loader turns these into located config errors. */
export interface PolicyProblem {
  /** The rule's id (or `default`), when the problem is inside a rule. */
  ruleId?: string;
  /** Dotted path inside the acl key, e.g. rules[2].when */
  field: string;
  message: string;
}

export type LintProblem = 'never_matches' | 'shadowed' | 'useless_allow' | 'unknown_group' | 'matches_nothing';

export interface LintFinding {
  /** The rule concerned, or `default`. */
  ruleId: string;
  problem: LintProblem;
  message: string;
  /** What to change, in words. */
  fix: string;
}

/** What lintPolicy checks an ACL against; each part is optional and enables its own checks. */
export interface LintContext {
  /** The route's current catalog, by kind (names as clients see them). */
  catalog?: { tools: string[]; prompts: string[]; resources: string[]; resource_templates: string[] };
  /** Every group some known user has (e.g. the built-in IdP's users). */
  knownGroups?: string[];
}
