/**
 * Builds what Electron runs (out/main/app.js and out/main/preload.cjs). `npm run build:app`, and
 * the launcher (bin/gatehouse-app.js) before it starts Electron on sources newer than the build.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

import { MAIN_OUT_DIR, mainBuildConfig, preloadBuildConfig } from './vite.main.config.js';

export const MAIN_ENTRY = `${MAIN_OUT_DIR}/app.js`;
export const PRELOAD_ENTRY = `${MAIN_OUT_DIR}/preload.cjs`;

export async function buildMain(): Promise<{ main: string; preload: string }> {
  await rm(MAIN_OUT_DIR, { recursive: true, force: true });
  await build({ ...mainBuildConfig(), configFile: false });
  await build({ ...preloadBuildConfig(), configFile: false });
  return { main: MAIN_ENTRY, preload: PRELOAD_ENTRY };
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** True when out/main is missing or older than a source under main/ or shared/. */
export async function isMainBuildStale(root = fileURLToPath(new URL('../../', import.meta.url))): Promise<boolean> {
  const built = await Promise.all([MAIN_ENTRY, PRELOAD_ENTRY].map((file) => stat(file).then((s) => s.mtimeMs, () => 0)));
  const oldest = Math.min(...built);
  if (oldest === 0) return true;
  const sources = await Promise.all(['main', 'shared'].map((dir) => newestSource(path.join(root, dir))));
  return Math.max(...sources) > oldest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const built = await buildMain();
  console.log(`built ${built.main} and ${built.preload} in ${Math.round(performance.now() - started)} ms`);
}
