/**
 * Files in the data folder that hold secrets (signing keys, cookie keys, client registrations):
 * readable by the owner only, replaced atomically so a crash never leaves half a key file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { IdpError } from './idp-error.js';

export const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;

export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (cause) {
    throw new IdpError('data_dir_unwritable', `cannot create the data folder ${dir} for the identity provider's keys: ${(cause as Error).message}`, { cause });
  }
}

/** The file's text, or undefined when it does not exist. Tightens a too-open mode on the way. */
export async function readPrivateFile(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdpError('key_file_invalid', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  if (process.platform !== 'win32') {
    const { mode } = await stat(file);
    // Copied or restored with a permissive umask: keys must stay the owner's alone.
    if ((mode & 0o077) !== 0) await chmod(file, PRIVATE_FILE_MODE);
  }
  return text;
}

export async function writePrivateFile(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    await rename(temporary, file);
  } catch (cause) {
    await unlink(temporary).catch(() => undefined);
    throw new IdpError('data_dir_unwritable', `cannot write ${file}: ${(cause as Error).message}`, { cause });
  }
}
