/**
 * A route's tool ACL as a tools × groups grid, and back. The grid is what Kong's recipe table
 * shows: for each tool, which groups may call (and so list) it. Cells are computed with the
 * policy's own `decide` for a member of each group, so the grid never disagrees with enforcement.
 *
 * Editing is offered only for ACLs that mean exactly a grid: combine: replace, a tools default
 * that allows groups and denies nobody, and tool rules with literal names, no condition, and
 * either "allow these groups [list, call]" or "deny everyone" (a tool nobody may use). Anything
 * else — CEL conditions, globs or regexes, users, clients or scopes as subjects, deny rules for
 * some groups — cannot be drawn as a grid without losing meaning, so it is shown read-only, with why.
 *
 * Saving rewrites only the tool rules: a tool whose groups equal the default's needs no rule; the
 * others are grouped by their set of groups, one rule per set, keeping an existing rule's id when
 * it already covers that set. Rules about prompts and resources, and the default, are kept.
 */
import type { AclMatrixCell, AclMatrixUpdate } from '../../shared/admin-api.js';
import type { AclLists, AclRule, PolicyPrincipal, RouteAcl, SubjectSet } from '../../shared/policy.js';
import { compilePolicy, decide, isAllowed } from '../policy/index.js';
import { parseNamePattern } from '../policy/name-pattern.js';

export interface AclGrid {
  groups: string[];
  tools: Array<{ name: string; description?: string }>;
  cells: AclMatrixCell[];
  editable: boolean;
  whyNotEditable?: string;
}

/** A rule as written into the config: defaults (rights [list, call], empty subject fields) left out. */
export interface WrittenRule {
  id: string;
  kind: AclRule['kind'];
  match: string[];
  rights?: AclRule['rights'];
  effect: AclRule['effect'];
  subjects?: Partial<SubjectSet>;
  when?: string;
}

/** The part of the `acl` key a save writes: the rules, and a default for a route that had no ACL. */
export interface WrittenAcl {
  default?: { allow: { groups: string[] } };
  rules: WrittenRule[];
}

const isLiteral = (source: string) => {
  const pattern = parseNamePattern(source);
  return typeof pattern !== 'string' && pattern.type === 'literal';
};

const onlyGroups = (set: SubjectSet | undefined) => !set || (set.users.length === 0 && set.clients.length === 0 && set.scopes.length === 0);
const isEmpty = (set: SubjectSet | undefined) => !set || (set.groups.length === 0 && onlyGroups(set));

/** The default lists that speak for tools: `default.tools` replaces the all-kinds lists. */
function toolDefault(acl: RouteAcl): AclLists | undefined {
  return acl.default?.tools ?? acl.default;
}

/** The groups the default lets use a tool no rule names. */
export function defaultGroups(acl: RouteAcl): string[] {
  return toolDefault(acl)?.allow?.groups ?? [];
}

/** Why this ACL cannot be edited as a grid, or undefined when it can. */
export function whyNotAGrid(acl: RouteAcl): string | undefined {
  if (acl.combine !== 'replace') return 'the ACL uses combine: merge, where the default and the rules both apply to a tool — a grid cannot show that; edit the config file';
  const lists = toolDefault(acl);
  if (lists && (!onlyGroups(lists.allow) || !isEmpty(lists.deny))) {
    return `the default ACL${acl.default?.tools ? ' for tools' : ''} names users, clients or scopes, or denies someone — only group allows fit a grid; edit the config file`;
  }
  for (const rule of acl.rules) {
    if (rule.kind !== 'tools') continue;
    const where = `rule ${rule.id}`;
    if (rule.when) return `${where} has a condition (when: ${rule.when}) — a grid cannot show conditions; edit the config file`;
    const pattern = rule.match.find((source) => !isLiteral(source));
    if (pattern) return `${where} matches tools by pattern (${pattern}) — a grid needs tool names; edit the config file or list the tools by name`;
    if (rule.effect === 'allow') {
      if (!onlyGroups(rule.subjects)) return `${where} names users, clients or scopes — a grid shows groups only; edit the config file`;
      if (rule.subjects.groups.length === 0) return `${where} allows every authenticated principal, not groups — a grid shows groups only; edit the config file`;
      if (!rule.rights.includes('call')) return `${where} grants list without call — a grid cell means "may call"; edit the config file`;
    } else if (!isEmpty(rule.subjects)) {
      return `${where} denies some principals only (deny rules mixed with allows) — a grid shows who is allowed; edit the config file`;
    } else if (!rule.rights.includes('list')) {
      return `${where} denies call but not list (visible, not callable) — a grid cell means "may call"; edit the config file`;
    }
  }
  return undefined;
}

/** A principal who is a member of exactly one group, for the cell of that group. */
function member(group: string): PolicyPrincipal {
  return { subject: `member of ${group}`, groups: [group], scopes: [], claims: { groups: [group] } };
}

