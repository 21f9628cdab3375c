/**
 * The embedded MCP gateway: one express app on loopback serving every configured route, both
 * protocol eras on each route's URL, with the route's OAuth resource server in front when it is
 * protected. Routes can be swapped at run time (config reload) without dropping the listener.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import express from 'express';

import { ROOT_METADATA_PATH } from '../auth/protected-resource-metadata.js';
import { claimHeaders } from '../auth/claim-headers.js';
import { ResourceServer } from '../auth/resource-server.js';
import type { GatehouseConfig, RouteConfig } from '../config/schema.js';
import { startBuiltinIdp, type IdpResource, type RunningIdp } from '../idp/builtin-idp.js';
import type { FaultSet, RouteTraffic, UpstreamSummary } from '../../shared/admin-api.js';
import type { LintFinding } from '../../shared/policy.js';
import { lintPolicy } from '../policy/index.js';
import { AuditLog } from '../trace/audit-log.js';
import { captureExchanges, noteExchange } from '../trace/exchange-capture.js';
import { TraceBus } from '../trace/trace-bus.js';
import { withCallHeaders } from '../upstream/call-headers.js';
import { isSecuredUpstream, type UpstreamOAuth } from '../upstream/oauth/upstream-oauth.js';
import { ChangeSignal } from './change-signal.js';
import { noteMcpRequest, recordGatewayExchange } from './gateway-exchanges.js';
import { LOCAL_ONLY, guardRequest } from './http-guard.js';
import { metadataEndpoint, metadataRuntime } from './metadata-endpoint.js';
import { serveMcpOnNode, type McpFetch } from './node-mcp-bridge.js';
import { invalidateTokens, type InvalidationOutcome } from './invalidate-tokens.js';
import { PROXY_LATENCY_HEADER, UPSTREAM_LATENCY_HEADER, withTiming } from './request-timing.js';
import { authenticateRequest } from './route-auth.js';
import { RouteFaults, type TokenAction } from './route-faults.js';
import { lintContext, previewPersona, type PersonaPreview } from './persona-preview.js';
import { RouteRuntime } from './route-runtime.js';
import { RouteTrafficStats } from './route-traffic.js';
import { loginStatus, summarizeUpstream, type UpstreamLogin } from './upstream-summary.js';

export const GATEHOUSE_VERSION = '0.1.0';

export interface GatewayOptions {
  config: GatehouseConfig;
  /** The file the config came from: relative stdio `cwd`s resolve against its folder. */
  configPath?: string;
  /** The app's data folder (the built-in IdP keeps its keys there). Default: ~/.gatehouse */
  dataDir?: string;
  trace?: TraceBus;
  /** The gateway's own OAuth client (tokens in the OS keychain), for upstreams with `auth`. */
  upstreamOAuth?: UpstreamOAuth;
}

