/**
 * One decision: may this principal list or call this item? Pure — the principal, the request and
 * a compiled policy in, a Decision that explains itself out. The semantics are in
 * docs/policy.md; in short: deny wins over allow, rules that match an item replace the default
 * for it (combine: replace, as Kong's per-tool ACL replaces default_acl), nothing that applies
 * is no_match (a deny), and a call also needs the list right.
 */
import type { ConsideredRule, Decision, Effect, ItemKind, MatchedSubjects, PolicyPrincipal, PolicyRequest, Right } from '../../shared/policy.js';
import { combineEffects } from './combine-effects.js';
import { CANDIDATE_CACHE_SIZE, DEFAULT_RULE_ID, type CompiledPolicy, type CompiledRule, type KindIndex, type ScannedPattern } from './compile-policy.js';
import { decidedReason, itemNoun, mcpMethod, noMatchReason, notVisibleReason } from './decision-reason.js';
import { mcpContext, type ConditionContext } from './rule-condition.js';
import { describeMatched, matchSubjectSet } from './subject-set.js';

export interface DecideOptions {
  /**
   * `matching` (default): `considered` holds the rules whose pattern matches the item, and the
   * default. `all`: every rule of the policy, with why the others did not match — for the
   * window's "why did my rule not apply?", at the cost of an entry per rule.
   */
  explain?: 'matching' | 'all';
}

function candidateRules(index: KindIndex, name: string): readonly CompiledRule[] {
  const known = index.candidates.get(name);
  if (known) return known;
  const found = scanCandidates(index, name);
  if (index.candidates.size >= CANDIDATE_CACHE_SIZE) index.candidates.clear();
  index.candidates.set(name, found);
  return found;
}

/** Rules whose patterns match `name`, in config order, each once. */
function scanCandidates(index: KindIndex, name: string): readonly CompiledRule[] {
  const literal = index.literal.get(name) ?? [];
  let matched: Set<CompiledRule> | undefined;
  const test = (patterns: readonly ScannedPattern[] | undefined) => {
    for (const { rule, test } of patterns ?? []) if (!matched?.has(rule) && test(name)) (matched ??= new Set()).add(rule);
  };
  test(index.unprefixed);
  for (let length = Math.min(name.length, index.longestPrefix); length > 0; length--) test(index.prefixed.get(name.slice(0, length)));
  if (!matched) return literal;
  for (const rule of literal) matched.add(rule);
  return [...matched].sort((a, b) => a.index - b.index);
}

function rightsText(rule: CompiledRule): string {
  return `[${rule.source.rights.join(', ')}]`;
}

interface Outcome {
  effect: Effect;
  decidedBy?: { id: string; effect: 'allow' | 'deny'; matched: MatchedSubjects };
  /** The candidates and the default: what the reason is written from. */
  considered: ConsideredRule[];
  /** What the decision shows: `considered`, or every rule with explain: all. */
  shown: ConsideredRule[];
}

