/**
 * The desktop app put together: one instance, Gatehouse launched, a locked-down window on the
 * admin origin, a tray icon, and a shutdown that closes the gateway once. Everything Electron is
 * reached through `electron`, so this runs against the real module (app.ts) or a stand-in (tests).
 */
import path from 'node:path';

import type { BrowserWindow, Tray } from 'electron';

import { applicationMenuTemplate } from './app-menu.js';
import { serveBootstrap } from './bootstrap-channel.js';
import { secureWindowOptions, lockNavigation } from './secure-window.js';
import { applySessionPolicy } from './session-policy.js';
import type { ShellElectron } from './shell-electron.js';
import { createShutdown, wireShutdown, type Shutdown } from './shutdown.js';
import { claimSingleInstance } from './single-instance.js';
import { gatewayStatusLine, trayMenuTemplate, type TrayGateway } from './tray-menu.js';
import { clampToDisplays, loadWindowState, trackWindowState, WINDOW_STATE_FILE, type WindowState } from './window-state.js';

/** What the shell needs of a launched Gatehouse (main/admin/launch.ts's LaunchedGatehouse satisfies it). */
export interface ShellGatehouse {
  gateway: TrayGateway & { onChange?(listener: () => void): () => void };
  admin: { url: string; token: string; windowUrl: string };
  close(): Promise<void>;
}

export interface DesktopShellOptions {
  electron: ShellElectron;
  launch: () => Promise<ShellGatehouse>;
  /** Absolute path of the built preload (out/main/preload.cjs). */
  preload: string;
  trayIcon: string;
  windowIcon?: string;
  contentSecurityPolicy: string;
  platform: NodeJS.Platform;
  signals: Pick<NodeJS.Process, 'once'>;
  log: (message: string) => void;
}

export interface DesktopShell {
  readonly gatehouse: ShellGatehouse;
  readonly tray: Tray;
  window(): BrowserWindow | undefined;
  openWindow(): BrowserWindow;
  shutdown: Shutdown;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Undefined when another instance runs (this one quits) or Gatehouse could not start (reported, exits 1). */
export async function runDesktopShell(options: DesktopShellOptions): Promise<DesktopShell | undefined> {
  const { electron } = options;
  const { app } = electron;
  // A second launch brings the window forward, once there is one to bring.
  let focusExisting = (): void => undefined;
  if (!claimSingleInstance(app, () => focusExisting())) return undefined;

  await app.whenReady();
  electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(applicationMenuTemplate({ platform: options.platform, packaged: app.isPackaged })));

  let gatehouse: ShellGatehouse;
  try {
    gatehouse = await options.launch();
  } catch (error) {
    electron.dialog.showErrorBox('Gatehouse could not start', describe(error));
    app.exit(1);
    return undefined;
  }

  const adminOrigin = new URL(gatehouse.admin.url).origin;
  let window: BrowserWindow | undefined;
  const tray = new electron.Tray(options.trayIcon);
  // One per window opened so far: a closed window's last save may still be on its way to disk.
  const windowStateFlushes: Array<() => Promise<void>> = [];
  const shutdown = createShutdown(
    async () => {
      await Promise.all(windowStateFlushes.map((flush) => flush()));
      if (!tray.isDestroyed()) tray.destroy();
      await gatehouse.close();
    },
    (code) => app.exit(code),
    (error) => options.log(`Gatehouse did not close cleanly: ${describe(error)}`),
  );
  wireShutdown(app, options.signals, shutdown, options.platform);

  applySessionPolicy(electron.session.defaultSession, adminOrigin, options.contentSecurityPolicy);
  serveBootstrap(electron.ipcMain, (sender) => window !== undefined && !window.isDestroyed() && sender === window.webContents, {
    adminUrl: gatehouse.admin.url,
    token: gatehouse.admin.token,
  });

  const stateFile = path.join(app.getPath('userData'), WINDOW_STATE_FILE);
  let saved: WindowState | undefined = await loadWindowState(stateFile);

  const openWindow = (): BrowserWindow => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return window;
    }
    const bounds = saved ? clampToDisplays(saved.bounds, electron.screen.getAllDisplays()) : undefined;
    const created = new electron.BrowserWindow(secureWindowOptions({ preload: options.preload, bounds, icon: options.windowIcon }));
    window = created;
    if (saved?.maximized) created.maximize();
    saved = undefined;
    lockNavigation(created.webContents, adminOrigin, (url) => electron.shell.openExternal(url));
    windowStateFlushes.push(trackWindowState(created, stateFile, (error) => options.log(`could not save the window's place: ${describe(error)}`)));
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = undefined;
    });
    void created.loadURL(gatehouse.admin.url).catch((error: unknown) => options.log(`the window could not load ${gatehouse.admin.url}: ${describe(error)}`));
    return created;
  };

  const actions = {
    copy: (text: string) => electron.clipboard.writeText(text),
    openWindow: () => void openWindow(),
    quit: () => void shutdown(0),
  };
  let shown = '';
  const refreshTray = (): void => {
    // onChange also fires for traffic; only rebuild when what the menu shows has changed.
    const routes = [...gatehouse.gateway.routes.keys()].sort();
    const signature = JSON.stringify([gatewayStatusLine(gatehouse.gateway), routes.map((r) => gatehouse.gateway.url(r))]);
    if (signature === shown || tray.isDestroyed()) return;
    shown = signature;
    tray.setToolTip(`Gatehouse — ${gatewayStatusLine(gatehouse.gateway)}`);
    tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(gatehouse.gateway, actions)));
  };
  refreshTray();
  gatehouse.gateway.onChange?.(refreshTray);
  tray.on('click', () => void openWindow());
  app.on('activate', () => void openWindow());
  focusExisting = () => void openWindow();

  openWindow();
  options.log(`Gatehouse is running: gateway on :${gatehouse.gateway.port}, window at ${gatehouse.admin.url}`);
  return {
    gatehouse,
    tray,
    window: () => (window && !window.isDestroyed() ? window : undefined),
    openWindow,
    shutdown,
  };
}
