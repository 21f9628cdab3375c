/**
 * The route's memory of verified JWTs (main/auth/verified-jwt-cache.ts), on its own clock: an
 * entry lives until the token's exp and never longer than MAX_AGE_MS, the oldest goes first when
 * it is full, and a verification that began before a clear() is not kept after it.
 */
import { describe, expect, it } from 'vitest';

import { MAX_AGE_MS, MAX_ENTRIES, VerifiedJwtCache } from '../../../main/auth/verified-jwt-cache.js';

const NOW = 1_800_000_000_000;
const payload = (expInS: number, sub = 'alice') => ({ sub, exp: Math.floor(NOW / 1000) + expInS });

describe('remembered JWT verifications', () => {
  it('serves a token until its exp, then forgets it', () => {
    const cache = new VerifiedJwtCache();
    cache.keep('t', payload(60), cache.generation, NOW);
    expect(cache.get('t', NOW + 59_000)).toMatchObject({ sub: 'alice' });
    expect(cache.get('t', NOW + 60_000)).toBeUndefined();
    expect(cache.get('t', NOW + 1_000)).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 2]);
  });

  it('never longer than MAX_AGE_MS, whatever the exp', () => {
    const cache = new VerifiedJwtCache();
    cache.keep('t', payload(24 * 3600), cache.generation, NOW);
    expect(cache.get('t', NOW + MAX_AGE_MS - 1)).toBeDefined();
    expect(cache.get('t', NOW + MAX_AGE_MS)).toBeUndefined();
  });

  it('keeps nothing for a token without exp or already expired', () => {
    const cache = new VerifiedJwtCache();
    cache.keep('no-exp', { sub: 'alice' }, cache.generation, NOW);
    cache.keep('expired', payload(-1), cache.generation, NOW);
    expect(cache.get('no-exp', NOW)).toBeUndefined();
    expect(cache.get('expired', NOW)).toBeUndefined();
  });

  it('does not keep a verification that began before a clear()', () => {
    const cache = new VerifiedJwtCache();
    const began = cache.generation;
    cache.keep('before', payload(60), began, NOW);
    cache.clear();
    cache.keep('racing', payload(60), began, NOW);
    expect(cache.get('before', NOW)).toBeUndefined();
    expect(cache.get('racing', NOW)).toBeUndefined();
    cache.keep('after', payload(60), cache.generation, NOW);
    expect(cache.get('after', NOW)).toBeDefined();
  });

  it('lets the oldest entry go when full', () => {
    const cache = new VerifiedJwtCache();
    for (let i = 0; i <= MAX_ENTRIES; i++) cache.keep(`t${i}`, payload(60, `u${i}`), cache.generation, NOW);
    expect(cache.get('t0', NOW)).toBeUndefined();
    expect(cache.get('t1', NOW)).toMatchObject({ sub: 'u1' });
    expect(cache.get(`t${MAX_ENTRIES}`, NOW)).toMatchObject({ sub: `u${MAX_ENTRIES}` });
  });
});
