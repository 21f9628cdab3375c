/**
 * Errors of the resource server (RFC 6750 §3.1). The public `error_description` goes to the client
 * in the WWW-Authenticate challenge; `claim`/`reason` (in the manner of jose's
 * JWTClaimValidationFailed) and `detail` are for the trace and the window only.
 */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly status: 401 | 403 | 400 | 503,
    /** Absent when the request simply carried no token (RFC 6750 §3.1: no error code then). */
    readonly error: BearerErrorCode | undefined,
    readonly errorDescription: string,
    readonly options: {
      /** The claim that failed, e.g. 'aud'. */
      claim?: string;
      /** Why, e.g. 'check_failed', 'expired', 'missing'. */
      reason?: string;
      /** Internal detail for the trace; never sent to the client. */
      detail?: string;
      /** For insufficient_scope: the scopes the request needs. */
      scopes?: string[];
    } = {},
  ) {
    super(errorDescription);
  }
}

export function missingToken(): OAuthError {
  return new OAuthError(401, undefined, 'This route needs an access token: send Authorization: Bearer <token> (the Protected Resource Metadata says where to get one)', { reason: 'missing' });
}

export function invalidToken(description: string, options: OAuthError['options'] = {}): OAuthError {
  return new OAuthError(401, 'invalid_token', description, options);
}

export function insufficientScope(scopes: string[], description: string): OAuthError {
  return new OAuthError(403, 'insufficient_scope', description, { scopes, reason: 'insufficient_scope', claim: 'scope' });
}
