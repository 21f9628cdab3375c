/**
 * A catalog (tools/list, prompts/list, …) as one principal may see it: each item is kept exactly
 * when decide(…, 'list') allows it, so the list and a later call can never disagree.
 */
import type { Decision, ItemKind, PolicyPrincipal } from '../../shared/policy.js';
import type { CompiledPolicy } from './compile-policy.js';
import { decide, type DecideOptions } from './decide.js';

export interface FilteredCatalog {
  /** The visible names, in catalog order. */
  visible: string[];
  /** One list decision per name, in catalog order, hidden ones included. */
  decisions: Decision[];
}

export function filterCatalog(
  policy: CompiledPolicy,
  principal: PolicyPrincipal,
  kind: ItemKind,
  names: readonly string[],
  options?: DecideOptions,
): FilteredCatalog {
  const visible: string[] = [];
  const decisions = names.map((name) => {
    const decision = decide(policy, principal, { right: 'list', kind, name }, options);
    if (decision.effect === 'allow') visible.push(name);
    return decision;
  });
  return { visible, decisions };
}
