/**
 * Hash-based navigation (`#/catalog?route=/ecommerce-mcp&user=alice`), so every screen and its
 * selection is a link: it survives reloads and works the same inside Electron and in a browser,
 * with no server-side routing.
 */
import { useCallback, useSyncExternalStore } from 'react';

import { href, parseHash, type Location, type Params, type Screen } from './hash-route.js';

export { SCREENS, href, parseHash, type Location, type Params, type Screen } from './hash-route.js';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

const readHash = () => window.location.hash;

/** The current screen and its parameters; re-renders on every hash change. */
export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, readHash);
  return parseHash(hash);
}

export function navigate(screen: Screen, params: Params = {}, options: { replace?: boolean } = {}): void {
  const target = href(screen, params);
  if (options.replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = target;
  }
}

/**
 * One query parameter of the current screen as state: reading it from the hash, writing it back
 * with replaceState so typing in a filter does not flood the history.
 */
export function useHashParam(name: string): [string | undefined, (value: string | undefined) => void] {
  const { params } = useLocation();
  const value = params.get(name) ?? undefined;
  const set = useCallback(
    (next: string | undefined) => {
      const current = parseHash(window.location.hash);
      const all: Params = Object.fromEntries(current.params.entries());
      all[name] = next;
      navigate(current.screen, all, { replace: true });
    },
    [name],
  );
  return [value, set];
}
