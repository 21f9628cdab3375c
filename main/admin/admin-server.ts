/**
 * The admin server: the window's only way into Gatehouse. An express app on 127.0.0.1 (its own
 * port, apart from the MCP listener) serving the admin API (shared/admin-api.ts) behind the
 * per-launch token, the live event stream, and the built window itself.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';

import type { GatehouseConfig } from '../config/schema.js';
import type { RunningGateway } from '../gateway/gateway.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { aclMatrixRouter } from './acl-matrix-api.js';
import type { AdminContext } from './admin-context.js';
import { adminErrorHandler, notFound } from './admin-error.js';
import { hostGuard, tokenGuard } from './admin-guard.js';
import { catalogRouter } from './catalog-api.js';
import { ConfigEditor } from './config-editor.js';
import { doctorRouter } from './doctor-api.js';
import { eventStreamHandler } from './event-stream.js';
import { faultsRouter } from './faults-api.js';
import { keychainRouter } from './keychain-api.js';
import { overviewRouter } from './overview-api.js';
import { DEFAULT_RENDERER_DIR, rendererRouter, securityHeaders } from './renderer-static.js';
import { routesRouter } from './routes-api.js';
import { settingsRouter } from './settings-api.js';
import { closeTestClients, testClientRouter } from './test-client-router.js';
import { traceRouter } from './trace-api.js';
import { upstreamLoginApi } from './upstream-login-api.js';

export interface AdminServerOptions {
  gateway: RunningGateway;
  /** The config file the gateway runs from; absent for the built-in demo. */
  configPath?: string;
  /** Where a demo's saved config (demo.yaml) goes. */
  dataDir: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Default: <repo>/renderer/dist. */
  rendererDir?: string;
  desktop?: boolean;
  demo?: boolean;
  secrets?: () => Promise<SecretStore>;
  /** Applied to a config the window saved before the gateway reloads it (e.g. a --port override). */
  adjustConfig?: (config: GatehouseConfig) => GatehouseConfig;
}

export interface RunningAdmin {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  token: string;
  /** The window's address: the token rides in the fragment, which never reaches a server or a log. */
  windowUrl: string;
  close(): Promise<void>;
}

function listen(app: express.Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1');
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `the window's admin port ${port} is already in use on 127.0.0.1 — stop the other program or pick another admin port (0 picks a free one)`
            : `the admin server cannot listen on 127.0.0.1:${port}: ${error.message}`,
        ),
      );
    });
  });
}

export async function startAdminServer(options: AdminServerOptions): Promise<RunningAdmin> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const context: AdminContext = {
    gateway: options.gateway,
    configPath: options.configPath,
    dataDir: options.dataDir,
    desktop: options.desktop ?? false,
    demo: options.demo ?? false,
    adminUrl: () => `http://127.0.0.1:${port}`,
    adminPort: () => port,
    secrets: options.secrets,
  };
  const editor = new ConfigEditor({ gateway: options.gateway, configPath: options.configPath, dataDir: options.dataDir, adjust: options.adjustConfig });
  const guard = { port: () => port, token };

  const api = express.Router();
  api.use(tokenGuard(guard));
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '1mb' }));
  api.get('/events', eventStreamHandler(context));
  api.use(overviewRouter(context));
  api.use(routesRouter(context));
  api.use(catalogRouter(context));
  api.use(traceRouter(context));
  api.use(aclMatrixRouter(context, editor));
  api.use(faultsRouter(context));
  api.use(doctorRouter(context));
  api.use(settingsRouter(context, editor));
  api.use(keychainRouter(context));
  const upstreamLogins = upstreamLoginApi(context);
  api.use(upstreamLogins.router);
  api.use('/test-client', testClientRouter({ gateway: options.gateway }));
  api.use((req) => {
    throw notFound(`No admin API endpoint ${req.method} /api${req.path} (shared/admin-api.ts lists them)`);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(hostGuard(guard));
  app.use('/api', api);
  app.use(rendererRouter(options.rendererDir ?? DEFAULT_RENDERER_DIR));
  app.use((req) => {
    throw notFound(`Nothing at ${req.method} ${req.path}`);
  });
  app.use(adminErrorHandler);

  const server = await listen(app, options.port ?? 0);
  // The event stream stays open as long as the window does.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    token,
    windowUrl: `${url}/#token=${token}`,
    async close() {
      await closeTestClients();
      upstreamLogins.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
