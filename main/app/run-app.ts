/**
 * `npm start` with the real parts plugged into start-app.ts: the electron package's binary (and
 * its one download attempt), the built main process, launchGatehouse, the system browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchGatehouse } from '../admin/launch.js';
import { downloadElectron, electronPackageDir, locateElectron, type ElectronBinary } from './electron-binary.js';
import { LaunchArgsError } from './launch-args.js';
import { openInDefaultBrowser } from './open-in-browser.js';
import { writeWindowLauncher } from './window-launcher-file.js';
import { startApp, type AppLauncherDeps } from './start-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER_INDEX = fileURLToPath(new URL('../../renderer/dist/index.html', import.meta.url));

async function locateOrDownload(out: (line: string) => void): Promise<ElectronBinary> {
  const first = locateElectron();
  if (first.status !== 'missing' || !first.packageDir) return first;
  out("Gatehouse: Electron's binary is not downloaded yet; trying to download it (node node_modules/electron/install.js)…");
  const download = await downloadElectron(first.packageDir);
  if (!download.ok) return { status: 'missing', reason: `downloading it from GitHub failed (${download.reason.replace(/^\w*Error: /, '')})`, packageDir: first.packageDir };
  return locateElectron(electronPackageDir());
}

/** Electron opens the folder whose package.json names out/main/app.js; failing that, the file itself. */
function electronAppPath(mainEntry: string): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { main?: string };
    if (manifest.main?.replace(/^\.\//, '') === 'out/main/app.js') return ROOT;
  } catch {
    // Fall back to the entry file.
  }
  return mainEntry;
}

async function runElectron(binary: string, args: string[], out: (line: string) => void): Promise<number> {
  const { buildMain, isMainBuildStale, MAIN_ENTRY } = await import('./build-main.js');
  if (await isMainBuildStale()) {
    out('Gatehouse: building the main process for Electron (out/main)…');
    await buildMain();
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [electronAppPath(MAIN_ENTRY), ...args], { stdio: 'inherit', env, shell: false });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not start Electron (${binary}): ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function ensureRendererBuilt(out: (line: string) => void): Promise<void> {
  if (existsSync(RENDERER_INDEX)) return;
  out('Gatehouse: building the window (renderer/dist)…');
  const { build } = await import('vite');
  await build({ configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}

/** Returns the exit code, or -1 while the browser fallback keeps running (it exits on a signal). */
export async function runApp(argv: readonly string[]): Promise<number> {
  const out = (line: string): void => console.log(line);
  const deps: AppLauncherDeps = {
    locateElectron: () => locateOrDownload(out),
    runElectron: (binary, args) => runElectron(binary, args, out),
    launch: launchGatehouse,
    openInBrowser: async (url) => {
      const launcherPage = await writeWindowLauncher(url, path.join(os.homedir(), '.gatehouse'));
      await openInDefaultBrowser(launcherPage, { launcherPage });
    },
    out,
  };
  try {
    await ensureRendererBuilt(out);
    const started = await startApp(argv, deps, process.env);
    if (started.mode === 'electron') return started.exitCode;
    let closing = false;
    const stop = (): void => {
      if (closing) return;
      closing = true;
      out('Gatehouse: stopping…');
      started.gatehouse.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`Gatehouse did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  } catch (error) {
    console.error(`Gatehouse could not start: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof LaunchArgsError ? 2 : 1;
  }
}
