/**
 * Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, the freedesktop Secret
 * Service on Linux): one item per secret under one service name, the account name saying what it
 * is (secret-ref.ts). Nothing here logs, and no error carries a value.
 */
import { randomBytes } from 'node:crypto';

import { keychainUnavailable } from './keychain-problem.js';
import * as keychain from './os-keychain.js';
import { accountNameOf, accountNameOfId, storedSecretRefOf } from './secret-ref.js';
import type { SecretRef, StoredSecretRef } from './secret-ref.js';
import type { SecretStore } from './secret-store.js';

/** Not a valid account name for secret-ref.ts, so list() never shows a probe left by a crash. */
const PROBE_ACCOUNT = 'gatehouse-keychain-probe';

class KeychainSecretStore implements SecretStore {
  readonly backend = 'keychain';

  constructor(private readonly service: string) {}

  async get(ref: SecretRef): Promise<string | undefined> {
    return this.getAccount(accountNameOf(ref));
  }

  async set(ref: SecretRef, value: string): Promise<void> {
    const account = accountNameOf(ref);
    return this.call(() => keychain.setPassword(this.service, account, value));
  }

  async delete(ref: SecretRef): Promise<boolean> {
    return this.deleteAccount(accountNameOf(ref));
  }

  async list(): Promise<StoredSecretRef[]> {
    const credentials = await this.call(() => keychain.findCredentials(this.service));
    // Items under our service whose names we did not write (another tool, a probe) are not ours.
    return credentials.flatMap(({ account }) => storedSecretRefOf(account) ?? []);
  }

  async getById(id: string): Promise<string | undefined> {
    const account = accountNameOfId(id);
    return account === undefined ? undefined : this.getAccount(account);
  }

  async deleteById(id: string): Promise<boolean> {
    const account = accountNameOfId(id);
    return account === undefined ? false : this.deleteAccount(account);
  }

  private getAccount(account: string): Promise<string | undefined> {
    return this.call(() => keychain.getPassword(this.service, account));
  }

  private deleteAccount(account: string): Promise<boolean> {
    return this.call(() => keychain.deletePassword(this.service, account));
  }

  /** A keychain that worked at startup can still be locked later: every failure gets explained. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw keychainUnavailable(error, { service: this.service });
    }
  }
}

/**
 * The keychain store, after checking that the keychain takes, returns and deletes an item: a
 * keychain that cannot store is found at startup, not at the first sign-in.
 */
export async function openKeychainStore(service: string): Promise<SecretStore> {
  const store = new KeychainSecretStore(service);
  const probe = randomBytes(16).toString('hex');
  try {
    await keychain.setPassword(service, PROBE_ACCOUNT, probe);
    const readBack = await keychain.getPassword(service, PROBE_ACCOUNT);
    await keychain.deletePassword(service, PROBE_ACCOUNT);
    if (readBack !== probe) throw new Error(`an item written to the keychain read back ${readBack === undefined ? 'as missing' : 'different'}`);
  } catch (error) {
    throw keychainUnavailable(error, { service });
  }
  return store;
}
