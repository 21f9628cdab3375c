/**
 * `npm start` (main/app/start-app.ts, electron-binary.ts, open-in-browser.ts): with Electron's
 * binary it runs Electron; without it — as on this machine — it says so plainly and serves the
 * same Gatehouse (a real one, the demo on free ports) with the window in the browser.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { launchGatehouse } from '../../main/admin/launch.js';
import { electronBinaryPath, locateElectron } from '../../main/app/electron-binary.js';
import { openerCommand, openInDefaultBrowser } from '../../main/app/open-in-browser.js';
import { startApp, type AppLauncherDeps, type HeadlessGatehouse } from '../../main/app/start-app.js';
import { writeWindowLauncher } from '../../main/app/window-launcher-file.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function recordingDeps(overrides: Partial<AppLauncherDeps>, dataDir: string) {
  const lines: string[] = [];
  const opened: string[] = [];
  const electronRuns: Array<{ binary: string; args: string[] }> = [];
  const deps: AppLauncherDeps = {
    locateElectron: async () => ({ status: 'missing', reason: 'the Electron binary has not been downloaded (no node_modules/electron/path.txt)' }),
    runElectron: async (binary, args) => {
      electronRuns.push({ binary, args });
      return 0;
    },
    launch: async (options) => {
      const launched = await launchGatehouse({ ...options, port: 0, dataDir });
      cleanups.push(() => launched.close());
      return launched;
    },
    openInBrowser: async (url) => void opened.push(url),
    out: (line) => lines.push(line),
    ...overrides,
  };
  return { deps, lines, opened, electronRuns };
}

describe('npm start without the Electron binary', () => {
  it('says so plainly, serves the demo and opens the window (with its token) in the browser', async () => {
    const dataDir = await tempDir('gatehouse-launcher-');
    const { deps, lines, opened } = recordingDeps({}, dataDir);
    const started = await startApp([], deps);
    if (started.mode !== 'browser') throw new Error('expected the browser fallback');
    const gatehouse = started.gatehouse as HeadlessGatehouse & { admin: { token: string } };

    const text = lines.join('\n');
    expect(text).toContain('the Electron binary is not installed');
    expect(text).toContain('no node_modules/electron/path.txt');
    expect(text).toContain('node node_modules/electron/install.js');
    expect(text).toContain(gatehouse.gateway.url('/ecommerce-mcp'));
    expect(text).toContain(gatehouse.gateway.url('/everything'));
    // Opened, so the token stays out of the terminal.
    expect(text).not.toContain(gatehouse.admin.token);

    expect(opened).toEqual([gatehouse.admin.windowUrl]);
    const windowUrl = new URL(opened[0]);
    const token = new URLSearchParams(windowUrl.hash.slice(1)).get('token');
    expect(token).toBe(gatehouse.admin.token);
    // The address opened is a working window: its token opens the admin API, and it says it is not the desktop app.
    const overview = await fetch(`${windowUrl.origin}/api/overview`, { headers: { authorization: `Bearer ${token}` } });
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ demo: true, desktop: false });
  });

  it('prints the address when no browser can be opened', async () => {
    const dataDir = await tempDir('gatehouse-launcher-');
    const { deps, lines } = recordingDeps(
      { openInBrowser: () => Promise.reject(new Error('xdg-open failed: xdg-open: no method available')) },
      dataDir,
    );
    const started = await startApp(['--demo'], deps);
    expect(started).toMatchObject({ mode: 'browser', browserOpened: false });
    const { gatehouse } = started as { gatehouse: HeadlessGatehouse };
    expect(lines.join('\n')).toContain('Could not open a browser: xdg-open failed: xdg-open: no method available');
    expect(lines).toContain(`  ${gatehouse.admin.windowUrl}`);
  });

  it('explains a binary that is there but cannot start', async () => {
    const dataDir = await tempDir('gatehouse-launcher-');
    const { deps, lines } = recordingDeps(
      { locateElectron: async () => ({ status: 'broken', path: '/x/electron', reason: 'error while loading shared libraries: libnss3.so' }) },
      dataDir,
    );
    await startApp([], deps);
    expect(lines[0]).toContain("Electron's binary is installed (/x/electron) but does not start on this machine: error while loading shared libraries: libnss3.so");
  });
});

describe('npm start with the Electron binary', () => {
  it('runs Electron with the arguments and launches nothing itself', async () => {
    let launches = 0;
    const { deps, electronRuns, opened } = recordingDeps(
      {
        locateElectron: async () => ({ status: 'ready', path: '/opt/electron/electron', version: '45.4.1' }),
        launch: async () => {
          launches++;
          throw new Error('must not launch');
        },
      },
      '/nonexistent',
    );
    expect(await startApp(['--config', 'gatehouse.yaml'], deps)).toEqual({ mode: 'electron', exitCode: 0 });
    expect(electronRuns).toEqual([{ binary: '/opt/electron/electron', args: ['--config', 'gatehouse.yaml'] }]);
    expect(launches).toBe(0);
    expect(opened).toEqual([]);
  });

  it('refuses a bad port before starting anything', async () => {
    const { deps } = recordingDeps({}, '/nonexistent');
    await expect(startApp(['--port', 'eighty'], deps)).rejects.toThrow("--port needs a port number from 0 to 65535 (0 picks a free one), got 'eighty'");
  });
});

describe("finding Electron's binary", () => {
  async function fakePackage(script?: string): Promise<string> {
    const dir = await tempDir('gatehouse-electron-pkg-');
    if (script !== undefined) {
      await writeFile(path.join(dir, 'path.txt'), 'electron');
      await mkdir(path.join(dir, 'dist'));
      await writeFile(path.join(dir, 'dist', 'electron'), script);
      await chmod(path.join(dir, 'dist', 'electron'), 0o755);
    }
    return dir;
  }

  it('reports a package without a downloaded binary as missing, saying why', async () => {
    expect(electronBinaryPath(undefined, {})).toEqual({ reason: expect.stringContaining('npm ci') });
    const dir = await fakePackage();
    expect(locateElectron(dir, {})).toMatchObject({ status: 'missing', reason: expect.stringContaining('has not been downloaded') });
    await writeFile(path.join(dir, 'path.txt'), 'electron');
    expect(electronBinaryPath(dir, {})).toEqual({ reason: `the Electron binary is not at ${path.join(dir, 'dist', 'electron')}` });
  });

  it.skipIf(process.platform === 'win32')('runs the binary once to see that it starts', async () => {
    const ready = await fakePackage('#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || exit 9\necho 45.4.1\n');
    expect(locateElectron(ready, {})).toEqual({ status: 'ready', path: path.join(ready, 'dist', 'electron'), version: '45.4.1' });
    const broken = await fakePackage('#!/bin/sh\necho "electron: error while loading shared libraries: libnss3.so: cannot open shared object file" >&2\nexit 127\n');
    expect(locateElectron(broken, {})).toMatchObject({ status: 'broken', reason: expect.stringContaining('libnss3.so') });
  });
});

describe('opening the browser', () => {
  it('picks each platform opener, passing the address as one argument', () => {
    const url = 'http://127.0.0.1:5000/#token=a&b';
    expect(openerCommand('linux', url)).toEqual({ command: 'xdg-open', args: [url] });
    expect(openerCommand('darwin', url)).toEqual({ command: 'open', args: [url] });
    expect(openerCommand('win32', url)).toEqual({ command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] });
  });

  it('refuses non-web addresses and Linux without a desktop session, saying why', async () => {
    await expect(openInDefaultBrowser('file:///etc/passwd', { platform: 'linux', env: { DISPLAY: ':0' } })).rejects.toThrow('only http(s) addresses are opened, not file:');
    await expect(openInDefaultBrowser('http://127.0.0.1:1/', { platform: 'linux', env: {} })).rejects.toThrow('no desktop session');
  });

  it.skipIf(process.platform !== 'linux')("reports the opener's own failure", async () => {
    // An opener that cannot be found fails the same way a missing xdg-open would.
    await expect(openInDefaultBrowser('http://127.0.0.1:1/', { platform: 'linux', env: { DISPLAY: ':99', PATH: '/nonexistent' } })).rejects.toThrow(/xdg-open/);
  });
});

describe('the window launcher page (the token stays off command lines)', () => {
  it('is written readable by the user alone, sends the browser to the window, and is the only file: address opened', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-launcher-'));
    try {
      const windowUrl = 'http://127.0.0.1:4321/#token=abc&"<x>';
      const page = await writeWindowLauncher(windowUrl, dir);
      expect(page.startsWith('file://')).toBe(true);
      const file = new URL(page).pathname;
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const html = await readFile(file, 'utf8');
      expect(html).toContain('http-equiv="refresh" content="0;url=http://127.0.0.1:4321/#token=abc&#38;&#34;&#60;x&#62;"');
      await expect(openInDefaultBrowser(`${page}x`, { platform: 'linux', env: { DISPLAY: ':0' }, launcherPage: page })).rejects.toThrow('only http(s) addresses are opened, not file:');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
