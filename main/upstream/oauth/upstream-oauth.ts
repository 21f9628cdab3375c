/**
 * The gateway's OAuth client for its secured upstreams: one authorizer per upstream, shared by
 * every connection to it, with credentials in the secret store. In the gateway nobody is at a
 * browser, so a needed login surfaces as AuthorizationNeeded (state auth_needed); `gatehouse
 * login` and the window build one with a browser step.
 */
import type { GatehouseConfig, HttpUpstreamConfig, SseUpstreamConfig } from '../../config/schema.js';
import type { TraceBus } from '../../trace/trace-bus.js';
import type { BrowserStep } from './browser-step.js';
import type { BrowserOpener } from './system-browser.js';
import { CredentialVault, type SecretStoreLike } from './credential-vault.js';
import { OAuthTrace } from './oauth-trace.js';
import { UpstreamAuthorizer } from './upstream-authorizer.js';
import { UpstreamOAuthProvider } from './upstream-oauth-provider.js';

export type SecuredUpstreamConfig = (HttpUpstreamConfig | SseUpstreamConfig) & { auth: NonNullable<HttpUpstreamConfig['auth']> };

export interface UpstreamOAuthOptions {
  store: SecretStoreLike;
  trace?: TraceBus;
  /** Folder of the config file (relative private_key_file). Default: the working directory. */
  baseDir?: string;
  /** How a person logs in; absent in the gateway. */
  browser?: () => BrowserStep;
  /**
   * How a login started from the window (POST /api/upstream-login) opens the system browser; the
   * gateway's own requests never open one. Default: openSystemBrowser. Tests pass an opener that
   * plays the person at the browser.
   */
  opener?: BrowserOpener;
  /** The route an upstream belongs to, for messages (`gatehouse login <route>/<upstream>`). */
  routeOf?: (upstream: { name: string; url: string }) => string | undefined;
  /** See UpstreamOAuthProviderOptions.verifyClientMetadataUrl. */
  verifyClientMetadataUrl?: boolean;
  refreshSkewMs?: number;
}

export function isSecuredUpstream(config: { kind: string; auth?: unknown }): config is SecuredUpstreamConfig {
  return (config.kind === 'http' || config.kind === 'sse') && config.auth !== undefined;
}

/** `route/upstream` as `gatehouse login` takes it; the route without its leading slash. */
export function loginTarget(route: string | undefined, upstream: string): string {
  return route ? `${route.replace(/^\//, '')}/${upstream}` : `<route>/${upstream}`;
}

/** routeOf for a config: the route whose upstreams include this one (same name and URL). */
export function routeFinder(config: () => GatehouseConfig): (upstream: { name: string; url: string }) => string | undefined {
  return (upstream) => config().routes.find((route) => route.upstreams.some((candidate) => candidate.name === upstream.name && 'url' in candidate && candidate.url === upstream.url))?.path;
}

export class UpstreamOAuth {
  readonly vault: CredentialVault;
  private readonly authorizers = new Map<string, UpstreamAuthorizer>();

  constructor(readonly options: UpstreamOAuthOptions) {
    this.vault = new CredentialVault(options.store);
  }

  authorizer(config: SecuredUpstreamConfig, route?: string): UpstreamAuthorizer {
    const routePath = route ?? this.options.routeOf?.(config);
    const key = JSON.stringify([routePath, config.name, config.url, config.auth]);
    let authorizer = this.authorizers.get(key);
    if (!authorizer) {
      const target = loginTarget(routePath, config.name);
      const trace = new OAuthTrace(this.options.trace, config.name, routePath, config.auth.grant === 'client_credentials' ? 'client_credentials' : undefined);
      const provider = new UpstreamOAuthProvider({
        upstream: config.name,
        target,
        serverUrl: config.url,
        config: config.auth,
        baseDir: this.options.baseDir ?? process.cwd(),
        vault: this.vault,
        trace,
        verifyClientMetadataUrl: this.options.verifyClientMetadataUrl,
      });
      authorizer = new UpstreamAuthorizer({
        upstream: config.name,
        target,
        serverUrl: config.url,
        config: config.auth,
        provider,
        trace,
        browser: this.options.browser,
        refreshSkewMs: this.options.refreshSkewMs,
      });
      this.authorizers.set(key, authorizer);
    }
    return authorizer;
  }

  /** Every authorizer reads the secret store again on its next request (a login happened elsewhere). */
  reload(): void {
    for (const authorizer of this.authorizers.values()) authorizer.reload();
  }
}

let installed: UpstreamOAuth | undefined;

/**
 * The process's upstream OAuth client, for connectors created without one in their context.
 * The gateway should pass its own explicitly (McpUpstreamContext.oauth); this is the fallback.
 */
export function installUpstreamOAuth(oauth: UpstreamOAuth | undefined): void {
  installed = oauth;
}

export function installedUpstreamOAuth(): UpstreamOAuth | undefined {
  return installed;
}
