/**
 * Drives the built-in IdP's sign-in the way a browser would, for tests: follows redirects by hand
 * with a cookie jar, fills the login form, answers the consent form, and stops at the client's
 * redirect URI (which it never fetches). Also an in-memory OAuthClientProvider for the MCP SDK
 * client whose "browser" is this function.
 */
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';

import { CookieJar, pageError, parseForm } from '../../main/admin/test-client-sign-in-page.js';

export interface LoginCredentials {
  username: string;
  password: string;
}

export interface CompleteAuthorizationOptions {
  /** Approve (default) or deny on the consent page. */
  consent?: boolean;
  /** Most redirects/pages to go through before giving up. Default 12. */
  maxHops?: number;
}

export interface AuthorizationResult {
  code: string;
  state: string | null;
  /** RFC 9207 issuer identifier on the authorization response. */
  iss: string | null;
  /** The full redirect the IdP sent the browser to (the client's redirect URI with the response). */
  redirectUrl: URL;
}

/** The authorization server answered with an error at the redirect URI (RFC 6749 §4.1.2.1). */
export class AuthorizationErrorResponse extends Error {
  override readonly name = 'AuthorizationErrorResponse';
  constructor(
    readonly error: string,
    readonly errorDescription: string | null,
    readonly redirectUrl: URL,
  ) {
    super(`authorization failed: ${error}${errorDescription ? ` (${errorDescription})` : ''}`);
  }
}

/** The login page came back with an error message instead of moving on. */
export class LoginRejected extends Error {
  override readonly name = 'LoginRejected';
  constructor(
    readonly pageMessage: string,
    readonly html: string,
  ) {
    super(`login rejected: ${pageMessage}`);
  }
}

/**
 * Runs the browser part of an authorization code flow against the built-in IdP and returns what
 * arrives at the redirect URI. Throws `AuthorizationErrorResponse` when the IdP redirects with an
 * error (consent denied → access_denied) and `LoginRejected` on a wrong password.
 */
export async function completeAuthorization(
  authorizationUrl: URL | string,
  credentials: LoginCredentials,
  options: CompleteAuthorizationOptions = {},
): Promise<AuthorizationResult> {
  const start = new URL(authorizationUrl);
  const idpOrigin = start.origin;
  const jar = new CookieJar();
  let url = start;
  let request: { method: 'GET' | 'POST'; body?: URLSearchParams } = { method: 'GET' };
  let loginSubmitted = false;

  for (let hop = 0; hop < (options.maxHops ?? 12); hop++) {
    const response = await fetch(url, {
      method: request.method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        accept: 'text/html',
        ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded', origin: idpOrigin } : {}),
      },
      ...(request.body ? { body: request.body } : {}),
    });
    jar.store(response);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== idpOrigin) {
        // response_mode query, the only one code flows use here (RFC 6749 §4.1.2).
        const params = next.searchParams;
        const error = params.get('error');
        if (error) throw new AuthorizationErrorResponse(error, params.get('error_description'), next);
        const code = params.get('code');
        if (!code) throw new Error(`redirected to ${next.origin}${next.pathname} without a code or an error`);
        return { code, state: params.get('state'), iss: params.get('iss'), redirectUrl: next };
      }
      url = next;
      request = { method: 'GET' };
      continue;
    }

    const html = await response.text();
    const form = response.ok ? parseForm(html) : undefined;
    if (!form) {
      throw new Error(`unexpected ${response.status} from ${url.pathname}: ${pageError(html) ?? html.slice(0, 300)}`);
    }
    const body = new URLSearchParams([...form.fields]);
    if (form.step === 'login') {
      const error = pageError(html);
      if (loginSubmitted && error) throw new LoginRejected(error, html);
      body.set('username', credentials.username);
      body.set('password', credentials.password);
      body.set('action', 'login');
      loginSubmitted = true;
    } else if (form.step === 'consent') {
      body.set('decision', options.consent === false ? 'deny' : 'approve');
    } else {
      throw new Error(`unknown form on ${url.pathname}`);
    }
    url = new URL(form.action, url);
    request = { method: 'POST', body };
  }
  throw new Error(`authorization did not reach the redirect URI within ${options.maxHops ?? 12} steps`);
}

