/**
 * Problems with the encrypted secrets file (the opt-in fallback when there is no keychain). The
 * message says what is wrong and how to fix it; it names the file but never holds a secret or the
 * passphrase.
 */
export type SecretFileErrorCode =
  /** Opted in to the file without a passphrase to derive its key from. */
  | 'passphrase_missing'
  /** The file does not decrypt with this passphrase (or was altered). */
  | 'wrong_passphrase'
  /** The file is not a Gatehouse secrets file, or a newer format. */
  | 'file_invalid'
  | 'file_unreadable'
  | 'file_unwritable'
  /** An environment setting about the file has a value Gatehouse does not understand. */
  | 'invalid_setting';

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';

  constructor(
    readonly code: SecretFileErrorCode,
    problem: string,
    /** How to fix it, in words. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${problem} — ${fix}`, options);
  }
}
