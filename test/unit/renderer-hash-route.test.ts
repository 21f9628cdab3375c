import { describe, expect, it } from 'vitest';

import { href, parseHash } from '../../renderer/src/hash-route.js';

describe('hash routes', () => {
  it('round-trips a screen and its parameters, route paths included', () => {
    const link = href('catalog', { route: '/ecommerce-mcp', user: 'alice', item: undefined });
    expect(link).toBe('#/catalog?route=%2Fecommerce-mcp&user=alice');
    const { screen, params } = parseHash(link);
    expect(screen).toBe('catalog');
    expect(Object.fromEntries(params)).toEqual({ route: '/ecommerce-mcp', user: 'alice' });
  });

  it('opens the routes screen for an empty or unknown hash', () => {
    expect(parseHash('').screen).toBe('routes');
    expect(parseHash('#/nope?x=1').screen).toBe('routes');
    expect(parseHash('#/test-client').screen).toBe('test-client');
  });
});
