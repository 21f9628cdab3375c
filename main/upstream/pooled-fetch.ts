/**
 * The fetch the gateway reaches MCP upstreams over HTTP with: node:http on kept-alive sockets.
 * On this path undici's fetch was the largest single cost of a relayed call (its request and
 * body streams, and a request written in several socket writes); here a request leaves in one
 * write and a JSON answer is read into one buffer. An event stream is handed over as a stream.
 *
 * It is not a general fetch: redirects are returned as they are (the SDK's transports ask for
 * `redirect: 'manual'` and follow same-origin ones themselves), and a request this file does not
 * handle (a body other than text or bytes, a scheme other than http/https, a redirect someone
 * wanted followed) goes to the global fetch.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

const AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo' } as const;
const httpAgent = new http.Agent(AGENT_OPTIONS);
const httpsAgent = new https.Agent(AGENT_OPTIONS);

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Init = RequestInit | undefined;

/**
 * A Response over a body already read: `json()` and `text()` decode the buffer, with no stream
 * behind them (building and draining one cost several times the parse). Asking for `body` makes
 * the stream then. (Defined on the prototype: the DOM typings declare these as properties.)
 */
const BUFFERED = Symbol('buffered body');

interface BufferedState {
  bytes: Buffer;
  stream?: ReadableStream<Uint8Array> | null;
  used: boolean;
}

class BufferedResponse extends Response {
  [BUFFERED]: BufferedState;

  constructor(bytes: Buffer, init: ResponseInit) {
    super(null, init);
    this[BUFFERED] = { bytes, used: false };
  }
}

function take(response: BufferedResponse): Promise<Buffer> {
  const state = response[BUFFERED];
  if (state.used || state.stream) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
  state.used = true;
  return Promise.resolve(state.bytes);
}

function copyOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

Object.defineProperties(BufferedResponse.prototype, {
  body: {
    get(this: BufferedResponse) {
      const state = this[BUFFERED];
      state.stream ??= new Response(state.bytes).body;
      return state.stream;
    },
  },
  bodyUsed: {
    get(this: BufferedResponse) {
      return this[BUFFERED].used;
    },
  },
  text: { value: function text(this: BufferedResponse) { return take(this).then((bytes) => bytes.toString('utf8')); } },
  json: { value: function json(this: BufferedResponse) { return take(this).then((bytes) => JSON.parse(bytes.toString('utf8')) as unknown); } },
  arrayBuffer: { value: function arrayBuffer(this: BufferedResponse) { return take(this).then(copyOf); } },
  bytes: { value: function bytes(this: BufferedResponse) { return take(this).then((bytes) => new Uint8Array(copyOf(bytes))); } },
  blob: {
    value: function blob(this: BufferedResponse) {
      return take(this).then((bytes) => new Blob([copyOf(bytes)], { type: this.headers.get('content-type') ?? '' }));
    },
  },
  clone: {
    value: function clone(this: BufferedResponse) {
      if (this[BUFFERED].used) throw new TypeError('Response.clone: Body has already been consumed.');
      return new BufferedResponse(this[BUFFERED].bytes, { status: this.status, statusText: this.statusText, headers: this.headers });
    },
  },
});

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) headers.forEach((value, name) => (out[name] = value));
  else if (Array.isArray(headers)) for (const [name, value] of headers as Array<[string, string]>) out[name.toLowerCase()] = value;
  else for (const [name, value] of Object.entries(headers as Record<string, string>)) out[name.toLowerCase()] = value;
  return out;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** What fetch rejects with when its signal aborts. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A compressed answer (servers rarely compress without being asked; fetch would undo it). */
function decoded(res: http.IncomingMessage): Readable {
  switch (String(res.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

function handles(url: URL, init: Init): boolean {
  const body = init?.body;
  return (url.protocol === 'http:' || url.protocol === 'https:') && (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array);
}

/** `fetch(input, init)` for the SDK's HTTP client transports. */
export const pooledFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  if (input instanceof Request) return fetch(input, init);
  const url = typeof input === 'string' ? new URL(input) : input;
  if (!handles(url, init)) return fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const followRedirects = init?.redirect === undefined || init.redirect === 'follow';

  return new Promise<Response>((resolve, reject) => {
    const body = init?.body as string | Uint8Array | undefined | null;
    const headers = headerRecord(init?.headers);
    if (body !== undefined && body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, { method: init?.method ?? 'GET', headers, agent: secure ? httpsAgent : httpAgent });

    let settled = false;
    let answer: http.IncomingMessage | undefined;
    const onAbort = () => {
      const reason = abortReason(signal!) as Error;
      answer?.destroy(reason);
      request.destroy(reason);
    };
    const release = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });

    request.once('error', (error) => {
      release();
      if (settled) return;
      settled = true;
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
    });

    request.once('response', (res) => {
      answer = res;
      const status = res.statusCode ?? 502;
      if (followRedirects && REDIRECTS.has(status) && res.headers.location) {
        // Someone wanted the redirect followed: fetch does that (the body is text, sent again).
        res.resume();
        release();
        settled = true;
        resolve(fetch(input, init));
        return;
      }
      const responseInit = { status, statusText: res.statusMessage ?? '', headers: responseHeaders(res.rawHeaders) };
      if (NULL_BODY.has(status) || init?.method === 'HEAD') {
        res.resume();
        release();
        settled = true;
        resolve(new Response(null, responseInit));
        return;
      }
      const stream = decoded(res);
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        // A stream may stay open for as long as the upstream likes: handed over as it arrives.
        res.once('close', release);
        settled = true;
        resolve(new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, responseInit));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('end', () => {
        release();
        settled = true;
        resolve(new BufferedResponse(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), responseInit));
      });
      stream.once('error', (error) => {
        release();
        if (settled) return;
        settled = true;
        reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
      });
    });

    request.end(body ?? undefined);
  });
};
