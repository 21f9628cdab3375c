/**
 * The OAuth part of the test client's guided flow, one method per step, in the order the MCP
 * authorization spec walks it (https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization):
 * probe → Protected Resource Metadata (RFC 9728) → authorization server metadata (RFC 8414 /
 * OIDC discovery) → dynamic client registration (RFC 7591) → authorization request with PKCE S256,
 * state and resource (RFC 7636, RFC 8707) → the authorization response (state and RFC 9207 `iss`
 * checked) → token request. The wire work is the MCP SDK's own auth functions; this file keeps
 * what each step learned and says it in words. A step that cannot go on throws `StepFailure`.
 */
import { randomBytes } from 'node:crypto';

import {
  buildDiscoveryUrls,
  checkResourceAllowed,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  exchangeAuthorization,
  extractWWWAuthenticateParams,
  LATEST_PROTOCOL_VERSION,
  registerClient,
  resolveClientMetadata,
  startAuthorization,
  validateAuthorizationResponseIssuer,
  type AuthorizationServerMetadata,
  type FetchLike,
  type OAuthClientInformationFull,
  type OAuthProtectedResourceMetadata,
  type OAuthTokens,
} from '@modelcontextprotocol/client';

import { shorten } from '../trace/redact.js';
import { clientSecretBasic } from '../upstream/oauth/client-secret-basic.js';
import type { LoopbackRedirect } from '../upstream/oauth/loopback-redirect.js';
import { redactUrl, redactValue, type DecodedJwt } from './test-client-exchange.js';

/** A step that cannot go on: `message` says what is wrong and how to fix it. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
}

export interface StepOutcome {
  summary: string;
  detail?: Record<string, unknown>;
}

const CLIENT_NAME = 'Gatehouse test client';

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Everything the flow has learned so far; each step reads what the earlier ones left. */
export class OAuthFlow {
  authRequired = false;
  challenge: { resourceMetadataUrl?: URL; scope?: string } = {};
  resourceMetadata?: OAuthProtectedResourceMetadata;
  authorizationServerUrl?: string;
  serverMetadata?: AuthorizationServerMetadata;
  clientInformation?: OAuthClientInformationFull;
  callback?: LoopbackRedirect;
  authorization?: { url: URL; codeVerifier: string; state: string; scope?: string; resource?: string };
  response?: { code: string; iss?: string };
  tokens?: OAuthTokens;

  constructor(
    readonly serverUrl: string,
    private readonly fetchFn: FetchLike,
    private readonly openCallback: () => Promise<LoopbackRedirect>,
  ) {}

