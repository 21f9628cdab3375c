/**
 * What every request to a route passes before any MCP code sees it: DNS-rebinding protection
 * (Host and Origin must be local unless the route allows more) and CORS for browser clients,
 * which must be able to read WWW-Authenticate and Mcp-Session-Id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { CORS_EXPOSED_HEADERS, CORS_METHODS, CORS_REQUEST_HEADERS } from '../config/cors-headers.js';
import type { RouteConfig } from '../config/schema.js';

const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

const EXPOSED_HEADERS = CORS_EXPOSED_HEADERS.join(', ');
const ALLOWED_REQUEST_HEADERS = CORS_REQUEST_HEADERS.join(', ');

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function rejection(res: ServerResponse, message: string): void {
  res.writeHead(403, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }));
}

export interface GuardVerdict {
  /** true when the guard already answered (rejection or preflight). */
  handled: boolean;
}

/** What the guard needs of a route; the gateway's own index page uses the strictest one. */
export type GuardPolicy = Pick<RouteConfig, 'path' | 'allowed_hosts' | 'cors'>;

export const LOCAL_ONLY: GuardPolicy = { path: '/', allowed_hosts: [] };

export function guardRequest(route: GuardPolicy, req: IncomingMessage, res: ServerResponse): GuardVerdict {
  const hostHeader = req.headers.host ?? '';
  const hostname = hostnameOf(hostHeader);
  const allowedHosts = [...LOCAL_HOSTNAMES, ...route.allowed_hosts.map((h) => h.toLowerCase())];
  if (!hostname || !allowedHosts.includes(hostname)) {
    rejection(res, `Forbidden: Host "${hostHeader}" is not a local name (DNS-rebinding protection) — add it to allowed_hosts of route ${route.path} if you really serve it under that name`);
    return { handled: true };
  }

  const origin = req.headers.origin;
  const allowedOrigins = route.cors?.allowed_origins ?? [];
  if (origin !== undefined) {
    let originHostname: string | undefined;
    try {
      originHostname = new URL(origin).hostname.toLowerCase();
    } catch {
      originHostname = undefined;
    }
    const local = originHostname !== undefined && LOCAL_HOSTNAMES.includes(originHostname);
    if (!local && !allowedOrigins.includes('*') && !allowedOrigins.includes(origin)) {
      rejection(res, `Forbidden: Origin "${origin}" is not allowed on route ${route.path} — add it to cors.allowed_origins if this browser app should reach it`);
      return { handled: true };
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (route.cors?.allow_credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
  }

  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': CORS_METHODS.join(', '),
      'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
      'Access-Control-Max-Age': String(route.cors?.max_age_s ?? 600),
    });
    res.end();
    return { handled: true };
  }
  return { handled: false };
}