export interface TestOAuthProviderOptions {
  credentials: LoginCredentials;
  /** Approve (default) or deny on the consent page. */
  consent?: boolean;
  /** Default http://127.0.0.1:<random port>/callback — never listened on. */
  redirectUrl?: string;
  /** Merged over the default registration metadata (public client, code + refresh_token). */
  clientMetadata?: Partial<OAuthClientMetadata>;
}

/**
 * An OAuthClientProvider holding everything in memory. `redirectToAuthorization` signs in through
 * `completeAuthorization` and keeps the callback; pass `callbackParams` (it carries `iss`, which
 * the SDK requires when the server advertises RFC 9207) or `authorizationCode` + `iss` to
 * `transport.finishAuth(...)`.
 */
export interface TestOAuthProvider extends OAuthClientProvider {
  readonly authorizationCode: string | undefined;
  readonly iss: string | undefined;
  /** code, state and iss as the redirect URI received them. */
  readonly callbackParams: URLSearchParams | undefined;
  /** How many times the SDK sent the "browser" to the authorization endpoint. */
  readonly authorizationCount: number;
  /** The last authorization request URL (for asserting resource, scope, PKCE parameters). */
  readonly lastAuthorizationUrl: URL | undefined;
}

export function createTestOAuthProvider(options: TestOAuthProviderOptions): TestOAuthProvider {
  const redirectUrl = options.redirectUrl ?? `http://127.0.0.1:${49152 + Math.floor(Math.random() * 16000)}/callback`;
  let clientInformation: StoredOAuthClientInformation | undefined;
  let tokens: StoredOAuthTokens | undefined;
  let codeVerifier: string | undefined;
  let discoveryState: OAuthDiscoveryState | undefined;
  let callback: AuthorizationResult | undefined;
  let authorizationCount = 0;
  let lastAuthorizationUrl: URL | undefined;

  return {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata(): OAuthClientMetadata {
      return {
        client_name: 'Gatehouse test client',
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        ...options.clientMetadata,
      };
    },
    clientInformation: () => clientInformation,
    saveClientInformation: (info) => {
      clientInformation = info;
    },
    tokens: () => tokens,
    saveTokens: (saved) => {
      tokens = saved;
    },
    saveCodeVerifier: (verifier) => {
      codeVerifier = verifier;
    },
    codeVerifier: () => {
      if (!codeVerifier) throw new Error('no PKCE code verifier saved yet');
      return codeVerifier;
    },
    saveDiscoveryState: (state) => {
      discoveryState = state;
    },
    discoveryState: () => discoveryState,
    invalidateCredentials: (scope) => {
      if (scope === 'all' || scope === 'client') clientInformation = undefined;
      if (scope === 'all' || scope === 'tokens') tokens = undefined;
      if (scope === 'all' || scope === 'verifier') codeVerifier = undefined;
      if (scope === 'all' || scope === 'discovery') discoveryState = undefined;
    },
    async redirectToAuthorization(authorizationUrl: URL) {
      authorizationCount++;
      lastAuthorizationUrl = new URL(authorizationUrl);
      callback = undefined;
      callback = await completeAuthorization(authorizationUrl, options.credentials, { consent: options.consent ?? true });
    },
    get authorizationCode() {
      return callback?.code;
    },
    get iss() {
      return callback?.iss ?? undefined;
    },
    get callbackParams() {
      return callback ? new URLSearchParams(callback.redirectUrl.searchParams) : undefined;
    },
    get authorizationCount() {
      return authorizationCount;
    },
    get lastAuthorizationUrl() {
      return lastAuthorizationUrl;
    },
  };
}
