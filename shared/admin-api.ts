/**
 * The admin API: what the window (renderer) and the main process say to each other. The renderer
 * talks to main only through this HTTP API on loopback (never through Node or Electron), so the
 * same UI runs inside Electron and in a plain browser.
 *
 * Every request carries `Authorization: Bearer <token>` (a random per-launch token); requests
 * without it get 401, requests with an Origin other than the admin server's own get 403. The live
 * stream (`GET /api/events`) is Server-Sent Events read with fetch (so it carries the header too).
 * Routes are named by their path (`/ecommerce-mcp`) in query strings and bodies.
 *
 * Errors: any non-2xx answer has an `AdminError` body.
 */

import type { AuditEntry } from './audit.js';
import type { Decision, ItemKind, LintFinding } from './policy.js';
import type { TraceEvent } from './trace-events.js';

export const ADMIN_API_VERSION = 1;

/**
 * How the window learns where the admin API is and its token. Electron's preload exposes exactly
 * this object as `window.gatehouse`; in a browser the URL fragment carries it
 * (`http://127.0.0.1:PORT/#token=…`), which never reaches a server or a log.
 */
export interface AdminBootstrap {
  adminUrl: string;
  token: string;
}

export interface AdminError {
  error: string;
  /** What is wrong and how to fix it, in words. */
  message: string;
  /** Field-level problems (e.g. a config edit the schema refused). */
  problems?: string[];
}

// GET /api/overview
export interface Overview {
  version: string;
  /** e.g. http://127.0.0.1:8400 */
  gatewayUrl: string;
  listen: { host: string; port: number };
  adminUrl: string;
  /** The config file the gateway runs from; absent when it runs the built-in demo without one. */
  configPath?: string;
  demo: boolean;
  /** True inside the Electron shell, false in a browser. */
  desktop: boolean;
  /** `clients`: machine clients (client_credentials), personas of the catalog like the users. */
  idp?: { issuer: string; users: IdpUserSummary[]; clients: IdpClientSummary[] };
  dataDir: string;
}

/** A built-in IdP user as the window shows it (never the password). */
export interface IdpUserSummary {
  username: string;
  groups: string[];
  name?: string;
  email?: string;
  /**
   * True when the config keeps only a hash of the user's password (`password_hash`): the test
   * client cannot sign in as this user unless the password is typed in (`password` on
   * POST /api/test-client/sessions). Absent or false: the password is in the config.
   */
  passwordHashed?: boolean;
}

// GET /api/routes
export type UpstreamKind = 'http' | 'sse' | 'stdio' | 'rest' | 'openapi';
export type UpstreamHealth = 'connecting' | 'connected' | 'restarting' | 'auth_needed' | 'error' | 'closed';

export interface UpstreamSummary {
  name: string;
  kind: UpstreamKind;
  /** URL, base URL or command line. */
  target: string;
  state: UpstreamHealth;
  /** The reason, in words, when not connected. */
  detail?: string;
  /**
   * Secured upstreams: the gateway's own login there (issue #7). `issuer` once known (from the
   * stored tokens or auth.issuer); `expired`: tokens it holds but can no longer use. `machine`:
   * grant client_credentials — Gatehouse gets its own tokens whenever it needs one, nobody logs in.
   */
  login?: { issuer?: string; state: 'logged_in' | 'needed' | 'expired'; machine?: true };
}

// POST /api/upstream-login {route, upstream}  → UpstreamLoginStarted
//   Starts the gateway's own OAuth login at a secured upstream: the system browser opens, and the
//   answer comes at once. Progress arrives on the live stream: `oauth.client` trace events, then
//   the upstream's state turns `connected` and its login `logged_in`. A second call while the
//   browser is awaited answers with the same login.
// POST /api/upstream-logout {route, upstream}  → UpstreamLogoutResult
export interface UpstreamLoginRequest {
  /** The route path, e.g. /team-search. */
  route: string;
  upstream: string;
}

export type UpstreamLoginStarted =
  | {
      state: 'waiting_for_browser';
      /** Where the person logs in; the window offers it as a link. */
      authorizationUrl: string;
      /** False when no browser could be opened here: the link is the way in. */
      browserOpened: boolean;
      /** Why the browser could not be opened. */
      browserProblem?: string;
    }
  /** The login finished without a browser (rare: the authorization server approved at once). */
  | { state: 'logged_in' };

