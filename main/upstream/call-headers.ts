/**
 * Extra headers for the upstream requests made while serving one call (the route's
 * claim_to_header), carried through the async context of that call: the HTTP connectors read
 * them when they send. Never the client's token: the gateway does not pass it through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<Record<string, string>>();

export function withCallHeaders<T>(headers: Record<string, string>, work: () => T): T {
  return storage.run(headers, work);
}

export function callHeaders(): Record<string, string> {
  return storage.getStore() ?? {};
}

/** A fetch that adds the current call's headers; for the SDK's HTTP client transports. */
export const fetchWithCallHeaders: typeof fetch = (input, init) => {
  const extra = callHeaders();
  if (Object.keys(extra).length === 0) return fetch(input, init);
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
};
