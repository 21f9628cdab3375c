/**
 * Extra headers for the upstream requests made while serving one call (the route's
 * claim_to_header), carried through the async context of that call: the HTTP connectors read
 * them when they send. Never the client's token: the gateway does not pass it through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { pooledFetch } from './pooled-fetch.js';

const storage = new AsyncLocalStorage<Record<string, string>>();

export function withCallHeaders<T>(headers: Record<string, string>, work: () => T): T {
  return storage.run(headers, work);
}

export function callHeaders(): Record<string, string> {
  return storage.getStore() ?? {};
}

/**
 * A fetch for the SDK's HTTP client transports: the pooled one, with the current call's headers
 * added. It lets go of the request's abort signal once the answer is read (or its stream ends):
 * the transport hands every request the same long-lived signal, on which a listener per request
 * would pile up — thousands under load, and a MaxListenersExceededWarning per call.
 */
export const fetchWithCallHeaders: typeof fetch = (input, init) => {
  const extra = storage.getStore();
  if (!extra || !Object.keys(extra).length) return pooledFetch(input, init);
  const merged = new Headers(init?.headers);
  for (const [name, value] of Object.entries(extra)) merged.set(name, value);
  return pooledFetch(input, { ...init, headers: merged });
};
