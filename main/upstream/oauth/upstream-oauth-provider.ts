/**
 * The MCP SDK's `OAuthClientProvider` for one secured upstream: the SDK's `auth()` runs
 * discovery, registration, PKCE, the token and refresh requests; this class decides what the
 * spec leaves to the client — refuse an authorization server without PKCE S256, pick the client
 * (configured → Client ID Metadata Document → dynamic registration → advice), check `state`,
 * keep credentials in the secret store under issuer and resource — and traces every step.
 * With `grant: client_credentials` it is a non-interactive provider (no redirect URL): the SDK
 * asks for tokens with the grant `prepareTokenRequest` gives (OAuth 2.1 §4.2, SEP-1046). Those
 * tokens stay in memory: a new one is one request away, and the secret store's slot for this
 * issuer and resource belongs to a person's login (another route may log in to the same upstream).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import {
  createPrivateKeyJwtAuth,
  selectClientAuthMethod,
  type AuthorizationServerMetadata,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';

import type { UpstreamOAuthConfig } from '../../config/schema.js';
import { shorten } from '../../trace/redact.js';
import type { BrowserStep } from './browser-step.js';
import { clientSecretBasic } from './client-secret-basic.js';
import { tokenSet, type CredentialVault, type TokenSet } from './credential-vault.js';
import { AuthorizationNeeded, OAuthClientError } from './oauth-client-error.js';
import type { OAuthTrace } from './oauth-trace.js';
import { registrationAdvice } from './registration-advice.js';

type AddClientAuthentication = NonNullable<OAuthClientProvider['addClientAuthentication']>;

export interface UpstreamOAuthProviderOptions {
  upstream: string;
  /** `route/upstream`, for messages. */
  target: string;
  /** The upstream's MCP URL: the resource the credentials are keyed by. */
  serverUrl: string;
  config: UpstreamOAuthConfig;
  /** Folder of the config file, for a relative private_key_file. */
  baseDir: string;
  vault: CredentialVault;
  trace: OAuthTrace;
  /** Check that client_metadata_url serves a document naming itself before using it. Default true. */
  verifyClientMetadataUrl?: boolean;
}

const DEFAULT_REDIRECT = 'http://127.0.0.1/callback';

/** An `error` value from a redirect anyone can forge: only a short token of safe characters is repeated. */
function safeErrorCode(value: string): string {
  return /^[\w.-]{1,64}$/.test(value) ? value : 'an unrecognised error';
}

export class UpstreamOAuthProvider implements OAuthClientProvider {
  /** Set by the authorizer for one authorization attempt; absent means no person can log in now. */
  browser?: BrowserStep;
  /** Why a login is needed, if one is asked for while no browser is available. */
  needReason = 'no stored tokens';

  private issuer?: string;
  private cachedTokens?: TokenSet;
  private cachedClient?: StoredOAuthClientInformation;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;
  private expectedState?: string;
  private redirect?: string;
  private callback?: { code: string; iss?: string };
  private exchangingCode = false;
  private cimdUsable = false;
  private readonly options: UpstreamOAuthProviderOptions;
  readonly addClientAuthentication?: AddClientAuthentication;
  readonly validateResourceURL?: OAuthClientProvider['validateResourceURL'];

  constructor(options: UpstreamOAuthProviderOptions) {
    this.options = options;
    if (options.config.token_endpoint_auth_method === 'private_key_jwt') this.addClientAuthentication = this.privateKeyJwt();
    else if (options.config.client_id && options.config.client_secret) this.addClientAuthentication = this.clientSecret(options.config.client_id, options.config.client_secret);
    // Entra v2 rejects RFC 8707 `resource`: leaving the indicator out is the only way through there.
    if (!options.config.resource_parameter) this.validateResourceURL = () => Promise.resolve(undefined);
  }

  /** The issuer whose tokens are in use, once known. */
  get currentIssuer(): string | undefined {
    return this.issuer;
  }

