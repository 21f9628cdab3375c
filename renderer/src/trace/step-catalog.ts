/**
 * What each handshake step is, in the spec's words, and where the spec says so. The sequence
 * diagram labels its arrows from this, and the detail pane links the rule behind a failed step.
 */
import type { HttpExchangeEvent } from '../../../shared/trace-events.js';

export type ExchangeStepName = HttpExchangeEvent['step'];

export interface SpecLink {
  title: string;
  url: string;
}

export interface StepDescription {
  title: string;
  /** One sentence: what the client is doing at this step. */
  purpose: string;
  spec?: SpecLink;
}

const MCP_AUTH = 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization';

export const STEP_CATALOG: Record<ExchangeStepName, StepDescription> = {
  challenge: {
    title: '401 challenge',
    purpose: 'The client called without a valid token; the WWW-Authenticate header points it at the protected resource metadata.',
    spec: { title: 'MCP authorization — discovery (RFC 9728 §5.1)', url: `${MCP_AUTH}#authorization-server-discovery` },
  },
  'resource-metadata': {
    title: 'Protected resource metadata',
    purpose: 'The client reads which authorization servers protect this MCP server and which scopes it knows.',
    spec: { title: 'RFC 9728 §3 — obtaining protected resource metadata', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3' },
  },
  'authorization-server-metadata': {
    title: 'Authorization server metadata',
    purpose: 'The client discovers the endpoints of the authorization server (OAuth metadata, then OpenID configuration).',
    spec: { title: 'RFC 8414 §3 — obtaining authorization server metadata', url: 'https://www.rfc-editor.org/rfc/rfc8414#section-3' },
  },
  registration: {
    title: 'Client registration',
    purpose: 'The client registers itself dynamically and receives a client id.',
    spec: { title: 'RFC 7591 §3 — client registration endpoint', url: 'https://www.rfc-editor.org/rfc/rfc7591#section-3' },
  },
  authorize: {
    title: 'Authorization request',
    purpose: 'The browser is sent to the authorization endpoint with PKCE (S256) and the resource indicator.',
    spec: { title: 'OAuth 2.1 §4.1.1 — authorization request', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.1.1' },
  },
  login: {
    title: 'Sign in',
    purpose: 'The user signs in at the identity provider.',
  },
  consent: {
    title: 'Consent',
    purpose: 'The user grants the client the requested scopes for this resource.',
  },
  token: {
    title: 'Token request',
    purpose: 'The client trades the authorization code (with its PKCE verifier) for an access token bound to this resource.',
    spec: { title: 'OAuth 2.1 §4.1.3 — token request; RFC 8707 resource', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.1.3' },
  },
  jwks: {
    title: 'Signing keys',
    purpose: 'Gatehouse fetches the keys that verify access token signatures.',
    spec: { title: 'RFC 7517 §5 — JWK set', url: 'https://www.rfc-editor.org/rfc/rfc7517#section-5' },
  },
  introspection: {
    title: 'Token introspection',
    purpose: 'Gatehouse asks the authorization server whether an opaque token is active.',
    spec: { title: 'RFC 7662 §2 — introspection endpoint', url: 'https://www.rfc-editor.org/rfc/rfc7662#section-2' },
  },
  revocation: {
    title: 'Token revocation',
    purpose: 'A token is revoked at the authorization server.',
    spec: { title: 'RFC 7009 §2 — token revocation', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2' },
  },
  mcp: {
    title: 'MCP request',
    purpose: 'A JSON-RPC request over Streamable HTTP, carrying the access token.',
    spec: { title: 'MCP transports — Streamable HTTP', url: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports' },
  },
  other: {
    title: 'HTTP request',
    purpose: 'A request that is not a named step of the handshake.',
  },
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  302: 'Found',
  303: 'See Other',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusLine(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}

/** The token endpoint serves every grant: a refresh or a machine client's request is not a code exchange. */
const TOKEN_GRANTS: Record<string, StepDescription> = {
  refresh_token: {
    title: 'Token refresh',
    purpose: 'The client trades its refresh token for a new access token for the same resource (and, with rotation, a new refresh token).',
    spec: { title: 'OAuth 2.1 §4.3 — refresh token grant', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.3' },
  },
  client_credentials: {
    title: 'Client credentials',
    purpose: 'A machine client, with no user behind it, authenticates itself and gets an access token for this resource.',
    spec: { title: 'OAuth 2.1 §4.2 — client credentials grant; MCP extension SEP-1046', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-4.2' },
  },
};

/** What this exchange is: its step, told apart by grant at the token endpoint. */
export function describeExchange(exchange: HttpExchangeEvent): StepDescription {
  if (exchange.step === 'token' && exchange.request.body && !exchange.request.body.startsWith('{')) {
    const grant = new URLSearchParams(exchange.request.body).get('grant_type');
    if (grant && TOKEN_GRANTS[grant]) return TOKEN_GRANTS[grant];
  }
  return STEP_CATALOG[exchange.step];
}

/** The path and query of a URL, or the URL itself when it does not parse. */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** The forward arrow's label: what the client asked, in the fewest words that identify it. */
export function exchangeLabel(exchange: HttpExchangeEvent, item?: string): string {
  if (exchange.step === 'mcp' && exchange.mcpMethod) return item ? `${exchange.mcpMethod} ${item}` : exchange.mcpMethod;
  const path = pathOf(exchange.url);
  const shortPath = path.length > 64 ? `${path.slice(0, 63)}…` : path;
  return `${exchange.method} ${shortPath}`;
}
