/**
 * One Gatehouse per user: a second launch would fight the first over the gateway's port. The
 * second process hands over to the first (which brings its window forward) and quits.
 */
import type { App } from 'electron';

/** True when this process is the one instance; otherwise it has asked Electron to quit. */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on' | 'quit'>, focusExisting: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => focusExisting());
  return true;
}