  get currentTokens(): TokenSet | undefined {
    return this.cachedTokens;
  }

  /** Loads stored tokens without any network: picks the configured issuer, else the one that has tokens. */
  async load(): Promise<TokenSet | undefined> {
    if (this.machineClient) return this.cachedTokens;
    const issuers = await this.options.vault.issuersWithTokens(this.options.serverUrl);
    const issuer = this.options.config.issuer && issuers.includes(this.options.config.issuer) ? this.options.config.issuer : issuers[0];
    if (!issuer) {
      this.cachedTokens = undefined;
      return undefined;
    }
    this.issuer = issuer;
    this.cachedTokens = await this.options.vault.tokens(issuer, this.options.serverUrl);
    return this.cachedTokens;
  }

  /** Called by the authorizer before `auth()` when a person may be sent to the browser. */
  useRedirectUri(uri: string | undefined): void {
    this.redirect = uri;
  }

  /** The code and iss the last browser visit brought back, once. */
  takeCallback(): { code: string; iss?: string } | undefined {
    const callback = this.callback;
    this.callback = undefined;
    this.exchangingCode = callback !== undefined;
    return callback;
  }

  /** Undefined for client_credentials: that is how the SDK's `auth()` knows no browser is involved. */
  get redirectUrl(): string | undefined {
    if (this.machineClient) return undefined;
    return this.redirect ?? DEFAULT_REDIRECT;
  }

  /** Gatehouse is the client itself (client_credentials), not a person's agent. */
  get machineClient(): boolean {
    return this.options.config.grant === 'client_credentials';
  }

