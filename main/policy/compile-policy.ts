/**
 * Compiles a route's ACL once per rule set: patterns to matchers, CEL to prepared ASTs, subject
 * lists to sets, and rules indexed by kind and literal name so a decision looks only at the rules
 * that can match its item (globs and regexes are scanned).
 */
import type { AclLists, AclRule, CombineMode, ItemKind, PolicyProblem, RouteAcl } from '../../shared/policy.js';
import { parseNamePattern, type NamePattern } from './name-pattern.js';
import { PolicyError } from './policy-error.js';
import { compileCondition, type RuleCondition } from './rule-condition.js';
import { compileSubjectSet, type CompiledSubjectSet } from './subject-set.js';

export const ITEM_KINDS: readonly ItemKind[] = ['tools', 'prompts', 'resources', 'resource_templates'];

/** The id decisions and findings use for the route's default ACL; no rule may take it. */
export const DEFAULT_RULE_ID = 'default';

export interface CompiledRule {
  /** Position in acl.rules: config order, used to name the first rule that decided. */
  index: number;
  id: string;
  kind: ItemKind;
  effect: AclRule['effect'];
  list: boolean;
  call: boolean;
  patterns: NamePattern[];
  subjects: CompiledSubjectSet;
  condition?: RuleCondition;
  source: AclRule;
}

export interface CompiledDefault {
  /** Where the lists came from: `default` or `default.tools` etc. */
  from: string;
  allow: CompiledSubjectSet;
  deny: CompiledSubjectSet;
}

export interface ScannedPattern {
  rule: CompiledRule;
  test: (name: string) => boolean;
}

export interface KindIndex {
  /** Rules by the literal names they list. */
  literal: ReadonlyMap<string, readonly CompiledRule[]>;
  /**
   * Globs and regexes by the literal text every name they match starts with, so a lookup tests
   * only the patterns whose prefix the name has; `unprefixed` ones (`*x`, `/a|b/`) are always tested.
   */
  prefixed: ReadonlyMap<string, readonly ScannedPattern[]>;
  unprefixed: readonly ScannedPattern[];
  longestPrefix: number;
  rules: readonly CompiledRule[];
  default?: CompiledDefault;
  /**
   * Candidate rules by item name, memoised: they depend on the name alone, and a route sees the
   * same few names over and over, so the glob and regex scan runs once per name. Bounded, since
   * resource URIs are open-ended.
   */
  candidates: Map<string, readonly CompiledRule[]>;
}

/** Most names a KindIndex remembers candidates for before it starts over. */
export const CANDIDATE_CACHE_SIZE = 4096;

export interface CompiledPolicy {
  readonly acl: RouteAcl;
  readonly combine: CombineMode;
  readonly rules: readonly CompiledRule[];
  readonly kinds: Readonly<Record<ItemKind, KindIndex>>;
}

type PathKey = string | number;

/** A problem with its path inside the acl key, for the config loader's line numbers. */
export interface LocatedPolicyProblem extends PolicyProblem {
  path: PathKey[];
}

function fieldName(path: readonly PathKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

function compileRules(acl: RouteAcl): { rules: CompiledRule[]; problems: LocatedPolicyProblem[] } {
  const problems: LocatedPolicyProblem[] = [];
  const problem = (ruleId: string | undefined, path: PathKey[], message: string) =>
    problems.push({ ruleId, path, field: fieldName(path), message });
  const firstIndex = new Map<string, number>();
  const rules: CompiledRule[] = [];

  acl.rules.forEach((rule, index) => {
    const at = (...rest: PathKey[]): PathKey[] => ['rules', index, ...rest];
    const earlier = firstIndex.get(rule.id);
    if (earlier !== undefined) problem(rule.id, at('id'), `id "${rule.id}" is already used by rules[${earlier}] — give every rule its own id`);
    else firstIndex.set(rule.id, index);
    if (rule.id === DEFAULT_RULE_ID) {
      problem(rule.id, at('id'), `id "${DEFAULT_RULE_ID}" names the route's default ACL in decisions — pick another id`);
    }

    if (rule.match.length === 0) problem(rule.id, at('match'), 'match is empty — list names, globs such as get-*, or /regex/');
    const patterns: NamePattern[] = [];
    rule.match.forEach((source, m) => {
      const parsed = parseNamePattern(source);
      if (typeof parsed === 'string') problem(rule.id, at('match', m), parsed);
      else patterns.push(parsed);
    });

    const list = rule.rights.includes('list');
    const call = rule.rights.includes('call');
    if (rule.rights.length === 0) problem(rule.id, at('rights'), 'rights is empty — write [list], or [list, call]');
    if (rule.effect === 'allow' && call && !list) {
      problem(
        rule.id,
        at('rights'),
        'allows call without list: a client cannot call what it cannot see — write rights: [list, call] (list without call is fine)',
      );
    }

    let condition: RuleCondition | undefined;
    if (rule.when !== undefined) {
      const compiled = compileCondition(rule.when);
      if (typeof compiled === 'string') problem(rule.id, at('when'), compiled);
      else condition = compiled;
    }

    rules.push({ index, id: rule.id, kind: rule.kind, effect: rule.effect, list, call, patterns, subjects: compileSubjectSet(rule.subjects), condition, source: rule });
  });
  return { rules, problems };
}

/** Every problem in `acl`, located; empty when compilePolicy would succeed. */
export function findPolicyProblems(acl: RouteAcl): LocatedPolicyProblem[] {
  return compileRules(acl).problems;
}

function compileDefault(acl: RouteAcl, kind: ItemKind): CompiledDefault | undefined {
  const perKind: AclLists | undefined = acl.default?.[kind];
  const lists = perKind ?? acl.default;
  if (!lists || (!lists.allow && !lists.deny)) return undefined;
  return { from: perKind ? `default.${kind}` : 'default', allow: compileSubjectSet(lists.allow), deny: compileSubjectSet(lists.deny) };
}

function indexKind(rules: CompiledRule[], kind: ItemKind, fallback: CompiledDefault | undefined): KindIndex {
  const literal = new Map<string, CompiledRule[]>();
  const prefixed = new Map<string, ScannedPattern[]>();
  const unprefixed: ScannedPattern[] = [];
  let longestPrefix = 0;
  const ofKind = rules.filter((rule) => rule.kind === kind);
  for (const rule of ofKind) {
    for (const pattern of rule.patterns) {
      if (pattern.type === 'literal') {
        const bucket = literal.get(pattern.name) ?? [];
        if (bucket.at(-1) !== rule) bucket.push(rule);
        literal.set(pattern.name, bucket);
      } else if (pattern.prefix) {
        const bucket = prefixed.get(pattern.prefix) ?? [];
        bucket.push({ rule, test: pattern.test });
        prefixed.set(pattern.prefix, bucket);
        longestPrefix = Math.max(longestPrefix, pattern.prefix.length);
      } else {
        unprefixed.push({ rule, test: pattern.test });
      }
    }
  }
  return { literal, prefixed, unprefixed, longestPrefix, rules: ofKind, default: fallback, candidates: new Map() };
}

/** Compiles `acl`, or throws a PolicyError listing every problem. */
export function compilePolicy(acl: RouteAcl): CompiledPolicy {
  const { rules, problems } = compileRules(acl);
  if (problems.length) throw new PolicyError(problems.map(({ ruleId, field, message }) => ({ ruleId, field, message })));
  const kinds = Object.fromEntries(ITEM_KINDS.map((kind) => [kind, indexKind(rules, kind, compileDefault(acl, kind))])) as Record<ItemKind, KindIndex>;
  return { acl, combine: acl.combine, rules, kinds };
}
