/**
 * RFC 7662 token introspection with openid-client, with a cache keyed by the token's hash: an
 * entry lives no longer than the token (exp) and a configured maximum. An unreachable
 * introspection endpoint fails closed.
 */
import { createHash } from 'node:crypto';

import * as client from 'openid-client';

import { describeError } from '../upstream/upstream-error.js';
import type { AuthorizationServer } from './authorization-server.js';
import { invalidToken, OAuthError } from './oauth-error.js';

export interface IntrospectionResult {
  claims: Record<string, unknown>;
  cached: boolean;
}

const MAX_ENTRIES = 10_000;

/** Every failure fails closed (503); what differs is what the developer is told to do. */
function explainFailure(error: unknown, issuer: string): OAuthError {
  const answered = error instanceof client.WWWAuthenticateChallengeError || error instanceof client.ResponseBodyError;
  if (answered) {
    const status = (error as { status?: number }).status;
    const code = error instanceof client.ResponseBodyError ? error.error : (error.cause[0]?.parameters.error ?? 'invalid_client');
    return new OAuthError(503, undefined, `The identity provider refused the gateway's introspection request (HTTP ${status}, ${code}) — check auth.introspection.client_id and client_secret (and auth_method)`, {
      reason: 'introspection_refused',
      detail: `${issuer} answered ${status} ${code}`,
    });
  }
  return new OAuthError(503, undefined, `The identity provider cannot introspect the token right now (${issuer}); this route fails closed — retry when it is reachable`, {
    reason: 'introspection_unavailable',
    detail: describeError(error),
  });
}

export class Introspector {
  private readonly cache = new Map<string, { claims: Record<string, unknown>; until: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly server: AuthorizationServer,
    private readonly cacheMaxS: number,
  ) {}

  async introspect(token: string): Promise<IntrospectionResult> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const entry = this.cache.get(key);
    if (entry && entry.until > now) {
      this.hits += 1;
      return { claims: entry.claims, cached: true };
    }
    if (entry) this.cache.delete(key);
    this.misses += 1;

    let response: client.IntrospectionResponse;
    try {
      const configuration = await this.server.configuration();
      response = await client.tokenIntrospection(configuration, token);
    } catch (error) {
      throw explainFailure(error, this.server.options.issuer);
    }
    if (!response.active) throw invalidToken('The access token is not active (expired, revoked, or unknown to the issuer)', { claim: 'active', reason: 'inactive' });
    const claims = response as unknown as Record<string, unknown>;
    const exp = typeof response.exp === 'number' ? response.exp * 1000 : Infinity;
    const until = Math.min(exp, now + this.cacheMaxS * 1000);
    if (until > now) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { claims, until });
    }
    return { claims, cached: false };
  }

  /** Forgets everything (e.g. when a fault injection revokes tokens). */
  clear(): void {
    this.cache.clear();
  }
}
