/**
 * The window's tests drive the built renderer (renderer/dist), as the admin server serves it. A
 * build older than any renderer source would test yesterday's window, so it is rebuilt first —
 * with this Node (process.execPath), not whatever `node` is first on PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER = path.join(REPO_ROOT, 'renderer');
const BUILT_PAGE = path.join(RENDERER, 'dist', 'index.html');
/** What the build reads besides renderer/src; shared/ types change the bundle too. */
const INPUTS = [path.join(RENDERER, 'src'), path.join(RENDERER, 'index.html'), path.join(RENDERER, 'vite.config.ts'), path.join(REPO_ROOT, 'shared')];
const BUILD_TIMEOUT_MS = 120_000;

async function newestChange(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target, { withFileTypes: true });
  const times = await Promise.all(entries.map((entry) => newestChange(path.join(target, entry.name))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when renderer/dist/index.html is missing or older than a source it is built from. */
export async function rendererBuildIsStale(): Promise<boolean> {
  if (!existsSync(BUILT_PAGE)) return true;
  const built = (await stat(BUILT_PAGE)).mtimeMs;
  const sources = await Promise.all(INPUTS.filter((input) => existsSync(input)).map(newestChange));
  return Math.max(...sources) > built;
}

/** Builds renderer/dist when it is stale; says what vite printed when the build fails. */
export async function ensureRendererBuilt(): Promise<void> {
  if (!(await rendererBuildIsStale())) return;
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    await execFileAsync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts'], { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the renderer failed (node node_modules/vite/bin/vite.js build --config renderer/vite.config.ts):\n${stderr || stdout}`, { cause: error });
  }
}
