/**
 * Finding Electron's binary without running it. `require('electron')` from Node returns the path
 * but, when the binary is missing, first tries to download it and then throws a bare "Electron
 * failed to install correctly"; the launcher wants to say plainly what is missing instead, so it
 * reads what the electron package itself reads (path.txt, dist/) and tries to run the binary.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary =
  | { status: 'ready'; path: string; version: string }
  /** Not downloaded (or the package is absent): `reason` says which, in words. */
  | { status: 'missing'; reason: string; packageDir?: string }
  /** Present but does not start on this machine (missing system libraries, wrong architecture). */
  | { status: 'broken'; path: string; reason: string };

export type ElectronLocator = () => Promise<ElectronBinary>;

export function electronPackageDir(from: string = import.meta.url): string | undefined {
  try {
    return path.dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
}

/** Where the electron package says its binary is, or why there is none. */
export function electronBinaryPath(packageDir: string | undefined, env: NodeJS.ProcessEnv): { path: string } | { reason: string } {
  if (!packageDir) return { reason: "the electron package is not installed (run npm ci in the Gatehouse folder)" };
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return { path: path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron') };
  if (!relative) return { reason: `the Electron binary has not been downloaded (no ${pathFile})` };
  const binary = path.join(packageDir, 'dist', relative);
  if (!existsSync(binary)) return { reason: `the Electron binary is not at ${binary}` };
  return { path: binary };
}

/** Runs the binary as plain Node for a moment: that loads it and its system libraries, but opens no window. */
export function probeElectron(binary: string, env: NodeJS.ProcessEnv): { version: string } | { reason: string } {
  const result = spawnSync(binary, ['-p', 'process.versions.electron'], {
    env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 20_000,
    shell: false,
  });
  if (result.error) return { reason: result.error.message };
  if (result.status !== 0) return { reason: firstLine(result.stderr) || `it exited with ${result.status ?? result.signal}` };
  return { version: result.stdout.trim() };
}

export function locateElectron(packageDir = electronPackageDir(), env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const found = electronBinaryPath(packageDir, env);
  if ('reason' in found) return { status: 'missing', reason: found.reason, packageDir };
  const probe = probeElectron(found.path, env);
  if ('reason' in probe) return { status: 'broken', path: found.path, reason: probe.reason };
  return { status: 'ready', path: found.path, version: probe.version };
}

/**
 * The electron package's own download (what its first launch would do), with its output kept
 * so a failure is one plain line rather than a stack trace. Bounded: a stalled network gives up.
 */
export function downloadElectron(packageDir: string, timeoutMs = 10 * 60_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(packageDir, 'install.js')], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ok: true });
      const reason = signal ? `the download was stopped after ${Math.round(timeoutMs / 1000)} s` : firstLine(output.split('\n').find((line) => /error/i.test(line)) ?? output);
      resolve({ ok: false, reason: reason || `install.js exited with ${code}` });
    });
  });
}
