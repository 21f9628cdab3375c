/**
 * The slice of Electron the shell uses, as one value passed in. app.ts hands over the real module;
 * tests hand over a stand-in (test/fixtures/electron-stand-in.ts), since Electron's binary cannot
 * run on every machine that tests the shell.
 */
import type { App, BrowserWindow, BrowserWindowConstructorOptions, Clipboard, Dialog, IpcMain, Menu, Screen, Session, Shell, Tray } from 'electron';

export interface ShellElectron {
  app: Pick<App, 'requestSingleInstanceLock' | 'on' | 'once' | 'whenReady' | 'quit' | 'exit' | 'getPath' | 'getAppPath' | 'isPackaged'>;
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  Tray: new (image: string) => Tray;
  Menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>;
  clipboard: Pick<Clipboard, 'writeText'>;
  shell: Pick<Shell, 'openExternal'>;
  screen: Pick<Screen, 'getAllDisplays'>;
  session: { defaultSession: Session };
  ipcMain: Pick<IpcMain, 'on' | 'removeAllListeners'>;
  dialog: Pick<Dialog, 'showErrorBox'>;
}
