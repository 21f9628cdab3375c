/** The policy library's public surface: compile once per rule set, then decide per request. */
export { combineEffects, denyOverrides, type EffectCombiner } from './combine-effects.js';
export { compilePolicy, findPolicyProblems, ITEM_KINDS, DEFAULT_RULE_ID, type CompiledPolicy } from './compile-policy.js';
export { decide, isAllowed, type DecideOptions } from './decide.js';
export { mcpMethod } from './decision-reason.js';
export { demoShopAcl } from './demo-acl.js';
export { filterCatalog, type FilteredCatalog } from './filter-catalog.js';
export { lintPolicy } from './lint-policy.js';
export { PolicyError, formatPolicyProblem } from './policy-error.js';
export { routeAclSchema, type RouteAclInput } from './policy-schema.js';
