/**
 * Opens the window's address in the default browser for the no-Electron fallback. Spawned without
 * a shell (the address carries the token in its fragment and must reach the opener as one
 * argument). Unlike a fire-and-forget open, it waits a moment for the opener's verdict: xdg-open
 * with no browser to hand exits at once with an error, and then the user must be given the
 * address to open by hand.
 */
import { spawn } from 'node:child_process';

export interface OpenerCommand {
  command: string;
  args: string[];
}

export function openerCommand(platform: NodeJS.Platform, url: string): OpenerCommand {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd.exe built-in and would parse the URL; rundll32's URL handler opens it as is.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

export interface OpenOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** How long an opener that has not failed yet may run before it counts as having opened the page. */
  settleMs?: number;
  /** The launcher page's file: URL, the one file: address that may be opened. */
  launcherPage?: string;
}

export function openInDefaultBrowser(url: string, options: OpenOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const { protocol } = new URL(url);
  // A file: address only when it is the window's own launcher page (window-launcher-file.ts).
  const launcher = protocol === 'file:' && options.launcherPage !== undefined && url === options.launcherPage;
  if (protocol !== 'http:' && protocol !== 'https:' && !launcher) return Promise.reject(new Error(`only http(s) addresses are opened, not ${protocol}`));
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    // xdg-open would fall back to terminal browsers (lynx, w3m) on a terminal it does not own.
    return Promise.reject(new Error('there is no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set)'));
  }
  const { command, args } = openerCommand(platform, url);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, shell: false, env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const settle = setTimeout(() => {
      child.stderr.destroy();
      child.unref();
      resolve();
    }, options.settleMs ?? 4000);
    child.once('error', (error) => {
      clearTimeout(settle);
      reject(new Error(`${command} could not be started (${error.message})`, { cause: error }));
    });
    child.once('exit', (code) => {
      clearTimeout(settle);
      if (code === 0) return resolve();
      const reason = stderr.trim().split('\n').at(-1);
      reject(new Error(`${command} failed${reason ? `: ${reason}` : ` with exit code ${code}`}`));
    });
  });
}
