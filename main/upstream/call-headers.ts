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

/**
 * A fetch for the SDK's HTTP client transports: adds the current call's headers, and gives each
 * request an abort signal of its own. The transport hands every request the same long-lived
 * signal, on which fetch leaves a listener per request until garbage collection — thousands
 * under load, and a MaxListenersExceededWarning per call.
 */
export const fetchWithCallHeaders: typeof fetch = async (input, init) => {
  const extra = callHeaders();
  let headers = init?.headers;
  if (Object.keys(extra).length) {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(extra)) merged.set(name, value);
    headers = merged;
  }
  const shared = init?.signal;
  if (!shared) return fetch(input, { ...init, headers });
  if (shared.aborted) return fetch(input, { ...init, headers, signal: shared });
  const own = new AbortController();
  const forward = () => own.abort(shared.reason);
  const release = () => shared.removeEventListener('abort', forward);
  shared.addEventListener('abort', forward, { once: true });
  let response: Response;
  try {
    response = await fetch(input, { ...init, headers, signal: own.signal });
  } catch (error) {
    release();
    throw error;
  }
  if (!response.body) {
    release();
    return response;
  }
  // Stop following the shared signal once the body has been read (a JSON answer) or has ended (an SSE stream).
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      flush: release,
      // Node ≥ 22 calls this when the reader gives up (an SSE stream closed by the client).
      cancel: release,
    } as ConstructorParameters<typeof TransformStream<Uint8Array, Uint8Array>>[0]),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