export interface RunningGateway {
  readonly port: number;
  readonly host: string;
  readonly trace: TraceBus;
  readonly routes: ReadonlyMap<string, RouteRuntime>;
  /** The built-in identity provider, when the config turns it on. */
  readonly idp?: RunningIdp;
  /** The URL clients use for a route, e.g. http://127.0.0.1:8400/ecommerce-mcp */
  url(routePath: string): string;
  /** Every access decision, durable and queryable. */
  readonly audit: AuditLog;
  /** Applies a new config: changed routes are rebuilt, unchanged ones keep their sessions (an ACL-only change is applied in place). */
  reload(config: GatehouseConfig): Promise<{ added: string[]; changed: string[]; removed: string[]; restartNeeded: string[] }>;
  /** What a persona (a set of claims, or a built-in IdP user) would see on a route, and why — no token needed. */
  previewPersona(routePath: string, persona: { claims: Record<string, unknown> } | { user: string }): PersonaPreview;
  /** Lint findings of every route's ACL against the live catalogs and the built-in IdP's users. */
  lint(): Array<LintFinding & { route: string }>;
  /** The config the gateway runs now (reload replaces it). */
  readonly config: GatehouseConfig;
  /** The faults injected on a route now (from its config `faults` key, or set at run time). */
  faults(routePath: string): FaultSet;
  /** Replaces a route's faults; the next request feels them. The config file is not changed. */
  setFaults(routePath: string, faults: FaultSet): void;
  /**
   * Refuses every token issued for the route before now (401 invalid_token). 'revoke' also
   * revokes the grants of the route's resource at the built-in IdP, so refreshing fails too; an
   * external IdP is not touched (`detail` says so). `affected`: live access tokens the route had
   * accepted and now refuses, plus refresh tokens revoked at the built-in IdP.
   */
  invalidateTokens(routePath: string, action: TokenAction): Promise<InvalidationOutcome>;
  /** Requests, errors, refusals and recent latency of a route. */
  traffic(routePath: string): RouteTraffic;
  /** A route's upstreams with their health (the route's shared connections). */
  upstreams(routePath: string): UpstreamSummary[];
  /** The gateway's own OAuth client for secured upstreams, when this launch has one (a secret store could be opened). */
  readonly upstreamOAuth?: UpstreamOAuth;
  /**
   * A secured upstream's own login (issuer, logged_in / expired / needed) from the tokens the
   * gateway holds; undefined for an upstream without `auth`.
   */
  upstreamLogin(routePath: string, upstream: string): UpstreamLogin | undefined;
  /**
   * Every connection of the route to this upstream looks at its credentials now, after a login or
   * logout changed them: one waiting for a login reconnects at once; a connected one sends a ping,
   * which turns it to auth_needed when the tokens are gone.
   */
  recheckUpstream(routePath: string, upstream: string): void;
  /** Called (at most once per event-loop turn) when traffic, upstream health, faults or the config change. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

function sameRoute(a: RouteConfig, b: RouteConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** ACL and faults changes are applied to the running route; anything else rebuilds it. */
function sameExceptAclAndFaults(a: RouteConfig, b: RouteConfig): boolean {
  return sameRoute({ ...a, acl: undefined, faults: undefined }, { ...b, acl: undefined, faults: undefined });
}

function listen(server: HttpServer, port: number, host: string): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} is already in use on ${host} — stop the other program or pass --port to pick another`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      );
    });
  });
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const trace = options.trace ?? new TraceBus();
  const baseDir = options.configPath ? path.dirname(path.resolve(options.configPath)) : process.cwd();
  const dataDir = options.dataDir ?? path.join(os.homedir(), '.gatehouse');
  let config = options.config;
  const routes = new Map<string, RouteRuntime>();
  let starting = true;
  // Per route path, so a reload that rebuilds a route keeps its counters and injected faults.
  const faultsByRoute = new Map<string, RouteFaults>();
  const trafficByRoute = new Map<string, RouteTrafficStats>();
  const changes = new ChangeSignal();
  const faultsFor = (route: RouteConfig): RouteFaults => {
    const known = faultsByRoute.get(route.path);
    if (known) {
      known.reconfigure(route.faults ?? {});
      return known;
    }
    const created = new RouteFaults(route.faults ?? {});
    faultsByRoute.set(route.path, created);
    return created;
  };
  const trafficFor = (routePath: string): RouteTrafficStats => {
    let stats = trafficByRoute.get(routePath);
    if (!stats) trafficByRoute.set(routePath, (stats = new RouteTrafficStats()));
    return stats;
  };
  const runningRoute = (routePath: string): RouteRuntime => {
    const runtime = routes.get(routePath);
    if (!runtime) throw new Error(`no route ${routePath} — the routes are ${[...routes.keys()].join(', ') || '(none)'}`);
    return runtime;
  };
  const stopWatchingUpstreams = trace.subscribe((event) => {
    if (event.type === 'upstream.state') changes.changed();
  });

  /** A route's MCP requests, as web requests: the resource server first, then the route. */
  const mcpFetch = (runtime: RouteRuntime): McpFetch => (call) =>
    withTiming(async (timing) => {
      const started = performance.now();
      const { request, parsedBody } = call;
      noteExchange({ route: runtime.route.path });
      noteMcpRequest(request, call.text, parsedBody);
      let response: Response;
      const resourceServer = runtime.resourceServer;
      const auth = resourceServer
        ? await authenticateRequest(resourceServer, request, trace, runtime.route.path, (tool, principal) => runtime.canSee('tools', tool, principal), runtime.faults, parsedBody)
        : undefined;
      if (auth instanceof Response) response = auth;
      else if (auth && Object.keys(runtime.route.auth?.claim_to_header ?? {}).length) {
        const headers = claimHeaders(runtime.route.auth!.claim_to_header, auth.principal.claims);
        response = await withCallHeaders(headers, () => runtime.handle(request, auth, parsedBody));
      } else response = await runtime.handle(request, auth, parsedBody);
      // Stamped when the answer's headers leave: a streamed answer is returned before its upstream call ends.
      call.stamp = (headers) => {
        const total = performance.now() - started;
        headers[UPSTREAM_LATENCY_HEADER] = String(Math.round(timing.upstreamMs));
        headers[PROXY_LATENCY_HEADER] = String(Math.max(0, Math.round(total - timing.upstreamMs)));
      };
      return response;
    });

  const app = express();
  app.disable('x-powered-by');
  app.use(ROOT_METADATA_PATH, metadataEndpoint(routes));

  app.get('/', (req, res) => {
    if (guardRequest(LOCAL_ONLY, req, res).handled) return;
    res.json({ gatehouse: GATEHOUSE_VERSION, routes: [...routes.keys()].map((route) => ({ path: route, url: url(route) })) });
  });
  app.use((req, res) => {
    if (starting && config.routes.some((route) => route.path === req.path)) {
      res.status(503).set('Retry-After', '1').json({ error: 'starting', message: 'Gatehouse is still connecting this route’s upstreams; retry in a moment' });
      return;
    }
    res.status(404).json({ error: 'not_found', message: `No route at ${req.path}. Routes: ${[...routes.keys()].join(', ') || '(none)'}` });
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(500).json({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `Internal error in the gateway: ${error.message}` } });
  });

  // Every exchange is recorded for the trace, whatever answers it. A route's MCP requests — the
  // traffic that matters for speed — are served on Node's request directly; express serves the rest.
  const capture = captureExchanges(
    recordGatewayExchange({
      trace,
      isRoute: (routePath) => routes.has(routePath),
      metadataRoute: (suffix) => metadataRuntime(routes, suffix)?.route.path,
      traffic: trafficFor,
      changed: () => changes.changed(),
    }),
  );
  const serveMcp = (runtime: RouteRuntime, req: IncomingMessage, res: ServerResponse): void => {
    if (guardRequest(runtime.route, req, res).handled) return;
    serveMcpOnNode(req, res, mcpFetch(runtime), config.listen.max_body_bytes).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `Internal error in the gateway: ${error instanceof Error ? error.message : String(error)}` } }));
    });
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void =>
    capture(req, res, () => {
      const target = req.url ?? '/';
      const query = target.indexOf('?');
      const runtime = routes.get(query < 0 ? target : target.slice(0, query));
      if (runtime) serveMcp(runtime, req, res);
      else void app(req, res);
    });

  // Listen first: the port is part of every route's resource URL (and a taken port fails fast).
  const server = await listen(createServer(handler), config.listen.port, config.listen.host);
  // MCP streams (SSE) stay open for a long time; only the request head is bounded.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  const displayHost = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? 'localhost' : config.listen.host;
  const url = (routePath: string) => `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}${routePath}`;

  const audit = new AuditLog(path.join(dataDir, 'audit'));
  const runtimeFor = (route: RouteConfig, idp: RunningIdp | undefined) => {
    const resourceServer =
      route.auth &&
      new ResourceServer({
        routePath: route.path,
        routeDescription: route.description,
        auth: route.auth,
        issuer: route.auth.issuer === 'builtin' ? idp!.issuer : route.auth.issuer,
        port,
        introspectionClient: route.auth.issuer === 'builtin' ? idp?.introspectionClient : undefined,
      });
    return new RouteRuntime(route, {
      baseDir,
      trace,
      audit,
      maxBodyBytes: config.listen.max_body_bytes,
      version: GATEHOUSE_VERSION,
      resourceServer: resourceServer || undefined,
      faults: faultsFor(route),
      upstreamOAuth: options.upstreamOAuth,
    });
  };

  let idp: RunningIdp | undefined;
  try {
    if (config.idp) {
      const idpResources = (): IdpResource[] =>
        [...routes.values()].flatMap((runtime) =>
          runtime.route.auth?.issuer === 'builtin' && runtime.resourceServer
            ? [
                {
                  resource: url(runtime.route.path),
                  // A scope the require_scope fault demands must be grantable, or step-up could never succeed.
                  scopes: [...new Set([...runtime.resourceServer.scopes(), ...(runtime.faults?.faults.require_scope ? [runtime.faults.faults.require_scope] : [])])],
                  accessTokenFormat: runtime.route.auth.introspection ? ('opaque' as const) : ('jwt' as const),
                },
              ]
            : [],
        );
      // The identity provider stays on loopback even when the gateway is bound wider.
      idp = await startBuiltinIdp({ config: config.idp, host: '127.0.0.1', dataDir, trace, resources: idpResources });
    }
    await Promise.all(
      config.routes.map(async (route) => {
        const runtime = runtimeFor(route, idp);
        routes.set(route.path, runtime);
        await runtime.start();
      }),
    );
  } catch (error) {
    stopWatchingUpstreams();
    await Promise.all([...routes.values()].map((runtime) => runtime.close()));
    await idp?.close();
    await audit.close();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  starting = false;

  const loginOf = (runtime: RouteRuntime, name: string): UpstreamLogin | undefined => {
    const config = runtime.route.upstreams.find((upstream) => upstream.name === name);
    if (!config || !isSecuredUpstream(config)) return undefined;
    // Without a secret store nothing is held: needed, and logging in says what to fix.
    const machine = config.auth.grant === 'client_credentials';
    if (!options.upstreamOAuth) return loginStatus({ issuer: config.auth.issuer, machine }, undefined);
    const authorizer = options.upstreamOAuth.authorizer(config, runtime.route.path);
    return loginStatus({ issuer: authorizer.issuer ?? config.auth.issuer, tokens: authorizer.tokens, machine }, runtime.shared.upstreams.get(name)?.state);
  };

  return {
    port,
    host: config.listen.host,
    trace,
    routes,
    idp,
    audit,
    url,
    previewPersona: (routePath, persona) => {
      const runtime = routes.get(routePath);
      if (!runtime) throw new Error(`no route ${routePath}`);
      return previewPersona(runtime, persona, config.idp);
    },
    lint: () =>
      [...routes.values()].flatMap((runtime) =>
        runtime.route.acl ? lintPolicy(runtime.route.acl, lintContext(runtime, config)).map((finding) => ({ ...finding, route: runtime.route.path })) : [],
      ),
    async reload(next) {
      const restartNeeded: string[] = [];
      if (JSON.stringify(next.listen) !== JSON.stringify(config.listen)) restartNeeded.push('listen');
      if (JSON.stringify(next.idp) !== JSON.stringify(config.idp)) restartNeeded.push('idp');
      const previous = new Map(config.routes.map((route) => [route.path, route]));
      const added: string[] = [];
      const changed: string[] = [];
      const removed = [...previous.keys()].filter((p) => !next.routes.some((route) => route.path === p));
      config = { ...next, listen: config.listen, idp: config.idp };
      for (const route of next.routes) {
        const before = previous.get(route.path);
        if (before && sameRoute(before, route)) continue;
        (before ? changed : added).push(route.path);
        const running = routes.get(route.path);
        if (before && running && sameExceptAclAndFaults(before, route)) {
          if (JSON.stringify(before.acl) !== JSON.stringify(route.acl)) running.replaceAcl(route.acl);
          running.route = { ...running.route, faults: route.faults };
          faultsFor(route);
          continue;
        }
        const runtime = runtimeFor(route, idp);
        await runtime.start();
        const old = routes.get(route.path);
        routes.set(route.path, runtime);
        await old?.close();
      }
      for (const p of removed) {
        const old = routes.get(p);
        routes.delete(p);
        faultsByRoute.delete(p);
        trafficByRoute.delete(p);
        await old?.close();
      }
      changes.changed();
      return { added, changed, removed, restartNeeded };
    },
    get config() {
      return config;
    },
    faults: (routePath) => runningRoute(routePath).faults?.faults ?? {},
    setFaults(routePath, faults) {
      runningRoute(routePath).faults?.set(faults);
      changes.changed();
    },
    async invalidateTokens(routePath, action) {
      const outcome = await invalidateTokens(runningRoute(routePath), action, url(routePath), idp);
      changes.changed();
      return outcome;
    },
    traffic: (routePath) => {
      runningRoute(routePath);
      return trafficFor(routePath).snapshot();
    },
    upstreams: (routePath) => {
      const runtime = runningRoute(routePath);
      return runtime.route.upstreams.map((upstream) => summarizeUpstream(upstream, runtime.shared.upstreams.get(upstream.name), loginOf(runtime, upstream.name)));
    },
    upstreamOAuth: options.upstreamOAuth,
    upstreamLogin: (routePath, upstream) => loginOf(runningRoute(routePath), upstream),
    recheckUpstream(routePath, upstream) {
      for (const connection of runningRoute(routePath).connectionsTo(upstream)) {
        if (connection.state === 'connected') void connection.request({ method: 'ping' }).catch(() => undefined);
        else connection.retryNow();
      }
      changes.changed();
    },
    onChange: (listener) => changes.listen(listener),
    async close() {
      stopWatchingUpstreams();
      changes.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([...routes.values()].map((runtime) => runtime.close()));
      await idp?.close();
      await audit.close();
      await closed;
    },
  };
}
