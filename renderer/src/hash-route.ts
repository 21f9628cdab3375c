/**
 * The window's addresses: `#/<screen>?<params>`. Pure (no window), so it is shared by the
 * navigation hooks and tested on its own.
 */
export const SCREENS = ['routes', 'catalog', 'handshake', 'decisions', 'acl', 'test-client', 'doctor', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export interface Location {
  screen: Screen;
  params: URLSearchParams;
}

const DEFAULT_SCREEN: Screen = 'routes';

export function parseHash(hash: string): Location {
  const body = hash.replace(/^#\/?/, '');
  const question = body.indexOf('?');
  const name = question === -1 ? body : body.slice(0, question);
  const params = new URLSearchParams(question === -1 ? '' : body.slice(question + 1));
  const screen = (SCREENS as readonly string[]).includes(name) ? (name as Screen) : DEFAULT_SCREEN;
  return { screen, params };
}

export type Params = Record<string, string | undefined>;

/** The link to a screen, e.g. href('catalog', {route: '/x'}) → `#/catalog?route=%2Fx`. */
export function href(screen: Screen, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value);
  const query = search.toString();
  return `#/${screen}${query ? `?${query}` : ''}`;
}
