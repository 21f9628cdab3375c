/**
 * RFC 9728 Protected Resource Metadata of the protected routes: path-suffixed
 * (/.well-known/oauth-protected-resource/<route>) and, when only one route is protected, at the
 * root too. Public, CORS-open, never behind a token. The hide_path_metadata fault answers 404
 * on the path-suffixed document, to show what a client does when only the root one exists.
 */
import type express from 'express';

import { noteExchange, noteFault } from '../trace/exchange-capture.js';
import { LOCAL_ONLY, guardRequest } from './http-guard.js';
import type { RouteRuntime } from './route-runtime.js';

/** The route a metadata path suffix is about (`''`: the root document, when it is unambiguous). */
export function metadataRuntime(routes: ReadonlyMap<string, RouteRuntime>, suffix: string): RouteRuntime | undefined {
  if (suffix) return routes.get(suffix);
  const protectedRoutes = [...routes.values()].filter((runtime) => runtime.resourceServer);
  return protectedRoutes.length === 1 ? protectedRoutes[0] : undefined;
}

export function metadataEndpoint(routes: ReadonlyMap<string, RouteRuntime>): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'OPTIONS') {
      next();
      return;
    }
    const suffix = req.path === '/' ? '' : req.path;
    const runtime = metadataRuntime(routes, suffix);
    if (!runtime?.resourceServer) {
      next();
      return;
    }
    noteExchange({ route: runtime.route.path });
    if (guardRequest({ ...LOCAL_ONLY, allowed_hosts: runtime.route.allowed_hosts }, { ...req, headers: { ...req.headers, origin: undefined } } as typeof req, res).handled) return;
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Allow-Headers': 'MCP-Protocol-Version' }).end();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (suffix && runtime.faults?.faults.hide_path_metadata) {
      noteFault('hide_path_metadata');
      res.status(404).json({ error: 'not_found', message: `No Protected Resource Metadata here (injected fault hide_path_metadata on route ${runtime.route.path})` });
      return;
    }
    res.json(runtime.resourceServer.metadata(runtime.resourceServer.resourceFor(req.headers.host ?? null)));
  };
}
