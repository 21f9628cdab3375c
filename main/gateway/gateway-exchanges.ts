/**
 * The gateway's HTTP exchanges as `http.exchange` trace events: the 401 challenges, the
 * Protected Resource Metadata fetches, step-up 403s and every MCP request, each with redacted
 * headers and bodies, the bearer JWT decoded, and the route's traffic counters updated.
 */
import type { IncomingMessage } from 'node:http';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { ROOT_METADATA_PATH } from '../auth/protected-resource-metadata.js';
import { decodeForTrace } from '../trace/decoded-jwt.js';
import { noteExchange, type ExchangeCapture } from '../trace/exchange-capture.js';
import { BODY_LIMIT, redactHeaders, redactUrl, renderBody } from '../trace/redact-exchange.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { RouteTrafficStats } from './route-traffic.js';

export interface GatewayExchangeContext {
  trace: TraceBus;
  /** The route a path is (an MCP endpoint), if any. */
  isRoute(path: string): boolean;
  /** The route a Protected Resource Metadata path is about (`''` = the root document). */
  metadataRoute(suffix: string): string | undefined;
  traffic(route: string): RouteTrafficStats;
  /** Traffic moved: the window's routes screen may want to know. */
  changed(): void;
}

/** `ua:<user agent>@<address>`: who a request came from before its client is known. */
export function connectionOf(req: IncomingMessage): string {
  return `ua:${req.headers['user-agent'] ?? 'unknown'}@${req.socket.remoteAddress ?? 'unknown'}`;
}

function methodsOf(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const methods = (Array.isArray(body) ? body : [body]).flatMap((message) => {
    const method = (message as { method?: unknown } | null)?.method;
    return typeof method === 'string' ? [method] : [];
  });
  return methods.length ? methods.join(', ') : undefined;
}

/** The longest start of `text` that fits in `limit` bytes of UTF-8, cut between characters. */
function firstBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text);
  let end = limit;
  // A byte 10xxxxxx continues a character: step back to where one starts.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * Notes an MCP request's JSON-RPC method(s) and body, as the gateway read them (`parsedBody`
 * when the text is JSON); only the first BODY_LIMIT bytes of the text are kept, and the note
 * says how many bytes it had (not characters: a body in any script is measured the same way).
 */
export function noteMcpRequest(request: Request, text: string | undefined, parsedBody: unknown): void {
  if (request.method !== 'POST' || text === undefined) return;
  const totalBytes = Buffer.byteLength(text);
  const kept = totalBytes > BODY_LIMIT ? firstBytes(text, BODY_LIMIT) : text;
  noteExchange({ mcpMethod: methodsOf(parsedBody), requestBody: renderBody(kept, request.headers.get('content-type') ?? 'application/json', totalBytes) });
}

/** The `data:` of the first event of an SSE answer. */
function firstEventData(text: string): string {
  const event = text.split('\n\n')[0] ?? '';
  return event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
}

/** The message of a JSON-RPC error answer, if the body is one. */
function jsonRpcErrorOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    for (const message of Array.isArray(body) ? body : [body]) {
      const error = (message as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      if (error && typeof error.message === 'string') return `JSON-RPC error ${String(error.code)}: ${error.message}`;
    }
  } catch {
    // Not JSON (or cut short): no error to report.
  }
  return undefined;
}

function responseBody(capture: ExchangeCapture): { shown?: string; raw: string } {
  const type = capture.contentType();
  if (capture.streaming && capture.req.method === 'GET') return { shown: 'event stream (held open for server notifications; its events are not recorded here)', raw: '' };
  const text = capture.responseText();
  if (capture.streaming) {
    const data = firstEventData(text);
    return { shown: data ? `event stream; first event:\n${renderBody(data, 'application/json') ?? ''}` : 'event stream (no event yet)', raw: data };
  }
  return { shown: renderBody(text, type, capture.responseBytes), raw: text };
}

export function recordGatewayExchange(context: GatewayExchangeContext): (capture: ExchangeCapture) => void {
  return (capture) => {
    const { req, notes } = capture;
    const path = capture.target.split('?')[0]!;
    const isMetadata = path === ROOT_METADATA_PATH || path.startsWith(`${ROOT_METADATA_PATH}/`);
    const route = notes.route ?? (context.isRoute(path) ? path : isMetadata ? context.metadataRoute(path.slice(ROOT_METADATA_PATH.length)) : undefined);
    const step: HttpExchangeEvent['step'] = req.method === 'OPTIONS' ? 'other' : (notes.step ?? (isMetadata ? 'resource-metadata' : context.isRoute(path) ? 'mcp' : 'other'));
    const body = responseBody(capture);

    let failure = notes.failure;
    if (!failure && (notes.upstreamFailed || notes.denied)) {
      const error = jsonRpcErrorOf(body.raw);
      if (error) failure = { reason: notes.denied ? `refused by the route's ACL — ${error}` : `an upstream failed — ${error}` };
    }
    if (!failure && capture.status >= 500) failure = { reason: `the gateway answered ${capture.status}${jsonRpcErrorOf(body.raw) ? ` — ${jsonRpcErrorOf(body.raw)}` : ''}` };
    if (!failure && isMetadata && capture.status === 404) failure = { reason: `no Protected Resource Metadata at ${path}`, spec: { title: 'RFC 9728 §3.1 — Protected Resource Metadata Request', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3.1' } };

    const authorization = req.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)/i.exec(authorization)?.[1] : undefined;
    const jwt = bearer ? decodeForTrace('request.authorization', bearer) : undefined;
    const userAgent = req.headers['user-agent'];
    const session = notes.session ?? (req.headers['mcp-session-id'] as string | undefined) ?? (capture.responseHeaders['mcp-session-id'] as string | undefined);

    context.trace.emit({
      type: 'http.exchange',
      server: 'gateway',
      step,
      ...(route ? { route } : {}),
      ...(session ? { session } : {}),
      connection: notes.clientId ?? connectionOf(req),
      ...(notes.clientId ? { clientId: notes.clientId } : {}),
      ...(userAgent ? { userAgent } : {}),
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? 'localhost'}${redactUrl(capture.target)}`,
      status: capture.status,
      durationMs: capture.durationMs,
      ...(notes.mcpMethod ? { mcpMethod: notes.mcpMethod } : {}),
      request: { headers: redactHeaders(req.headers), ...(notes.requestBody ? { body: notes.requestBody } : {}) },
      response: { headers: redactHeaders(capture.responseHeaders), ...(body.shown ? { body: body.shown } : {}) },
      ...(jwt || notes.jwts ? { jwts: [...(jwt ? [jwt] : []), ...(notes.jwts ?? [])] } : {}),
      ...(failure ? { failure } : {}),
      ...(notes.faults?.length ? { fault: notes.faults.join(', ') } : {}),
    });

    if (route && req.method !== 'OPTIONS' && (step === 'mcp' || step === 'challenge')) {
      context.traffic(route).record({
        status: capture.status,
        durationMs: capture.durationMs,
        upstreamFailed: notes.upstreamFailed === true,
        denied: notes.denied === true,
        stream: capture.streaming && req.method === 'GET',
      });
      context.changed();
    }
  };
}
