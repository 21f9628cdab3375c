/**
 * What an HTTP exchange looks like in the trace and the window: URLs, headers and bodies with
 * every credential shortened (`eyJhbGci…Xk2`) or, for passwords and client secrets, hidden, so a
 * developer can tell tokens apart without a record ever holding one. The one redactor for all
 * recorded traffic: the gateway's and the built-in IdP's exchanges, and the test client's.
 *
 * It runs on every request: each step first makes a cheap check (a name lookup, a substring
 * test) and leaves the text as it was when nothing in it can be secret.
 */
import { hide, shorten } from './redact.js';
import { isHiddenName, isSecretHeaderName, isSecretName, looksSecret, mayHoldSecretShape, SECRET_MEMBER, SECRET_SHAPES } from './secret-names.js';

/** Most of a body the trace keeps; enough for a token response or a JSON-RPC answer. */
export const BODY_LIMIT = 8 * 1024;

/** A secret value as shown: passwords and client secrets by their length, tokens head…tail. */
export function redactNamed(name: string, value: string): string {
  return isHiddenName(name) ? hide(value) : shorten(value);
}

/** Shorter texts hold no secret shape worth the name (a provider key is 19 characters or more). */
const SHORTEST_SHAPE = 16;

/** Text with every JWT and provider key in it shortened in place. */
export function redactShapes(text: string): string {
  return text.length >= SHORTEST_SHAPE && mayHoldSecretShape(text) ? text.replace(SECRET_SHAPES, (secret) => shorten(secret)) : text;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/**
 * `a=1&b=2` (a query or a fragment) with secret values shortened; everything else kept byte for
 * byte, so the URL reads as it was sent.
 */
function redactParams(params: string): string {
  let changed = false;
  const pairs = params.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const name = decodeComponent(pair.slice(0, eq));
    const value = decodeComponent(pair.slice(eq + 1));
    if (!value) return pair;
    const shown = isSecretName(name) ? redactNamed(name, value) : looksSecret(value) ? shorten(value) : redactShapes(value);
    if (shown === value) return pair;
    changed = true;
    return `${pair.slice(0, eq)}=${encodeURIComponent(shown)}`;
  });
  return changed ? pairs.join('&') : params;
}

