/**
 * A route as the window shows it (RouteSummary): URL, auth mode and metadata URL, upstream health,
 * traffic and faults — read from the running gateway, never from the config file alone.
 */
import type { RouteSummary } from '../../shared/admin-api.js';
import type { RunningGateway } from '../gateway/gateway.js';
import type { RouteRuntime } from '../gateway/route-runtime.js';
import { notFound } from './admin-error.js';

/** The route named in a query or body, or a 404 that lists the routes there are. */
export function findRoute(gateway: RunningGateway, route: unknown): RouteRuntime {
  const runtime = typeof route === 'string' ? gateway.routes.get(route) : undefined;
  if (!runtime) {
    const known = [...gateway.routes.keys()].join(', ') || '(none)';
    throw notFound(typeof route === 'string' && route ? `No route ${route}. Routes: ${known}` : `Name the route (route=/path). Routes: ${known}`);
  }
  return runtime;
}

export function routeSummary(gateway: RunningGateway, runtime: RouteRuntime): RouteSummary {
  const route = runtime.route;
  const url = gateway.url(route.path);
  const resourceServer = runtime.resourceServer;
  return {
    path: route.path,
    url,
    ...(route.description ? { description: route.description } : {}),
    auth: resourceServer
      ? {
          mode: resourceServer.validation,
          issuer: resourceServer.options.issuer,
          scopes: resourceServer.scopes(),
          resourceMetadataUrl: resourceServer.metadataUrl(url),
        }
      : { mode: 'none', scopes: [] },
    upstreams: gateway.upstreams(route.path),
    traffic: gateway.traffic(route.path),
    acl: route.acl !== undefined,
    faults: gateway.faults(route.path),
  };
}

export function routeSummaries(gateway: RunningGateway): RouteSummary[] {
  return [...gateway.routes.values()].map((runtime) => routeSummary(gateway, runtime));
}