function evaluate(policy: CompiledPolicy, principal: PolicyPrincipal, kind: ItemKind, name: string, right: Right, method: string, explain: 'matching' | 'all'): Outcome {
  const index = policy.kinds[kind];
  const candidates = candidateRules(index, name);
  const considered: ConsideredRule[] = [];
  let firstDeny: Outcome['decidedBy'];
  let firstAllow: Outcome['decidedBy'];
  let context: ConditionContext | undefined;

  for (const rule of candidates) {
    const entry: ConsideredRule = { id: rule.id, right, effect: rule.effect, applies: false, why: '' };
    considered.push(entry);
    if (!(right === 'list' ? rule.list : rule.call)) {
      entry.why = `right not granted: the rule covers ${rightsText(rule)}, not ${right}`;
      continue;
    }
    const subjects = matchSubjectSet(rule.subjects, principal);
    if (!subjects.ok) {
      entry.why = subjects.why;
      continue;
    }
    let conditionNote = '';
    if (rule.condition) {
      context ??= { jwt: principal.claims, mcp: mcpContext(kind, name), request: { method } };
      const result = rule.condition.evaluate(context);
      if ('error' in result) {
        // Fail closed: an error never lets an allow through, and never lets a deny off.
        if (rule.effect === 'allow') {
          entry.why = `condition error: ${result.error} — an allow rule whose condition fails does not apply (guard claims with has(jwt.x))`;
          continue;
        }
        conditionNote = `; condition error (${result.error}), so this deny applies (fail closed)`;
      } else if (!result.value) {
        entry.why = 'condition false';
        continue;
      } else {
        conditionNote = '; condition true';
      }
    }
    entry.applies = true;
    const matched = describeMatched(subjects.matched);
    entry.why = `${rule.effect}: ${matched ? `matched ${matched}` : 'every authenticated principal'}${conditionNote}`;
    const decided = { id: rule.id, effect: rule.effect, matched: subjects.matched };
    if (rule.effect === 'deny') firstDeny ??= decided;
    else firstAllow ??= decided;
  }

  const fallback = index.default;
  const effects: Effect[] = considered.filter((entry) => entry.applies).map((entry) => entry.effect!);
  if (!fallback) {
    considered.push({ id: DEFAULT_RULE_ID, right, applies: false, why: `no default ACL for ${kind}` });
  } else if (policy.combine === 'replace' && candidates.length) {
    const ids = candidates.map((rule) => rule.id).join(', ');
    considered.push({ id: DEFAULT_RULE_ID, right, applies: false, why: `replaced for this ${itemNoun(kind)} by rule${candidates.length > 1 ? 's' : ''} ${ids} (combine: replace)` });
  } else {
    const deny = fallback.deny.empty ? undefined : matchSubjectSet(fallback.deny, principal);
    const allow = fallback.allow.empty ? undefined : matchSubjectSet(fallback.allow, principal);
    if (deny?.ok) {
      considered.push({ id: DEFAULT_RULE_ID, right, effect: 'deny', applies: true, why: `${fallback.from}.deny matched ${describeMatched(deny.matched)}` });
      effects.push('deny');
      firstDeny ??= { id: DEFAULT_RULE_ID, effect: 'deny', matched: deny.matched };
    } else if (allow?.ok) {
      considered.push({ id: DEFAULT_RULE_ID, right, effect: 'allow', applies: true, why: `${fallback.from}.allow matched ${describeMatched(allow.matched)}` });
      effects.push('allow');
      firstAllow ??= { id: DEFAULT_RULE_ID, effect: 'allow', matched: allow.matched };
    } else {
      const why = allow && !allow.ok ? `${fallback.from}.allow: ${allow.why}` : `${fallback.from} allows nobody`;
      considered.push({ id: DEFAULT_RULE_ID, right, applies: false, why });
    }
  }

  const effect = combineEffects(effects);
  const decidedBy = effect === 'deny' ? firstDeny : effect === 'allow' ? firstAllow : undefined;
  return { effect, decidedBy, considered, shown: explain === 'all' ? explainAll(policy, kind, right, candidates, considered) : considered };
}

/** Every rule in config order: the candidates' entries, and why each other rule did not match. */
function explainAll(policy: CompiledPolicy, kind: ItemKind, right: Right, candidates: readonly CompiledRule[], considered: ConsideredRule[]): ConsideredRule[] {
  const byIndex = new Map(candidates.map((rule, i) => [rule.index, considered[i]!]));
  const all = policy.rules.map(
    (rule): ConsideredRule =>
      byIndex.get(rule.index) ?? {
        id: rule.id,
        right,
        effect: rule.effect,
        applies: false,
        why: rule.kind === kind ? 'pattern does not match' : `the rule is about ${rule.kind}, not ${kind}`,
      },
  );
  return [...all, ...considered.slice(candidates.length)];
}

function toDecision(request: PolicyRequest, principal: PolicyPrincipal, outcome: Outcome): Decision {
  const input = { subject: principal.subject, right: request.right, kind: request.kind, item: request.name };
  const decision: Decision = {
    version: 1,
    effect: outcome.effect,
    right: request.right,
    kind: request.kind,
    item: request.name,
    considered: outcome.shown,
    reason: '',
  };
  if (outcome.decidedBy) {
    decision.rule = { id: outcome.decidedBy.id, effect: outcome.decidedBy.effect };
    decision.matched = outcome.decidedBy.matched;
    decision.reason = decidedReason(input, outcome.decidedBy.effect, outcome.decidedBy.id, outcome.decidedBy.matched);
  } else {
    decision.reason = noMatchReason(input, outcome.considered);
  }
  return decision;
}

export function decide(policy: CompiledPolicy, principal: PolicyPrincipal, request: PolicyRequest, options: DecideOptions = {}): Decision {
  const explain = options.explain ?? 'matching';
  const { right, kind, name } = request;
  const outcome = evaluate(policy, principal, kind, name, right, request.method ?? mcpMethod(kind, right), explain);
  const decision = toDecision(request, principal, outcome);
  if (right === 'list' || decision.effect !== 'allow') return decision;

  // You cannot call what you cannot see: a call also needs list, evaluated as a tools/list would be.
  const listed = toDecision({ right: 'list', kind, name }, principal, evaluate(policy, principal, kind, name, 'list', mcpMethod(kind, 'list'), explain));
  if (listed.effect === 'allow') return decision;
  const refused: Decision = {
    ...decision,
    effect: 'deny',
    considered: [...decision.considered, ...listed.considered],
    reason: notVisibleReason(decision.reason, listed.reason),
  };
  if (listed.rule) {
    refused.rule = listed.rule;
    refused.matched = listed.matched;
  } else {
    delete refused.rule;
    delete refused.matched;
  }
  return refused;
}

/** no_match is a deny: the one place that says so. */
export function isAllowed(decision: Decision): boolean {
  return decision.effect === 'allow';
}