  /** POST initialize without a token: a protected route answers 401 with its challenge. */
  async probe(): Promise<StepOutcome> {
    let response: Response;
    try {
      response = await this.fetchFn(this.serverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'gatehouse-test-client', version: '1.0.0' } },
        }),
      });
    } catch (error) {
      throw new StepFailure(`cannot reach ${this.serverUrl} (${reason(error)}) — is the gateway running? Check the route URL on the Routes screen`);
    }
    await response.body?.cancel();
    if (response.ok) {
      // The probe opened a real MCP session: end it, the initialize step opens its own.
      const session = response.headers.get('mcp-session-id');
      if (session) await this.fetchFn(this.serverUrl, { method: 'DELETE', headers: { 'mcp-session-id': session } }).then((r) => r.body?.cancel(), () => undefined);
      return { summary: `${response.status} without a token: the route needs no auth, so the OAuth steps are skipped` };
    }
    if (response.status !== 401) {
      throw new StepFailure(`the route answered ${response.status} to an initialize without a token; a protected MCP route must answer 401 with a WWW-Authenticate challenge (RFC 9728 §5.1) — check the route's auth settings`);
    }
    this.authRequired = true;
    const params = extractWWWAuthenticateParams(response);
    this.challenge = { ...(params.resourceMetadataUrl ? { resourceMetadataUrl: params.resourceMetadataUrl } : {}), ...(params.scope ? { scope: params.scope } : {}) };
    const detail = { wwwAuthenticate: response.headers.get('www-authenticate'), resourceMetadata: params.resourceMetadataUrl?.href, scope: params.scope };
    if (!params.resourceMetadataUrl) {
      return { summary: '401 without resource_metadata: falling back to the well-known URL (clients such as Claude Desktop stop here)', detail };
    }
    return { summary: `401 with resource_metadata=${params.resourceMetadataUrl.href}${params.scope ? `, scope="${params.scope}"` : ''}`, detail };
  }

  async fetchResourceMetadata(): Promise<StepOutcome> {
    let metadata: OAuthProtectedResourceMetadata;
    try {
      metadata = await discoverOAuthProtectedResourceMetadata(this.serverUrl, this.challenge.resourceMetadataUrl ? { resourceMetadataUrl: this.challenge.resourceMetadataUrl } : {}, this.fetchFn);
    } catch (error) {
      throw new StepFailure(`no usable Protected Resource Metadata for ${this.serverUrl}: ${reason(error)} — the route must serve it at /.well-known/oauth-protected-resource${new URL(this.serverUrl).pathname} (RFC 9728 §3)`);
    }
    this.resourceMetadata = metadata;
    const server = metadata.authorization_servers?.[0];
    if (!server) throw new StepFailure('the Protected Resource Metadata lists no authorization_servers (RFC 9728 §2) — set the route\'s auth.issuer');
    if (!checkResourceAllowed({ requestedResource: this.serverUrl, configuredResource: metadata.resource })) {
      throw new StepFailure(`the metadata's resource ${metadata.resource} does not cover ${this.serverUrl} (RFC 9728 §3.3: they must match) — fix the route's resource URL`);
    }
    this.authorizationServerUrl = server;
    const scopes = metadata.scopes_supported?.join(' ');
    return { summary: `resource ${metadata.resource} · authorization server ${server}${scopes ? ` · scopes ${scopes}` : ''}`, detail: { metadata } };
  }

  async fetchServerMetadata(): Promise<StepOutcome> {
    const issuer = this.authorizationServerUrl!;
    let metadata: AuthorizationServerMetadata | undefined;
    try {
      metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn: this.fetchFn });
    } catch (error) {
      throw new StepFailure(`the authorization server metadata of ${issuer} is unusable: ${reason(error)} — its issuer must be exactly ${issuer} (RFC 8414 §3.3)`);
    }
    if (!metadata) {
      const tried = buildDiscoveryUrls(issuer).map(({ url }) => url.href);
      throw new StepFailure(`no authorization server metadata at ${tried.join(', ')} — is ${issuer} the right issuer, and is the identity provider running?`);
    }
    this.serverMetadata = metadata;
    if (!metadata.code_challenge_methods_supported?.includes('S256')) {
      throw new StepFailure(`${issuer} does not advertise PKCE S256 (code_challenge_methods_supported), which MCP clients require — enable PKCE S256 on the identity provider`);
    }
    const registration = metadata.registration_endpoint ? `registration at ${metadata.registration_endpoint}` : 'no registration endpoint';
    return { summary: `issuer ${metadata.issuer} · PKCE S256 · ${registration}`, detail: { metadata } };
  }

  async register(): Promise<StepOutcome> {
    const metadata = this.serverMetadata!;
    if (!metadata.registration_endpoint) {
      throw new StepFailure(`${metadata.issuer} has no registration endpoint (RFC 7591 dynamic client registration), so the test client cannot get a client id — turn on dynamic registration at the identity provider`);
    }
    this.callback = await this.openCallback();
    const clientMetadata = resolveClientMetadata({
      redirectUrl: this.callback.redirectUri,
      clientMetadata: { client_name: CLIENT_NAME, redirect_uris: [this.callback.redirectUri], token_endpoint_auth_method: 'none', software_id: 'gatehouse-test-client', software_version: '1' },
    });
    try {
      this.clientInformation = await registerClient(this.authorizationServerUrl!, { metadata, clientMetadata, fetchFn: this.fetchFn });
    } catch (error) {
      throw new StepFailure(`${metadata.issuer} refused the registration: ${reason(error)} — check that it allows public clients with loopback redirect URIs (RFC 8252 §7.3)`);
    }
    return {
      summary: `registered client ${this.clientInformation.client_id} (public client, redirect ${this.callback.redirectUri})`,
      detail: { client: redactValue(this.clientInformation, 'client', []) },
    };
  }

  async buildAuthorizationUrl(): Promise<StepOutcome> {
    const metadata = this.serverMetadata!;
    const scope = this.challenge.scope ?? this.resourceMetadata?.scopes_supported?.join(' ');
    // The metadata's resource string verbatim: a URL object would add a trailing slash (SDK #1968).
    const resource = this.resourceMetadata?.resource;
    const state = randomBytes(16).toString('base64url');
    let started: { authorizationUrl: URL; codeVerifier: string };
    try {
      started = await startAuthorization(this.authorizationServerUrl!, {
        metadata,
        clientInformation: this.clientInformation!,
        redirectUrl: this.callback!.redirectUri,
        state,
        ...(scope ? { scope } : {}),
        ...(resource ? { resource } : {}),
      });
    } catch (error) {
      throw new StepFailure(`cannot build the authorization request: ${reason(error)}`);
    }
    this.authorization = { url: started.authorizationUrl, codeVerifier: started.codeVerifier, state, ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) };
    this.callback!.expectState(state);
    const params = Object.fromEntries(started.authorizationUrl.searchParams);
    return {
      summary: `${metadata.authorization_endpoint} with PKCE S256${scope ? `, scope ${scope}` : ''}${resource ? `, resource ${resource}` : ''}`,
      detail: { authorizationUrl: started.authorizationUrl.href, params, codeVerifier: shorten(started.codeVerifier) },
    };
  }

  /** Checks the authorization response that came back to the redirect URI and keeps its code. */
  acceptAuthorizationResponse(params: URLSearchParams): StepOutcome {
    const metadata = this.serverMetadata!;
    const shown = redactUrl(`${this.callback!.redirectUri}?${params}`);
    const error = params.get('error');
    if (error) {
      const description = params.get('error_description');
      throw new StepFailure(`the identity provider answered ${error}${description ? ` (${description})` : ''} — ${error === 'access_denied' ? 'sign in again and approve the consent page' : 'see the identity provider\'s trace for why'}`);
    }
    if (params.get('state') !== this.authorization!.state) {
      throw new StepFailure('the state on the authorization response does not match the request (RFC 6749 §10.12: a stale browser tab or a forged redirect) — start a new session');
    }
    const iss = params.get('iss') ?? undefined;
    try {
      validateAuthorizationResponseIssuer({ iss, expectedIssuer: metadata.issuer, issParameterSupported: metadata.authorization_response_iss_parameter_supported === true });
    } catch (failure) {
      throw new StepFailure(`the authorization response's iss ${iss ?? '(missing)'} is not ${metadata.issuer} (RFC 9207 §2.4: mix-up defence) — ${reason(failure)}`);
    }
    const code = params.get('code');
    if (!code) throw new StepFailure('the authorization response has neither a code nor an error (RFC 6749 §4.1.2) — the identity provider is misbehaving');
    this.response = { code, ...(iss ? { iss } : {}) };
    return { summary: `code ${shorten(code)} received, state matches${iss ? `, iss ${iss} matches` : ''}`, detail: { redirect: shown } };
  }

  /**
   * A machine client's token request (OAuth 2.1 §4.2, SEP-1046): no registration, no browser.
   * Its id and secret go form-encoded into HTTP Basic (RFC 6749 §2.3.1).
   */
  async clientCredentials(clientId: string, clientSecret: string): Promise<StepOutcome> {
    const metadata = this.serverMetadata!;
    const scope = this.challenge.scope ?? this.resourceMetadata?.scopes_supported?.join(' ');
    const resource = this.resourceMetadata?.resource;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(resource ? { resource } : {}), ...(scope ? { scope } : {}) });
    let response: Response;
    try {
      response = await this.fetchFn(metadata.token_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: clientSecretBasic(clientId, clientSecret),
        },
        body: form,
      });
    } catch (error) {
      throw new StepFailure(`the token endpoint ${metadata.token_endpoint} cannot be reached: ${reason(error)}`);
    }
    const answer = (await response.json().catch(() => ({}))) as Partial<OAuthTokens> & { error?: string; error_description?: string };
    if (!response.ok || typeof answer.access_token !== 'string') {
      // The test client reads the secret from the config the IdP runs: a refusal is the IdP's to explain.
      const fix = answer.error === 'invalid_client' ? `the IdP does not know ${clientId} with this secret — was the config changed since the IdP started? Restart Gatehouse; otherwise see the identity provider's trace` : "see the identity provider's trace for why";
      throw new StepFailure(`the identity provider refused client_credentials for ${clientId}: ${answer.error ?? `HTTP ${response.status}`}${answer.error_description ? ` (${answer.error_description})` : ''} — ${fix}`);
    }
    this.tokens = answer as OAuthTokens;
    this.clientInformation = { client_id: clientId, redirect_uris: [] };
    return this.describeTokens(resource);
  }

  async exchangeCode(): Promise<StepOutcome> {
    const { codeVerifier, resource } = this.authorization!;
    try {
      this.tokens = await exchangeAuthorization(this.authorizationServerUrl!, {
        metadata: this.serverMetadata!,
        clientInformation: this.clientInformation!,
        authorizationCode: this.response!.code,
        codeVerifier,
        redirectUri: this.callback!.redirectUri,
        fetchFn: this.fetchFn,
        ...(this.response!.iss ? { iss: this.response!.iss } : {}),
        ...(resource ? { resource } : {}),
      });
    } catch (error) {
      throw new StepFailure(`the token request failed: ${reason(error)} — an expired or reused code needs a new sign-in: start a new session`);
    }
    return this.describeTokens(resource);
  }

  /** The tokens in words, with their JWTs decoded and the audience checked against the resource. */
  private describeTokens(resource: string | undefined): StepOutcome {
    const tokens = this.tokens!;
    const jwts: DecodedJwt[] = [];
    const shown = redactValue(tokens, 'tokens', jwts);
    const access = jwts.find((jwt) => jwt.where === 'tokens.access_token');
    const warnings: string[] = [];
    if (access && resource) {
      const aud = access.claims.aud;
      const audiences = Array.isArray(aud) ? aud : [aud];
      if (!audiences.includes(resource)) warnings.push(`the access token's aud ${JSON.stringify(aud)} does not name the resource ${resource} (RFC 8707): the gateway will refuse it unless relaxed audience validation is on`);
    }
    const kind = access ? 'JWT' : 'opaque (checked by introspection)';
    const scope = tokens.scope ?? (typeof access?.claims.scope === 'string' ? access.claims.scope : undefined);
    const expiry = tokens.expires_in ? `, expires in ${tokens.expires_in} s` : '';
    return {
      summary: `${kind} access token ${shorten(tokens.access_token)}${scope ? ` with scope ${scope}` : ''}${expiry}${tokens.refresh_token ? ', refresh token' : ''}`,
      detail: { tokens: shown, jwts, ...(warnings.length ? { warnings } : {}) },
    };
  }
}
