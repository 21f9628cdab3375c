/**
 * The authorization server a route trusts, as discovered from its issuer (RFC 8414, then OpenID
 * Connect discovery) with openid-client. Discovery is lazy and retried: an IdP that is down at
 * start-up must not keep the gateway from starting.
 */
import * as client from 'openid-client';

import { describeError } from '../upstream/upstream-error.js';

export interface AuthorizationServerOptions {
  issuer: string;
  /** Client the gateway authenticates as (introspection). */
  clientId?: string;
  clientSecret?: string;
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Overrides from the config, used as-is without discovery when both are given. */
  jwksUri?: string;
  introspectionEndpoint?: string;
}

const RETRY_AFTER_FAILURE_MS = 5_000;

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export class AuthorizationServer {
  private discovery?: Promise<client.Configuration>;
  private failedAt = 0;
  private lastError?: string;

  constructor(readonly options: AuthorizationServerOptions) {}

  /** Discovered (or configured) metadata, as openid-client's Configuration. */
  async configuration(): Promise<client.Configuration> {
    if (this.discovery) return this.discovery;
    if (Date.now() - this.failedAt < RETRY_AFTER_FAILURE_MS && this.lastError) throw new Error(this.lastError);
    const attempt = this.discover();
    this.discovery = attempt;
    attempt.catch((error: unknown) => {
      this.discovery = undefined;
      this.failedAt = Date.now();
      this.lastError = describeError(error);
    });
    return attempt;
  }

  async jwksUri(): Promise<string> {
    if (this.options.jwksUri) return this.options.jwksUri;
    const uri = (await this.configuration()).serverMetadata().jwks_uri;
    if (!uri) throw new Error(`issuer ${this.options.issuer} publishes no jwks_uri — set auth.jwks_uri`);
    return uri;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId = 'gatehouse', clientSecret, authMethod, introspectionEndpoint, jwksUri } = this.options;
    const url = new URL(issuer);
    const auth = clientSecret
      ? authMethod === 'client_secret_post'
        ? client.ClientSecretPost(clientSecret)
        : client.ClientSecretBasic(clientSecret)
      : client.None();
    const execute = isLoopback(url) ? [client.allowInsecureRequests] : [];
    if (introspectionEndpoint && jwksUri) {
      const configuration = new client.Configuration({ issuer, introspection_endpoint: introspectionEndpoint, jwks_uri: jwksUri }, clientId, undefined, auth);
      return this.prepared(configuration, execute);
    }
    let discovered: client.Configuration;
    try {
      discovered = await client.discovery(url, clientId, undefined, auth, { algorithm: 'oauth2', execute, timeout: 5 });
    } catch (oauth2Error) {
      try {
        discovered = await client.discovery(url, clientId, undefined, auth, { algorithm: 'oidc', execute, timeout: 5 });
      } catch {
        throw new Error(`cannot discover the authorization server ${issuer} (RFC 8414 or OpenID discovery): ${describeError(oauth2Error)}`, { cause: oauth2Error });
      }
    }
    if (!introspectionEndpoint) {
      discovered.timeout = 5;
      return discovered;
    }
    const { supportsPKCE: _supportsPKCE, ...metadata } = discovered.serverMetadata();
    const configuration = new client.Configuration({ ...metadata, introspection_endpoint: introspectionEndpoint }, clientId, undefined, auth);
    return this.prepared(configuration, execute);
  }

  /** A request to the IdP waits 5 s at most (openid-client's default is 30 s): a caller is waiting. */
  private prepared(configuration: client.Configuration, execute: Array<(c: client.Configuration) => void>): client.Configuration {
    for (const apply of execute) apply(configuration);
    configuration.timeout = 5;
    return configuration;
  }
}
