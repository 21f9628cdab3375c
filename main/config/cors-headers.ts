/**
 * What Gatehouse's CORS answer allows and exposes on a route. One list: the gateway sends it, the
 * importers compare other gateways' CORS settings with it, the exporters write it out.
 */
export const CORS_REQUEST_HEADERS = ['Content-Type', 'Accept', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Mcp-Method', 'Mcp-Name', 'Last-Event-ID'];

export const CORS_EXPOSED_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate', 'X-Gatehouse-Upstream-Latency', 'X-Gatehouse-Proxy-Latency'];

export const CORS_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];

/** Lower-cased, for comparing header names case-insensitively. */
export function headerSet(names: readonly string[]): Set<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}
