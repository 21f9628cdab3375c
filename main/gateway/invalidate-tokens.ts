/**
 * "Expire / revoke the current tokens now" on a route: the route refuses every token issued
 * before this moment (RouteFaults), and for 'revoke' the built-in IdP also revokes the grants of
 * the route's resource so refreshing fails. An external IdP is not touched; the answer says so.
 */
import type { RunningIdp } from '../idp/builtin-idp.js';
import type { TokenAction } from './route-faults.js';
import type { RouteRuntime } from './route-runtime.js';

export interface InvalidationOutcome {
  /** Live access tokens the route had accepted and now refuses, plus refresh tokens revoked at the built-in IdP. */
  affected: number;
  /** What happened, in words (and what did not, for an external IdP). */
  detail: string;
}

export async function invalidateTokens(runtime: RouteRuntime, action: TokenAction, routeUrl: string, idp: RunningIdp | undefined): Promise<InvalidationOutcome> {
  const resourceServer = runtime.resourceServer;
  if (!resourceServer || !runtime.faults) {
    throw new Error(`route ${runtime.route.path} has no auth, so it has no tokens to ${action} — add auth (e.g. issuer: builtin) to the route first`);
  }
  const refused = runtime.faults.invalidate(action);
  // A cached introspection answer or JWT verification must not outlive the revocation.
  resourceServer.introspector?.clear();
  resourceServer.verifiedJwts.clear();
  const verb = action === 'expire' ? 'expired' : 'revoked';
  const local = `${refused} live access token(s) the route had accepted are refused from now on as ${verb} (every token issued before now is)`;
  if (action === 'expire') return { affected: refused, detail: `${local}; refresh tokens still work, so clients can get new ones` };
  if (runtime.route.auth?.issuer === 'builtin' && idp) {
    const revoked = await idp.revokeResource(routeUrl);
    return {
      affected: Math.max(refused, revoked.accessTokens) + revoked.refreshTokens,
      detail: `${local}; at the built-in identity provider ${revoked.grants} grant(s) for ${routeUrl} were revoked with ${revoked.refreshTokens} refresh token(s), so refreshing fails and clients must sign in again`,
    };
  }
  return {
    affected: refused,
    detail: `${local}. The route trusts the external issuer ${resourceServer.options.issuer}, which Gatehouse cannot revoke tokens at: its refresh tokens still work there, and new tokens are accepted`,
  };
}
