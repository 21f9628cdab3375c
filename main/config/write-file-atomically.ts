/**
 * Replaces a file so that a crash or a full disk leaves either the old or the new content, never
 * half of one: write a temporary file beside it (owner-only from its creation, not chmod'ed
 * after), flush it to disk, rename it over the target, flush the folder entry.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;

export async function writeFileAtomically(file: string, content: string | Uint8Array, mode = PRIVATE_FILE_MODE): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Makes the rename itself durable. Not possible on Windows (directories cannot be opened), where NTFS journals it. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
