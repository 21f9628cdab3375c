/**
 * What `npm start` does (bin/gatehouse-app.js): start the desktop app in Electron when its binary
 * is there and runs; otherwise say so plainly and run the same Gatehouse without Electron, with
 * the window in the default browser — the renderer only ever talks to the admin API, so it works
 * the same there.
 */
import type { LaunchOptions } from '../admin/launch.js';
import type { ElectronBinary } from './electron-binary.js';
import { parseLaunchArgs } from './launch-args.js';

/** What the browser fallback needs of a launched Gatehouse (LaunchedGatehouse satisfies it). */
export interface HeadlessGatehouse {
  gateway: { port: number; routes: ReadonlyMap<string, unknown>; url(routePath: string): string };
  admin: { url: string; windowUrl: string };
  close(): Promise<void>;
}

export interface AppLauncherDeps {
  /** Finds Electron's binary; may try to download it first. */
  locateElectron(): Promise<ElectronBinary>;
  /** Runs Electron on the built main process with these arguments; resolves with its exit code. */
  runElectron(binary: string, args: string[]): Promise<number>;
  launch(options: LaunchOptions): Promise<HeadlessGatehouse>;
  openInBrowser(url: string): Promise<void>;
  out(line: string): void;
}

export type StartedApp =
  | { mode: 'electron'; exitCode: number }
  | { mode: 'browser'; gatehouse: HeadlessGatehouse; browserOpened: boolean };

function missingElectronMessage(binary: Exclude<ElectronBinary, { status: 'ready' }>): string[] {
  if (binary.status === 'broken') {
    return [
      `Gatehouse: Electron's binary is installed (${binary.path}) but does not start on this machine: ${binary.reason}.`,
      '  Install the system libraries Electron needs (on Debian/Ubuntu: libgtk-3-0 libnss3 libasound2 libgbm1), or run from a desktop session.',
      '  Meanwhile the window opens in your default browser instead.',
    ];
  }
  return [
    'Gatehouse: the Electron binary is not installed, so the window opens in your default browser instead.',
    `  Why: ${binary.reason}.`,
    '  To get it, on a normal network: node node_modules/electron/install.js   (it downloads Electron from GitHub), then npm start again.',
  ];
}

/** Starts the desktop app, or the browser fallback; the fallback keeps running until closed. */
export async function startApp(argv: readonly string[], deps: AppLauncherDeps, env: NodeJS.ProcessEnv = {}): Promise<StartedApp> {
  const options = parseLaunchArgs(argv, env);
  const binary = env.GATEHOUSE_NO_ELECTRON
    ? ({ status: 'missing', reason: 'GATEHOUSE_NO_ELECTRON is set' } as const)
    : await deps.locateElectron();
  if (binary.status === 'ready') {
    return { mode: 'electron', exitCode: await deps.runElectron(binary.path, [...argv]) };
  }

  for (const line of missingElectronMessage(binary)) deps.out(line);
  const gatehouse = await deps.launch({ ...options, desktop: false });
  const routes = [...gatehouse.gateway.routes.keys()].sort();
  deps.out('');
  deps.out(`Gatehouse is running${options.demo ? ' the demo' : ''}:`);
  deps.out(`  Gateway  http://127.0.0.1:${gatehouse.gateway.port}`);
  for (const route of routes) deps.out(`    ${gatehouse.gateway.url(route)}`);
  deps.out(`  Window   ${gatehouse.admin.url}`);
  let browserOpened = true;
  try {
    await deps.openInBrowser(gatehouse.admin.windowUrl);
    deps.out('  Opened the window in your default browser.');
  } catch (error) {
    browserOpened = false;
    deps.out(`  Could not open a browser: ${error instanceof Error ? error.message : String(error)}. Open this address yourself:`);
    // The token rides in the fragment; this terminal is the one place the user can get it from.
    deps.out(`  ${gatehouse.admin.windowUrl}`);
  }
  deps.out('Press Ctrl+C to stop.');
  return { mode: 'browser', gatehouse, browserOpened };
}
