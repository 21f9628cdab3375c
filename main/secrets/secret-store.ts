/**
 * Where Gatehouse keeps the secrets of its own OAuth client (for secured upstreams): tokens,
 * refresh tokens, client registrations and client secrets. The OS keychain by default; an
 * encrypted file in the data folder only when the keychain is unavailable and the user opted in —
 * never silently, and never a plaintext file.
 */
import path from 'node:path';

import { openEncryptedFileStore } from './encrypted-file-store.js';
import { KeychainUnavailable } from './keychain-problem.js';
import { openKeychainStore } from './keychain-store.js';
import type { SecretRef, StoredSecretRef } from './secret-ref.js';
import { DEFAULT_KEYCHAIN_SERVICE } from './secret-store-env.js';

export type { SecretKind, SecretRef, StoredSecretRef } from './secret-ref.js';
export { KeychainUnavailable, type KeychainProblemCode } from './keychain-problem.js';
export { SecretFileError, type SecretFileErrorCode } from './secret-file-error.js';
export {
  DEFAULT_KEYCHAIN_SERVICE,
  KEYCHAIN_SERVICE_ENV,
  SECRETS_FILE_ENV,
  SECRETS_FILE_FLAG,
  SECRETS_PASSPHRASE_ENV,
  secretStoreOptionsFromEnv,
} from './secret-store-env.js';

export interface SecretStore {
  readonly backend: 'keychain' | 'encrypted-file';
  get(ref: SecretRef): Promise<string | undefined>;
  set(ref: SecretRef, value: string): Promise<void>;
  /** True when a secret was deleted, false when there was none. */
  delete(ref: SecretRef): Promise<boolean>;
  /** Gatehouse's secrets only: other items under the same keychain service are left out. */
  list(): Promise<StoredSecretRef[]>;
  getById(id: string): Promise<string | undefined>;
  deleteById(id: string): Promise<boolean>;
}

export interface OpenSecretStoreOptions {
  /** The app's data folder; the encrypted-file fallback lives there (secrets.enc). */
  dataDir: string;
  /** Explicit opt-in to the encrypted file when no keychain is available. Never silent. */
  allowEncryptedFile?: boolean;
  /** Passphrase for the encrypted file (e.g. from GATEHOUSE_SECRETS_PASSPHRASE); required with allowEncryptedFile. */
  passphrase?: string;
  /** Keychain service name. Default 'gatehouse'. Tests pass their own. */
  service?: string;
}

export const SECRETS_FILE_NAME = 'secrets.enc';

export function secretsFilePath(dataDir: string): string {
  return path.join(dataDir, SECRETS_FILE_NAME);
}

/**
 * Probes the keychain (a write/read/delete of a probe item) and returns a store, or throws
 * KeychainUnavailable. With allowEncryptedFile, a keychain that is unavailable falls back to the
 * encrypted file (SecretFileError when its passphrase is missing or wrong); the store's `backend`
 * says which one the caller got, so it can tell the user.
 */
export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  try {
    return await openKeychainStore(options.service ?? DEFAULT_KEYCHAIN_SERVICE);
  } catch (error) {
    if (!(error instanceof KeychainUnavailable) || !options.allowEncryptedFile) throw error;
    return openEncryptedFileStore(secretsFilePath(options.dataDir), options.passphrase);
  }
}
