/**
 * Secrets in one encrypted file in the data folder, for machines with no usable keychain, and only
 * when the user opted in (secret-store.ts). The file is re-read for every operation so a CLI and
 * the app sharing a data folder see each other's writes; the key is derived once (scrypt is
 * deliberately slow) and kept as long as the file's salt stays the same. Within one process,
 * operations run one at a time, and a write (read, change, write back) holds a lock file against
 * other processes, so no two writes lose each other.
 */
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { accountNameOf, accountNameOfId, storedSecretRefOf } from './secret-ref.js';
import type { SecretRef, StoredSecretRef } from './secret-ref.js';
import { withFileLock } from './file-lock.js';
import { SecretFileError } from './secret-file-error.js';
import { SECRETS_PASSPHRASE_ENV } from './secret-store-env.js';
import type { SecretStore } from './secret-store.js';
import { deriveFileKey, openEntries, parseEnvelope, sealEntries, type Entries, type FileKey } from './secrets-file-format.js';
import { PRIVATE_FILE_MODE, writeFileAtomically } from '../config/write-file-atomically.js';

const PRIVATE_DIR_MODE = 0o700;

class EncryptedFileSecretStore implements SecretStore {
  readonly backend = 'encrypted-file';
  private queue: Promise<unknown> = Promise.resolve();
  private fileKey: FileKey | undefined;

  constructor(
    private readonly file: string,
    private readonly passphrase: string,
  ) {}

  async get(ref: SecretRef): Promise<string | undefined> {
    const account = accountNameOf(ref);
    return this.serialized(async () => (await this.load())[account]);
  }

  async set(ref: SecretRef, value: string): Promise<void> {
    const account = accountNameOf(ref);
    return this.serializedWrite(async () => {
      const entries = await this.load();
      entries[account] = value;
      await this.save(entries);
    });
  }

  async delete(ref: SecretRef): Promise<boolean> {
    return this.deleteAccount(accountNameOf(ref));
  }

  async list(): Promise<StoredSecretRef[]> {
    return this.serialized(async () => Object.keys(await this.load()).flatMap((account) => storedSecretRefOf(account) ?? []));
  }

  async getById(id: string): Promise<string | undefined> {
    const account = accountNameOfId(id);
    if (account === undefined) return undefined;
    return this.serialized(async () => (await this.load())[account]);
  }

  async deleteById(id: string): Promise<boolean> {
    const account = accountNameOfId(id);
    return account === undefined ? false : this.deleteAccount(account);
  }

  /** Reads the file (or nothing yet) and checks the passphrase; opening the store calls it once. */
  async load(): Promise<Entries> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as Entries;
      throw new SecretFileError('file_unreadable', `cannot read ${this.file}: ${(cause as Error).message}`, 'check the file and its folder belong to you and are readable', { cause });
    }
    await this.tightenMode();
    const envelope = parseEnvelope(text, this.file);
    if (this.fileKey?.kdf.salt !== envelope.kdf.salt) this.fileKey = await deriveFileKey(this.passphrase, envelope.kdf);
    return Object.assign(Object.create(null) as Entries, openEntries(envelope, this.fileKey, this.file));
  }

  private async save(entries: Entries): Promise<void> {
    this.fileKey ??= await deriveFileKey(this.passphrase);
    try {
      await writeFileAtomically(this.file, sealEntries(entries, this.fileKey));
    } catch (cause) {
      throw new SecretFileError('file_unwritable', `cannot write ${this.file}: ${(cause as Error).message}`, 'check that the data folder exists, belongs to you and has free space', { cause });
    }
  }

  private deleteAccount(account: string): Promise<boolean> {
    return this.serializedWrite(async () => {
      const entries = await this.load();
      if (!(account in entries)) return false;
      delete entries[account];
      await this.save(entries);
      return true;
    });
  }

  /** A copied or restored file can arrive with a permissive mode: secrets stay the owner's alone. */
  private async tightenMode(): Promise<void> {
    if (process.platform === 'win32') return;
    const { mode } = await stat(this.file);
    if ((mode & 0o077) !== 0) await chmod(this.file, PRIVATE_FILE_MODE);
  }

  private serializedWrite<T>(operation: () => Promise<T>): Promise<T> {
    return this.serialized(() => withFileLock(this.file, operation));
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Opens (or prepares to create) the file, failing now on a missing or wrong passphrase. */
export async function openEncryptedFileStore(file: string, passphrase: string | undefined): Promise<SecretStore> {
  if (passphrase === undefined || passphrase === '') {
    throw new SecretFileError(
      'passphrase_missing',
      `the encrypted secrets file ${file} needs a passphrase to derive its key from`,
      `set ${SECRETS_PASSPHRASE_ENV} to a passphrase (the same one every time Gatehouse starts)`,
    );
  }
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (cause) {
    throw new SecretFileError('file_unwritable', `cannot create the data folder ${dir}: ${(cause as Error).message}`, 'check that the data folder path is right and belongs to you', { cause });
  }
  const store = new EncryptedFileSecretStore(file, passphrase);
  await store.load();
  return store;
}
