/**
 * The HTTP exchanges a test-client step makes, recorded for the window: method, URL, status,
 * headers and body of both sides, with every secret shortened (`eyJhbGci…Xk2`) and every JWT
 * decoded into its header and claims. The recorder wraps fetch, so the SDK's own OAuth functions
 * and its MCP transport are recorded as they really ran.
 */
import type { FetchLike } from '@modelcontextprotocol/client';

import { decodeForTrace, type DecodedJwt } from '../trace/decoded-jwt.js';
import { redactHeaders as redactRawHeaders, redactJson, redactText, redactUrl as redactTargetUrl, type RawHeaders } from '../trace/redact-exchange.js';
import { looksSecret } from '../trace/secret-names.js';

export type { DecodedJwt };

export interface RecordedExchange {
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  request: { headers: Record<string, string>; body?: unknown };
  response?: { headers: Record<string, string>; body?: unknown };
  jwts?: DecodedJwt[];
  /** The request never got an answer (connection refused, aborted). */
  error?: string;
}

const BEARER = /^(Bearer|DPoP)\s+(\S+)$/i;

/** A copy of `value` with secrets shortened (main/trace/redact-exchange.ts); JWTs found on the way are decoded into `jwts`. */
export function redactValue(value: unknown, where: string, jwts: DecodedJwt[]): unknown {
  if (typeof value === 'string' && !looksSecret(value)) return redactText(value);
  return redactJson(
    value,
    (token, at) => {
      const decoded = decodeForTrace(at, token);
      if (decoded) jwts.push(decoded);
    },
    where,
  );
}

/** The trace's URL redaction, with the ellipsis of a shortened value shown as it reads rather than percent-encoded. */
export function redactUrl(url: string): string {
  return redactTargetUrl(URL.parse(url)?.href ?? url).replaceAll('%E2%80%A6', '…');
}

function redactHeaders(headers: Headers, where: string, jwts: DecodedJwt[]): Record<string, string> {
  const raw: RawHeaders = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') raw[name] = value;
  });
  // Each Set-Cookie on its own: only its value is a secret, and its expires= has a comma.
  const cookies = headers.getSetCookie();
  if (cookies.length) raw['set-cookie'] = cookies;
  const bearer = BEARER.exec(headers.get('authorization') ?? '');
  const decoded = bearer ? decodeForTrace(`${where}.authorization`, bearer[2]!) : undefined;
  if (decoded) jwts.push(decoded);
  return redactRawHeaders(raw);
}

function parseBody(text: string, contentType: string | null): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function requestBodyText(body: RequestInit['body']): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return body == null ? undefined : '(binary body)';
}

async function responseBody(response: Response, where: string, jwts: DecodedJwt[]): Promise<unknown> {
  const type = response.headers.get('content-type');
  // A stream may stay open for the whole session: reading a copy of it would never end.
  if (type?.startsWith('text/event-stream')) return '(event stream)';
  if (type?.startsWith('text/html')) return `(HTML page)`;
  const text = await response.clone().text();
  if (!text) return undefined;
  return redactValue(parseBody(text, type), where, jwts);
}

/**
 * A fetch that records into whichever step is running. Exchanges made while no step is running
 * (the MCP session's own traffic after connect) pass through unrecorded.
 */
export class ExchangeRecorder {
  private current: RecordedExchange[] | undefined;

  constructor(private readonly userAgent: string) {}

  begin(): void {
    this.current = [];
  }

  end(): RecordedExchange[] {
    const recorded = this.current ?? [];
    this.current = undefined;
    return recorded;
  }

  readonly fetch: FetchLike = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.userAgent);
    const sink = this.current;
    const started = performance.now();
    const jwts: DecodedJwt[] = [];
    const bodyText = requestBodyText(init.body);
    const exchange: RecordedExchange = {
      method: (init.method ?? 'GET').toUpperCase(),
      url: redactUrl(String(url)),
      durationMs: 0,
      request: {
        headers: redactHeaders(headers, 'request.headers', jwts),
        ...(bodyText !== undefined ? { body: redactValue(parseBody(bodyText, headers.get('content-type')), 'request.body', jwts) } : {}),
      },
    };
    sink?.push(exchange);
    try {
      const response = await globalThis.fetch(url, { ...init, headers });
      exchange.status = response.status;
      exchange.durationMs = Math.round(performance.now() - started);
      if (sink) {
        const body = await responseBody(response, 'response.body', jwts);
        exchange.response = { headers: redactHeaders(response.headers, 'response.headers', jwts), ...(body !== undefined ? { body } : {}) };
      }
      return response;
    } catch (error) {
      exchange.durationMs = Math.round(performance.now() - started);
      exchange.error = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
      throw error;
    } finally {
      if (jwts.length) exchange.jwts = jwts;
    }
  };
}
