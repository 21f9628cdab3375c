/**
 * Gatehouse's built-in development identity provider: oidc-provider in-process, on its own
 * loopback port, issuer `http://127.0.0.1:PORT` (no path, so RFC 8414 and OpenID discovery both
 * work at the root). The gateway tells it which routes it protects (`resources`, asked on every
 * request so config reloads apply) and gets back the issuer and the client it introspects with.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import Provider from 'oidc-provider';

import { GATEWAY_IDP_CLIENT_ID, type BuiltinIdpConfig } from '../config/schema.js';
import { captureExchanges } from '../trace/exchange-capture.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { AccountStore } from './account-store.js';
import { hostGuard } from './host-guard.js';
import { IdpError } from './idp-error.js';
import { noteProviderExchange, noteProviderFailures, recordIdpExchange } from './idp-exchanges.js';
import { IdpTracer, traceEndpoints, traceProviderEvents } from './idp-trace.js';
import { interactionRoutes } from './interactions.js';
import { loadOrCreateKeys } from './key-store.js';
import { buildProviderConfiguration } from './provider-configuration.js';
import { registrationCors } from './registration-cors.js';
import { matchResource, type IdpResource } from './resource-servers.js';
import { completeServerMetadata } from './server-metadata.js';
import { IdpStorage } from './storage-adapter.js';

export type { IdpResource } from './resource-servers.js';

export interface BuiltinIdpOptions {
  config: BuiltinIdpConfig;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Folder for the signing keys, cookie keys and client registrations (files mode 0600). */
  dataDir: string;
  trace: TraceBus;
  /** The routes the IdP issues tokens for; called per request so config reloads apply. */
  resources: () => IdpResource[];
}

export interface RunningIdp {
  /** e.g. http://127.0.0.1:8401 */
  issuer: string;
  port: number;
  /** The gateway's confidential client for RFC 7662 introspection (client_secret_basic or _post); a new secret on every start. */
  introspectionClient: { clientId: string; clientSecret: string };
  /**
   * Revokes every grant for a resource (a route URL, any loopback spelling) with its codes and
   * tokens: refreshing fails from then on, and opaque access tokens stop being active.
   */
  revokeResource(resource: string): Promise<{ grants: number; accessTokens: number; refreshTokens: number }>;
  close(): Promise<void>;
}

/** The issuer names the address clients should use: a wildcard bind is reached over 127.0.0.1. */
function issuerHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost' || host === '127.0.0.1') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      switch (error.code) {
        case 'EADDRINUSE':
          reject(
            new IdpError(
              'port_in_use',
              `the built-in identity provider cannot listen on ${where}: port ${port} is already in use. Stop the program using it, or set idp.port in the config to a free port (0 picks one).`,
              { cause: error },
            ),
          );
          break;
        case 'EACCES':
          reject(new IdpError('listen_failed', `the built-in identity provider may not listen on ${where} (permission denied; ports below 1024 need privileges): set idp.port to a port above 1024.`, { cause: error }));
          break;
        default:
          reject(new IdpError('listen_failed', `the built-in identity provider cannot listen on ${where}: ${error.message}. Check listen.host and idp.port.`, { cause: error }));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startBuiltinIdp(options: BuiltinIdpOptions): Promise<RunningIdp> {
  const host = options.host ?? '127.0.0.1';
  const tracer = new IdpTracer(options.trace);
  const { keys, file: keyFile, created } = await loadOrCreateKeys(options.dataDir);
  const storage = await IdpStorage.open(options.dataDir);

  // The issuer contains the port, and port 0 means "whatever the OS gives": listen first, then
  // build the provider. Requests arriving in between get a 503 rather than hanging.
  const ready: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (ready.handler) return ready.handler(req, res);
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('The identity provider is starting.');
  });
  let port: number;
  try {
    port = await listen(server, options.config.port, host);
  } catch (error) {
    await storage.close();
    throw error;
  }

  const issuer = `http://${issuerHost(host)}:${port}`;
  const introspectionClient = { clientId: GATEWAY_IDP_CLIENT_ID, clientSecret: randomBytes(32).toString('base64url') };
  const accounts = new AccountStore(options.config.users);

  const provider = new Provider(
    issuer,
    buildProviderConfiguration({ config: options.config, keys, storage, accounts, resources: options.resources, introspectionClient, tracer }),
  );
  // Loopback only, no reverse proxy: never trust X-Forwarded-* headers.
  provider.proxy = false;
  provider.use(noteProviderExchange());
  provider.use(traceEndpoints(tracer));
  provider.use(completeServerMetadata(options.resources));
  traceProviderEvents(provider, tracer);
  noteProviderFailures(provider);

  const app = express();
  app.disable('x-powered-by');
  // First: every exchange is recorded for the trace, refusals included.
  app.use(captureExchanges(recordIdpExchange(options.trace, options.resources)));
  app.use(hostGuard(host));
  app.use(registrationCors('/reg'));
  app.use('/interaction', interactionRoutes({ provider, accounts, tracer, origin: issuer }));
  // oidc-provider parses its own request bodies: no body parser may run before it.
  app.use(provider.callback());
  ready.handler = app;

  tracer.step('jwks', 'ok', {
    detail: `identity provider ${issuer} started; signing keys ${created ? 'generated into' : 'loaded from'} ${keyFile} (kids ${keys.signingKeys.map((k) => `${k.kid} ${k.alg}`).join(', ')})`,
  });

  let closing: Promise<void> | undefined;
  return {
    issuer,
    port,
    introspectionClient,
    async revokeResource(resource) {
      const revoked = storage.revokeGrants((indicator) => matchResource(indicator, [{ resource, scopes: [], accessTokenFormat: 'jwt' }]) !== undefined);
      tracer.step('revocation', 'ok', {
        resource,
        detail: `injected fault: revoked ${revoked.grants} grant(s) for ${resource} with ${revoked.refreshTokens} refresh token(s) and ${revoked.accessTokens} stored access token(s)`,
      });
      return revoked;
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await storage.close();
      })();
      return closing;
    },
  };
}
