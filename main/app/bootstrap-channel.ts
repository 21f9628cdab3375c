/**
 * How the preload learns the admin URL and token: one synchronous IPC channel, answered only for
 * the Gatehouse window's own top frame while it shows the admin origin. Kept out of the command
 * line (`additionalArguments`) because other local users can read a process's arguments.
 */
import type { IpcMain, IpcMainEvent, WebContents } from 'electron';

import type { AdminBootstrap } from '../../shared/admin-api.js';

export const BOOTSTRAP_CHANNEL = 'gatehouse:bootstrap';

export function isAdminOrigin(url: string | undefined, adminOrigin: string): boolean {
  if (!url) return false;
  try {
    return new URL(url).origin === adminOrigin;
  } catch {
    return false;
  }
}

/**
 * Answers the preload's request. Anything else asking — another webContents, a subframe, a page
 * from another origin — gets null, so a navigation that slipped through learns nothing.
 */
export function serveBootstrap(
  ipcMain: Pick<IpcMain, 'on'>,
  isOwnWindow: (sender: WebContents) => boolean,
  bootstrap: AdminBootstrap,
): void {
  const adminOrigin = new URL(bootstrap.adminUrl).origin;
  ipcMain.on(BOOTSTRAP_CHANNEL, (event: IpcMainEvent) => {
    const frame = event.senderFrame;
    const trusted = isOwnWindow(event.sender) && frame !== null && frame.parent === null && isAdminOrigin(frame.url, adminOrigin);
    event.returnValue = trusted ? { adminUrl: bootstrap.adminUrl, token: bootstrap.token } : null;
  });
}