  /** The client_credentials token request (OAuth 2.1 §4.2); undefined leaves the SDK its code exchange. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (!this.machineClient) return undefined;
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) params.set('scope', scope);
    return params;
  }

  get clientMetadataUrl(): string | undefined {
    return this.cimdUsable ? this.options.config.client_metadata_url : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    if (this.machineClient) return { client_name: 'Gatehouse', software_id: 'gatehouse', redirect_uris: [], grant_types: ['client_credentials'] };
    return {
      client_name: 'Gatehouse',
      software_id: 'gatehouse',
      redirect_uris: [this.redirectUrl ?? DEFAULT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A desktop app cannot keep a secret (RFC 8252 §8.5): dynamically registered, it is a public client.
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    this.expectedState = randomBytes(24).toString('base64url');
    return this.expectedState;
  }

  async clientInformation(ctx?: { issuer: string }): Promise<StoredOAuthClientInformation | undefined> {
    const { config } = this.options;
    if (config.client_id) {
      return {
        client_id: config.client_id,
        ...(config.client_secret ? { client_secret: config.client_secret } : {}),
        ...(config.token_endpoint_auth_method && config.token_endpoint_auth_method !== 'private_key_jwt' ? { token_endpoint_auth_method: config.token_endpoint_auth_method } : {}),
        ...(config.issuer ? { issuer: config.issuer } : {}),
      };
    }
    if (!ctx) return this.cachedClient;
    if (this.cachedClient?.issuer !== ctx.issuer) this.cachedClient = await this.options.vault.client(ctx.issuer, this.options.serverUrl);
    return this.cachedClient;
  }

  async saveClientInformation(info: StoredOAuthClientInformation, ctx?: { issuer: string }): Promise<void> {
    const issuer = ctx?.issuer ?? info.issuer;
    if (info.client_id === this.options.config.client_id || !issuer) return;
    const isCimd = info.client_id === this.options.config.client_metadata_url;
    const known = this.cachedClient?.client_id === info.client_id;
    this.cachedClient = info;
    await this.options.vault.saveClient(issuer, this.options.serverUrl, info);
    if (!known) {
      this.options.trace.ok(
        'registration',
        isCimd ? `client_id is the Client ID Metadata Document ${info.client_id} (no registration request)` : `registered by dynamic client registration (RFC 7591) as ${info.client_id}; kept in the ${this.options.vault.store.backend}`,
        { issuer, resource: this.options.serverUrl },
      );
    }
  }

  tokens(ctx?: { issuer: string }): StoredOAuthTokens | undefined | Promise<StoredOAuthTokens | undefined> {
    if (!ctx || ctx.issuer === this.issuer) return this.cachedTokens;
    // A machine client's tokens are in memory only, for the issuer it got them from.
    if (this.machineClient) return undefined;
    return this.options.vault.tokens(ctx.issuer, this.options.serverUrl).then((tokens) => {
      this.issuer = ctx.issuer;
      this.cachedTokens = tokens;
      return tokens;
    });
  }

  async saveTokens(tokens: StoredOAuthTokens, ctx?: { issuer: string }): Promise<void> {
    const issuer = ctx?.issuer ?? tokens.issuer ?? this.issuer;
    if (!issuer) throw new Error('tokens arrived before the authorization server was known');
    const step = this.exchangingCode || this.machineClient ? 'token' : 'refresh';
    const previous = this.issuer === issuer ? this.cachedTokens : undefined;
    this.exchangingCode = false;
    this.issuer = issuer;
    this.cachedTokens = this.machineClient ? tokenSet(tokens) : await this.options.vault.saveTokens(issuer, this.options.serverUrl, tokens);
    const rotated = step === 'refresh' && previous?.refresh_token && tokens.refresh_token && previous.refresh_token !== tokens.refresh_token;
    this.options.trace.ok(
      step,
      `access token ${shorten(tokens.access_token)}${tokens.expires_in ? `, expires in ${tokens.expires_in} s` : ''}${tokens.scope ? `, scope "${tokens.scope}"` : ''}${tokens.refresh_token ? (rotated ? ', refresh token rotated' : ', with a refresh token') : ''}; ${this.machineClient ? 'kept in memory (client_credentials: the next one is one request away)' : `saved in the ${this.options.vault.store.backend}`}`,
      { issuer, resource: this.options.serverUrl },
    );
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const where = { issuer: this.issuer, resource: this.options.serverUrl };
    const params = authorizationUrl.searchParams;
    const detail = `${authorizationUrl.origin}${authorizationUrl.pathname} client_id=${params.get('client_id')} scope="${params.get('scope') ?? ''}" resource=${params.get('resource') ?? '(none)'} PKCE ${params.get('code_challenge_method')}`;
    if (!this.browser) {
      this.options.trace.error('authorize', `${this.needReason}; no one can log in from here — waiting for gatehouse login ${this.options.target}`, where);
      throw new AuthorizationNeeded(this.options.upstream, this.options.target, this.needReason);
    }
    this.options.trace.ok('authorize', detail, where);
    const answer = await this.browser.visit(authorizationUrl);
    const error = answer.get('error');
    if (error) {
      this.options.trace.error('callback', `the authorization server answered ${safeErrorCode(error)}`, where);
      throw new OAuthClientError('authorization_denied', `the login for ${this.options.target} was not completed: the authorization server answered ${safeErrorCode(error)} — run the login again and approve the request`);
    }
    if (!this.expectedState || answer.get('state') !== this.expectedState) {
      this.options.trace.error('callback', 'state does not match the request: callback ignored (possible CSRF)', where);
      throw new OAuthClientError('state_mismatch', `the login redirect for ${this.options.target} carried a state that Gatehouse did not send — it was ignored; run the login again`);
    }
    const code = answer.get('code');
    if (!code) throw new OAuthClientError('authorization_denied', `the login redirect for ${this.options.target} carried no code — run the login again`);
    this.expectedState = undefined;
    this.callback = { code, iss: answer.get('iss') ?? undefined };
    this.options.trace.ok('callback', `code ${shorten(code)} received, state checked${answer.has('iss') ? ', iss present' : ''}`, where);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier for this login: start the login again');
    return this.verifier;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    const resource = this.options.serverUrl;
    const prm = state.resourceMetadata;
    if (prm) {
      this.options.trace.ok('resource-metadata', `${state.resourceMetadataUrl ?? 'well-known URI'}: resource ${prm.resource}, authorization servers ${(prm.authorization_servers ?? []).join(', ')}${prm.scopes_supported ? `, scopes ${prm.scopes_supported.join(' ')}` : ''}`, { resource });
    } else {
      this.options.trace.error('resource-metadata', `no Protected Resource Metadata (RFC 9728) found; trying ${state.authorizationServerUrl} as the authorization server`, { resource });
    }
    const metadata = state.authorizationServerMetadata;
    const issuer = metadata?.issuer ?? state.authorizationServerUrl;
    await this.checkAuthorizationServer(issuer, metadata);
    this.discovery = state;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const { vault, serverUrl } = this.options;
    if (this.machineClient) {
      // Nothing stored, and the client is the configured one: only the token in memory goes.
      if (scope === 'all' || scope === 'tokens') this.cachedTokens = undefined;
      if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
      return;
    }
    if ((scope === 'all' || scope === 'tokens') && this.issuer) {
      await vault.deleteTokens(this.issuer, serverUrl);
      this.cachedTokens = undefined;
      this.options.trace.error('keychain', 'the authorization server rejected the stored tokens; removed them', { issuer: this.issuer, resource: serverUrl });
    }
    if ((scope === 'all' || scope === 'client') && this.issuer && !this.options.config.client_id) {
      await vault.deleteClient(this.issuer, serverUrl);
      this.cachedClient = undefined;
    }
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  private async checkAuthorizationServer(issuer: string, metadata: AuthorizationServerMetadata | undefined): Promise<void> {
    const { config, target, trace, serverUrl } = this.options;
    const where = { issuer, resource: serverUrl };
    if (config.issuer && config.issuer !== issuer) {
      trace.error('authorization-server-metadata', `issuer ${issuer} is not the configured ${config.issuer}`, where);
      throw new OAuthClientError('issuer_not_allowed', `upstream ${target} names authorization server ${issuer}, but its config allows only ${config.issuer} — fix auth.issuer if the upstream moved, otherwise do not log in`);
    }
    if (this.machineClient) {
      this.checkClientCredentialsGrant(issuer, metadata);
      return;
    }
    const methods = metadata?.code_challenge_methods_supported;
    if (!methods?.includes('S256')) {
      const found = metadata ? (methods ? `code_challenge_methods_supported is [${methods.join(', ')}]` : 'its metadata has no code_challenge_methods_supported') : 'it publishes no authorization server metadata (RFC 8414 or OpenID discovery)';
      trace.error('authorization-server-metadata', `refused: PKCE S256 not advertised (${found})`, where);
      throw new OAuthClientError(
        'pkce_unsupported',
        `authorization server ${issuer} of upstream ${target} does not advertise PKCE S256 (${found}); the MCP authorization spec forbids going on without it — ask its administrator to enable PKCE with S256 and publish it in the metadata`,
      );
    }
    const cimdSupported = metadata?.client_id_metadata_document_supported === true;
    let registration = 'configured client';
    if (!config.client_id) {
      this.cimdUsable = cimdSupported && config.client_metadata_url !== undefined && (await this.clientMetadataDocumentServed(config.client_metadata_url, where));
      const stored = await this.options.vault.client(issuer, serverUrl);
      registration = stored ? `stored client ${stored.client_id}` : this.cimdUsable ? 'Client ID Metadata Document' : metadata?.registration_endpoint ? 'dynamic client registration' : 'none available';
      if (!stored && !this.cimdUsable && !metadata?.registration_endpoint) {
        trace.error('registration', 'no configured client, no usable Client ID Metadata Document, no registration endpoint', where);
        throw new OAuthClientError('registration_unavailable', registrationAdvice(issuer, target, cimdSupported));
      }
    }
    trace.ok(
      'authorization-server-metadata',
      `issuer ${issuer}: PKCE S256, client: ${registration}${metadata?.authorization_response_iss_parameter_supported ? ', iss on the authorization response (RFC 9207) checked' : ''}`,
      where,
    );
  }

  /** No PKCE, no registration: the grant must be offered (when the metadata lists grants at all). */
  private checkClientCredentialsGrant(issuer: string, metadata: AuthorizationServerMetadata | undefined): void {
    const { trace, target, serverUrl, config } = this.options;
    const where = { issuer, resource: serverUrl };
    const grants = metadata?.grant_types_supported;
    if (grants && !grants.includes('client_credentials')) {
      trace.error('authorization-server-metadata', `refused: grant_types_supported is [${grants.join(', ')}], without client_credentials`, where);
      throw new OAuthClientError(
        'grant_unsupported',
        `authorization server ${issuer} of upstream ${target} does not offer the client_credentials grant (grant_types_supported: ${grants.join(', ')}) — enable it for client ${config.client_id}, or log in as a person (remove grant: client_credentials)`,
      );
    }
    trace.ok('authorization-server-metadata', `issuer ${issuer}: client_credentials grant as ${config.client_id} (${config.token_endpoint_auth_method ?? 'client_secret_basic'})`, where);
  }

