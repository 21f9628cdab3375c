/**
 * Signs in to the built-in identity provider the way a browser would, so the test client can log
 * in as a demo user without a window: follows the IdP's redirects with a cookie jar, fills the
 * sign-in form, approves the consent form, and stops at the first redirect that leaves the IdP —
 * the client's redirect URI with the authorization response (RFC 6749 §4.1.2), which it returns
 * unvisited. Only the built-in IdP's own pages are understood (forms marked `data-step`).
 */
import type { FetchLike } from '@modelcontextprotocol/client';

import { CookieJar, pageError, parseForm } from './test-client-sign-in-page.js';

export interface LoginCredentials {
  username: string;
  password: string;
}

export interface AuthorizationResponse {
  code: string;
  state: string | null;
  /** RFC 9207 issuer identifier on the authorization response. */
  iss: string | null;
  /** Where the IdP sent the browser: the client's redirect URI with the response in its query. */
  redirectUrl: URL;
  /** The IdP pages gone through, in order (`login`, `consent`), for the step's record. */
  pages: string[];
}

/** The IdP redirected back with an error (RFC 6749 §4.1.2.1), e.g. access_denied. */
export class AuthorizationErrorResponse extends Error {
  override readonly name = 'AuthorizationErrorResponse';
  constructor(
    readonly error: string,
    readonly errorDescription: string | null,
  ) {
    super(`the identity provider answered ${error}${errorDescription ? ` (${errorDescription})` : ''}`);
  }
}

/** The sign-in page came back with an error message (wrong password, unknown user). */
export class LoginRejected extends Error {
  override readonly name = 'LoginRejected';
  constructor(readonly pageMessage: string) {
    super(`the sign-in page said: ${pageMessage}`);
  }
}

const MAX_HOPS = 12;

/**
 * Runs the browser part of an authorization code flow against the built-in IdP. Throws
 * `AuthorizationErrorResponse` when the IdP redirects with an error and `LoginRejected` when the
 * sign-in page refuses the credentials.
 */
export async function signInToBuiltinIdp(authorizationUrl: URL, credentials: LoginCredentials, fetchFn: FetchLike = fetch): Promise<AuthorizationResponse> {
  const idpOrigin = authorizationUrl.origin;
  const jar = new CookieJar();
  const pages: string[] = [];
  let url = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  let loginSubmitted = false;

  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const response = await fetchFn(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(jar.header() ? { cookie: jar.header() } : {}),
        accept: 'text/html',
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded', origin: idpOrigin } : {}),
      },
      ...(body ? { body } : {}),
    });
    jar.store(response);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== idpOrigin) {
        const params = next.searchParams;
        const error = params.get('error');
        if (error) throw new AuthorizationErrorResponse(error, params.get('error_description'));
        const code = params.get('code');
        if (!code) throw new Error(`the identity provider redirected to ${next.origin}${next.pathname} without a code or an error`);
        return { code, state: params.get('state'), iss: params.get('iss'), redirectUrl: next, pages };
      }
      url = next;
      body = undefined;
      continue;
    }

    const html = await response.text();
    const form = response.ok ? parseForm(html) : undefined;
    if (!form) {
      throw new Error(`the identity provider answered ${response.status} on ${url.pathname}: ${pageError(html) ?? 'a page without a sign-in or consent form'}`);
    }
    pages.push(form.step);
    body = new URLSearchParams([...form.fields]);
    if (form.step === 'login') {
      const error = pageError(html);
      if (loginSubmitted && error) throw new LoginRejected(error);
      body.set('username', credentials.username);
      body.set('password', credentials.password);
      body.set('action', 'login');
      loginSubmitted = true;
    } else if (form.step === 'consent') {
      body.set('decision', 'approve');
    } else {
      throw new Error(`the identity provider showed a form this client does not know (${form.step}) on ${url.pathname}`);
    }
    url = new URL(form.action, url);
    // The demo user's password goes to the identity provider and nowhere else.
    if (url.origin !== idpOrigin) throw new Error(`the identity provider's ${form.step} form posts to ${url.origin}, not to itself (${idpOrigin}) — refusing to send the password there`);
  }
  throw new Error(`the sign-in did not reach the redirect URI within ${MAX_HOPS} pages`);
}
