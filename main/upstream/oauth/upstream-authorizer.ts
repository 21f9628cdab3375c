/**
 * One secured upstream's authorization, shared by every connection the gateway opens to it: the
 * bearer token on each request, refresh shortly before expiry (one refresh at a time — refresh
 * tokens rotate, and a reused one revokes the grant), re-authorization once on 401, and step-up
 * on 403 insufficient_scope with the union of scopes up to a limit. Implemented as a fetch
 * around the SDK transports, so Streamable HTTP and SSE, POST and GET, behave the same.
 * A client_credentials upstream needs nobody: a missing or expiring token is simply fetched again.
 */
import { OAuthError, auth, computeScopeUnion, extractWWWAuthenticateParams, isStrictScopeSuperset, type FetchLike } from '@modelcontextprotocol/client';

import type { UpstreamOAuthConfig } from '../../config/schema.js';
import type { BrowserStep } from './browser-step.js';
import type { TokenSet } from './credential-vault.js';
import { AuthorizationNeeded, OAuthClientError, authorizationNeededIn } from './oauth-client-error.js';
import type { OAuthTrace } from './oauth-trace.js';
import type { UpstreamOAuthProvider } from './upstream-oauth-provider.js';

export interface UpstreamAuthorizerOptions {
  upstream: string;
  /** `route/upstream`, what `gatehouse login` takes. */
  target: string;
  serverUrl: string;
  config: UpstreamOAuthConfig;
  provider: UpstreamOAuthProvider;
  trace: OAuthTrace;
  /** How a person logs in, when one can (gatehouse login, the window); absent in the gateway, which reports auth_needed instead. */
  browser?: () => BrowserStep;
  /** Refresh this long before the access token expires (at most half its lifetime). Default 60 s. */
  refreshSkewMs?: number;
  /** The fetch the OAuth requests (discovery, registration, token) go through. */
  fetchFn?: FetchLike;
}

interface AuthorizeRequest {
  scope?: string;
  resourceMetadataUrl?: URL;
  force?: boolean;
  /** Why a login is needed, for the message when no person can log in now. */
  reason: string;
}

export class UpstreamAuthorizer {
  private flight?: Promise<void>;
  private loaded?: Promise<unknown>;
  /** Every scope asked for so far (challenges, step-ups, config): step-up never loses one. */
  private requestedScope?: string;
  private resourceMetadataUrl?: URL;

  constructor(readonly options: UpstreamAuthorizerOptions) {}

  get tokens(): TokenSet | undefined {
    return this.options.provider.currentTokens;
  }

  get issuer(): string | undefined {
    return this.options.provider.currentIssuer;
  }

  /** Forgets what is cached in memory, so the next request reads the secret store again (after a login elsewhere). */
  reload(): void {
    this.loaded = undefined;
  }

  /** Reads the secret store now (after a login or logout elsewhere), so `tokens` and `issuer` are current at once. */
  async reloadNow(): Promise<TokenSet | undefined> {
    const loading = this.options.provider.load();
    this.loaded = loading;
    return loading;
  }

  /** The access token to send now: stored tokens are loaded on first use and refreshed shortly before they expire. */
  async accessToken(): Promise<string | undefined> {
    if (!this.loaded) {
      const loading = this.options.provider.load();
      this.loaded = loading;
      // A store that could not be read (a locked keyring) is read again next time, once unlocked.
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
    }
    await this.loaded;
    if (this.flight) await this.flight.catch(() => undefined);
    const tokens = this.tokens;
    if (this.options.provider.machineClient) {
      if (!tokens || this.expiresSoon(tokens)) await this.authorize({ scope: this.requestedScope ?? this.configuredScope(), reason: tokens ? 'the access token expires' : 'no token yet' });
    } else if (tokens?.refresh_token && this.expiresSoon(tokens)) {
      await this.authorize({ reason: 'the access token expired and could not be refreshed' });
    }
    return this.tokens?.access_token;
  }

  /**
   * Runs the SDK's `auth()` once for everyone waiting: discovery, registration when needed, then
   * a refresh, or the browser and the code exchange. Without a browser a needed login throws
   * AuthorizationNeeded.
   */
  authorize(request: AuthorizeRequest): Promise<void> {
    if (this.flight) return this.flight;
    this.flight = this.run(request).finally(() => {
      this.flight = undefined;
    });
    return this.flight;
  }

