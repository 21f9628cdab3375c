/**
 * What an HTTP exchange looks like in the trace: headers and bodies with every credential
 * shortened (`eyJhbGci…Xk2`), so a developer can tell tokens apart without the trace ever holding
 * one. Applied to both servers' exchanges (gateway and built-in IdP).
 */
import { shorten } from './redact.js';

/** Most of a body the trace keeps; enough for a token response or a JSON-RPC answer. */
export const BODY_LIMIT = 8 * 1024;

/**
 * Parameter and member names whose values are secrets (RFC 6749 code and tokens, RFC 7636
 * code_verifier, RFC 7591 client_secret and registration_access_token, RFC 7662/7009 `token`,
 * RFC 7523 assertions, the login form's password).
 */
const SECRET_NAMES = new Set([
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'access_token',
  'refresh_token',
  'id_token',
  'registration_access_token',
  'token',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'device_code',
]);

/** A JSON member with a secret name, anywhere in a text. */
const SECRET_MEMBER = new RegExp(`"(${[...SECRET_NAMES].join('|')})"\\s*:`, 'i');

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase());
}

/** `Bearer eyJhbGci…Xk2`: the scheme stays, the credential is shortened. */
function redactCredentials(value: string): string {
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} ${shorten(value.slice(space + 1).trim())}` : shorten(value);
}

/** Cookie values are session secrets: names stay, values are shortened. */
function redactCookies(value: string, separator: string): string {
  return value
    .split(separator)
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const rest = pair.slice(eq + 1);
      const semicolon = separator === ';' ? -1 : rest.indexOf(';');
      const cookieValue = semicolon < 0 ? rest : rest.slice(0, semicolon);
      return `${pair.slice(0, eq + 1)}${shorten(cookieValue)}${semicolon < 0 ? '' : rest.slice(semicolon)}`;
    })
    .join(separator);
}

/** A URL with secret query parameters shortened (an authorization response carries `code`). */
export function redactUrl(value: string, base = 'http://localhost'): string {
  const url = URL.parse(value, base);
  if (!url) return value;
  let changed = false;
  for (const name of [...url.searchParams.keys()]) {
    if (!isSecretName(name)) continue;
    url.searchParams.set(name, shorten(url.searchParams.get(name) ?? ''));
    changed = true;
  }
  if (!changed) return value;
  return URL.canParse(value) ? url.href : `${url.pathname}${url.search}${url.hash}`;
}

export type RawHeaders = Record<string, string | string[] | number | undefined>;

export function redactHeaders(headers: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const values = Array.isArray(rawValue) ? rawValue : [String(rawValue)];
    let shown: string[];
    switch (name) {
      case 'authorization':
      case 'proxy-authorization':
        shown = values.map(redactCredentials);
        break;
      case 'cookie':
        shown = values.map((value) => redactCookies(value, ';'));
        break;
      case 'set-cookie':
        shown = values.map((value) => redactCookies(value, '\n'));
        break;
      case 'location':
        shown = values.map((value) => redactUrl(value));
        break;
      default:
        shown = values;
    }
    out[name] = name === 'set-cookie' ? shown.join('\n') : shown.join(', ');
  }
  return out;
}

/** A parsed JSON value with every secret member shortened, at any depth. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    out[name] = isSecretName(name) && typeof member === 'string' ? shorten(member) : redactJson(member);
  }
  return out;
}

/** A form (`a=1&b=2`) as readable `name=value` pairs, secrets shortened. */
export function redactForm(params: Iterable<[string, string]>): string {
  return [...params].map(([name, value]) => `${name}=${isSecretName(name) ? shorten(value) : value}`).join('&');
}

/** For text that could not be parsed (a truncated body): secret JSON members and form fields shortened in place. */
function redactLoosely(text: string): string {
  return text
    .replace(/"([A-Za-z_]+)"(\s*:\s*)"([^"]*)"/g, (whole, name: string, colon: string, value: string) => (isSecretName(name) ? `"${name}"${colon}"${shorten(value)}"` : whole))
    .replace(/(^|[&?\s])([A-Za-z_]+)=([^&\s"]+)/g, (whole, lead: string, name: string, value: string) => (isSecretName(name) ? `${lead}${name}=${shorten(value)}` : whole));
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A rendered body never grows past the limit (redaction and re-serialising can lengthen it). */
function capped(body: string, totalBytes: number): string {
  return body.length > BODY_LIMIT ? `${body.slice(0, BODY_LIMIT)}\n… (${totalBytes} bytes in all; the trace keeps the first ${BODY_LIMIT})` : body;
}

/**
 * The body as the trace shows it: JSON and forms redacted (kept compact: the window formats
 * them, and the trace's ring buffer holds thousands), HTML and binary bodies described rather
 * than copied, anything longer than BODY_LIMIT cut with a note.
 */
export function renderBody(text: string, contentType: string | undefined, totalBytes = Buffer.byteLength(text)): string | undefined {
  if (totalBytes === 0) return undefined;
  const type = mediaType(contentType);
  const truncated = totalBytes > Buffer.byteLength(text);
  const note = truncated ? `\n… (${totalBytes} bytes in all; the trace keeps the first ${BODY_LIMIT})` : '';
  if (type === 'text/html') return `(HTML page, ${totalBytes} bytes)`;
  if (!truncated && (type === 'application/json' || type.endsWith('+json'))) {
    // Most JSON (MCP traffic) names no secret member: shown as sent, without a parse and re-serialise.
    if (!SECRET_MEMBER.test(text)) return capped(text, totalBytes);
    try {
      return capped(JSON.stringify(redactJson(JSON.parse(text))), totalBytes);
    } catch {
      return capped(redactLoosely(text), totalBytes);
    }
  }
  if (!truncated && type === 'application/x-www-form-urlencoded') return capped(redactForm(new URLSearchParams(text)), totalBytes);
  if (type && !type.startsWith('text/') && !type.includes('json') && !type.includes('form')) return `(${type}, ${totalBytes} bytes)`;
  return `${capped(redactLoosely(text), totalBytes)}${note}`;
}

/** A body a framework already parsed (oidc-provider's ctx.oidc.body, express's req.body). */
export function renderParsedBody(body: unknown, contentType: string | undefined): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return renderBody(body, contentType);
  if (typeof body !== 'object' || Object.keys(body).length === 0) return undefined;
  if (mediaType(contentType) === 'application/x-www-form-urlencoded') {
    const pairs = Object.entries(body as Record<string, unknown>).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, typeof item === 'string' ? item : JSON.stringify(item)]),
    );
    return capped(redactForm(pairs), BODY_LIMIT);
  }
  const json = JSON.stringify(redactJson(body));
  return capped(json, json.length);
}
