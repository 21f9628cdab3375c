/**
 * Starting Gatehouse as a whole — gateway, admin server (and so the window's API), and for the
 * demo the sample shop — the one composition the command line and the Electron shell both use.
 * Config mode watches its file and reloads on change; close() stops everything in order (the
 * window's API first, so nothing new arrives, then the gateway and its upstream processes).
 */
import os from 'node:os';
import path from 'node:path';

import { formatProblem } from '../config/config-error.js';
import { loadConfigWithNotes, type LoadedConfig } from '../config/load-config.js';
import type { GatehouseConfig } from '../config/schema.js';
import { watchConfig } from '../config/watch-config.js';
import { applySavedDemoAcls } from '../demo/saved-demo-acls.js';
import { startDemo, type StartedDemo } from '../demo/start-demo.js';
import { startGateway, type RunningGateway } from '../gateway/gateway.js';
import { TraceBus } from '../trace/trace-bus.js';
import type { BrowserOpener } from '../upstream/oauth/system-browser.js';
import { UpstreamOAuth, isSecuredUpstream, routeFinder } from '../upstream/oauth/upstream-oauth.js';
import { lazySecretStore, type LazySecretStore } from '../secrets/lazy-secret-store.js';
import { openSecretStore, secretStoreOptionsFromEnv } from '../secrets/secret-store.js';
import { startAdminServer, type RunningAdmin } from './admin-server.js';

export interface LaunchOptions {
  /** Run the built-in demo (no config file). */
  demo?: boolean;
  /** The config file to run (Gatehouse YAML, a Kong decK file or an agentgateway config). */
  configPath?: string;
  /** The gateway's port, over the config's listen.port (demo default 8400; 0 picks a free one). */
  port?: number;
  /** The interface the gateway binds, over the config's listen.host. */
  host?: string;
  /** The admin server's port. Default 0: a free one. */
  adminPort?: number;
  /** Default ~/.gatehouse */
  dataDir?: string;
  /** Inside the Electron shell. */
  desktop?: boolean;
  /** Demo only: protect the routes with the built-in identity provider. Default true. */
  auth?: boolean;
  /** Default <repo>/renderer/dist. */
  rendererDir?: string;
  /**
   * How "Log in" on a secured upstream (POST /api/upstream-login) opens the browser. Default: the
   * system browser. Tests pass an opener that plays the person at the browser.
   */
  openBrowser?: BrowserOpener;
}

export interface LaunchedGatehouse {
  gateway: RunningGateway;
  admin: RunningAdmin;
  demo?: { shopUrl: string };
  /** What runs degraded, in words with the fix (e.g. secured upstreams without a keychain). */
  warnings: string[];
  /** Config mode: the file's format and what of a foreign file Gatehouse cannot honour. */
  loaded?: Pick<LoadedConfig, 'format' | 'notes'>;
  close(): Promise<void>;
}

/**
 * Whether the keychain can be opened, asked at launch only when a secured upstream will need it:
 * a problem (no Secret Service, a locked keyring) becomes a launch warning with its fix, and
 * those upstreams report it too until it is fixed — the store is tried again on each use.
 */
async function keychainWarning(config: GatehouseConfig, secrets: LazySecretStore): Promise<string | undefined> {
  if (!config.routes.some((route) => route.upstreams.some(isSecuredUpstream))) return undefined;
  try {
    await secrets.open();
    return undefined;
  } catch (error) {
    return `secured upstreams cannot keep their tokens yet: ${(error as Error).message}`;
  }
}

export async function launchGatehouse(options: LaunchOptions): Promise<LaunchedGatehouse> {
  if (!options.demo && !options.configPath) throw new Error('Gatehouse needs a config file (--config FILE) or the demo');
  const dataDir = options.dataDir ?? path.join(os.homedir(), '.gatehouse');
  const adjust = (config: GatehouseConfig): GatehouseConfig => ({
    ...config,
    listen: { ...config.listen, ...(options.port !== undefined ? { port: options.port } : {}), ...(options.host ? { host: options.host } : {}) },
  });

  let demo: StartedDemo | undefined;
  let loaded: LoadedConfig | undefined;
  let config: GatehouseConfig;
  const notes: string[] = [];
  if (options.demo) {
    demo = await startDemo({ port: options.port ?? 8400, auth: options.auth ?? true });
    const saved = await applySavedDemoAcls(demo.config, dataDir);
    config = saved.config;
    if (saved.problem) notes.push(saved.problem);
  } else {
    loaded = await loadConfigWithNotes(options.configPath!);
    config = adjust(loaded.config);
  }

  const secrets = lazySecretStore(() => openSecretStore(secretStoreOptionsFromEnv(dataDir)));
  const trace = new TraceBus();
  let gateway: RunningGateway | undefined;
  const baseDir = options.configPath ? path.dirname(path.resolve(options.configPath)) : process.cwd();
  const upstreamOAuth = new UpstreamOAuth({ store: secrets, trace, baseDir, routeOf: routeFinder(() => gateway?.config ?? config), opener: options.openBrowser });
  const keychainProblem = await keychainWarning(config, secrets);

  let stopWatching: (() => void) | undefined;
  try {
    gateway = await startGateway({ config, configPath: options.configPath, dataDir, trace, upstreamOAuth });
    const running = gateway;
    if (options.configPath) {
      const file = options.configPath;
      stopWatching = watchConfig(file, {
        onValid: async (next) => {
          await running.reload(adjust(next));
          running.trace.emit({ type: 'config.reloaded', file });
        },
        onInvalid: (error) => running.trace.emit({ type: 'config.rejected', file, problems: error.problems.map(formatProblem) }),
      });
    }
    const admin = await startAdminServer({
      gateway,
      configPath: options.configPath,
      dataDir,
      port: options.adminPort ?? 0,
      desktop: options.desktop,
      demo: Boolean(options.demo),
      rendererDir: options.rendererDir,
      secrets: () => secrets.open(),
      adjustConfig: options.demo ? undefined : adjust,
    });
    return {
      gateway,
      admin,
      warnings: [...notes, ...(keychainProblem ? [keychainProblem] : [])],
      ...(demo ? { demo: { shopUrl: demo.shopUrl } } : {}),
      ...(loaded ? { loaded: { format: loaded.format, notes: loaded.notes } } : {}),
      async close() {
        stopWatching?.();
        await admin.close();
        await running.close();
        await demo?.close();
      },
    };
  } catch (error) {
    stopWatching?.();
    await gateway?.close();
    await demo?.close();
    throw error;
  }
}
