/**
 * Reloads the config when its file changes. The folder is watched, not the file: editors save by
 * writing a new file and renaming it over the old one. An invalid edit keeps the last good
 * config running; the caller is told why.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import type { GatehouseConfig } from './schema.js';

export interface ConfigWatchHandlers {
  onValid(config: GatehouseConfig): Promise<void> | void;
  onInvalid(error: ConfigError): void;
}

export function watchConfig(file: string, handlers: ConfigWatchHandlers, debounceMs = 150): () => void {
  const absolute = path.resolve(file);
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined;
  let running = Promise.resolve();

  const check = () => {
    running = running.then(async () => {
      let config: GatehouseConfig;
      try {
        config = await loadConfig(absolute);
      } catch (error) {
        if (error instanceof ConfigError) handlers.onInvalid(error);
        return;
      }
      const text = JSON.stringify(config);
      if (text === lastText) return;
      lastText = text;
      await handlers.onValid(config);
    });
  };

  // The config the caller started with is the baseline: no reload for a save that changes nothing.
  void loadConfig(absolute).then(
    (config) => (lastText = JSON.stringify(config)),
    () => undefined,
  );

  const watcher: FSWatcher = watch(path.dirname(absolute), (_event, name) => {
    if (name && name.toString() !== path.basename(absolute)) return;
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  });
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
