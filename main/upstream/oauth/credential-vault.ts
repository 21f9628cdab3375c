/**
 * Where one upstream's OAuth credentials live: the secret store (OS keychain, or the opt-in
 * encrypted file), namespaced by authorization server issuer and protected resource — the
 * 2026-07-28 spec keys credentials by issuer, and one issuer may serve several upstreams.
 * Values are JSON; tokens carry their absolute expiry so a restarted gateway knows when to refresh.
 */
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';

/** The part of main/secrets' SecretStore this client uses (kept structural: the store is a separate module). */
export interface SecretStoreLike {
  /** `unopened`: a lazily opened store nobody has used yet. */
  readonly backend: 'keychain' | 'encrypted-file' | 'memory' | 'unopened';
  get(ref: SecretRefLike): Promise<string | undefined>;
  set(ref: SecretRefLike, value: string): Promise<void>;
  delete(ref: SecretRefLike): Promise<boolean>;
  list(): Promise<Array<SecretRefLike & { id: string }>>;
}

export interface SecretRefLike {
  kind: 'tokens' | 'client';
  issuer: string;
  resource?: string;
}

export interface TokenSet extends StoredOAuthTokens {
  /** ms since the epoch when the tokens were saved. */
  obtained_at: number;
  /** ms since the epoch when the access token expires (from expires_in), if the server said. */
  expires_at?: number;
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A value written by something else under our key: treat it as absent rather than crash the upstream.
    return undefined;
  }
}

/** Tokens as the vault keeps them: with the absolute time they were obtained and expire. */
export function tokenSet(tokens: StoredOAuthTokens, now = Date.now()): TokenSet {
  return { ...tokens, obtained_at: now, ...(typeof tokens.expires_in === 'number' ? { expires_at: now + tokens.expires_in * 1000 } : {}) };
}

export class CredentialVault {
  constructor(readonly store: SecretStoreLike) {}

  async tokens(issuer: string, resource: string): Promise<TokenSet | undefined> {
    return parse<TokenSet>(await this.store.get({ kind: 'tokens', issuer, resource }));
  }

  async saveTokens(issuer: string, resource: string, tokens: StoredOAuthTokens, now = Date.now()): Promise<TokenSet> {
    const set = tokenSet(tokens, now);
    await this.store.set({ kind: 'tokens', issuer, resource }, JSON.stringify(set));
    return set;
  }

  async deleteTokens(issuer: string, resource: string): Promise<boolean> {
    return this.store.delete({ kind: 'tokens', issuer, resource });
  }

  async client(issuer: string, resource: string): Promise<StoredOAuthClientInformation | undefined> {
    return parse<StoredOAuthClientInformation>(await this.store.get({ kind: 'client', issuer, resource }));
  }

  async saveClient(issuer: string, resource: string, client: StoredOAuthClientInformation): Promise<void> {
    await this.store.set({ kind: 'client', issuer, resource }, JSON.stringify(client));
  }

  async deleteClient(issuer: string, resource: string): Promise<boolean> {
    return this.store.delete({ kind: 'client', issuer, resource });
  }

  /**
   * The issuers holding tokens for a resource. Before discovery the gateway knows the upstream
   * URL but not its authorization server; the store's index tells it without a network round trip.
   */
  async issuersWithTokens(resource: string): Promise<string[]> {
    const entries = await this.store.list();
    return entries.filter((entry) => entry.kind === 'tokens' && entry.resource === resource).map((entry) => entry.issuer);
  }
}
