/**
 * The Electron main process entry (built to out/main/app.js by vite.main.config.ts). Its only job
 * is to hand the real Electron module and the real launcher to the desktop shell; the shell's
 * logic lives in modules that tests run against a stand-in.
 */
import { fileURLToPath } from 'node:url';

import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, screen, session, shell, Tray } from 'electron';

import { launchGatehouse } from '../admin/launch.js';
import { CONTENT_SECURITY_POLICY } from '../admin/renderer-static.js';
import { runDesktopShell } from './desktop-shell.js';
import { parseLaunchArgs } from './launch-args.js';

// Paths from the built file (out/main/app.js), which sits two folders below the app's root both
// in the repository and inside the packaged app.asar.
const fromRoot = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

let launchOptions;
try {
  launchOptions = parseLaunchArgs(process.argv.slice(1), process.env);
} catch (error) {
  dialog.showErrorBox('Gatehouse: wrong command line', error instanceof Error ? error.message : String(error));
  app.exit(2);
}

if (launchOptions) {
  const options = launchOptions;
  runDesktopShell({
    electron: { app, BrowserWindow, Tray, Menu, clipboard, shell, screen, session, ipcMain, dialog },
    launch: () => launchGatehouse({ ...options, desktop: true, rendererDir: fromRoot('renderer/dist') }),
    preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    trayIcon: fromRoot(process.platform === 'darwin' ? 'build/tray/trayTemplate.png' : 'build/tray/tray.png'),
    windowIcon: process.platform === 'darwin' ? undefined : fromRoot('build/icons/512x512.png'),
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    platform: process.platform,
    signals: process,
    log: (message) => console.log(message),
  }).catch((error: unknown) => {
    // The shell reports launch failures itself; this is for a bug in the shell.
    dialog.showErrorBox('Gatehouse stopped', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
