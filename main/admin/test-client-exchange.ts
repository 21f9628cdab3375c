/**
 * The HTTP exchanges a test-client step makes, recorded for the window: method, URL, status,
 * headers and body of both sides, with every secret shortened (`eyJhbGci…Xk2`) and every JWT
 * decoded into its header and claims. The recorder wraps fetch, so the SDK's own OAuth functions
 * and its MCP transport are recorded as they really ran.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { decodeJwt, decodeProtectedHeader } from 'jose';

import { shorten } from '../trace/redact.js';

export interface DecodedJwt {
  /** Where it was found, e.g. `response.body.access_token`. */
  where: string;
  /** Shortened, never whole. */
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

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

/** Keys whose values are secrets wherever they appear (bodies, forms, query strings). */
const SECRET_KEYS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'registration_access_token',
  'password',
  'assertion',
  'subject_token',
  'token',
]);

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;
const BEARER = /^(Bearer|DPoP)\s+(\S+)$/i;

export function decodeJwtAt(token: string, where: string): DecodedJwt | undefined {
  try {
    return { where, token: shorten(token), header: decodeProtectedHeader(token) as Record<string, unknown>, claims: decodeJwt(token) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** A copy of `value` with secrets shortened; JWTs found on the way are decoded into `jwts`. */
export function redactValue(value: unknown, where: string, jwts: DecodedJwt[], key?: string): unknown {
  if (typeof value === 'string') {
    if (JWT_SHAPE.test(value)) {
      const decoded = decodeJwtAt(value, where);
      if (decoded) jwts.push(decoded);
      return shorten(value);
    }
    return key !== undefined && SECRET_KEYS.has(key) ? shorten(value) : value;
  }
  if (Array.isArray(value)) return value.map((item, index) => redactValue(item, `${where}[${index}]`, jwts));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, `${where}.${k}`, jwts, k)]));
  }
  return value;
}

export function redactUrl(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed) return url;
  for (const [name, value] of [...parsed.searchParams]) {
    if (SECRET_KEYS.has(name)) parsed.searchParams.set(name, shorten(value));
  }
  // The ellipsis of a shortened value reads better than its percent-encoding.
  return parsed.href.replaceAll('%E2%80%A6', '…');
}

function redactHeaders(headers: Headers, where: string, jwts: DecodedJwt[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const bearer = BEARER.exec(value);
    if (name === 'authorization' && bearer) {
      const decoded = decodeJwtAt(bearer[2]!, `${where}.authorization`);
      if (decoded) jwts.push(decoded);
      out[name] = `${bearer[1]} ${shorten(bearer[2]!)}`;
    } else if (name === 'authorization') out[name] = shorten(value);
    else if (name === 'cookie') out[name] = value.replace(/=([^;\s]+)/g, (_m, secret: string) => `=${shorten(secret)}`);
    else if (name === 'location') out[name] = redactUrl(value);
    else if (name !== 'set-cookie') out[name] = value;
  });
  // Each Set-Cookie on its own: only its value is a secret, and its expires= has a comma.
  const cookies = headers.getSetCookie().map((cookie) => cookie.replace(/^([^=;]*)=([^;]*)/, (_m, cookieName: string, secret: string) => `${cookieName}=${shorten(secret)}`));
  if (cookies.length) out['set-cookie'] = cookies.join('\n');
  return out;
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
