/**
 * One HTTP exchange as the doctor sees it: the raw status, headers and (the start of) the body,
 * or, when there is no answer, why in words and what to do. A doctor must look at the wire, so
 * this is plain fetch and never throws.
 */
export interface HttpAnswer {
  url: string;
  status: number;
  headers: Headers;
  /** The body, or its first bytes (an SSE stream is read up to its first event). */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** The final URL differs from the one asked for (redirects were followed). */
  redirected: boolean;
}

export interface NoAnswer {
  url: string;
  reason: string;
  fix: string;
}

export type HttpOutcome = { answered: true; answer: HttpAnswer } | { answered: false; failure: NoAnswer };

export interface Prober {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** Enough for any metadata document; an MCP answer is only sniffed. */
const MAX_BODY_CHARS = 256 * 1024;

async function readSome(response: Response): Promise<string> {
  if (!response.body) return '';
  const eventStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < MAX_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      // The first event says what kind of server this is; a session stream may never end.
      if (eventStream && text.includes('\n\n')) break;
    }
  } catch {
    // A body cut short (timeout, reset) still tells what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function causeMessage(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function describeFailure(url: string, error: unknown, timeoutMs: number): NoAnswer {
  const where = URL.parse(url)?.host ?? url;
  if (causeMessage(error) === 'bad port') {
    return { url, reason: `fetch refuses port ${URL.parse(url)?.port} (a "bad port" in the Fetch standard, blocked by every browser and Node)`, fix: 'Serve the MCP server on another port.' };
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return {
      url,
      reason: `no answer from ${where} within ${timeoutMs} ms`,
      fix: 'Check that the server is up and not stuck (or a proxy in front of it); if it is only slow, run the doctor with a longer timeout.',
    };
  }
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return { url, reason: `connection refused by ${where}: nothing listens there`, fix: 'Start the MCP server, or correct the host and port in the URL.' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { url, reason: `the host name of ${where} does not resolve (${code})`, fix: 'Correct the host name in the URL, or check your DNS/VPN.' };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { url, reason: `${where} closed the connection without an answer (${code})`, fix: 'Check the server’s logs; a TLS port spoken to over http:// (or the reverse) also does this.' };
    default:
      if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) {
        return { url, reason: `TLS with ${where} failed: ${code}`, fix: 'Serve a certificate clients trust for this host name (clients do not skip certificate checks).' };
      }
      return {
        url,
        reason: `no answer from ${where}: ${causeMessage(error)}${code ? ` (${code})` : ''}`,
        fix: 'Check the URL and that the server is reachable from this machine.',
      };
  }
}

export async function probe(prober: Prober, url: string, init: RequestInit = {}): Promise<HttpOutcome> {
  try {
    const response = await prober.fetch(url, { ...init, signal: AbortSignal.timeout(prober.timeoutMs) });
    const body = await readSome(response);
    const contentType = response.headers.get('content-type') ?? '';
    const json = contentType.includes('json') || /^\s*[[{]/.test(body) ? parseJson(body) : undefined;
    return {
      answered: true,
      answer: { url: response.url || url, status: response.status, headers: response.headers, body, json, redirected: response.redirected },
    };
  } catch (error) {
    return { answered: false, failure: describeFailure(url, error, prober.timeoutMs) };
  }
}

/** A JSON object (not an array, not null) — the shape every metadata document has. */
export function jsonObject(answer: HttpAnswer): Record<string, unknown> | undefined {
  const value = answer.json;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** "404 text/html", for details. */
export function describeAnswer(answer: HttpAnswer): string {
  const type = answer.headers.get('content-type')?.split(';')[0];
  return `${answer.status}${type ? ` ${type}` : ''}`;
}
