/**
 * Serves a route's MCP requests on Node's own request and response, without express or the SDK's
 * generic adapter: the body is read once and parsed once (the SDK's handlers take the parsed
 * body alongside the web `Request`), and the web `Response` goes back in as few socket writes as
 * it can — on this machine a write to a loopback socket costs more than everything else the
 * gateway does for a call.
 *
 * A streamed answer (SSE) is written as it comes, but what arrives within one event-loop turn
 * leaves together, and a POST's stream holds its headers until its first event (at most
 * HEADER_HOLD_MS): the usual POST stream — one answer, then the end — leaves in a single write,
 * headers, event and end together — and as JSON, since a stream of one answer says nothing more
 * (sampling, elicitation and progress, sent before the answer, keep the stream). A GET's stream
 * sends its headers at once: it may stay idle for long, and clients wait for its headers.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** One MCP request as the route's handlers take it. */
export interface McpCall {
  request: Request;
  /** The body as JSON, when it parsed (the SDK then does not read the request's body). */
  parsedBody?: unknown;
  /** The body as text (POST only). */
  text?: string;
  /** Set by the handler: adds headers known only when the answer's headers leave (latency). */
  stamp?: (headers: OutgoingHttpHeaders) => void;
}

export type McpFetch = (call: McpCall) => Promise<Response>;

/** How long a POST's event stream may hold its headers back waiting for its first event. */
const HEADER_HOLD_MS = 500;

class BodyTooLarge extends Error {}

/**
 * Whether the SDK may watch the request's signal for the client going away: only a modern
 * `subscriptions/listen` does (its stream lives on), and what the gateway cannot classify. A
 * request signal costs a listener chain per request; a 2025 session's stream learns of the
 * client leaving from its stream being cancelled.
 */
function followsClient(parsedBody: unknown): boolean {
  if (parsedBody === null || typeof parsedBody !== 'object' || Array.isArray(parsedBody)) return true;
  const method = (parsedBody as { method?: unknown }).method;
  return typeof method !== 'string' || method === 'subscriptions/listen';
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function webHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function tooLarge(res: ServerResponse, maxBytes: number, declared?: number): void {
  const detail = declared === undefined ? `more than ${maxBytes} bytes` : `${declared} bytes`;
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `Payload too large: ${detail}, the limit is ${maxBytes} (listen.max_body_bytes)` } }));
}

type Read = { done: true; value?: undefined } | { done: false; value: Uint8Array };
type Step = Read | 'turn';

const NOW: Promise<'turn'> = Promise.resolve('turn');

/**
 * The read, or 'turn' when it has not resolved within `ms`; with 0, unless it has already
 * resolved (the SDK closes a POST's stream in the same step as it writes the answer).
 */
function readWithin(read: Promise<Read>, ms: number): Promise<Step> {
  if (ms === 0) return Promise.race([read, NOW]);
  let timer: NodeJS.Timeout | undefined;
  const turn = new Promise<'turn'>((resolve) => {
    timer = setTimeout(resolve, ms, 'turn');
  });
  return Promise.race([read, turn]).finally(() => clearTimeout(timer));
}

/**
 * The JSON-RPC message of an event stream holding exactly one plain `message` event (no id, no
 * retry), or undefined. Such a stream — a POST's answer and nothing before it — can as well be
 * sent as JSON, which every client must accept and reads for less than an event stream.
 */
function soleMessage(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.indexOf('\n\n') !== text.length - 2) return undefined;
  let data: string | undefined;
  for (const line of text.slice(0, -2).split('\n')) {
    if (line === 'event: message' || line === 'event:message') continue;
    if (data !== undefined || !line.startsWith('data:')) return undefined;
    data = line.slice(line.startsWith('data: ') ? 6 : 5);
  }
  return data;
}

function join(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? new Uint8Array(0) : Buffer.concat(chunks);
}

/** Writes a web Response to Node's response; `closed` aborts when the client went away. */
async function sendResponse(req: IncomingMessage, res: ServerResponse, call: McpCall, response: Response, closed: AbortSignal): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const body = response.body;
  if (!body) {
    call.stamp?.(headers);
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = body.getReader() as { read(): Promise<Read>; cancel(): Promise<void> };
  const cancel = () => void reader.cancel().catch(() => undefined);
  closed.addEventListener('abort', cancel, { once: true });
  const streaming = String(headers['content-type'] ?? '').startsWith('text/event-stream');
  let pending: Uint8Array[] = [];
  let headersSent = false;
  const sendHeaders = () => {
    call.stamp?.(headers);
    res.writeHead(response.status, headers);
    headersSent = true;
  };
  if (streaming && req.method !== 'POST') {
    sendHeaders();
    res.flushHeaders();
  }
  try {
    let read = reader.read();
    for (;;) {
      const wait = !streaming ? -1 : pending.length ? 0 : headersSent ? -1 : HEADER_HOLD_MS;
      const step: Step = wait < 0 ? await read : await readWithin(read, wait);
      if (closed.aborted) return;
      if (step === 'turn') {
        if (!headersSent) sendHeaders();
        if (pending.length) {
          const chunk = join(pending);
          pending = [];
          if (!res.write(chunk)) await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            closed.addEventListener('abort', () => resolve(), { once: true });
          });
        } else res.flushHeaders();
        continue;
      }
      if (step.done) break;
      pending.push(step.value);
      read = reader.read();
    }
    if (headersSent) {
      res.end(pending.length ? join(pending) : undefined);
      return;
    }
    let whole: Uint8Array | string = join(pending);
    const message = streaming && req.method === 'POST' ? soleMessage(whole) : undefined;
    if (message !== undefined) {
      headers['content-type'] = 'application/json';
      whole = message;
    }
    headers['content-length'] = String(typeof whole === 'string' ? Buffer.byteLength(whole) : whole.byteLength);
    sendHeaders();
    res.end(whole);
  } finally {
    closed.removeEventListener('abort', cancel);
  }
}

/**
 * The Node handler for a route's MCP requests: `fetch` serves the web request. Bodies over
 * `maxBodyBytes` get 413 before any MCP code sees them.
 */
export async function serveMcpOnNode(req: IncomingMessage, res: ServerResponse, fetch: McpFetch, maxBodyBytes: number): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) {
    tooLarge(res, maxBodyBytes, declared);
    req.resume();
    return;
  }
  const abort = new AbortController();
  let finished = false;
  res.once('close', () => {
    if (!finished) abort.abort();
  });
  const method = req.method ?? 'GET';
  const call: McpCall = { request: undefined as unknown as Request };
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    let bytes: Buffer;
    try {
      bytes = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      tooLarge(res, maxBodyBytes);
      return;
    }
    body = bytes.length ? bytes.toString('utf8') : undefined;
    call.text = body ?? '';
    if (body !== undefined) {
      try {
        call.parsedBody = JSON.parse(body);
      } catch {
        // Not JSON: the SDK reads the body itself and answers with the right error.
      }
    }
  }
  call.request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers: webHeaders(req),
    ...(followsClient(call.parsedBody) ? { signal: abort.signal } : {}),
    // With a parsed body the SDK never reads this one; without, it reads it and names the problem.
    ...(body !== undefined && call.parsedBody === undefined ? { body } : {}),
  });
  const response = await fetch(call);
  try {
    await sendResponse(req, res, call, response, abort.signal);
  } finally {
    finished = true;
  }
}
