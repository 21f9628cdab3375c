/**
 * Problems starting the built-in identity provider that the user can fix: each has a code and a
 * message saying what is wrong and which config key or file to change.
 */

export type IdpErrorCode =
  /** Another process listens on idp.port. */
  | 'port_in_use'
  /** Any other listen failure (permission, unknown host). */
  | 'listen_failed'
  /** The key file in the data folder exists but cannot be read or is not ours. */
  | 'key_file_invalid'
  /** The data folder or a file in it cannot be written. */
  | 'data_dir_unwritable';

export class IdpError extends Error {
  override readonly name = 'IdpError';

  constructor(
    readonly code: IdpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
