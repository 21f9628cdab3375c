/**
 * Saves a config atomically (write-file-atomically.ts) so a crash or a watcher reading mid-write
 * never sees half a file.
 */
import { stringify } from 'yaml';

import type { GatehouseConfig } from './schema.js';
import { writeFileAtomically } from './write-file-atomically.js';

export function saveConfig(file: string, config: GatehouseConfig): Promise<void> {
  return writeFileAtomically(file, stringify(config, { lineWidth: 0 }));
}
