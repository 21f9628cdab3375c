/**
 * An ACL that cannot be compiled. It lists every problem at once, each with its rule and field,
 * so one round of editing fixes them all.
 */
import type { PolicyProblem } from '../../shared/policy.js';

export function formatPolicyProblem(problem: PolicyProblem): string {
  const rule = problem.ruleId ? `rule ${problem.ruleId} ` : '';
  return `${rule}(${problem.field}): ${problem.message}`;
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'policy_invalid';

  constructor(readonly problems: PolicyProblem[]) {
    super(`the ACL has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${formatPolicyProblem(p)}`).join('\n')}`);
  }
}
