/**
 * Resource indicators (RFC 8707): which gateway routes the identity provider issues tokens for.
 * The gateway supplies the list (its protected routes); a `resource` parameter names one of them
 * when scheme, port and path match and the host is any loopback name — a client may reach the
 * gateway as localhost while the route says 127.0.0.1. The audience is the indicator exactly as
 * the client sent it, so it equals what the route's Protected Resource Metadata advertised.
 */
import { errors, type AsymmetricSigningAlgorithm, type ResourceServer } from 'oidc-provider';

/** A route protected by the built-in IdP, as the gateway describes it. */
export interface IdpResource {
  /** The route URL, e.g. http://127.0.0.1:8400/ecommerce-mcp */
  resource: string;
  /** Scopes the route knows (its `scopes_supported`); the only ones its tokens can carry. */
  scopes: string[];
  /** 'jwt': RFC 9068 JWT access tokens; 'opaque': reference tokens for RFC 7662 introspection. */
  accessTokenFormat: 'jwt' | 'opaque';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** One trailing slash is not a different path here (Claude Code appends one to the resource). */
function samePath(a: string, b: string): boolean {
  const trim = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
  return trim(a) === trim(b);
}

function sameOrigin(indicator: URL, route: URL): boolean {
  if (indicator.protocol !== route.protocol || indicator.port !== route.port) return false;
  if (indicator.hostname === route.hostname) return true;
  return isLoopbackHost(indicator.hostname) && isLoopbackHost(route.hostname);
}

/** The route a resource indicator names, if any. */
export function matchResource(indicator: string, resources: readonly IdpResource[]): IdpResource | undefined {
  const requested = URL.parse(indicator);
  if (!requested) return undefined;
  return resources.find((candidate) => {
    const route = URL.parse(candidate.resource);
    return route !== null && sameOrigin(requested, route) && samePath(requested.pathname, route.pathname) && requested.search === route.search;
  });
}

function unknownResourceDescription(indicator: string, resources: readonly IdpResource[]): string {
  if (resources.length === 0) {
    return `resource ${indicator} is not protected by this identity provider: no gateway route uses auth.issuer: builtin`;
  }
  const known = resources.map((r) => r.resource).join(', ');
  return `resource ${indicator} is not a route protected by this identity provider; send the route URL exactly as its Protected Resource Metadata says (one of: ${known})`;
}

export interface ResourceServerPolicy {
  resources: () => IdpResource[];
  accessTokenTtlSeconds: number;
  /** JWS algorithm of JWT access tokens; a key for it is in the IdP's JWKS. */
  signingAlgorithm: AsymmetricSigningAlgorithm;
}

/** features.resourceIndicators.getResourceServerInfo: unknown resources are invalid_target. */
export function resourceServerInfo(policy: ResourceServerPolicy, indicator: string): ResourceServer {
  const resources = policy.resources();
  const match = matchResource(indicator, resources);
  if (!match) throw new errors.InvalidTarget(unknownResourceDescription(indicator, resources));
  return {
    audience: indicator,
    scope: match.scopes.join(' '),
    accessTokenFormat: match.accessTokenFormat,
    accessTokenTTL: policy.accessTokenTtlSeconds,
    ...(match.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: policy.signingAlgorithm } } } : {}),
  };
}

/**
 * features.resourceIndicators.defaultResource: an authorization request without `resource`
 * gets the only protected route when there is exactly one (some clients never send the
 * parameter); with several, nothing is guessed. A client_credentials request has no grant to
 * fall back on: without a route its token would be good for no route at all, so it is refused.
 */
export function defaultResource(resources: readonly IdpResource[], oneOf?: readonly string[], grantType?: string): string | readonly string[] | undefined {
  if (oneOf) return oneOf;
  if (resources.length === 1) return resources[0]!.resource;
  if (grantType === 'client_credentials') {
    const known = resources.map((r) => r.resource).join(', ');
    throw new errors.InvalidTarget(resources.length ? `name the route the token is for with resource= (one of: ${known})` : 'no gateway route uses auth.issuer: builtin, so there is no route to issue a token for');
  }
  return undefined;
}

/** Every scope any route offers, for the authorization server metadata. */
export function allResourceScopes(resources: readonly IdpResource[]): string[] {
  return [...new Set(resources.flatMap((r) => r.scopes))];
}