  /** A fetch for the SDK's HTTP transports that authorizes every request it sends. */
  fetch(base: FetchLike): FetchLike {
    const { upstream, target, config, trace } = this.options;
    return async (url, init) => {
      let reauthorized = false;
      let stepUps = 0;
      for (;;) {
        const token = await this.accessToken();
        if (!token && !this.options.browser && !this.options.provider.machineClient) {
          // Read the store again next time: the login may happen in another process.
          this.loaded = undefined;
          throw new AuthorizationNeeded(upstream, target, 'no stored tokens');
        }
        const headers = new Headers(init?.headers);
        if (token) headers.set('authorization', `Bearer ${token}`);
        else headers.delete('authorization');
        const response = await base(url, { ...init, headers });

        if (response.status === 401 && !reauthorized) {
          reauthorized = true;
          const challenge = extractWWWAuthenticateParams(response);
          await response.body?.cancel();
          this.remember(challenge.resourceMetadataUrl, challenge.scope);
          trace.challenge(`401 from the upstream${challenge.scope ? ` (scope "${challenge.scope}")` : ''}; ${token ? 're-authorizing once' : 'logging in'}`, { resource: this.options.serverUrl });
          await this.authorize({
            scope: computeScopeUnion(challenge.scope, this.configuredScope()),
            resourceMetadataUrl: this.resourceMetadataUrl,
            reason: token ? 'the upstream rejected the access token' : 'no stored tokens',
          });
          continue;
        }

        if (response.status === 403) {
          const challenge = extractWWWAuthenticateParams(response);
          if (challenge.error === 'insufficient_scope') {
            if (stepUps >= config.max_step_up) {
              trace.error('step-up', `403 insufficient_scope again after ${stepUps} step-up(s); giving up (limit auth.max_step_up = ${config.max_step_up})`, { resource: this.options.serverUrl });
              return response;
            }
            stepUps += 1;
            await response.body?.cancel();
            await this.stepUp(challenge.scope, challenge.resourceMetadataUrl);
            continue;
          }
        }
        return response;
      }
    };
  }

  private async stepUp(challengeScope: string | undefined, resourceMetadataUrl: URL | undefined): Promise<void> {
    const granted = this.tokens?.scope;
    this.remember(resourceMetadataUrl, computeScopeUnion(granted, challengeScope));
    const scope = this.requestedScope;
    const force = isStrictScopeSuperset(scope, granted);
    this.options.trace.ok('step-up', `403 insufficient_scope${challengeScope ? ` for "${challengeScope}"` : ''}: asking for "${scope ?? ''}"${force ? ' (a new authorization: a refresh cannot widen scope)' : ''}`, {
      issuer: this.issuer,
      resource: this.options.serverUrl,
    });
    await this.authorize({ scope, resourceMetadataUrl: this.resourceMetadataUrl, force, reason: `the upstream asks for scope "${challengeScope ?? scope ?? ''}"` });
  }

  /** The token endpoint's answer to a client_credentials request, with what to change. */
  private clientCredentialsRefused(error: OAuthError): OAuthClientError {
    const { target, config } = this.options;
    const fixes: Record<string, string> = {
      invalid_client: `check client_id ${config.client_id} and its ${config.token_endpoint_auth_method === 'private_key_jwt' ? 'private key (registered at the authorization server?)' : 'client_secret, and token_endpoint_auth_method'}`,
      unauthorized_client: `allow the client_credentials grant for client ${config.client_id} at the authorization server`,
      unsupported_grant_type: 'enable the client_credentials grant at the authorization server',
      invalid_scope: `ask only for scopes client ${config.client_id} may have (auth.scopes)`,
      invalid_target: 'register this upstream as a resource at the authorization server, or set auth.resource_parameter: false if it does not do resource indicators',
    };
    const fix = fixes[error.code] ?? 'see the authorization server\'s answer';
    return new OAuthClientError('client_credentials_refused', `the authorization server refused a client_credentials token for upstream ${target}: ${error.code}${error.message ? ` (${error.message})` : ''} — ${fix}`, { cause: error });
  }

  private configuredScope(): string | undefined {
    return this.options.config.scopes.join(' ') || undefined;
  }

  private remember(resourceMetadataUrl: URL | undefined, scope: string | undefined): void {
    if (resourceMetadataUrl) this.resourceMetadataUrl = resourceMetadataUrl;
    this.requestedScope = computeScopeUnion(this.requestedScope, scope, this.configuredScope());
  }

  private expiresSoon(tokens: TokenSet): boolean {
    if (tokens.expires_at === undefined) return false;
    const lifetime = tokens.expires_at - tokens.obtained_at;
    const skew = Math.min(this.options.refreshSkewMs ?? 60_000, lifetime / 2);
    return tokens.expires_at - Date.now() <= skew;
  }

  private async run(request: AuthorizeRequest): Promise<void> {
    const { provider, serverUrl, trace } = this.options;
    const browser = provider.machineClient ? undefined : this.options.browser?.();
    provider.browser = browser;
    provider.needReason = request.reason;
    const common = { serverUrl, resourceMetadataUrl: request.resourceMetadataUrl, fetchFn: this.options.fetchFn };
    try {
      if (browser) provider.useRedirectUri(await browser.redirectUri());
      let result = await auth(provider, { ...common, scope: request.scope, forceReauthorization: request.force });
      if (result === 'REDIRECT') {
        const callback = provider.takeCallback();
        if (!callback) throw new Error('the browser step ended without a code');
        result = await auth(provider, { ...common, scope: request.scope, authorizationCode: callback.code, iss: callback.iss });
      }
      if (result !== 'AUTHORIZED') throw new Error(`authorization ended with ${String(result)}`);
    } catch (error) {
      if (authorizationNeededIn(error)) this.loaded = undefined;
      else if (!(error instanceof OAuthClientError)) {
        trace.error('token', `authorization failed: ${error instanceof Error ? error.message : String(error)}`, { issuer: this.issuer, resource: serverUrl });
        if (provider.machineClient && error instanceof OAuthError) throw this.clientCredentialsRefused(error);
      }
      throw error;
    } finally {
      browser?.close();
      provider.browser = undefined;
    }
  }
}
