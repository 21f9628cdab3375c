/**
 * The OAuth 2.1 resource server of one route, as the MCP authorization spec asks of a protected
 * MCP server: validate the bearer token (JWT by JWKS, or RFC 7662 introspection, which wins when
 * both are configured), check that it was issued for this route (RFC 8707 audience), map the
 * principal, and answer every failure with a challenge that leads the client to the metadata.
 * Framework-free: it takes headers and returns values; the gateway adapts it to HTTP.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';

import type { RouteAuthConfig } from '../config/schema.js';
import { shorten } from '../trace/redact.js';
import { AuthorizationServer } from './authorization-server.js';
import { Introspector } from './introspect.js';
import { insufficientScope, invalidToken, missingToken, OAuthError } from './oauth-error.js';
import { principalFrom, type Principal } from './principal.js';
import { buildMetadata, metadataUrl, type ProtectedResourceMetadata } from './protected-resource-metadata.js';
import { VerifiedJwtCache } from './verified-jwt-cache.js';
import { remoteKeySet, verifyJwt } from './verify-jwt.js';
import { wwwAuthenticate } from './www-authenticate.js';
import type { JWTVerifyGetKey } from 'jose';

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface ResourceServerOptions {
  routePath: string;
  routeDescription?: string;
  auth: RouteAuthConfig;
  /** The issuer string, resolved (`builtin` → the built-in IdP's issuer). */
  issuer: string;
  /** The gateway's port: the route's resource URL is http://<local name>:<port><path>. */
  port: number;
  /** For issuer: builtin with introspection, the IdP's own introspection client. */
  introspectionClient?: { clientId: string; clientSecret: string };
}

export interface Authenticated {
  principal: Principal;
  authInfo: AuthInfo;
  validation: 'jwt' | 'introspection';
  warnings: string[];
  /** The introspection answer, or the JWT's verification, came from the route's cache. */
  cached: boolean;
}

export class ResourceServer {
  readonly server: AuthorizationServer;
  readonly introspector?: Introspector;
  /** JWTs already verified on this route (JWT validation only). */
  readonly verifiedJwts = new VerifiedJwtCache();
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(readonly options: ResourceServerOptions) {
    const { auth, issuer, introspectionClient } = options;
    this.server = new AuthorizationServer({
      issuer,
      jwksUri: auth.jwks_uri,
      introspectionEndpoint: auth.introspection?.endpoint,
      clientId: auth.introspection?.client_id ?? introspectionClient?.clientId,
      clientSecret: auth.introspection?.client_secret ?? introspectionClient?.clientSecret,
      authMethod: auth.introspection?.auth_method,
    });
    if (auth.introspection) this.introspector = new Introspector(this.server, auth.introspection.cache_max_s);
  }

  get validation(): 'jwt' | 'introspection' {
    return this.introspector ? 'introspection' : 'jwt';
  }

  /** The resource URL a client reaching us under `host` knows this route by. */
  resourceFor(host: string | null): string {
    return `http://${host ?? `127.0.0.1:${this.options.port}`}${this.options.routePath}`;
  }

  /**
   * The scopes a client is sent to get in a 401: what the route needs to be used at all
   * (scopes_supported and required_scopes). Scopes only some tools need are left to step-up,
   * so a client starts with least privilege.
   */
  challengeScopes(): string[] {
    const { scopes_supported, required_scopes } = this.options.auth;
    const scopes = [...new Set([...scopes_supported, ...required_scopes])];
    return scopes.length ? scopes : this.scopes();
  }

  /** Every scope the route mentions, for the metadata and the IdP. */
  scopes(): string[] {
    const { scopes_supported, required_scopes, tool_scopes } = this.options.auth;
    return [...new Set([...scopes_supported, ...required_scopes, ...Object.values(tool_scopes).flat()])];
  }

  metadata(resource: string): ProtectedResourceMetadata {
    return buildMetadata({
      resource,
      issuer: this.options.issuer,
      scopes: this.scopes(),
      name: this.options.routeDescription ?? `Gatehouse ${this.options.routePath}`,
      documentation: this.options.auth.resource_documentation,
    });
  }

  metadataUrl(resource: string): string {
    return metadataUrl(resource);
  }

  /** Scopes an operation needs: the route's required scopes plus those of the tool it calls. */
  scopesNeeded(toolNames: readonly string[]): string[] {
    const { required_scopes, tool_scopes } = this.options.auth;
    return [...new Set([...required_scopes, ...toolNames.flatMap((name) => tool_scopes[name] ?? [])])];
  }

