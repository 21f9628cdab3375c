/**
 * Opens a URL in the user's browser. The URL goes to the opener as one argument of a spawned
 * program, never through a shell: an authorization URL is full of `&` and attacker-influenced
 * parts (the upstream chose the authorization server). On Windows `start` is a cmd.exe built-in,
 * so rundll32's URL handler does the same job without cmd parsing the URL.
 */
import { spawn } from 'node:child_process';

export type BrowserOpener = (url: string) => Promise<void>;

function openerFor(platform: NodeJS.Platform, url: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

export const openSystemBrowser: BrowserOpener = (url) => {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return Promise.reject(new Error(`refusing to open ${parsed.protocol} URL in the browser: only http(s) authorization endpoints are opened`));
  }
  const { command, args } = openerFor(process.platform, parsed.href);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, shell: false });
    child.once('error', (error) => reject(new Error(`could not start ${command} to open the browser (${error.message})`, { cause: error })));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
};
