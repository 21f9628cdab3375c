/**
 * What each step of the gateway's own OAuth client is, in the spec's words (the `oauth.client`
 * counterpart of step-catalog.ts): the arrows of an upstream login are labelled from it, and its
 * detail pane links the rule behind the step.
 */
import type { OAuthClientStepEvent } from '../../../shared/trace-events.js';
import type { StepDescription } from './step-catalog.js';

const MCP_AUTH = 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization';

export const UPSTREAM_LOGIN_STEPS: Record<OAuthClientStepEvent['step'], StepDescription> = {
  'resource-metadata': {
    title: 'Protected resource metadata',
    purpose: 'Gatehouse reads which authorization servers protect the upstream MCP server.',
    spec: { title: 'RFC 9728 §3 — obtaining protected resource metadata', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3' },
  },
  'authorization-server-metadata': {
    title: 'Authorization server metadata',
    purpose: 'Gatehouse discovers the endpoints of the upstream’s authorization server and checks it advertises PKCE S256.',
    spec: { title: 'RFC 8414 §3 — obtaining authorization server metadata', url: 'https://www.rfc-editor.org/rfc/rfc8414#section-3' },
  },
  registration: {
    title: 'Client registration',
    purpose: 'Gatehouse registers itself as a client (dynamic registration or a Client ID Metadata Document), unless a client id is configured.',
    spec: { title: 'RFC 7591 §3 — client registration endpoint', url: 'https://www.rfc-editor.org/rfc/rfc7591#section-3' },
  },
  authorize: {
    title: 'Authorization request',
    purpose: 'Your browser is sent to the authorization endpoint with PKCE (S256) and the upstream as resource indicator.',
    spec: { title: 'OAuth 2.1 §4.1.1 — authorization request', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.1.1' },
  },
  callback: {
    title: 'Authorization response',
    purpose: 'The browser comes back to Gatehouse’s loopback redirect with the code; Gatehouse checks the state (and iss).',
    spec: { title: 'OAuth 2.1 §4.1.2 — authorization response', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.1.2' },
  },
  token: {
    title: 'Token request',
    purpose: 'Gatehouse trades the code (with its PKCE verifier) for tokens bound to the upstream.',
    spec: { title: 'OAuth 2.1 §4.1.3 — token request; RFC 8707 resource', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.1.3' },
  },
  refresh: {
    title: 'Token refresh',
    purpose: 'Gatehouse trades its refresh token for a new access token, without the browser.',
    spec: { title: 'OAuth 2.1 §4.3 — refresh token grant', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.3' },
  },
  'step-up': {
    title: 'Step-up',
    purpose: 'The upstream answered 403 insufficient_scope: Gatehouse asks for the wider scope.',
    spec: { title: 'MCP authorization — scope challenge handling', url: `${MCP_AUTH}#scope-challenge-handling` },
  },
  revocation: {
    title: 'Token revocation',
    purpose: 'On logout Gatehouse revokes its tokens at the authorization server.',
    spec: { title: 'RFC 7009 §2 — token revocation', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2' },
  },
  keychain: {
    title: 'Secret store',
    purpose: 'Gatehouse keeps or removes the upstream’s tokens in the OS keychain.',
  },
};

/** The upstream's 401 is traced as a failed authorize step; it is its own step to a reader. */
export const UPSTREAM_CHALLENGE: StepDescription = {
  title: '401 challenge',
  purpose: 'The upstream refused a request without a valid token; its WWW-Authenticate header starts the login.',
  spec: { title: 'MCP authorization — discovery (RFC 9728 §5.1)', url: `${MCP_AUTH}#authorization-server-discovery` },
};
