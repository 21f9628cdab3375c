/**
 * The spec rule behind a failed OAuth step, for the trace and the window ("why is this red?"):
 * the resource server's refusals (RFC 6750, RFC 8707, the MCP authorization spec) and the
 * authorization server's errors (RFC 6749, RFC 7591, RFC 7636, RFC 8707), each a title and a link
 * to the section.
 */
import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import type { OAuthError } from './oauth-error.js';

export type SpecReference = NonNullable<NonNullable<HttpExchangeEvent['failure']>['spec']>;

const MCP_AUTHORIZATION = 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization';

export const SPEC = {
  bearerErrorCodes: { title: 'RFC 6750 §3.1 — Error Codes (invalid_request, invalid_token, insufficient_scope)', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1' },
  bearerHeader: { title: 'RFC 6750 §2.1 — Authorization Request Header Field', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-2.1' },
  audienceBinding: { title: 'MCP authorization — Token Audience Binding and Validation (RFC 8707 resource indicators)', url: `${MCP_AUTHORIZATION}#token-audience-binding-and-validation` },
  stepUp: { title: 'MCP authorization — Scope Challenge Handling (RFC 6750 §3.1 insufficient_scope, step-up)', url: `${MCP_AUTHORIZATION}#scope-challenge-handling` },
  introspection: { title: 'RFC 7662 §2 — Introspection Endpoint', url: 'https://www.rfc-editor.org/rfc/rfc7662#section-2' },
  tokenErrors: { title: 'RFC 6749 §5.2 — Error Response (token endpoint)', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2' },
  authorizationErrors: { title: 'RFC 6749 §4.1.2.1 — Authorization Error Response', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1' },
  redirectionEndpoint: { title: 'RFC 6749 §3.1.2 — Redirection Endpoint (exact redirect_uri match)', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2' },
  scope: { title: 'RFC 6749 §3.3 — Access Token Scope', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-3.3' },
  registrationErrors: { title: 'RFC 7591 §3.2.2 — Client Registration Error Response', url: 'https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2' },
  pkceVerify: { title: 'RFC 7636 §4.6 — Server Verifies code_verifier before Returning the Tokens', url: 'https://www.rfc-editor.org/rfc/rfc7636#section-4.6' },
  pkceChallenge: { title: 'RFC 7636 §4.4.1 — Error Response (code_challenge required)', url: 'https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1' },
  resourceIndicators: { title: 'RFC 8707 §2 — Resource Parameter (invalid_target)', url: 'https://www.rfc-editor.org/rfc/rfc8707#section-2' },
  revocation: { title: 'RFC 7009 §2.2.1 — Revocation Error Response', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1' },
} satisfies Record<string, SpecReference>;

/**
 * Why the resource server refused a request, in words, with its rule. Undefined for the plain
 * first 401 of a request without a token: that is the start of the handshake, not a failure.
 */
export function resourceServerFailure(error: OAuthError): HttpExchangeEvent['failure'] {
  const { claim, reason, detail } = error.options;
  if (!error.error && error.status === 401 && reason === 'missing') return undefined;
  const because = claim ? ` (claim ${claim}: ${reason ?? 'failed'})` : reason ? ` (${reason})` : '';
  const words = `${error.error ?? (error.status === 503 ? 'temporarily_unavailable' : 'unauthorized')}: ${error.errorDescription}${because}${detail ? ` — ${detail}` : ''}`;
  if (error.status === 503) return { reason: words, spec: SPEC.introspection };
  if (error.error === 'insufficient_scope') return { reason: words, spec: SPEC.stepUp };
  if (error.error === 'invalid_request') return { reason: words, spec: SPEC.bearerHeader };
  if (claim === 'aud') return { reason: words, spec: SPEC.audienceBinding };
  return { reason: words, spec: SPEC.bearerErrorCodes };
}

/** The rule behind an authorization server error code, given the step it happened at. */
export function authorizationServerSpec(step: HttpExchangeEvent['step'], error: string, description = ''): SpecReference {
  const text = description.toLowerCase();
  if (/pkce|code_verifier/.test(text) && error === 'invalid_grant') return SPEC.pkceVerify;
  if (/code_challenge/.test(text)) return SPEC.pkceChallenge;
  switch (error) {
    case 'invalid_target':
      return SPEC.resourceIndicators;
    case 'invalid_redirect_uri':
      return step === 'registration' ? SPEC.registrationErrors : SPEC.redirectionEndpoint;
    case 'invalid_client_metadata':
    case 'invalid_software_statement':
      return SPEC.registrationErrors;
    case 'invalid_scope':
      return step === 'token' ? SPEC.tokenErrors : SPEC.scope;
    case 'access_denied':
    case 'login_required':
    case 'consent_required':
    case 'interaction_required':
      return SPEC.authorizationErrors;
    default:
  }
  if (step === 'registration') return SPEC.registrationErrors;
  if (step === 'introspection') return SPEC.introspection;
  if (step === 'revocation') return SPEC.revocation;
  if (step === 'authorize' || step === 'login' || step === 'consent') return SPEC.authorizationErrors;
  return SPEC.tokenErrors;
}