  async authenticate(authorization: string | null, resource: string): Promise<Authenticated> {
    const token = bearerToken(authorization);
    const warnings: string[] = [];
    let claims: Record<string, unknown>;
    let cached = false;
    if (this.introspector) {
      const result = await this.introspector.introspect(token);
      claims = result.claims;
      cached = result.cached;
    } else {
      const generation = this.verifiedJwts.generation;
      const verified = this.verifiedJwts.get(token);
      cached = verified !== undefined;
      claims =
        verified ??
        this.verifiedJwts.keep(
          token,
          await verifyJwt(token, {
            keys: await this.keySet(),
            issuer: this.options.issuer,
            algorithms: this.options.auth.algorithms,
            clockToleranceS: this.options.auth.clock_skew_s,
          }),
          generation,
        );
    }
    this.checkAudience(claims.aud, resource, warnings);
    const principal = principalFrom(claims, this.options.auth.claims);
    if (!principal.subject) throw invalidToken(`The access token has no subject (claim ${this.options.auth.claims.subject})`, { claim: this.options.auth.claims.subject, reason: 'missing' });
    if (!this.options.auth.groups_optional && principal.groups.length === 0) {
      throw invalidToken(`The access token carries no group (looked in: ${this.options.auth.claims.groups.join(', ')}) and this route requires one — map groups into the token, or set groups_optional: true`, {
        claim: this.options.auth.claims.groups[0],
        reason: 'missing',
      });
    }
    const missing = this.scopesNeeded([]).filter((scope) => !principal.scopes.includes(scope));
    if (missing.length) throw insufficientScope(this.scopesNeeded([]), `This route needs the scope(s) ${missing.join(' ')}; re-authorize with them`);
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    return {
      principal,
      validation: this.validation,
      warnings,
      cached,
      authInfo: {
        // The gateway never forwards the token; what travels inward is only its shortened form.
        token: shorten(token),
        clientId: principal.clientId ?? '',
        scopes: principal.scopes,
        ...(exp ? { expiresAt: exp } : {}),
        resource: new URL(resource),
        extra: { subject: principal.subject, groups: principal.groups, principal },
      },
    };
  }

  /**
   * The HTTP answer for a failure: 401/403 with the challenge, 503 when the IdP is unreachable.
   * `withoutResourceMetadata` is the drop_resource_metadata fault.
   */
  challenge(error: OAuthError, resource: string, options: { withoutResourceMetadata?: boolean } = {}): Response {
    const body = JSON.stringify({ error: error.error ?? (error.status === 503 ? 'temporarily_unavailable' : 'unauthorized'), error_description: error.errorDescription });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (error.status === 401 || error.status === 403) {
      headers['www-authenticate'] = wwwAuthenticate({
        resourceMetadata: options.withoutResourceMetadata ? undefined : this.metadataUrl(resource),
        scopes: error.options.scopes ?? this.challengeScopes(),
        error: error.error,
        errorDescription: error.error ? error.errorDescription : undefined,
      });
    }
    return new Response(body, { status: error.status, headers });
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const attempt = this.server.jwksUri().then((uri) => remoteKeySet(uri, this.options.auth.jwks_cooldown_s));
      this.keys = attempt;
      attempt.catch(() => (this.keys = undefined));
    }
    return this.keys.catch((error: unknown) => {
      throw invalidToken("The issuer's signing keys cannot be found right now, so this token cannot be checked", { reason: 'jwks_unavailable', detail: String(error) });
    });
  }

  private checkAudience(aud: unknown, resource: string, warnings: string[]): void {
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    const accepted = new Set([resource, ...this.localVariants(), ...this.options.auth.audiences]);
    if (audiences.some((a) => accepted.has(a) || accepted.has(a.replace(/\/$/, '')))) return;
    const shown = audiences.length ? audiences.map((a) => `'${a}'`).join(', ') : 'none';
    if (this.options.auth.insecure_relaxed_audience_validation) {
      warnings.push(`relaxed audience: the token's aud (${shown}) is not ${resource}; accepted only because insecure_relaxed_audience_validation is on`);
      return;
    }
    throw invalidToken(
      `route ${this.options.routePath}: audience ${shown} does not match resource '${resource}' — set the IdP's resource indicator or enable insecure_relaxed_audience_validation`,
      { claim: 'aud', reason: 'check_failed' },
    );
  }

  private localVariants(): string[] {
    return LOCAL_HOSTS.map((host) => `http://${host}:${this.options.port}${this.options.routePath}`);
  }
}

function bearerToken(authorization: string | null): string {
  if (!authorization) throw missingToken();
  const match = authorization.match(/^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i);
  if (!match) {
    throw new OAuthError(401, 'invalid_request', 'The Authorization header must be "Bearer <token>" (RFC 6750 §2.1)', { reason: 'malformed_header' });
  }
  return match[1]!;
}

export { OAuthError };
