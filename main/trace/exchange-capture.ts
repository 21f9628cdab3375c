/**
 * Records HTTP exchanges at the Node level, for the `http.exchange` trace events: a middleware
 * installed first on a server notes the request, keeps the first BODY_LIMIT bytes of the answer
 * as they are written (no stream is cloned or re-read), and calls back once the answer is
 * complete. Code deeper in the request (the resource server, oidc-provider, the MCP handlers)
 * adds what only it knows — the step, the client, a failure, a fault — through
 * `currentExchange()`, an AsyncLocalStorage that follows the request's async work.
 *
 * An event stream (SSE) is complete when its first event is written (a POST's answer) or as soon
 * as its headers are (a GET's notification stream, which stays open for as long as the client
 * wants): the trace shows the exchange without holding a live stream.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import type { DecodedJwt } from './decoded-jwt.js';
import { BODY_LIMIT } from './redact-exchange.js';

/** What the layers of a request know about its exchange, beyond the bytes. */
export interface ExchangeNotes {
  step?: HttpExchangeEvent['step'];
  route?: string;
  session?: string;
  clientId?: string;
  mcpMethod?: string;
  /** Already redacted. */
  requestBody?: string;
  jwts?: DecodedJwt[];
  failure?: HttpExchangeEvent['failure'];
  /** Injected faults that shaped the exchange, in the order they acted. */
  faults?: string[];
  /** A policy refused the request (it answered with a JSON-RPC error, not a 403). */
  denied?: boolean;
  /** An upstream call failed while serving it. */
  upstreamFailed?: boolean;
  /** oidc-provider's name for the endpoint (`token`, `discovery`, …). */
  endpoint?: string;
  /** The RFC 8707 resource indicator(s) the request named. */
  resource?: string;
}

const storage = new AsyncLocalStorage<ExchangeCapture>();

/** The exchange the running code serves, if a capturing server received it. */
export function currentExchange(): ExchangeCapture | undefined {
  return storage.getStore();
}

/** Adds notes to the current exchange (no-op outside one). */
export function noteExchange(notes: ExchangeNotes): void {
  storage.getStore()?.note(notes);
}

/** Marks the current exchange as shaped by an injected fault. */
export function noteFault(fault: string): void {
  const capture = storage.getStore();
  if (!capture) return;
  const faults = (capture.notes.faults ??= []);
  if (!faults.includes(fault)) faults.push(fault);
}

function headerObject(args: unknown[]): OutgoingHttpHeaders {
  const given = args.find((arg) => typeof arg === 'object' && arg !== null);
  if (!given) return {};
  if (!Array.isArray(given)) return given as OutgoingHttpHeaders;
  // writeHead(status, ['name', 'value', …]) or [['name', 'value'], …]
  const out: OutgoingHttpHeaders = {};
  const flat = (given as unknown[]).flat() as string[];
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i]).toLowerCase()] = flat[i + 1];
  return out;
}

function chunkBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

export class ExchangeCapture {
  readonly startedAt = performance.now();
  readonly notes: ExchangeNotes = {};
  /** The request target as it arrived (frameworks rewrite req.url in mounted routers). */
  readonly target: string;
  status = 0;
  responseHeaders: OutgoingHttpHeaders = {};
  /** Bytes the answer had in all (the trace keeps BODY_LIMIT of them). */
  responseBytes = 0;
  /** An event stream the trace recorded before it ended. */
  streaming = false;
  durationMs = 0;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private completed = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly onComplete: (capture: ExchangeCapture) => void,
  ) {
    this.target = req.url ?? '/';
  }

  note(notes: ExchangeNotes): void {
    Object.assign(this.notes, notes);
  }

  /** The kept start of the answer, as text. */
  responseText(): string {
    return Buffer.concat(this.kept, this.keptBytes).toString('utf8');
  }

  contentType(): string | undefined {
    const value = this.responseHeaders['content-type'];
    return value === undefined ? undefined : String(value);
  }

  /** Wraps the response's writeHead/write/end; the originals do the work. */
  attach(): void {
    const res = this.res;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const result = writeHead(...args);
      this.headersSent(args);
      return result;
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      this.keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      this.keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.once('finish', () => this.complete());
    res.once('close', () => this.complete());
  }

  private headersSent(args: unknown[]): void {
    this.status = this.res.statusCode;
    const lower: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headerObject(args))) lower[name.toLowerCase()] = value;
    this.responseHeaders = { ...this.res.getHeaders(), ...lower };
    if (this.contentType()?.startsWith('text/event-stream')) {
      this.streaming = true;
      if (this.req.method === 'GET') this.complete();
    }
  }

  private keep(chunk: unknown, encoding: unknown): void {
    const buffer = chunkBuffer(chunk, encoding);
    if (!buffer || buffer.length === 0) return;
    this.responseBytes += buffer.length;
    if (this.completed || this.keptBytes >= BODY_LIMIT) return;
    const part = buffer.subarray(0, BODY_LIMIT - this.keptBytes);
    this.kept.push(Buffer.from(part));
    this.keptBytes += part.length;
    // A POST answered with a stream is recorded at its first event: the answer, or progress before it.
    if (this.streaming && this.responseText().includes('\n\n')) this.complete();
  }

  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    if (!this.status) {
      this.status = this.res.statusCode;
      this.responseHeaders = this.res.getHeaders();
    }
    this.durationMs = Math.round((performance.now() - this.startedAt) * 10) / 10;
    try {
      this.onComplete(this);
    } catch {
      // Recording must never break the exchange it records.
    }
    // Work started by the request (an upstream's timers, a spawned server) may keep this record
    // reachable through its async context long after: let the bytes go.
    this.kept.length = 0;
    this.keptBytes = 0;
  }
}

/**
 * The Node/express middleware: install it first. `onComplete` turns a finished capture into a
 * trace event (each server knows its steps).
 */
export function captureExchanges(onComplete: (capture: ExchangeCapture) => void) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const capture = new ExchangeCapture(req, res, onComplete);
    capture.attach();
    storage.run(capture, next);
  };
}