export interface UpstreamLogoutResult {
  /** False when there were no stored tokens to forget. */
  forgotten: boolean;
  /** What happened at the authorization server and the secret store, in words. */
  detail: string;
  upstream: UpstreamSummary;
}

export interface RouteTraffic {
  requests: number;
  errors: number;
  denied: number;
  /** Gateway-measured total latency of recent requests. */
  p50Ms?: number;
  p95Ms?: number;
  /** ms since the epoch. */
  lastAt?: number;
}

export type AuthMode = 'none' | 'jwt' | 'introspection';

export interface RouteSummary {
  path: string;
  url: string;
  description?: string;
  auth: {
    mode: AuthMode;
    issuer?: string;
    scopes: string[];
    /** The path-suffixed RFC 9728 metadata URL. */
    resourceMetadataUrl?: string;
  };
  upstreams: UpstreamSummary[];
  traffic: RouteTraffic;
  acl: boolean;
  faults: FaultSet;
}

// GET /api/client-configs?route=
/** `machine`: a script or CI job with a machine client of the built-in IdP (client_credentials). */
export type ClientKind = 'cursor' | 'claude-desktop' | 'vscode' | 'claude-code' | 'machine';

export interface ClientConfigSnippet {
  client: ClientKind;
  title: string;
  /** Where it goes, e.g. `.vscode/mcp.json` or `~/.cursor/mcp.json`. */
  file?: string;
  language: 'json' | 'shell';
  content: string;
  /** What that client needs to know about this route (static client id, CORS, …). */
  notes: string[];
}

// GET /api/catalog?route=&user=   or   POST /api/catalog {route, persona}
export type Persona = { user: string } | { claims: Record<string, unknown> };

export interface CatalogItem {
  kind: ItemKind;
  /** Tool/prompt name, resource URI or template. */
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  upstream?: string;
  visible: boolean;
  callable: boolean;
  /** Why it is listed or hidden, and callable or not (policy explanations). */
  list: Decision;
  call: Decision;
}

export interface CatalogView {
  route: string;
  persona: { subject: string; groups: string[] };
  /** False when the route has no ACL (everyone who may use the route sees everything). */
  enforced: boolean;
  items: CatalogItem[];
}

// GET /api/trace?after=SEQ&limit=N  → TraceEvent[] (oldest first)
// GET /api/events  → text/event-stream of AdminStreamMessage, one per `data:` line
export type AdminStreamMessage =
  | { kind: 'hello'; lastSeq: number }
  | { kind: 'trace'; event: TraceEvent }
  /** Sent when route health, traffic or faults change (throttled to a few per second). */
  | { kind: 'routes'; routes: RouteSummary[] };

// GET /api/decisions?route=&subject=&effect=&item=&limit=  → DecisionRecord[] (newest first)
export type DecisionRecord = AuditEntry;

// GET /api/acl-matrix?route=   PUT /api/acl-matrix {route, cells}
export interface AclMatrixCell {
  tool: string;
  group: string;
  /** The group may call (and so list) the tool. */
  allowed: boolean;
  /** The rule that decides it, when one does. */
  rule?: string;
}

export interface AclMatrix {
  route: string;
  groups: string[];
  tools: Array<{ name: string; description?: string }>;
  cells: AclMatrixCell[];
  /** False when the route's rules cannot be shown as a grid (CEL conditions, regexes…): why in words. */
  editable: boolean;
  whyNotEditable?: string;
  lint: LintFinding[];
  /** Where a save goes. */
  configPath?: string;
}

export interface AclMatrixUpdate {
  route: string;
  cells: Array<{ tool: string; group: string; allowed: boolean }>;
}

// PUT /api/faults {route, faults}  → RouteSummary
// POST /api/faults/tokens {route, action: 'expire' | 'revoke'}  → {affected: number}
/**
 * Faults a developer injects on a route to see how their client copes. Every exchange a fault
 * touched is marked in the trace (`fault` on http.exchange events). Also settable in the config
 * (route key `faults`).
 */
export interface FaultSet {
  /** 401 challenges leave out `resource_metadata` (Claude Desktop then stops). */
  drop_resource_metadata?: boolean;
  /** The path-suffixed PRM (/.well-known/oauth-protected-resource/<route>) answers 404. */
  hide_path_metadata?: boolean;
  /** Every tools/call demands this extra scope: 403 insufficient_scope (step-up). */
  require_scope?: string;
  /** Added delay before each upstream call, ms. */
  upstream_delay_ms?: number;
  /** Upstream calls fail as if the upstream died. */
  upstream_failure?: boolean;
}

