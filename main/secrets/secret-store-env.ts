/**
 * How a user chooses where Gatehouse keeps its OAuth secrets, outside the config file (a config
 * file is shared and committed; a passphrase must not be). The names are the public contract:
 * error messages quote them as the fix.
 */
import { SecretFileError } from './secret-file-error.js';
import type { OpenSecretStoreOptions } from './secret-store.js';

/** CLI flag that opts in to the encrypted file when no keychain is available. */
export const SECRETS_FILE_FLAG = '--secrets-file';
/** `1` or `true`: same opt-in as SECRETS_FILE_FLAG. */
export const SECRETS_FILE_ENV = 'GATEHOUSE_SECRETS_FILE';
/** Passphrase the encrypted file's key is derived from (scrypt). */
export const SECRETS_PASSPHRASE_ENV = 'GATEHOUSE_SECRETS_PASSPHRASE';
/** Keychain service name instead of `gatehouse`, e.g. to keep a test run's items apart. */
export const KEYCHAIN_SERVICE_ENV = 'GATEHOUSE_KEYCHAIN_SERVICE';

export const DEFAULT_KEYCHAIN_SERVICE = 'gatehouse';

/** The sentence every "no keychain" message ends with. */
export const ENCRYPTED_FILE_OPT_IN = `opt in to an encrypted secrets file instead: pass ${SECRETS_FILE_FLAG} (or set ${SECRETS_FILE_ENV}=1) and set ${SECRETS_PASSPHRASE_ENV} to a passphrase`;

const TRUE_VALUES = new Set(['1', 'true']);
const FALSE_VALUES = new Set(['', '0', 'false']);

export function secretStoreOptionsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): OpenSecretStoreOptions {
  const options: OpenSecretStoreOptions = { dataDir };
  const optIn = env[SECRETS_FILE_ENV]?.trim().toLowerCase();
  if (optIn !== undefined) {
    if (TRUE_VALUES.has(optIn)) options.allowEncryptedFile = true;
    else if (!FALSE_VALUES.has(optIn)) {
      // Never a silent default: `yes` might mean opt-in, and guessing wrong hides a keychain problem.
      throw new SecretFileError(
        'invalid_setting',
        `${SECRETS_FILE_ENV}=${JSON.stringify(env[SECRETS_FILE_ENV])} is neither on nor off`,
        `set ${SECRETS_FILE_ENV}=1 to opt in to the encrypted secrets file, or unset it to use the OS keychain`,
      );
    }
  }
  const passphrase = env[SECRETS_PASSPHRASE_ENV];
  if (passphrase !== undefined && passphrase !== '') options.passphrase = passphrase;
  const service = env[KEYCHAIN_SERVICE_ENV]?.trim();
  if (service) options.service = service;
  return options;
}
