/**
 * Errors of the gateway's own OAuth client. `OAuthClientError` is a flow that cannot go on (an
 * authorization server without PKCE, no way to register, a forged callback) with the fix in
 * words; `AuthorizationNeeded` is the normal "log in first" state of a secured upstream, which
 * the gateway reports as `auth_needed` while it keeps serving the other upstreams.
 */
import { UpstreamError } from '../upstream-error.js';

export type OAuthClientErrorCode =
  | 'pkce_unsupported'
  | 'grant_unsupported'
  | 'client_credentials_refused'
  | 'registration_unavailable'
  | 'state_mismatch'
  | 'authorization_denied'
  | 'callback_timeout'
  | 'browser_unavailable'
  | 'issuer_not_allowed'
  | 'step_up_exhausted'
  | 'bad_client_key';

export class OAuthClientError extends Error {
  override readonly name = 'OAuthClientError';

  constructor(
    readonly code: OAuthClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The upstream needs a (new) login by a person; nothing the gateway can do alone. */
export class AuthorizationNeeded extends UpstreamError {
  readonly authorizationNeeded = true;

  constructor(
    upstream: string,
    /** `route/upstream`, what `gatehouse login` takes. */
    readonly target: string,
    /** Why, in words: no stored tokens, the refresh token was revoked, a wider scope is needed. */
    readonly reason: string,
  ) {
    super('upstream_unavailable', upstream, `upstream "${upstream}" needs a login (${reason}) — run \`gatehouse login ${target}\` or log in from the Gatehouse window`);
  }
}

/** Finds an AuthorizationNeeded anywhere in a cause chain (the SDK wraps what fetch throws). */
export function authorizationNeededIn(error: unknown): AuthorizationNeeded | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof AuthorizationNeeded) return current;
  }
  return undefined;
}