const USERINFO = /^([a-z][a-z\d+.-]*:\/\/)([^/?#@]*)@/i;

/** `https://user:password@host` and `https://<token>@host` (a Git-style credential in the user name). */
function redactUserinfo(url: string): string {
  return url.replace(USERINFO, (whole, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:${encodeURIComponent(hide(decodeComponent(userinfo.slice(colon + 1))))}@`;
    const user = decodeComponent(userinfo);
    return looksSecret(user) ? `${scheme}${encodeURIComponent(shorten(user))}@` : whole;
  });
}

/**
 * A URL or request target with its secrets shortened: query and fragment parameters (an
 * authorization response carries `code` in the query, or with response_mode=fragment `code` and
 * tokens in the fragment), JWT- and key-shaped values under any name, and userinfo.
 */
export function redactUrl(value: string): string {
  const hash = value.indexOf('#');
  const beforeHash = hash < 0 ? value : value.slice(0, hash);
  const query = beforeHash.indexOf('?');
  if (query < 0 && hash < 0 && !beforeHash.includes('@')) return value;
  const path = redactUserinfo(query < 0 ? beforeHash : beforeHash.slice(0, query));
  const search = query < 0 ? '' : `?${redactParams(beforeHash.slice(query + 1))}`;
  const fragment = hash < 0 ? '' : `#${redactParams(value.slice(hash + 1))}`;
  return `${path}${search}${fragment}`;
}

export type RawHeaders = Record<string, string | string[] | number | undefined>;

/**
 * `Bearer eyJhbGci…Xk2`: the scheme stays, the credential is shortened. HTTP Basic (RFC 7617) is
 * a client id and a secret in base64: any part of it is part of the secret, often a short one a
 * person chose, so only the client id is shown (it names the client in the trace), never a byte
 * of the secret.
 */
function redactCredentials(value: string): string {
  const space = value.indexOf(' ');
  if (space <= 0) return shorten(value);
  const scheme = value.slice(0, space);
  const credential = value.slice(space + 1).trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = colon > 0 ? decoded.slice(0, colon) : '';
    return /^[\x21-\x7e]{1,128}$/.test(id) ? `${scheme} ${id}:(secret hidden)` : `${scheme} (credentials hidden)`;
  }
  return `${scheme} ${shorten(credential)}`;
}

/** Cookie values are session secrets: names stay, values are shortened. */
function redactCookies(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq + 1)}${shorten(pair.slice(eq + 1))}`;
    })
    .join(';');
}

/** One Set-Cookie: its value is the secret; its attributes (Path, Expires, HttpOnly) stay. */
function redactSetCookie(value: string): string {
  const eq = value.indexOf('=');
  if (eq < 0) return value;
  const semicolon = value.indexOf(';', eq);
  const end = semicolon < 0 ? value.length : semicolon;
  return `${value.slice(0, eq + 1)}${shorten(value.slice(eq + 1, end))}${value.slice(end)}`;
}

function redactHeader(name: string, value: string): string {
  switch (name) {
    case 'cookie':
      return redactCookies(value);
    case 'set-cookie':
      return redactSetCookie(value);
    case 'location':
    case 'content-location':
    case 'referer':
      return redactUrl(value);
  }
  return isSecretHeaderName(name) ? redactCredentials(value) : redactShapes(value);
}

/**
 * Headers by lower-case name, each value redacted: credential headers (by a secret-sounding
 * name: `authorization`, `x-api-key`, `x-auth-token`…) keep only a scheme and a shortened
 * credential, cookies their names, URL headers their ordinary parameters; secret-shaped values
 * are shortened under any name. Set-Cookie values are joined by newlines (their Expires has a
 * comma), others by `, `.
 */
export function redactHeaders(headers: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const shown = (Array.isArray(rawValue) ? rawValue : [String(rawValue)]).map((value) => redactHeader(name, value));
    out[name] = shown.join(name === 'set-cookie' ? '\n' : ', ');
  }
  return out;
}

/** Told of each JWT met on the way (to decode it): the whole token and where it was, e.g. `response.body.access_token`. */
export type JwtSeen = (token: string, where: string) => void;

function redactJsonString(value: string, secretName: string | undefined, seen: JwtSeen | undefined, where: string): string {
  if (secretName !== undefined) {
    if (seen && value.startsWith('eyJ') && looksSecret(value)) seen(value, where);
    return redactNamed(secretName, value);
  }
  if (value.length < SHORTEST_SHAPE || !mayHoldSecretShape(value)) return value;
  if (!looksSecret(value)) return redactShapes(value);
  if (seen && value.startsWith('eyJ')) seen(value, where);
  return shorten(value);
}

function redactJsonValue(value: unknown, secretName: string | undefined, seen: JwtSeen | undefined, where: string): unknown {
  if (typeof value === 'string') return redactJsonString(value, secretName, seen, where);
  // Paths are only built for a caller that wants them: the trace's bodies do not.
  if (Array.isArray(value)) return value.map((item, index) => redactJsonValue(item, secretName, seen, seen ? `${where}[${index}]` : where));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    // Under a secret name every string is secret, however deep (`assertion: [..]`, `client_secret: {..}`).
    out[name] = redactJsonValue(member, secretName ?? (isSecretName(name) ? name : undefined), seen, seen ? `${where}.${name}` : where);
  }
  return out;
}

/**
 * A parsed JSON value with every secret shortened, at any depth: members with a secret name
 * (whatever their case), and JWT- or key-shaped strings under any name. `seen` is told of each
 * JWT on the way, at `where` + its path.
 */
export function redactJson(value: unknown, seen?: JwtSeen, where = ''): unknown {
  return redactJsonValue(value, undefined, seen, where);
}

/** A form (`a=1&b=2`) as readable `name=value` pairs, secrets shortened or hidden. */
export function redactForm(params: Iterable<[string, string]>): string {
  return [...params].map(([name, value]) => `${name}=${isSecretName(name) ? redactNamed(name, value) : redactShapes(value)}`).join('&');
}

/** `"name": "value` — the closing quote may be missing (a body cut at the limit mid-token). */
const LOOSE_MEMBER = /"([\w-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)/g;
const LOOSE_FIELD = /(^|[&?\s])([\w-]+)=([^&\s"]+)/g;
/** RFC 7235 token68 after an auth scheme, as in a quoted `Authorization:` line. */
const LOOSE_CREDENTIALS = /\b(Bearer|DPoP|Basic)(\s+)([\w.~+/-]{12,}=*)(?![\w.~+/="-])/gi;
const CREDENTIAL_HINT = /bearer|dpop|basic/i;

/**
 * Text that could not be parsed (a truncated body, plain text, an error page): secret JSON
 * members and form fields, credentials after an auth scheme, and JWT- and key-shaped values
 * shortened in place.
 */
export function redactText(text: string): string {
  let out = text;
  if (SECRET_MEMBER.test(out)) {
    out = out.replace(LOOSE_MEMBER, (whole, name: string, colon: string, value: string) => (isSecretName(name) ? `"${name}"${colon}"${redactNamed(name, value)}` : whole));
  }
  if (out.includes('=')) out = out.replace(LOOSE_FIELD, (whole, lead: string, name: string, value: string) => (isSecretName(name) ? `${lead}${name}=${redactNamed(name, value)}` : whole));
  if (CREDENTIAL_HINT.test(out)) out = out.replace(LOOSE_CREDENTIALS, (_whole, scheme: string, space: string, credential: string) => `${scheme}${space}${shorten(credential)}`);
  return redactShapes(out);
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
    // Most JSON (MCP traffic) names no secret member: shown as sent (secret-shaped values aside), without a parse and re-serialise.
    if (!SECRET_MEMBER.test(text)) return capped(redactShapes(text), totalBytes);
    try {
      return capped(JSON.stringify(redactJson(JSON.parse(text))), totalBytes);
    } catch {
      return capped(redactText(text), totalBytes);
    }
  }
  if (!truncated && type === 'application/x-www-form-urlencoded') return capped(redactForm(new URLSearchParams(text)), totalBytes);
  if (type && !type.startsWith('text/') && !type.includes('json') && !type.includes('form')) return `(${type}, ${totalBytes} bytes)`;
  return `${capped(redactText(text), totalBytes)}${note}`;
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
