/**
 * The window's session rules. The admin server already sends a CSP; setting it here as well means
 * the window stays locked even if a response lacks it (a 503 page, a proxy in between), and every
 * permission a page could ask for is refused — the one exception is writing the clipboard, which
 * the "copy client config" buttons need.
 */
import type { Session } from 'electron';

type PolicySession = Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Replaces any Content-Security-Policy header (whatever its case) with ours. */
export function withPolicyHeader(
  headers: Record<string, string[]> | undefined,
  policy: string,
): Record<string, string[]> {
  const next: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') next[name] = value;
  }
  next['Content-Security-Policy'] = [policy];
  return next;
}

export function applySessionPolicy(session: PolicySession, adminOrigin: string, policy: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withPolicyHeader(details.responseHeaders, policy) });
  });
  const allowed = (permission: string, origin: string | undefined): boolean => {
    if (!ALLOWED_PERMISSIONS.has(permission) || !origin) return false;
    try {
      return new URL(origin).origin === adminOrigin;
    } catch {
      return false;
    }
  };
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(allowed(permission, details.requestingUrl || contents.getURL()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}
