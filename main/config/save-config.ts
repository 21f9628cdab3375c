/**
 * Saves a config atomically (write a sibling temp file, fsync, rename) so a crash or a watcher
 * reading mid-write never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { stringify } from 'yaml';

import type { GatehouseConfig } from './schema.js';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export function saveConfig(file: string, config: GatehouseConfig): Promise<void> {
  return writeFileAtomic(file, stringify(config, { lineWidth: 0 }));
}
