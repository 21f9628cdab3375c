/**
 * Where the admin API is and its token. Inside Electron the preload exposes exactly
 * `window.gatehouse`; in a browser the URL fragment carries the token (`#token=…`), which never
 * reaches a server or a log. The fragment is moved into sessionStorage and erased from the address
 * bar at once, so it does not linger in history, bookmarks or screenshots, yet survives a reload.
 */
import type { AdminBootstrap } from '../../../shared/admin-api.js';

declare global {
  interface Window {
    gatehouse?: AdminBootstrap;
  }
}

const STORAGE_KEY = 'gatehouse.admin-token';

export function readBootstrap(): AdminBootstrap | undefined {
  if (window.gatehouse && typeof window.gatehouse.token === 'string') return window.gatehouse;

  const match = /(?:^#|[#&])token=([^&]+)/.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    try {
      sessionStorage.setItem(STORAGE_KEY, token);
    } catch {
      // Storage disabled: the token still works for this page load.
    }
    const rest = window.location.hash.replace(/(^#|&)token=[^&]+&?/, '$1').replace(/^#&?$/, '');
    history.replaceState(null, '', window.location.pathname + window.location.search + (rest === '' || rest === '#' ? '' : rest));
    return { adminUrl: window.location.origin, token };
  }

  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return stored ? { adminUrl: window.location.origin, token: stored } : undefined;
}
