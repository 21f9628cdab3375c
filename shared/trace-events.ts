/**
 * Trace events: one typed record per step a request takes through the gateway. The window draws
 * them, so they live here, shared by main and renderer. No event ever carries a secret in full:
 * tokens are shortened by the emitter (see main/trace/redact.ts).
 */

import type { Decision } from './policy.js';

export type ProtocolEra = 'legacy' | 'modern';

interface TraceEventBase {
  /** Monotonic per process; lets the window order and de-duplicate. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  route: string;
  /** Mcp-Session-Id for 2025-era sessions; absent for stateless 2026-07-28 requests. */
  session?: string;
}

export interface RequestInEvent extends TraceEventBase {
  type: 'request.in';
  era: ProtocolEra;
  method: string;
  /** Tool, prompt or resource the request is about, as the client named it. */
  item?: string;
}

export interface UpstreamCallEvent extends TraceEventBase {
  type: 'upstream.call';
  upstream: string;
  method: string;
  item?: string;
}

export interface UpstreamResultEvent extends TraceEventBase {
  type: 'upstream.result';
  upstream: string;
  method: string;
  item?: string;
  durationMs: number;
  /** Present when the upstream failed; words a user can act on. */
  error?: string;
  /** tools/call results with isError: true. */
  isError?: boolean;
}

export interface NotificationRelayedEvent extends TraceEventBase {
  type: 'notification.relayed';
  upstream: string;
  method: string;
  direction: 'upstream-to-client' | 'client-to-upstream';
}

export interface ServerRequestRelayedEvent extends TraceEventBase {
  type: 'server-request.relayed';
  upstream: string;
  method: string;
  outcome: 'answered' | 'failed';
  error?: string;
}

export interface UpstreamStateEvent extends TraceEventBase {
  type: 'upstream.state';
  upstream: string;
  /** auth_needed: a secured upstream waits for `gatehouse login` (or a login from the window). */
  state: 'connected' | 'restarting' | 'auth_needed' | 'error' | 'closed';
  detail?: string;
}

/** A step of the built-in identity provider: the window draws the whole handshake from these. */
export interface IdpStepEvent {
  type: 'idp.step';
  seq: number;
  time: number;
  route?: string;
  session?: undefined;
  step: 'discovery' | 'registration' | 'authorize' | 'login' | 'consent' | 'token' | 'refresh' | 'introspection' | 'revocation' | 'jwks';
  outcome: 'ok' | 'error';
  clientId?: string;
  subject?: string;
  /** The resource (RFC 8707) the step was for, when there was one. */
  resource?: string;
  /** Words for the window; never a secret (tokens and codes are shortened or left out). */
  detail?: string;
}

/** The resource server's verdict on a request's access token. */
export interface AuthTokenEvent extends TraceEventBase {
  type: 'auth.token';
  outcome: 'valid' | 'rejected';
  validation: 'jwt' | 'introspection' | 'none';
  /** The token shortened (head…tail), never in full. */
  token?: string;
  subject?: string;
  clientId?: string;
  groups?: string[];
  scopes?: string[];
  status?: number;
  /** The OAuth error code sent to the client (invalid_token, insufficient_scope). */
  error?: string;
  /** What the client was told. */
  description?: string;
  /** The claim that failed and why, in the manner of jose's errors: {claim: 'aud', reason: 'check_failed'}. */
  claim?: string;
  reason?: string;
  /** e.g. the token's aud did not match and insecure_relaxed_audience_validation let it through. */
  warnings?: string[];
  /** Served from the introspection cache, or a JWT this route had already verified. */
  cached?: boolean;
  /** Internal detail for the developer (never sent to the client, never a secret). */
  detail?: string;
}

/** An access decision on an item (allow, deny, or filtered out of a list), with its explanation. */
export interface DecisionEvent extends TraceEventBase {
  type: 'policy.decision';
  subject: string;
  clientId?: string;
  groups: string[];
  method: string;
  decision: Decision;
}

export interface UpstreamStderrEvent extends TraceEventBase {
  type: 'upstream.stderr';
  upstream: string;
  line: string;
}

/**
 * One HTTP exchange of an OAuth handshake or an MCP request, as the gateway or the built-in IdP
 * saw it: the window draws the handshake sequence from these and opens each arrow on it. Headers
 * and bodies are redacted (tokens, codes, secrets, passwords shortened); JWTs are decoded.
 */
export interface HttpExchangeEvent {
  type: 'http.exchange';
  seq: number;
  time: number;
  /** The route the exchange was for, when known (the IdP knows it from the `resource`). */
  route?: string;
  session?: string;
  /** Who answered. */
  server: 'gateway' | 'idp';
  /** The handshake step this exchange is, in the spec's words. */
  step:
    | 'challenge'
    | 'resource-metadata'
    | 'authorization-server-metadata'
    | 'registration'
    | 'authorize'
    | 'login'
    | 'consent'
    | 'token'
    | 'jwks'
    | 'introspection'
    | 'revocation'
    | 'mcp'
    | 'other';
  /**
   * Groups the exchanges of one client: the OAuth client id once known, else the caller's
   * user agent and address (`ua:<user-agent>@<address>`).
   */
  connection: string;
  clientId?: string;
  /** The user agent header, as sent. */
  userAgent?: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  /** JSON-RPC method of an MCP exchange. */
  mcpMethod?: string;
  request: { headers: Record<string, string>; body?: string };
  response: { headers: Record<string, string>; body?: string };
  /** JWTs found in the exchange, decoded (never the signature). */
  jwts?: Array<{ where: string; token: string; header: Record<string, unknown>; claims: Record<string, unknown> }>;
  /** A failed step: why, in words, and the spec rule behind it. */
  failure?: { reason: string; spec?: { title: string; url: string } };
  /** The injected fault that shaped this exchange (see FaultSet in admin-api.ts). */
  fault?: string;
}

/** A step of the gateway's own OAuth client (secured upstreams, the window's test client). */
export interface OAuthClientStepEvent {
  type: 'oauth.client';
  seq: number;
  time: number;
  route?: string;
  session?: undefined;
  /** The upstream (or `test-client`) the flow is for. */
  upstream: string;
  step:
    | 'resource-metadata'
    | 'authorization-server-metadata'
    | 'registration'
    | 'authorize'
    | 'callback'
    | 'token'
    | 'refresh'
    | 'step-up'
    | 'revocation'
    | 'keychain';
  outcome: 'ok' | 'error';
  issuer?: string;
  resource?: string;
  /** Words for the window; never a secret. */
  detail?: string;
  /**
   * The upstream's 401 that starts (or restarts) a login, traced as an `authorize` error: how MCP
   * discovery begins, so the window draws it as an expected step, not a failure.
   */
  challenge?: true;
  /** Set by an upstream with `grant: client_credentials`: the gateway is the client itself, nobody logs in. */
  grant?: 'client_credentials';
}

export interface ConfigEvent {
  type: 'config.reloaded' | 'config.rejected';
  seq: number;
  time: number;
  route?: undefined;
  file?: string;
  problems?: string[];
}

export type TraceEvent =
  | RequestInEvent
  | UpstreamCallEvent
  | UpstreamResultEvent
  | NotificationRelayedEvent
  | ServerRequestRelayedEvent
  | UpstreamStateEvent
  | UpstreamStderrEvent
  | AuthTokenEvent
  | DecisionEvent
  | IdpStepEvent
  | HttpExchangeEvent
  | OAuthClientStepEvent
  | ConfigEvent;

/** What an emitter supplies; the bus stamps seq and time. */
export type TraceEventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 'time'> : never) : never;
