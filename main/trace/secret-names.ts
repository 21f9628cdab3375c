/**
 * What a secret looks like, for everything that shows HTTP traffic or config: the names whose
 * values are secrets (parameters, JSON members, form fields, headers) and the shapes a secret
 * value has wherever it turns up (a JWT, a provider key with its well-known prefix). Only
 * vocabulary lives here; main/trace/redact-exchange.ts applies it.
 */

/**
 * Parameter and member names whose values are secrets, in snake_case (matched whatever the case
 * and separators, see `normaliseName`):
 * RFC 6749 `code` and tokens, RFC 7636 `code_verifier`, RFC 7591/7592 `client_secret` and
 * `registration_access_token`, RFC 7662/7009 `token`, RFC 7521/7523 assertions, RFC 8693
 * `subject_token`/`actor_token`, RFC 8628 `device_code`, OpenID Connect `id_token_hint` (RP-
 * initiated logout) and `logout_token` (back-channel logout), API keys, the sign-in password.
 */
const SECRET_NAME_WORDS = [
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'passwd',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'logout_token',
  'registration_access_token',
  'token',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'device_code',
  'api_key',
  'secret',
];

/**
 * Secrets a person chose or that never change (a password, a client secret): even a head and a
 * tail give half of a short one away, so only their length is shown. Tokens keep head…tail, which
 * tells one from the next.
 */
const HIDDEN_NAME_WORDS = ['password', 'passwd', 'client_secret'];

/** `access_token`, `AccessToken`, `access-token` and `accessToken` are one name. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

const SECRET_NAMES: ReadonlySet<string> = new Set(SECRET_NAME_WORDS.map(normaliseName));
const HIDDEN_NAMES: ReadonlySet<string> = new Set(HIDDEN_NAME_WORDS.map(normaliseName));

type NameKind = 'hidden' | 'secret' | 'plain';

/** Member and parameter names repeat on every request: each is judged once (bounded, so odd traffic cannot grow it). */
const nameKinds = new Map<string, NameKind>();

function kindOf(name: string): NameKind {
  let kind = nameKinds.get(name);
  if (kind === undefined) {
    const normal = normaliseName(name);
    kind = HIDDEN_NAMES.has(normal) ? 'hidden' : SECRET_NAMES.has(normal) ? 'secret' : 'plain';
    if (nameKinds.size < 4096) nameKinds.set(name, kind);
  }
  return kind;
}

export function isSecretName(name: string): boolean {
  return kindOf(name) !== 'plain';
}

export function isHiddenName(name: string): boolean {
  return kindOf(name) === 'hidden';
}

/**
 * A JSON member with a secret name, anywhere in a text (whatever its case or separators): the
 * cheap test that lets the usual body (MCP traffic) through without a parse.
 */
export const SECRET_MEMBER = new RegExp(`"(?:${SECRET_NAME_WORDS.map((name) => name.replaceAll('_', '[-_]?')).join('|')})"\\s*:`, 'i');

/**
 * Words that make a header name a credential's (`x-api-key`, `x-auth-token`, `cookie`,
 * `x-hub-signature-256`). Matched per word, so `x-oauth-scopes` and `www-authenticate` stay
 * readable.
 */
const SECRET_HEADER_WORDS: ReadonlySet<string> = new Set([
  'authorization',
  'auth',
  'token',
  'secret',
  'key',
  'apikey',
  'password',
  'passwd',
  'pwd',
  'session',
  'sessionid',
  'cookie',
  'signature',
  'sig',
  'credential',
  'credentials',
  'csrf',
  'xsrf',
]);

/**
 * Headers whose words sound secret but whose values are not: CORS answers name headers and say
 * `true`; the MCP session id is the handle the trace groups a session by, not a credential (the
 * bearer token authenticates every request).
 */
const READABLE_HEADERS = /^(?:access-control-|mcp-session-id$)/;

/** Header names repeat on every request: each is judged once (bounded, names are few). */
const headerJudgements = new Map<string, boolean>();

