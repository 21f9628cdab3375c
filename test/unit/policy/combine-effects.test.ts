import { describe, expect, it } from 'vitest';

import { combineEffects, denyOverrides } from '../../../main/policy/combine-effects.js';
import type { Effect } from '../../../shared/policy.js';

describe('combineEffects (deny-overrides)', () => {
  it.each<[Effect[], Effect]>([
    [[], 'no_match'],
    [['no_match'], 'no_match'],
    [['no_match', 'no_match'], 'no_match'],
    [['allow'], 'allow'],
    [['allow', 'no_match'], 'allow'],
    [['no_match', 'allow', 'allow'], 'allow'],
    [['deny'], 'deny'],
    [['allow', 'deny'], 'deny'],
    [['deny', 'allow'], 'deny'],
    [['no_match', 'deny', 'allow'], 'deny'],
  ])('%j → %s', (effects, expected) => {
    expect(combineEffects(effects)).toBe(expected);
    expect(combineEffects(effects.toReversed())).toBe(expected);
  });

  it('is the deny-overrides strategy and takes any iterable', () => {
    expect(combineEffects).toBe(denyOverrides);
    expect(combineEffects(new Set<Effect>(['allow', 'deny']))).toBe('deny');
  });
});