export function deriveGrid(acl: RouteAcl | undefined, catalogTools: Array<{ name: string; description?: string }>, knownGroups: readonly string[]): AclGrid {
  const groups = [...new Set([...knownGroups, ...(acl ? [...defaultGroups(acl), ...acl.rules.filter((r) => r.kind === 'tools').flatMap((r) => r.subjects.groups)] : [])])];
  const tools = [...catalogTools];
  const named = new Set(tools.map((t) => t.name));
  // Tools a rule names that the catalog does not have (yet): kept on the grid so a save keeps them.
  for (const rule of acl?.rules ?? []) {
    if (rule.kind !== 'tools') continue;
    for (const source of rule.match) {
      if (isLiteral(source) && !named.has(source)) {
        named.add(source);
        tools.push({ name: source });
      }
    }
  }
  const policy = acl && compilePolicy(acl);
  const cells: AclMatrixCell[] = [];
  for (const tool of tools) {
    for (const group of groups) {
      if (!policy) {
        cells.push({ tool: tool.name, group, allowed: true });
        continue;
      }
      const decision = decide(policy, member(group), { right: 'call', kind: 'tools', name: tool.name });
      cells.push({ tool: tool.name, group, allowed: isAllowed(decision), ...(decision.rule ? { rule: decision.rule.id } : {}) });
    }
  }
  const why = acl ? whyNotAGrid(acl) : undefined;
  return { groups, tools, cells, editable: why === undefined, ...(why ? { whyNotEditable: why } : {}) };
}

function ruleId(base: string, taken: Set<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_.:-]+/g, '-').slice(0, 60);
  let id = clean;
  for (let n = 2; taken.has(id); n++) id = `${clean}-${n}`;
  taken.add(id);
  return id;
}

function written(rule: AclRule): WrittenRule {
  const subjects = Object.fromEntries(Object.entries(rule.subjects).filter(([, values]) => values.length > 0));
  return {
    id: rule.id,
    kind: rule.kind,
    match: [...rule.match],
    ...(rule.rights.length === 2 ? {} : { rights: [...rule.rights] }),
    effect: rule.effect,
    ...(Object.keys(subjects).length ? { subjects } : {}),
    ...(rule.when ? { when: rule.when } : {}),
  };
}

/** Checks an update against the grid: every tool and group must be on it. */
export function updateProblems(grid: AclGrid, cells: AclMatrixUpdate['cells']): string[] {
  const tools = new Set(grid.tools.map((t) => t.name));
  const groups = new Set(grid.groups);
  const problems: string[] = [];
  cells.forEach((cell, i) => {
    if (!cell || typeof cell.tool !== 'string' || typeof cell.group !== 'string' || typeof cell.allowed !== 'boolean') {
      problems.push(`cells[${i}]: expected {tool, group, allowed: true|false}`);
      return;
    }
    if (!tools.has(cell.tool)) problems.push(`cells[${i}]: no tool "${cell.tool}" on this route (tools: ${[...tools].join(', ')})`);
    if (!groups.has(cell.group)) problems.push(`cells[${i}]: unknown group "${cell.group}" (groups: ${[...groups].join(', ')}) — add users in that group to the identity provider first`);
  });
  return problems;
}

/**
 * The ACL the grid says, after applying `cells`: the default is kept (or, for a route without an
 * ACL, one allowing every grid group is made, so prompts and resources stay open to them), and
 * the tool rules are rewritten.
 */
export function applyCells(acl: RouteAcl | undefined, grid: AclGrid, cells: AclMatrixUpdate['cells']): WrittenAcl {
  const allowed = new Map(grid.tools.map((tool) => [tool.name, new Set(grid.cells.filter((c) => c.tool === tool.name && c.allowed).map((c) => c.group))]));
  for (const cell of cells) {
    const set = allowed.get(cell.tool)!;
    if (cell.allowed) set.add(cell.group);
    else set.delete(cell.group);
  }
  const fallback = acl ? defaultGroups(acl) : grid.groups;
  const key = (groups: Iterable<string>) => JSON.stringify([...groups].sort());
  const fallbackKey = key(fallback);

  // Tools by the set of groups that may use them, for the sets the default does not already give.
  const bySet = new Map<string, { groups: string[]; tools: string[] }>();
  for (const tool of grid.tools) {
    const groups = grid.groups.filter((g) => allowed.get(tool.name)!.has(g));
    const k = key(groups);
    if (k === fallbackKey) continue;
    const entry = bySet.get(k) ?? { groups, tools: [] };
    entry.tools.push(tool.name);
    bySet.set(k, entry);
  }

  const existing = acl?.rules ?? [];
  const taken = new Set(existing.filter((r) => r.kind !== 'tools').map((r) => r.id));
  const reusable = new Map<string, string>();
  for (const rule of existing) {
    if (rule.kind !== 'tools') continue;
    const k = rule.effect === 'deny' ? key([]) : key(rule.subjects.groups);
    if (!reusable.has(k)) reusable.set(k, rule.id);
  }
  // Reused ids first, so a new rule's id never takes one of them.
  for (const k of bySet.keys()) if (reusable.has(k)) taken.add(reusable.get(k)!);
  const toolRules = new Map<string, WrittenRule>();
  for (const [k, { groups, tools }] of bySet) {
    const id = reusable.get(k) ?? ruleId(groups.length ? `${groups.join('-and-')}-only` : 'nobody', taken);
    toolRules.set(
      id,
      groups.length ? { id, kind: 'tools', match: tools, effect: 'allow', subjects: { groups } } : { id, kind: 'tools', match: tools, effect: 'deny' },
    );
  }

  // Config order kept: other kinds' rules where they were, a reused tool rule where it was, new ones last.
  const rules: WrittenRule[] = [];
  for (const rule of existing) {
    if (rule.kind !== 'tools') rules.push(written(rule));
    else if (toolRules.has(rule.id)) {
      rules.push(toolRules.get(rule.id)!);
      toolRules.delete(rule.id);
    }
  }
  rules.push(...toolRules.values());
  return acl ? { rules } : { default: { allow: { groups: [...grid.groups] } }, rules };
}
