/**
 * The desktop shell put together (main/app/desktop-shell.ts) against the Electron stand-in, with
 * a real Gatehouse behind it (the demo on free ports): one instance, the window on the admin
 * origin, the tray's route URLs, and a quit that closes the gateway exactly once.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { BOOTSTRAP_CHANNEL } from '../../main/app/bootstrap-channel.js';
import { runDesktopShell, type DesktopShell, type ShellGatehouse } from '../../main/app/desktop-shell.js';
import type { ShellElectron } from '../../main/app/shell-electron.js';
import { WINDOW_STATE_FILE } from '../../main/app/window-state.js';
import { createElectronStandIn, findMenuItem, type ElectronStandIn, type StandInOptions } from '../fixtures/electron-stand-in.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Started {
  electron: ElectronStandIn;
  shell: DesktopShell;
  launched: LaunchedGatehouse;
  closes: () => number;
  logs: string[];
  signals: NodeJS.EventEmitter;
  userData: string;
}

async function startShell(standIn: StandInOptions = {}, setup?: (userData: string) => Promise<void>): Promise<Started> {
  const userData = await tempDir('gatehouse-app-userdata-');
  const dataDir = await tempDir('gatehouse-app-data-');
  await setup?.(userData);
  const electron = createElectronStandIn({ userData, ...standIn });
  const signals = new (await import('node:events')).EventEmitter();
  const logs: string[] = [];
  let launched: LaunchedGatehouse | undefined;
  let closes = 0;
  const shell = await runDesktopShell({
    electron: electron as unknown as ShellElectron,
    launch: async () => {
      launched = await launchGatehouse({ demo: true, port: 0, dataDir, desktop: true });
      const real = launched;
      cleanups.push(() => real.close().catch(() => undefined));
      return {
        ...real,
        close: async () => {
          closes++;
          await real.close();
        },
      } satisfies ShellGatehouse;
    },
    preload: '/app/out/main/preload.cjs',
    trayIcon: '/app/build/tray/tray.png',
    contentSecurityPolicy: "default-src 'self'",
    platform: 'linux',
    signals: signals as unknown as NodeJS.Process,
    log: (line) => logs.push(line),
  });
  if (!shell || !launched) throw new Error('the shell did not start');
  return { electron, shell, launched, closes: () => closes, logs, signals, userData };
}

describe('desktop shell', () => {
  it('opens one locked-down window on the admin origin, and its preload learns the URL and token', async () => {
    const { electron, launched } = await startShell();
    expect(electron.windows).toHaveLength(1);
    const [window] = electron.windows;
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/out/main/preload.cjs' });
    // The window loads the admin origin without the token in its address: the preload carries it.
    expect(window.webContents.loaded).toEqual([launched.admin.url]);
    expect(window.webContents.loaded[0]).not.toContain(launched.admin.token);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);

    const answer = electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, window.webContents, { url: `${launched.admin.url}/`, parent: null });
    expect(answer).toEqual({ adminUrl: launched.admin.url, token: launched.admin.token });
    // The token it hands out opens the real admin API.
    const overview = await fetch(`${launched.admin.url}/api/overview`, { headers: { authorization: `Bearer ${(answer as { token: string }).token}` } });
    expect(overview.status).toBe(200);

    expect(window.webContents.navigate('https://example.com/')).toBe(false);
    expect(window.webContents.open('https://example.com/docs')).toEqual({ action: 'deny' });
    expect(electron.calls.openExternal).toEqual(['https://example.com/', 'https://example.com/docs']);
    expect(electron.calls.applicationMenu?.template.length).toBeGreaterThan(0);
  });

  it("lists every route's URL in the tray and copies the one clicked", async () => {
    const { electron, launched } = await startShell();
    const [tray] = electron.trays;
    const routes = [...launched.gateway.routes.keys()].sort();
    expect(routes).toEqual(['/ecommerce-mcp', '/everything']);
    const status = `Gateway on :${launched.gateway.port} — 2 routes`;
    expect(tray.toolTip).toContain(status);
    expect(findMenuItem(tray.menu, status)).toMatchObject({ enabled: false });

    const copyMenu = findMenuItem(tray.menu, 'Copy route URL');
    expect(copyMenu.submenu.map((item: { label: string }) => item.label)).toEqual(routes.map((route) => launched.gateway.url(route)));
    copyMenu.submenu[1].click();
    expect(electron.calls.clipboard).toEqual([launched.gateway.url('/everything')]);

    // "Open window" brings the closed window back.
    electron.windows[0].close();
    findMenuItem(tray.menu, 'Open window').click();
    expect(electron.windows).toHaveLength(2);
  });

  it('a second launch focuses the existing window instead of opening another', async () => {
    const { electron } = await startShell();
    const [window] = electron.windows;
    window.minimized = true;
    electron.app.emit('second-instance', {}, ['gatehouse'], '/');
    expect(electron.windows).toHaveLength(1);
    expect(window.minimized).toBe(false);
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(1);
  });

  it('quits at once without launching anything when another instance holds the lock', async () => {
    const electron = createElectronStandIn({ lock: false });
    let launched = 0;
    const shell = await runDesktopShell({
      electron: electron as unknown as ShellElectron,
      launch: async () => {
        launched++;
        throw new Error('must not launch');
      },
      preload: '/p.cjs',
      trayIcon: '/t.png',
      contentSecurityPolicy: "default-src 'self'",
      platform: 'linux',
      signals: process,
      log: () => undefined,
    });
    expect(shell).toBeUndefined();
    expect(electron.calls.quit).toBe(1);
    expect(launched).toBe(0);
    expect(electron.windows).toHaveLength(0);
    expect(electron.trays).toHaveLength(0);
  });

  it('quit closes the gateway exactly once, however many ways it is asked, then exits', async () => {
    const { electron, shell, launched, closes, signals } = await startShell();
    const gatewayUrl = launched.gateway.url('/everything');
    const before = await fetch(gatewayUrl);
    await before.arrayBuffer();
    expect(before.status).toBeGreaterThanOrEqual(200);

    // Tray "Quit", Electron's quit (before-quit), the last window closing and SIGTERM, all at once.
    findMenuItem(electron.trays[0].menu, 'Quit Gatehouse').click();
    electron.app.quit();
    electron.app.emit('window-all-closed');
    signals.emit('SIGTERM');
    await shell.shutdown();

    expect(closes()).toBe(1);
    expect(electron.calls.exit).toEqual([0]);
    expect(electron.trays[0].destroyed).toBe(true);
    // The gateway really stopped listening.
    await expect(fetch(gatewayUrl)).rejects.toThrow();
  });

  it('keeps running on macOS when the last window closes', async () => {
    const userData = await tempDir('gatehouse-app-userdata-');
    const electron = createElectronStandIn({ userData });
    let closes = 0;
    const fake: ShellGatehouse = {
      gateway: { port: 8400, routes: new Map(), url: (route) => `http://127.0.0.1:8400${route}` },
      admin: { url: 'http://127.0.0.1:47002', token: 't', windowUrl: 'http://127.0.0.1:47002/#token=t' },
      close: async () => void closes++,
    };
    const shell = await runDesktopShell({
      electron: electron as unknown as ShellElectron,
      launch: async () => fake,
      preload: '/p.cjs',
      trayIcon: '/t.png',
      contentSecurityPolicy: "default-src 'self'",
      platform: 'darwin',
      signals: new (await import('node:events')).EventEmitter() as unknown as NodeJS.Process,
      log: () => undefined,
    });
    electron.windows[0].close();
    electron.app.emit('window-all-closed');
    expect(shell!.shutdown.started).toBe(false);
    expect(findMenuItem(electron.trays[0].menu, 'No routes configured')).toMatchObject({ enabled: false });
    electron.app.emit('activate');
    expect(electron.windows).toHaveLength(2);
    await shell!.shutdown();
    expect(closes).toBe(1);
  });

  it('reports a launch failure in a dialog and exits 1', async () => {
    const electron = createElectronStandIn({ userData: await tempDir('gatehouse-app-userdata-') });
    const shell = await runDesktopShell({
      electron: electron as unknown as ShellElectron,
      launch: async () => {
        throw new Error("the gateway's port 8400 is already in use on 127.0.0.1 — stop the other program or pick another port");
      },
      preload: '/p.cjs',
      trayIcon: '/t.png',
      contentSecurityPolicy: "default-src 'self'",
      platform: 'linux',
      signals: process,
      log: () => undefined,
    });
    expect(shell).toBeUndefined();
    expect(electron.calls.errorBoxes).toEqual([{ title: 'Gatehouse could not start', content: expect.stringContaining('port 8400 is already in use') }]);
    expect(electron.calls.exit).toEqual([1]);
  });

  it('restores the saved window state, clamped onto a display that still exists, and saves it again on quit', async () => {
    const { electron, shell, userData } = await startShell(
      { displays: [{ workArea: { x: 0, y: 0, width: 1440, height: 900 } }] },
      // Last seen maximized on a second monitor to the right, which is gone now.
      (dir) => writeFile(path.join(dir, WINDOW_STATE_FILE), JSON.stringify({ bounds: { x: 2600, y: 100, width: 1600, height: 1000 }, maximized: true })),
    );
    const [window] = electron.windows;
    expect(window.options).toMatchObject({ x: 0, y: 0, width: 1440, height: 900 });
    expect(window.maximized).toBe(true);

    window.maximized = false;
    window.setBounds({ x: 100, y: 80, width: 1200, height: 760 });
    await shell.shutdown();
    expect(JSON.parse(await readFile(path.join(userData, WINDOW_STATE_FILE), 'utf8'))).toEqual({
      bounds: { x: 100, y: 80, width: 1200, height: 760 },
      maximized: false,
    });
  });
});
