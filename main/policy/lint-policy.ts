/**
 * Findings about an ACL that compiles but does not do what its author likely meant: rules that
 * can never match, rules another rule already covers, allows a deny cancels, groups nobody has,
 * patterns that match nothing in the catalog. Coverage is decided from the patterns themselves
 * (sound, not complete: a finding is always true, but not every redundancy is found).
 */
import type { AclRule, ItemKind, LintContext, LintFinding, RouteAcl, SubjectSet } from '../../shared/policy.js';
import { compilePolicy, DEFAULT_RULE_ID, ITEM_KINDS, type CompiledRule } from './compile-policy.js';
import { itemNoun } from './decision-reason.js';
import { patternCovers, patternMatches, type NamePattern } from './name-pattern.js';
import { SUBJECT_FIELDS, subjectSetCovers } from './subject-set.js';

const quoted = (values: readonly string[]) => values.join(', ');

function plural(kind: ItemKind): string {
  return kind === 'resource_templates' ? 'resource templates' : kind;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d <= Math.max(2, Math.floor(name.length / 4)) && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}

function catalogChecks(rule: CompiledRule, catalog: readonly string[], findings: LintFinding[]): void {
  const dead = rule.patterns.filter((pattern) => !catalog.some((name) => patternMatches(pattern, name)));
  if (dead.length === 0) return;
  const noun = plural(rule.kind);
  const deadLiterals = dead.filter((p) => p.type === 'literal');
  const deadPatterns = dead.filter((p) => p.type !== 'literal');
  const hints = deadLiterals.map((p) => [p.source, closest(p.source, catalog)] as const).filter(([, near]) => near);
  const didYouMean = hints.length ? ` Did you mean ${hints.map(([from, near]) => `${near} (for ${from})`).join(', ')}?` : '';

  if (dead.length === rule.patterns.length) {
    findings.push({
      ruleId: rule.id,
      problem: 'never_matches',
      message: `rule ${rule.id} matches none of the ${catalog.length} ${noun} in the catalog (it names ${quoted(rule.source.match)}), so it never applies.${didYouMean}`,
      fix: `Correct the names in match to ones the route serves, or remove the rule if the ${plural(rule.kind)} are gone.`,
    });
    return;
  }
  if (deadLiterals.length) {
    findings.push({
      ruleId: rule.id,
      problem: 'never_matches',
      message: `rule ${rule.id} names ${noun} that are not in the catalog: ${quoted(deadLiterals.map((p) => p.source))}; that part of the rule never matches.${didYouMean}`,
      fix: `Correct or remove ${quoted(deadLiterals.map((p) => p.source))} in match (names as clients see them, with the upstream prefix if the route adds one).`,
    });
  }
  if (deadPatterns.length) {
    findings.push({
      ruleId: rule.id,
      problem: 'matches_nothing',
      message: `in rule ${rule.id}, ${quoted(deadPatterns.map((p) => p.source))} match${deadPatterns.length === 1 ? 'es' : ''} no ${itemNoun(rule.kind)} in the current catalog.`,
      fix: 'Fix the pattern (globs: * and ?; a /regex/ must match the whole name) or remove it if it is there for items that no longer exist.',
    });
  }
}

function groupChecks(id: string, sets: SubjectSet[], known: ReadonlySet<string>, findings: LintFinding[]): void {
  const unknown = new Set<string>();
  let unreachable = false;
  for (const set of sets) {
    const missing = set.groups.filter((group) => !known.has(group));
    missing.forEach((group) => unknown.add(group));
    if (set.groups.length > 0 && missing.length === set.groups.length && id !== DEFAULT_RULE_ID) unreachable = true;
  }
  if (unknown.size === 0) return;
  const groups = quoted([...unknown]);
  findings.push(
    unreachable
      ? {
          ruleId: id,
          problem: 'never_matches',
          message: `rule ${id} is only for groups no known user or machine client has (${groups}), so it never applies.`,
          fix: `Check the spelling against the groups your users and machine clients have, or give one of them the group ${groups}.`,
        }
      : {
          ruleId: id,
          problem: 'unknown_group',
          message: `${id === DEFAULT_RULE_ID ? 'the default ACL' : `rule ${id}`} names group${unknown.size > 1 ? 's' : ''} no known user or machine client has: ${groups}.`,
          fix: `Check the spelling against the groups your users and machine clients have (and the route's auth.claims.groups path), or remove ${groups}.`,
        },
  );
}

