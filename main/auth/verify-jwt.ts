/**
 * JWT access token validation with jose: signature by the issuer's JWKS (an unknown `kid`
 * refreshes the key set once, rate-limited; keys stay cached if the IdP goes down), issuer,
 * exp/nbf with a small clock skew, and an algorithm allow-list that never contains `none` or an
 * HMAC algorithm (so a token "signed" with the public key as an HMAC secret cannot pass).
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

import { invalidToken, OAuthError } from './oauth-error.js';

export interface JwtOptions {
  keys: JWTVerifyGetKey;
  issuer: string;
  algorithms: string[];
  clockToleranceS: number;
}

/** A key set that refreshes on an unknown kid at most once per cooldown and never drops keys it has. */
export function remoteKeySet(jwksUri: string, cooldownS: number): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: cooldownS * 1000, cacheMaxAge: Infinity, timeoutDuration: 5_000 });
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export async function verifyJwt(token: string, options: JwtOptions): Promise<JWTPayload> {
  if (!looksLikeJwt(token)) {
    throw invalidToken('The access token is not a JWT (this route validates JWTs; is the IdP issuing opaque tokens? use introspection for those)', { reason: 'malformed' });
  }
  try {
    const { payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      algorithms: options.algorithms,
      clockTolerance: options.clockToleranceS,
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  } catch (error) {
    throw explain(error, options);
  }
}

function explain(error: unknown, options: JwtOptions): OAuthError {
  if (error instanceof errors.JWTExpired) {
    return invalidToken(`The access token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()} — get a new one (refresh)`, { claim: 'exp', reason: 'expired' });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    const description =
      claim === 'iss'
        ? `The access token was issued by "${String(error.payload.iss)}", not by this route's issuer "${options.issuer}"`
        : claim === 'nbf'
          ? 'The access token is not valid yet (nbf is in the future) — check the clocks'
          : `The access token's ${claim} claim is ${reason === 'missing' ? 'missing' : 'invalid'}`;
    return invalidToken(description, { claim, reason });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalidToken(`The access token's signature algorithm is not accepted here (allowed: ${options.algorithms.join(', ')})`, { claim: 'alg', reason: 'not_allowed' });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalidToken("The access token is signed with a key the issuer does not publish (unknown kid)", { claim: 'kid', reason: 'unknown' });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalidToken('The access token signature does not verify', { reason: 'bad_signature' });
  }
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && /fetch|ECONNREFUSED|network/i.test(error.message))) {
    return invalidToken("The issuer's signing keys cannot be fetched right now, so this token cannot be checked", { reason: 'jwks_unavailable', detail: String(error) });
  }
  if (error instanceof errors.JOSEError) {
    return invalidToken('The access token is malformed', { reason: 'malformed', detail: error.message });
  }
  return invalidToken('The access token could not be validated', { reason: 'error', detail: String(error) });
}
