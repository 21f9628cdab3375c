/** What every check family gets: where to look, as whom (a browser origin), and how to fetch. */
import type { Prober } from './http-probe.js';

export interface DoctorContext extends Prober {
  /** The MCP URL exactly as given, without a fragment: what a client puts in its config. */
  target: string;
  targetUrl: URL;
  /** The browser origin the CORS checks pretend to be (default: the MCP Inspector's). */
  origin: string;
}

/** A browser client that runs on every developer's machine and needs CORS for everything. */
export const DEFAULT_BROWSER_ORIGIN = 'http://localhost:6274';

export const INITIALIZE_REQUEST = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gatehouse-doctor', version: '1.0.0' } },
});

export function initializeInit(origin?: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(origin ? { origin } : {}),
    },
    body: INITIALIZE_REQUEST,
    redirect: 'follow',
  };
}