export function isSecretHeaderName(name: string): boolean {
  let secret = headerJudgements.get(name);
  if (secret === undefined) {
    const lower = name.toLowerCase();
    secret = !READABLE_HEADERS.test(lower) && lower.split(/[-_]/).some((word) => SECRET_HEADER_WORDS.has(word) || word.includes('token') || word.includes('secret') || word.includes('passw'));
    if (headerJudgements.size < 1024) headerJudgements.set(name, secret);
  }
  return secret;
}

/**
 * A JWT (JWS compact: header.claims.signature) anywhere in a text. The signature may be cut off
 * (a body kept up to the trace's limit): header and claims alone still match.
 */
const JWT_TEXT = String.raw`eyJ[\w-]+\.[\w-]+(?:\.[\w-]*)?`;

/**
 * Keys with a provider's well-known prefix (GitHub `ghp_`/`github_pat_`, GitLab `glpat-`, Slack
 * `xox?-`, OpenAI/Stripe/Anthropic-style `sk-`/`sk_`/`rk_`, Google `AIza`, AWS `AKIA`), long enough
 * and holding a digit, so that an identifier like `sk_product_name` is not one.
 */
const KEY_TEXT = String.raw`(?<![\w-])(?:gh[pousr]_|github_pat_|glpat-|xox[abeprs]-|sk[-_]|rk_|AIza|AKIA)(?=[\w-]*\d)[\w-]{16,}`;

/** Every secret-shaped value in a text (global: use with `replace`). */
export const SECRET_SHAPES = new RegExp(`${JWT_TEXT}|${KEY_TEXT}`, 'g');

const WHOLE_SECRET_SHAPE = new RegExp(`^(?:${JWT_TEXT}|${KEY_TEXT})$`);

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && (char === '-' || char === '_' || (char >= '0' && char <= '9') || (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}

/** Whether the `_` or `-` at `at` ends one of the KEY_TEXT prefixes (`sk-`, `rk_`, `ghp_`, `github_pat_`, `glpat-`, `xoxb-`). */
function endsKeyPrefix(text: string, at: number): boolean {
  if (text[at - 1] === 'k' && (text[at - 2] === 's' || text[at - 2] === 'r')) return !isWordChar(text[at - 3]);
  return text.startsWith('gh', at - 3) || text.startsWith('github_pat', at - 10) || text.startsWith('glpat', at - 5) || text.startsWith('xox', at - 4);
}

/**
 * Cheap first look, before SECRET_SHAPES walks a text: false means no secret-shaped value can be
 * in it. Built from single-character indexOf, which V8 runs as a fast scan: a regex with these
 * alternatives, or a search for `eyJ` (whose `e` is everywhere), walks an 8 KB MCP answer about a
 * hundred times slower.
 */
export function mayHoldSecretShape(text: string): boolean {
  for (let at = text.indexOf('J'); at >= 0; at = text.indexOf('J', at + 1)) if (at >= 2 && text[at - 1] === 'y' && text[at - 2] === 'e') return true;
  for (let at = text.indexOf('_'); at >= 0; at = text.indexOf('_', at + 1)) if (endsKeyPrefix(text, at)) return true;
  for (let at = text.indexOf('-'); at >= 0; at = text.indexOf('-', at + 1)) if (endsKeyPrefix(text, at)) return true;
  return text.includes('AIza') || text.includes('AKIA');
}

/** The whole value is a JWT or a provider key. */
export function looksSecret(value: string): boolean {
  return value.length >= 16 && mayHoldSecretShape(value.slice(0, 11)) && WHOLE_SECRET_SHAPE.test(value);
}

/**
 * A name in a config whose value is a credential: a header, a query parameter, an environment
 * variable or a command-line flag (`--api-key`, `GITHUB_TOKEN`, `X-Api-Key`, `client_secret`).
 */
export function isCredentialName(name: string): boolean {
  // camelCase words apart, as in `privateKey` or `apiToken`.
  const bare = name.replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2');
  return bare !== '' && (isSecretName(bare) || isSecretHeaderName(bare));
}

/** Long random text with letters and digits (a key of no known shape, a hex or base64 secret). */
const RANDOM_TEXT = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-+/=]{32,}$/;

/** A config value that is a credential by its look alone: a JWT, a provider key, or long random text. */
export function looksLikeCredential(value: string): boolean {
  return looksSecret(value) || RANDOM_TEXT.test(value);
}
