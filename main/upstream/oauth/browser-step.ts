/**
 * The user-agent leg of the authorization code flow: where the redirect URI is, and how the
 * authorization URL is visited. A person logs in through the system browser and the code comes
 * back to a loopback listener; the conformance suite's authorization server approves at once, so
 * following its redirect with fetch is the whole browser there.
 */
import { listenForRedirect, type LoopbackRedirect } from './loopback-redirect.js';
import type { BrowserOpener } from './system-browser.js';

export interface BrowserStep {
  /** The redirect URI to register and send; whatever receives it is ready once this resolves. */
  redirectUri(): Promise<string>;
  /** Sends the user agent through the authorization URL; resolves with what reached the redirect URI. */
  visit(authorizationUrl: URL): Promise<URLSearchParams>;
  /** Releases what redirectUri() set up (a listener), if anything. */
  close(): void;
}

export interface SystemBrowserOptions {
  opener: BrowserOpener;
  /** 0: a random free port. */
  port: number;
  timeoutMs: number;
  /** Told the URL when the browser could not be opened, so a person can open it by hand. */
  onManualOpen?: (url: string, problem: string) => void;
}

export function systemBrowserStep(options: SystemBrowserOptions): BrowserStep {
  let listener: LoopbackRedirect | undefined;
  return {
    async redirectUri() {
      listener ??= await listenForRedirect({ port: options.port, timeoutMs: options.timeoutMs });
      return listener.redirectUri;
    },
    async visit(authorizationUrl) {
      listener ??= await listenForRedirect({ port: options.port, timeoutMs: options.timeoutMs });
      const current = listener;
      current.expectState(authorizationUrl.searchParams.get('state') ?? undefined);
      try {
        await options.opener(authorizationUrl.href);
      } catch (error) {
        // No browser (headless, no xdg-open): the listener still waits for someone to open it by hand.
        options.onManualOpen?.(authorizationUrl.href, error instanceof Error ? error.message : String(error));
      }
      try {
        return await current.received;
      } finally {
        current.close();
        if (listener === current) listener = undefined;
      }
    },
    close() {
      listener?.close();
      listener = undefined;
    },
  };
}

/** Redirect URI for a flow whose code never reaches a listener (it is read from the Location header). */
const UNLISTENED_REDIRECT = 'http://127.0.0.1:3000/callback';

/**
 * For an authorization server that approves without a person (the conformance suite's): GET the
 * authorization URL without following redirects and read the code off the Location that points
 * at the redirect URI.
 */
export function followRedirectStep(fetchFn: typeof fetch = fetch, maxHops = 5): BrowserStep {
  return {
    redirectUri: () => Promise.resolve(UNLISTENED_REDIRECT),
    async visit(authorizationUrl) {
      let url = authorizationUrl;
      for (let hop = 0; hop < maxHops; hop++) {
        const response = await fetchFn(url, { redirect: 'manual' });
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) throw new Error(`the authorization endpoint answered ${response.status} without a redirect (it needs a person: use gatehouse login)`);
        const next = new URL(location, url);
        if (next.href.startsWith(UNLISTENED_REDIRECT)) return next.searchParams;
        url = next;
      }
      throw new Error(`the authorization endpoint did not redirect back within ${maxHops} hops`);
    },
    close() {},
  };
}
