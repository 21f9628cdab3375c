/**
 * A login a person finishes later: "Log in" on a secured upstream in the window. The browser leg
 * is the one `gatehouse login` uses (system browser, one-shot loopback redirect, RFC 8252 §7.3)
 * but runs in the background: the caller learns the authorization URL as soon as it exists — so
 * the window can offer "open this link" where no browser could be opened — and the tokens land in
 * the secret store when the person is done. Failures end up in the trace (oauth.client) as well.
 */
import { systemBrowserStep, type BrowserStep } from './browser-step.js';
import { openSystemBrowser } from './system-browser.js';
import { probeChallenge } from './upstream-challenge.js';
import { UpstreamOAuth, loginTarget, type SecuredUpstreamConfig } from './upstream-oauth.js';

export interface BackgroundLoginOptions {
  /** The gateway's OAuth client: the login stores into its secret store, traces into its bus and opens the browser with its opener. */
  oauth: UpstreamOAuth;
  upstream: SecuredUpstreamConfig;
  /** The route path, e.g. /secured. */
  route: string;
  /** How long the loopback listener waits for the browser. Default 5 minutes. */
  timeoutMs?: number;
}

export interface BrowserVisit {
  authorizationUrl: string;
  /** False when no browser could be opened here; `problem` says why. */
  opened: boolean;
  problem?: string;
}

export interface BackgroundLogin {
  /**
   * Resolves once the browser was sent to the authorization URL (or could not be opened); with
   * undefined if the flow finished without one. Rejects when the flow failed before (the upstream
   * unreachable, no PKCE, no way to register).
   */
  readonly visit: Promise<BrowserVisit | undefined>;
  /** Resolves when the tokens are in the secret store; rejects with the reason. */
  readonly finished: Promise<void>;
  /** Stops waiting for the browser: the listener closes and `finished` rejects. */
  cancel(): void;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export function startBackgroundLogin(options: BackgroundLoginOptions): BackgroundLogin {
  const { oauth, upstream, route } = options;
  const opener = oauth.options.opener ?? openSystemBrowser;
  let announce!: (visit: BrowserVisit) => void;
  const visited = new Promise<BrowserVisit>((resolve) => (announce = resolve));
  let step: BrowserStep | undefined;
  let cancelled = false;

  // Its own client with a browser: the gateway's authorizers must never open one on a request.
  const login = new UpstreamOAuth({
    ...oauth.options,
    browser: () => {
      step = systemBrowserStep({
        opener: async (url) => {
          if (cancelled) throw new Error('the login was cancelled');
          await opener(url);
          announce({ authorizationUrl: url, opened: true });
        },
        port: upstream.auth.redirect_port,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        onManualOpen: (url, problem) => announce({ authorizationUrl: url, opened: false, problem }),
      });
      if (cancelled) step.close();
      return step;
    },
  });

  const finished = (async () => {
    const challenge = await probeChallenge(upstream).catch((error: unknown) => {
      throw new Error(`upstream ${loginTarget(route, upstream.name)} at ${upstream.url} cannot be reached (${error instanceof Error ? error.message : String(error)}) — start it or fix its url, then log in again`, { cause: error });
    });
    if (cancelled) throw new Error('the login was cancelled');
    await login.authorizer(upstream, route).authorize({
      scope: challenge.scope,
      resourceMetadataUrl: challenge.resourceMetadataUrl,
      force: true,
      reason: 'login from the Gatehouse window',
    });
  })();
  finished.catch(() => undefined);
  const visit = Promise.race([visited, finished.then(() => undefined)]);
  visit.catch(() => undefined);

  return {
    visit,
    finished,
    cancel() {
      cancelled = true;
      step?.close();
    },
  };
}
