/**
 * The embedded MCP gateway: one express app on loopback serving every configured route, both
 * protocol eras on each route's URL. Routes can be swapped at run time (config reload) without
 * dropping the listener.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import express from 'express';
import { toNodeHandler } from '@modelcontextprotocol/node';

import type { GatehouseConfig, RouteConfig } from '../config/schema.js';
import { TraceBus } from '../trace/trace-bus.js';
import { LOCAL_ONLY, guardRequest } from './http-guard.js';
import { jsonRpcErrorResponse } from './json-rpc-error-response.js';
import { PROXY_LATENCY_HEADER, UPSTREAM_LATENCY_HEADER, withTiming } from './request-timing.js';
import { RouteRuntime } from './route-runtime.js';

export const GATEHOUSE_VERSION = '0.1.0';

export interface GatewayOptions {
  config: GatehouseConfig;
  /** The file the config came from: relative stdio `cwd`s resolve against its folder. */
  configPath?: string;
  trace?: TraceBus;
}

export interface RunningGateway {
  readonly port: number;
  readonly host: string;
  readonly trace: TraceBus;
  readonly routes: ReadonlyMap<string, RouteRuntime>;
  /** The URL clients use for a route, e.g. http://127.0.0.1:8400/ecommerce-mcp */
  url(routePath: string): string;
  /** Applies a new config: changed routes are rebuilt, unchanged ones keep their sessions. */
  reload(config: GatehouseConfig): Promise<{ added: string[]; changed: string[]; removed: string[]; restartNeeded: string[] }>;
  close(): Promise<void>;
}

function sameRoute(a: RouteConfig, b: RouteConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const trace = options.trace ?? new TraceBus();
  const baseDir = options.configPath ? path.dirname(path.resolve(options.configPath)) : process.cwd();
  let config = options.config;
  const routes = new Map<string, RouteRuntime>();

  const runtimeFor = (route: RouteConfig) =>
    new RouteRuntime(route, { baseDir, trace, maxBodyBytes: config.listen.max_body_bytes, version: GATEHOUSE_VERSION });

  await Promise.all(
    config.routes.map(async (route) => {
      const runtime = runtimeFor(route);
      routes.set(route.path, runtime);
      await runtime.start();
    }),
  );

  const mcpHandler = toNodeHandler(
    {
      fetch: (request) =>
        withTiming(async (timing) => {
          const started = performance.now();
          const runtime = routes.get(new URL(request.url).pathname);
          if (!runtime) return jsonRpcErrorResponse(404, -32000, 'No such route');
          const response = await runtime.handle(request);
          const headers = new Headers(response.headers);
          const total = performance.now() - started;
          headers.set(UPSTREAM_LATENCY_HEADER, String(Math.round(timing.upstreamMs)));
          headers.set(PROXY_LATENCY_HEADER, String(Math.max(0, Math.round(total - timing.upstreamMs))));
          return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
        }),
    },
    { maxRequestBodySize: config.listen.max_body_bytes },
  );

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const runtime = routes.get(req.path);
    if (!runtime) {
      next();
      return;
    }
    if (guardRequest(runtime.route, req, res).handled) return;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.listen.max_body_bytes) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `Payload too large: ${declared} bytes, the limit is ${config.listen.max_body_bytes} (listen.max_body_bytes)` } }));
      req.resume();
      return;
    }
    mcpHandler(req, res).catch(next);
  });
  app.get('/', (req, res) => {
    if (guardRequest(LOCAL_ONLY, req, res).handled) return;
    res.json({ gatehouse: GATEHOUSE_VERSION, routes: [...routes.keys()].map((route) => ({ path: route, url: url(route) })) });
  });
  app.use((req, res) => {
    res.status(404).json({
      error: 'not_found',
      message: `No route at ${req.path}. Routes: ${[...routes.keys()].join(', ') || '(none)'}`,
    });
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(500).json({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `Internal error in the gateway: ${error.message}` } });
  });

  let server: HttpServer;
  try {
    server = await listen();
  } catch (error) {
    await Promise.all([...routes.values()].map((runtime) => runtime.close()));
    throw error;
  }

  function listen(): Promise<HttpServer> {
    return new Promise((resolve, reject) => {
    const listening = app.listen(config.listen.port, config.listen.host);
    listening.once('listening', () => resolve(listening));
    listening.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.listen.host}:${config.listen.port}`;
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${config.listen.port} is already in use on ${config.listen.host} — stop the other program or pass --port to pick another`
            : `cannot listen on ${where}: ${error.message}`,
        ),
      );
    });
    });
  }
  // MCP streams (SSE) stay open for a long time; only the request head is bounded.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;

  const port = (server.address() as AddressInfo).port;
  const displayHost = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? 'localhost' : config.listen.host;
  const url = (routePath: string) => `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}${routePath}`;

  return {
    port,
    host: config.listen.host,
    trace,
    routes,
    url,
    async reload(next) {
      const restartNeeded: string[] = [];
      if (JSON.stringify(next.listen) !== JSON.stringify(config.listen)) restartNeeded.push('listen');
      const previous = new Map(config.routes.map((route) => [route.path, route]));
      const added: string[] = [];
      const changed: string[] = [];
      const removed = [...previous.keys()].filter((p) => !next.routes.some((route) => route.path === p));
      config = { ...next, listen: config.listen };
      for (const route of next.routes) {
        const before = previous.get(route.path);
        if (before && sameRoute(before, route)) continue;
        (before ? changed : added).push(route.path);
        const runtime = runtimeFor(route);
        await runtime.start();
        const old = routes.get(route.path);
        routes.set(route.path, runtime);
        await old?.close();
      }
      for (const p of removed) {
        const old = routes.get(p);
        routes.delete(p);
        await old?.close();
      }
      return { added, changed, removed, restartNeeded };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([...routes.values()].map((runtime) => runtime.close()));
      await closed;
    },
  };
}
