/**
 * Logging the gateway out of one secured upstream: its tokens are revoked at the authorization
 * server where it offers RFC 7009 revocation, then removed from the secret store. The client
 * registration stays, so the next login does not register again.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { CredentialVault } from './credential-vault.js';
import type { OAuthTrace } from './oauth-trace.js';
import { revokeTokens, type RevocationOutcome } from './token-revocation.js';
import type { SecuredUpstreamConfig } from './upstream-oauth.js';

export interface ForgottenLogin {
  issuer: string;
  /** What the authorization server did with the tokens, or why it was not asked. */
  revocation: RevocationOutcome | { skipped: string };
  /** In words, for a person. */
  detail: string;
}

export interface ForgetLoginOptions {
  vault: CredentialVault;
  upstream: SecuredUpstreamConfig;
  /** Folder of the config file, for a relative private_key_file. */
  baseDir: string;
  trace: OAuthTrace;
}

function words(hints: string[]): string {
  return hints.join(', ').replaceAll('_', ' ');
}

function describe(issuer: string, revocation: ForgottenLogin['revocation']): string {
  if ('skipped' in revocation) return `not revoked at ${issuer}: ${revocation.skipped}`;
  if ('unsupported' in revocation) return `not revoked at ${issuer}: ${revocation.unsupported}`;
  if ('failed' in revocation) return `NOT revoked at ${issuer}: ${revocation.failed}`;
  const selfContained = revocation.selfContained.length ? `; the ${words(revocation.selfContained)} cannot be revoked there (self-contained) and stays valid until it expires` : '';
  return `revoked at ${issuer} (${words(revocation.revoked) || 'nothing to revoke'})${selfContained}`;
}

async function privateKeyOf(upstream: SecuredUpstreamConfig, baseDir: string): Promise<string | Record<string, unknown> | undefined> {
  if (upstream.auth.private_key_jwk) return upstream.auth.private_key_jwk;
  if (!upstream.auth.private_key_file) return undefined;
  const text = await readFile(path.resolve(baseDir, upstream.auth.private_key_file), 'utf8');
  return text.trimStart().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text;
}

export async function forgetLogin(options: ForgetLoginOptions): Promise<ForgottenLogin[]> {
  const { vault, upstream, trace } = options;
  const forgotten: ForgottenLogin[] = [];
  for (const issuer of await vault.issuersWithTokens(upstream.url)) {
    const tokens = await vault.tokens(issuer, upstream.url);
    const stored = await vault.client(issuer, upstream.url);
    const client = stored ?? (upstream.auth.client_id ? { client_id: upstream.auth.client_id, client_secret: upstream.auth.client_secret } : undefined);
    let revocation: ForgottenLogin['revocation'];
    if (!tokens) revocation = { skipped: 'the stored tokens could not be read' };
    else if (!client) revocation = { skipped: 'no client to revoke as' };
    else {
      const privateKey = await privateKeyOf(upstream, options.baseDir).catch(() => undefined);
      revocation = await revokeTokens({ issuer, client, tokens, config: upstream.auth, privateKey });
    }
    const detail = describe(issuer, revocation);
    if ('revoked' in revocation) trace.ok('revocation', detail, { issuer, resource: upstream.url });
    else trace.error('revocation', detail, { issuer, resource: upstream.url });
    await vault.deleteTokens(issuer, upstream.url);
    trace.ok('keychain', `logged out: tokens removed from the ${vault.store.backend}`, { issuer, resource: upstream.url });
    forgotten.push({ issuer, revocation, detail });
  }
  return forgotten;
}
