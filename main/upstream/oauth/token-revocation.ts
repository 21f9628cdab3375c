/**
 * RFC 7009 token revocation at the upstream's authorization server, through openid-client (the
 * MCP SDK has discovery and token requests, not revocation). The refresh token goes first: at
 * most servers revoking it ends the grant, so its access tokens cannot be refreshed again.
 */
import { importJWK, importPKCS8, type CryptoKey } from 'jose';
import * as openid from 'openid-client';

import type { StoredOAuthClientInformation } from '@modelcontextprotocol/client';

import type { UpstreamOAuthConfig } from '../../config/schema.js';
import type { TokenSet } from './credential-vault.js';

export type RevocationOutcome =
  /** `selfContained`: tokens the server cannot revoke (JWT access tokens, RFC 7009 §2.2.1 unsupported_token_type); they run out at their expiry. */
  | { revoked: Array<'refresh_token' | 'access_token'>; selfContained: Array<'refresh_token' | 'access_token'> }
  | { unsupported: string }
  | { failed: string };

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

async function clientAuthentication(client: StoredOAuthClientInformation & { token_endpoint_auth_method?: string }, config: UpstreamOAuthConfig | undefined, privateKey?: string | Record<string, unknown>): Promise<openid.ClientAuth> {
  if (config?.token_endpoint_auth_method === 'private_key_jwt' && privateKey) {
    const key = typeof privateKey === 'string' ? await importPKCS8(privateKey, config.signing_algorithm) : await importJWK(privateKey, config.signing_algorithm);
    return openid.PrivateKeyJwt(key as CryptoKey);
  }
  const method = config?.token_endpoint_auth_method ?? client.token_endpoint_auth_method ?? (client.client_secret ? 'client_secret_basic' : 'none');
  if (method === 'client_secret_post') return openid.ClientSecretPost(client.client_secret);
  if (method === 'client_secret_basic' && client.client_secret) return openid.ClientSecretBasic(client.client_secret);
  return openid.None();
}

export async function revokeTokens(options: {
  issuer: string;
  client: StoredOAuthClientInformation & { token_endpoint_auth_method?: string };
  tokens: TokenSet;
  config?: UpstreamOAuthConfig;
  privateKey?: string | Record<string, unknown>;
}): Promise<RevocationOutcome> {
  const issuer = new URL(options.issuer);
  let configuration: openid.Configuration;
  try {
    const auth = await clientAuthentication(options.client, options.config, options.privateKey);
    // RFC 8414 first (what MCP discovery uses); loopback issuers are plain http in development.
    configuration = await openid.discovery(issuer, options.client.client_id, undefined, auth, {
      algorithm: 'oauth2',
      ...(isLoopback(issuer) ? { execute: [openid.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    return { failed: `could not read the metadata of ${options.issuer}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!configuration.serverMetadata().revocation_endpoint) {
    return { unsupported: `${options.issuer} publishes no revocation_endpoint (RFC 7009)` };
  }
  const revoked: Array<'refresh_token' | 'access_token'> = [];
  const selfContained: Array<'refresh_token' | 'access_token'> = [];
  const attempts: Array<['refresh_token' | 'access_token', string | undefined]> = [
    ['refresh_token', options.tokens.refresh_token],
    ['access_token', options.tokens.access_token],
  ];
  for (const [hint, token] of attempts) {
    if (!token) continue;
    try {
      await openid.tokenRevocation(configuration, token, { token_type_hint: hint });
      revoked.push(hint);
    } catch (error) {
      const code = error instanceof openid.ResponseBodyError ? error.error : undefined;
      if (code === 'unsupported_token_type') {
        selfContained.push(hint);
        continue;
      }
      return { failed: `${options.issuer} refused to revoke the ${hint.replace('_', ' ')}: ${code ?? (error instanceof Error ? error.message : String(error))}` };
    }
  }
  return { revoked, selfContained };
}
