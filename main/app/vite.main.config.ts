/**
 * Builds the Electron main process, which cannot run TypeScript: main/app/app.ts → out/main/app.js
 * (ESM, Node 22 as in Electron 45) and main/app/preload.ts → out/main/preload.cjs (a sandboxed
 * preload must be CommonJS and may require nothing but 'electron'). Packages stay external: they
 * ship in node_modules beside the bundle, native ones (@napi-rs/keyring) unpacked from the asar.
 *
 *   vite build -c main/app/vite.main.config.ts              (the main process)
 *   vite build -c main/app/vite.main.config.ts --mode preload
 * or `node --import tsx main/app/build-main.ts` for both.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

import { defineConfig, type UserConfig } from 'vite';

const fromRoot = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export const MAIN_OUT_DIR = fromRoot('out/main');

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** Bare package imports: left for Node's resolver in node_modules. */
const isPackage = (id: string): boolean => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !/^[A-Za-z]:[\\/]/.test(id);

function shared(): UserConfig {
  return {
    root: fromRoot('.'),
    publicDir: false,
    logLevel: 'warn',
    resolve: { conditions: ['node', 'import', 'default'] },
  };
}

export function mainBuildConfig(): UserConfig {
  return {
    ...shared(),
    build: {
      ssr: fromRoot('main/app/app.ts'),
      outDir: MAIN_OUT_DIR,
      // The preload build writes into the same folder.
      emptyOutDir: false,
      target: 'node22',
      sourcemap: true,
      minify: false,
      rollupOptions: {
        external: (id) => id === 'electron' || NODE_BUILTINS.includes(id) || isPackage(id),
        output: { format: 'es', entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
}

export function preloadBuildConfig(): UserConfig {
  return {
    ...shared(),
    build: {
      ssr: fromRoot('main/app/preload.ts'),
      outDir: MAIN_OUT_DIR,
      emptyOutDir: false,
      target: 'node22',
      sourcemap: false,
      minify: false,
      rollupOptions: {
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: 'preload.cjs', codeSplitting: false },
      },
    },
  };
}

export default defineConfig(({ mode }) => (mode === 'preload' ? preloadBuildConfig() : mainBuildConfig()));
