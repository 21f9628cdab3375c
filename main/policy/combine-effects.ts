/**
 * Combining the effects of the rules that applied, as a small pure strategy (node-casbin keeps
 * these in src/effect/). Gatehouse uses deny-overrides: one deny beats any number of allows, and
 * nothing at all is no_match, which the gateway treats as deny.
 */
import type { Effect } from '../../shared/policy.js';

export type EffectCombiner = (effects: Iterable<Effect>) => Effect;

export const denyOverrides: EffectCombiner = (effects) => {
  let result: Effect = 'no_match';
  for (const effect of effects) {
    if (effect === 'deny') return 'deny';
    if (effect === 'allow') result = 'allow';
  }
  return result;
};

/** The combiner decide() uses. */
export const combineEffects: EffectCombiner = denyOverrides;
