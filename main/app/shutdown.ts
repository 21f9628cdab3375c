/**
 * Quitting, exactly once. Electron's before-quit, the last window closing (not on macOS, where
 * apps stay in the dock) and SIGINT/SIGTERM all lead here; the first one closes Gatehouse (the
 * admin server, then the gateway and its upstream processes) and then exits, later ones wait for
 * that same close.
 */
import type { App, Event } from 'electron';

export interface Shutdown {
  /** Closes Gatehouse once and exits with `code`; every call returns the same promise. */
  (code?: number): Promise<void>;
  readonly started: boolean;
}

export function createShutdown(close: () => Promise<void>, exit: (code: number) => void, onError: (error: unknown) => void): Shutdown {
  let running: Promise<void> | undefined;
  const shutdown = (code = 0): Promise<void> => {
    running ??= (async () => {
      let exitCode = code;
      try {
        await close();
      } catch (error) {
        onError(error);
        exitCode = exitCode || 1;
      }
      exit(exitCode);
    })();
    return running;
  };
  return Object.defineProperty(shutdown, 'started', { get: () => running !== undefined }) as Shutdown;
}

type SignalSource = Pick<NodeJS.Process, 'once'>;

export function wireShutdown(
  app: Pick<App, 'on'>,
  signals: SignalSource,
  shutdown: Shutdown,
  platform: NodeJS.Platform,
): void {
  // Electron would quit at once; hold it until Gatehouse has closed, then exit ourselves.
  app.on('before-quit', (event: Event) => {
    event.preventDefault();
    void shutdown(0);
  });
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') void shutdown(0);
  });
  signals.once('SIGINT', () => void shutdown(0));
  signals.once('SIGTERM', () => void shutdown(0));
}