// POST /api/doctor {route} | {url}  → DoctorReport   (also `gatehouse doctor URL`)
export type DoctorStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  title: string;
  status: DoctorStatus;
  /** What was found. */
  detail: string;
  /** What to change, when not passing. */
  fix?: string;
  spec?: { title: string; url: string };
  /** An IdP-specific note (Entra, Keycloak, Auth0, Okta, Cognito, GitHub) that applies. */
  quirk?: string;
}

export interface DoctorReport {
  target: string;
  /** The IdP product recognised from its metadata, when one was. */
  idp?: string;
  checks: DoctorCheck[];
  durationMs: number;
}

// Built-in test client: POST /api/test-client/sessions {route, user?, password?}  → TestClientSession
//   `password` signs in as `user` with it; needed for a user whose password the config keeps only
//   hashed (IdpUserSummary.passwordHashed), else the error `password_needed`. Kept in memory for the
//   session's sign-in only: never written anywhere, never returned, never in the trace.
//   POST /api/test-client/sessions/:id/step  → runs the next step
//   POST /api/test-client/sessions/:id/run   → runs every remaining step
//   POST /api/test-client/sessions/:id/call {tool, arguments}  → ToolCallOutcome
//   GET  /api/test-client/sessions/:id, DELETE /api/test-client/sessions/:id
export type TestClientStepName =
  | 'probe'
  | 'resource-metadata'
  | 'authorization-server-metadata'
  | 'registration'
  | 'authorize'
  | 'login'
  | 'token'
  | 'initialize'
  | 'list-tools';

export interface TestClientStep {
  name: TestClientStepName;
  status: 'pending' | 'ok' | 'error' | 'skipped';
  /** One line, e.g. "401 with resource_metadata=…/.well-known/oauth-protected-resource/ecommerce-mcp". */
  summary?: string;
  /** The request and answer of the step (tokens shortened), for the window to show. */
  detail?: Record<string, unknown>;
  error?: string;
  durationMs?: number;
}

export interface TestClientSession {
  id: string;
  route: string;
  /** The built-in IdP user it signs in as (or machine client it is); absent for an external IdP (browser login). */
  user?: string;
  /** `user` is a machine client: it gets its token with client_credentials, no one signs in. */
  machine?: true;
  state: 'new' | 'authorizing' | 'waiting_for_browser' | 'connected' | 'failed' | 'closed';
  steps: TestClientStep[];
  /** Open this in a browser for an external IdP's login (browser mode). */
  authorizationUrl?: string;
  tools?: Array<{ name: string; description?: string; inputSchema?: Record<string, unknown> }>;
}

export interface ToolCallOutcome {
  tool: string;
  ok: boolean;
  /** The MCP result (content, structuredContent, isError) or the JSON-RPC error. */
  result?: unknown;
  error?: { code: number; message: string };
  durationMs: number;
}

// GET /api/settings   PUT /api/settings (SettingsUpdate)  → {saved, restartNeeded}
/** A machine client of the built-in IdP (client_credentials), as the window shows it (never the secret). */
export interface IdpClientSummary {
  clientId: string;
  groups: string[];
  name?: string;
}

export interface Settings {
  listen: { host: string; port: number };
  adminPort: number;
  /** `clients` are read-only here: they are edited in the config file, where the secret stays a `${ENV}` reference. */
  idp?: { users: IdpUserSummary[]; clients: IdpClientSummary[] };
  configPath?: string;
  dataDir: string;
  /** Where secrets live: the OS keychain, or the opt-in encrypted file. */
  secretsBackend: 'keychain' | 'encrypted-file' | 'unavailable';
  secretsProblem?: string;
}

export interface SettingsUpdate {
  listen?: { port: number };
  idp?: { users: Array<IdpUserSummary & { password?: string }> };
}

// GET /api/keychain → KeychainEntry[];  POST /api/keychain/reveal {id} → {value};  DELETE /api/keychain?id=
export interface KeychainEntry {
  id: string;
  kind: 'tokens' | 'client';
  issuer: string;
  resource?: string;
  /** Shortened (head…tail), never the whole secret. */
  preview: string;
  expiresAt?: number;
}