  private async clientMetadataDocumentServed(url: string, where: { issuer: string; resource: string }): Promise<boolean> {
    if (this.options.verifyClientMetadataUrl === false) return true;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
      const document = response.ok ? ((await response.json()) as { client_id?: unknown }) : undefined;
      if (document?.client_id === url) return true;
      this.options.trace.error('registration', `client_metadata_url ${url} ${response.ok ? 'serves a document whose client_id is not its own URL' : `answered ${response.status}`}; not used`, where);
    } catch (error) {
      this.options.trace.error('registration', `client_metadata_url ${url} is not reachable (${error instanceof Error ? error.message : String(error)}); not used`, where);
    }
    return false;
  }

  /**
   * A configured secret, by the method the SDK would pick (configured, else what the server
   * supports). For Basic, id and secret are form-encoded first (RFC 6749 §2.3.1): the SDK sends
   * them raw, and servers that decode (oidc-provider, Keycloak) then refuse a secret with + or %.
   */
  private clientSecret(clientId: string, clientSecret: string): AddClientAuthentication {
    const method = this.options.config.token_endpoint_auth_method;
    const client = { client_id: clientId, client_secret: clientSecret, ...(method ? { token_endpoint_auth_method: method } : {}) };
    return (headers, params, _url, metadata) => {
      const chosen = selectClientAuthMethod(client, metadata?.token_endpoint_auth_methods_supported ?? []);
      if (chosen === 'client_secret_basic') {
        headers.set('authorization', clientSecretBasic(clientId, clientSecret));
        return;
      }
      params.set('client_id', clientId);
      if (chosen === 'client_secret_post') params.set('client_secret', clientSecret);
    };
  }

  private privateKeyJwt(): AddClientAuthentication {
    const { config, baseDir, target } = this.options;
    let signer: Promise<AddClientAuthentication> | undefined;
    const load = async (): Promise<AddClientAuthentication> => {
      let key: string | Record<string, unknown>;
      if (config.private_key_jwk) key = config.private_key_jwk;
      else {
        const file = path.resolve(baseDir, config.private_key_file!);
        const text = await readFile(file, 'utf8').catch((error: unknown) => {
          throw new OAuthClientError('bad_client_key', `cannot read private_key_file ${file} of upstream ${target}: ${error instanceof Error ? error.message : String(error)}`);
        });
        key = text.trimStart().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text;
      }
      return createPrivateKeyJwtAuth({ issuer: config.client_id!, subject: config.client_id!, privateKey: key, alg: config.signing_algorithm });
    };
    return async (headers, params, url, metadata) => {
      signer ??= load();
      const sign = await signer;
      params.set('client_id', config.client_id!);
      await sign(headers, params, url, metadata);
    };
  }
}