/**
 * Whether `outer` applies wherever `inner` does, for the rights `inner` covers. A deny of list
 * also refuses calls (a call needs list), so it covers both rights.
 */
function ruleCovers(outer: CompiledRule, inner: CompiledRule): boolean {
  const outerCoversCall = outer.call || (outer.effect === 'deny' && outer.list);
  return (
    outer.kind === inner.kind &&
    (!inner.list || outer.list) &&
    (!inner.call || outerCoversCall) &&
    (outer.source.when === undefined || outer.source.when === inner.source.when) &&
    subjectSetCovers(outer.source.subjects, inner.source.subjects) &&
    inner.patterns.every((p: NamePattern) => outer.patterns.some((q) => patternCovers(q, p)))
  );
}

function rightsText(rule: AclRule): string {
  return rule.rights.join(' and ');
}

function coverageChecks(rules: readonly CompiledRule[], findings: LintFinding[]): void {
  rules.forEach((rule, i) => {
    const shadow = rules.slice(0, i).find((earlier) => earlier.effect === rule.effect && ruleCovers(earlier, rule));
    if (shadow) {
      findings.push({
        ruleId: rule.id,
        problem: 'shadowed',
        message: `rule ${rule.id} is shadowed by rule ${shadow.id}: ${shadow.id} already ${rule.effect}s ${rightsText(rule.source)} on every ${itemNoun(rule.kind)} ${rule.id} matches, for everyone ${rule.id} names${rule.source.when ? ', under the same condition' : ''}.`,
        fix: `Remove rule ${rule.id}, or narrow rule ${shadow.id} (patterns, subjects or rights) if ${rule.id} was meant to be the only one for these ${plural(rule.kind)}.`,
      });
      return;
    }
    if (rule.effect !== 'allow') return;
    const deny = rules.find((other) => other.effect === 'deny' && ruleCovers(other, rule));
    if (deny) {
      findings.push({
        ruleId: rule.id,
        problem: 'useless_allow',
        message: `allow rule ${rule.id} never takes effect: deny rule ${deny.id} covers the same ${plural(rule.kind)}, subjects and rights, and a deny wins.`,
        fix: `Remove rule ${rule.id}, or narrow rule ${deny.id} (e.g. other groups or names) so the two no longer overlap.`,
      });
    }
  });
}

function defaultChecks(acl: RouteAcl, findings: LintFinding[]): void {
  const scopes: Array<{ where: string; allow?: SubjectSet; deny?: SubjectSet }> = [];
  if (acl.default) scopes.push({ where: 'default', allow: acl.default.allow, deny: acl.default.deny });
  for (const kind of ITEM_KINDS) {
    const lists = acl.default?.[kind];
    if (lists) scopes.push({ where: `default.${kind}`, allow: lists.allow, deny: lists.deny });
  }
  for (const { where, allow, deny } of scopes) {
    const nonEmpty = (set: SubjectSet | undefined): set is SubjectSet => !!set && SUBJECT_FIELDS.some((f) => set[f].length > 0);
    if (nonEmpty(allow) && nonEmpty(deny) && subjectSetCovers(deny, allow)) {
      findings.push({
        ruleId: DEFAULT_RULE_ID,
        problem: 'useless_allow',
        message: `${where}.allow never takes effect: ${where}.deny matches everyone it names, and a deny wins.`,
        fix: `Remove the overlap between ${where}.allow and ${where}.deny.`,
      });
    }
  }
}

/**
 * Lints `acl` against what is known about the route. Throws a PolicyError if the ACL does not
 * compile: lint is for ACLs that work, compile errors come first.
 */
export function lintPolicy(acl: RouteAcl, context: LintContext = {}): LintFinding[] {
  const policy = compilePolicy(acl);
  const findings: LintFinding[] = [];
  if (context.catalog) for (const rule of policy.rules) catalogChecks(rule, context.catalog[rule.kind], findings);
  if (context.knownGroups) {
    const known = new Set(context.knownGroups);
    const fallback = acl.default;
    const defaultSets = [fallback, ...ITEM_KINDS.map((kind) => fallback?.[kind])]
      .flatMap((lists) => [lists?.allow, lists?.deny])
      .filter((set): set is SubjectSet => !!set);
    groupChecks(DEFAULT_RULE_ID, defaultSets, known, findings);
    for (const rule of policy.rules) groupChecks(rule.id, [rule.source.subjects], known, findings);
  }
  coverageChecks(policy.rules, findings);
  defaultChecks(acl, findings);
  return findings;
}
