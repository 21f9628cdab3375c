/**
 * The window's only way to the gateway: the admin API (shared/admin-api.ts) over fetch, with the
 * per-launch token on every request. The live stream is Server-Sent Events read through fetch and
 * a ReadableStream, because EventSource cannot send an Authorization header.
 */
import type { AdminBootstrap, AdminError, AdminStreamMessage } from '../../../shared/admin-api.js';

export interface AdminClient {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /**
   * Subscribes to `/api/events`; reconnects with backoff until the returned function is called.
   * onStatus hears each connect (true) and drop (false), for the window's live light.
   */
  events(onMessage: (message: AdminStreamMessage) => void, onStatus?: (connected: boolean) => void): () => void;
}

/** A non-2xx answer from the admin API, carrying its AdminError body. */
export class AdminRequestError extends Error {
  readonly status: number;
  readonly body: AdminError;

  constructor(status: number, body: AdminError) {
    super(body.message || body.error || `admin API answered ${status}`);
    this.name = 'AdminRequestError';
    this.status = status;
    this.body = body;
  }
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

export function createAdminClient(bootstrap: AdminBootstrap): AdminClient {
  const base = bootstrap.adminUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${bootstrap.token}`;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: authorization, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new AdminRequestError(0, {
        error: 'unreachable',
        message: `Gatehouse's admin API at ${base} did not answer (${cause instanceof Error ? cause.message : String(cause)}). Is Gatehouse still running?`,
      });
    }
    const text = await response.text();
    if (!response.ok) throw new AdminRequestError(response.status, readError(response.status, text));
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  function events(onMessage: (message: AdminStreamMessage) => void, onStatus?: (connected: boolean) => void): () => void {
    let stopped = false;
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = RECONNECT_MIN_MS;

    const connect = async (): Promise<void> => {
      controller = new AbortController();
      try {
        const response = await fetch(`${base}/api/events`, {
          headers: { Authorization: authorization, Accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
        delay = RECONNECT_MIN_MS;
        onStatus?.(true);
        await readServerSentEvents(response.body, (data) => {
          try {
            onMessage(JSON.parse(data) as AdminStreamMessage);
          } catch {
            // A malformed line is the server's bug; dropping it keeps the stream alive.
          }
        });
      } catch {
        // Reconnect below: the stream ends when Gatehouse restarts or the machine sleeps.
      }
      if (stopped) return;
      onStatus?.(false);
      timer = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    };
    void connect();

    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      controller?.abort();
    };
  }

  return {
    get: <T>(path: string) => request<T>('GET', path),
    send: <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => request<T>(method, path, body),
    events,
  };
}

function readError(status: number, text: string): AdminError {
  try {
    const parsed = JSON.parse(text) as Partial<AdminError>;
    if (typeof parsed.message === 'string') {
      return { error: parsed.error ?? `http_${status}`, message: parsed.message, problems: parsed.problems };
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return { error: `http_${status}`, message: text.trim() || `The admin API answered ${status}.` };
}

/** Reads an SSE body and calls onData with each event's joined `data:` lines. */
export async function readServerSentEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r?\n/)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
      if (line === '') {
        if (data.length > 0) onData(data.join('\n'));
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line[5] === ' ' ? 6 : 5));
      }
      // `event:`, `id:`, `retry:` and `:` comments (keep-alives) carry nothing the window needs.
    }
  }
}
