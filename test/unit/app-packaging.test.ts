/**
 * Packaging without packaging (it would download Electron): electron-builder.yml passes
 * electron-builder's own schema validation, names the targets the issue asks for, and every file
 * it and the shell refer to exists; the main-process build (main/app/vite.main.config.ts) yields
 * bundles Electron can run from a packaged app — the preload CommonJS requiring only 'electron',
 * the main process importing only Node, Electron and production dependencies.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { buildMain } from '../../main/app/build-main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fromRoot = (relative: string): string => path.join(root, relative);
const require = createRequire(import.meta.url);

let config: any;
beforeAll(async () => {
  config = YAML.parse(await readFile(fromRoot('electron-builder.yml'), 'utf8'));
});

async function pngSize(file: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(file);
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    // The validator is not a formality: a misspelt key fails it.
    await expect(validateConfiguration({ ...structuredClone(config), linux: { ...config.linux, categry: 'x' } }, new DebugLogger(false))).rejects.toThrow(/linux/);
  });

  it('names the app and the targets for each platform', () => {
    expect(config.appId).toBe('dev.gatehouse.app');
    expect(config.productName).toBe('Gatehouse');
    expect(config.mac).toMatchObject({ category: 'public.app-category.developer-tools', hardenedRuntime: true });
    expect(config.mac.target.map((t: any) => t.target ?? t)).toEqual(['dmg']);
    expect(config.win.target.map((t: any) => t.target ?? t)).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Development');
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
  });

  it('packs the built main process and window, and runs the built entry', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'renderer/dist/**', 'package.json']));
    expect(config.extraMetadata.main).toBe('out/main/app.js');
  });

  it("unpacks the keychain's native binary from the asar", () => {
    const keyringDir = path.dirname(require.resolve('@napi-rs/keyring/package.json'));
    const binaries = readdirSync(path.dirname(keyringDir))
      .filter((name) => name.startsWith('keyring'))
      .flatMap((name) => readdirSync(path.join(path.dirname(keyringDir), name)).filter((f) => f.endsWith('.node')).map((f) => `node_modules/@napi-rs/${name}/${f}`));
    expect(binaries.length).toBeGreaterThan(0);
    for (const binary of binaries) expect(config.asarUnpack.some((glob: string) => path.matchesGlob(binary, glob))).toBe(true);
  });

  it('refers only to icons that exist, at the sizes each platform wants', async () => {
    expect(await pngSize(fromRoot(config.mac.icon))).toEqual({ width: 1024, height: 1024 });
    expect(await pngSize(fromRoot(config.win.icon))).toEqual({ width: 1024, height: 1024 });
    const linuxIcons = readdirSync(fromRoot(config.linux.icon)).filter((f) => f.endsWith('.png'));
    expect(linuxIcons).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '128x128.png', '256x256.png', '512x512.png']));
    for (const name of linuxIcons) {
      const [width, height] = name.replace('.png', '').split('x').map(Number);
      expect(await pngSize(fromRoot(path.join(config.linux.icon, name)))).toEqual({ width, height });
    }
    expect(existsSync(fromRoot('build/icon.svg'))).toBe(true);
    for (const [file, size] of [['trayTemplate.png', 16], ['trayTemplate@2x.png', 32], ['tray.png', 16], ['tray@2x.png', 32]] as const) {
      expect(await pngSize(fromRoot(`build/tray/${file}`))).toEqual({ width: size, height: size });
    }
  });
});

describe('the main-process build', () => {
  let app: string;
  let preload: string;
  beforeAll(async () => {
    const built = await buildMain();
    [app, preload] = await Promise.all([readFile(built.main, 'utf8'), readFile(built.preload, 'utf8')]);
  }, 120_000);

  it('gives a CommonJS preload that requires nothing but electron and exposes only window.gatehouse', () => {
    expect([...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect([...preload.matchAll(/exposeInMainWorld\(\s*["']([^"']+)["']/g)].map((m) => m[1])).toEqual(['gatehouse']);
    // No generic IPC door (STYLE.md: never a preload exposing invoke(channel, …)).
    expect(preload).not.toMatch(/ipcRenderer\.(invoke|on|send)\b/);
  });

  it('gives an ES module main that imports only Node, Electron and production dependencies', async () => {
    const manifest = JSON.parse(await readFile(fromRoot('package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const production = new Set(Object.keys(manifest.dependencies));
    const specifiers = [...app.matchAll(/^import\s[^'"]*?from\s+["']([^"']+)["']|^import\s+["']([^"']+)["']/gm)].map((m) => m[1] ?? m[2]);
    const dynamic = [...app.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    const bare = [...specifiers, ...dynamic].filter((s) => !s.startsWith('.'));
    expect(bare).toContain('electron');
    const packageOf = (s: string): string => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
    const unexpected = bare.filter((s) => s !== 'electron' && !s.startsWith('node:') && !builtinModules.includes(s) && !production.has(packageOf(s)));
    expect(unexpected).toEqual([]);
  });
});
