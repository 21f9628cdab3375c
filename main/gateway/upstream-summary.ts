/**
 * A route's upstreams as the window lists them: kind, where they are (URL or command line, with
 * anything that looks like a credential shortened) and the health of the route's shared
 * connection to each, with the reason when it is not connected.
 */
import type { UpstreamHealth, UpstreamSummary } from '../../shared/admin-api.js';
import type { UpstreamConfig } from '../config/schema.js';
import { shorten } from '../trace/redact.js';
import { isCredentialName, looksLikeCredential } from '../trace/secret-names.js';

const HEALTH: ReadonlySet<string> = new Set<UpstreamHealth>(['connecting', 'connected', 'restarting', 'auth_needed', 'error', 'closed']);

/** The secret parts of a URL: its password and secret-looking query values. */
function urlSecrets(value: string): string[] {
  const url = URL.parse(value);
  if (!url) return [];
  const secrets = url.password ? [decodeURIComponent(url.password)] : [];
  for (const [name, param] of url.searchParams) if (param && (isCredentialName(name) || looksLikeCredential(param))) secrets.push(param);
  return secrets;
}

/** Every string in an upstream's config that must not be shown whole: URL secrets, secret headers, env values and arguments. */
export function upstreamSecrets(config: UpstreamConfig): string[] {
  const secrets: string[] = [];
  const url = config.kind === 'http' || config.kind === 'sse' ? config.url : config.kind === 'rest' || config.kind === 'openapi' ? config.base_url : undefined;
  if (url) secrets.push(...urlSecrets(url));
  if (config.kind === 'openapi') secrets.push(...urlSecrets(config.spec));
  if ('headers' in config && config.headers) {
    for (const [name, value] of Object.entries(config.headers)) if (isCredentialName(name) || looksLikeCredential(value)) secrets.push(value, value.replace(/^\S+\s+/, ''));
  }
  if (config.kind === 'stdio') {
    for (const [name, value] of Object.entries(config.env)) if (isCredentialName(name) || looksLikeCredential(value)) secrets.push(value);
    config.args.forEach((arg, i) => {
      const flag = /^(--?[A-Za-z0-9_-]+)=(.*)$/.exec(arg);
      if (flag && isCredentialName(flag[1]!)) secrets.push(flag[2]!);
      else if (looksLikeCredential(arg)) secrets.push(arg);
      else if (/^--?[A-Za-z0-9_-]+$/.test(arg) && isCredentialName(arg) && config.args[i + 1] !== undefined) secrets.push(config.args[i + 1]!);
    });
  }
  // Short values would blank out ordinary words; the longest first, so a value inside another is not half-replaced.
  return [...new Set(secrets.filter((secret) => secret.length >= 6))].sort((a, b) => b.length - a.length);
}

/** Text (an error that quotes the URL or command) with the given secrets shortened. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    scrubbed = scrubbed.replaceAll(secret, shorten(secret));
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) scrubbed = scrubbed.replaceAll(encoded, shorten(secret));
  }
  return scrubbed;
}

/** A URL with its password and secret-looking query values shortened; readable (no %-escapes from the shortening). */
export function displayUrl(value: string): string {
  const secrets = urlSecrets(value);
  if (!secrets.length) return value;
  const url = URL.parse(value)!;
  if (url.password) url.password = 'PASSWORD';
  for (const name of [...url.searchParams.keys()]) {
    const param = url.searchParams.get(name) ?? '';
    if (secrets.includes(param)) url.searchParams.set(name, shorten(param));
  }
  return url.href.replace('PASSWORD@', '…@').replaceAll('%E2%80%A6', '…');
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_\-./:=@+,%]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** A command line with flag values that name a secret (`--token x`, `--api-key=x`) and secret-shaped arguments shortened. */
export function displayCommand(command: string, args: readonly string[]): string {
  const shown: string[] = [];
  let secretNext = false;
  for (const arg of args) {
    const flag = /^(--?[A-Za-z0-9_-]+)=(.*)$/.exec(arg);
    if (secretNext) {
      shown.push(shorten(arg));
      secretNext = false;
    } else if (flag && isCredentialName(flag[1]!)) {
      shown.push(`${flag[1]}=${shorten(flag[2]!)}`);
    } else if (/^--?[A-Za-z0-9_-]+$/.test(arg) && isCredentialName(arg)) {
      shown.push(arg);
      secretNext = true;
    } else if (looksLikeCredential(arg)) {
      shown.push(shorten(arg));
    } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg) && isCredentialName(arg.slice(0, arg.indexOf('=')))) {
      // NAME=value arguments (env-style, as `env` or `docker -e` take them).
      shown.push(`${arg.slice(0, arg.indexOf('='))}=${shorten(arg.slice(arg.indexOf('=') + 1))}`);
    } else {
      shown.push(arg);
    }
  }
  return [command, ...shown].map(quoteArg).join(' ');
}

export function upstreamTarget(config: UpstreamConfig): string {
  switch (config.kind) {
    case 'http':
    case 'sse':
      return displayUrl(config.url);
    case 'stdio':
      return displayCommand(config.command, config.args);
    case 'rest':
      return displayUrl(config.base_url);
    case 'openapi': {
      const spec = /^https?:/.test(config.spec) ? displayUrl(config.spec) : config.spec;
      return config.base_url ? `${spec} → ${displayUrl(config.base_url)}` : spec;
    }
  }
}

/**
 * A supervised upstream's state as the admin API names it. Read defensively: the supervisor may
 * grow states (auth_needed for secured upstreams); anything unknown shows as an error with its
 * name rather than breaking the window.
 */
export function healthOf(state: string): { state: UpstreamHealth; unknown?: string } {
  return HEALTH.has(state) ? { state: state as UpstreamHealth } : { state: 'error', unknown: state };
}

export interface UpstreamRuntimeView {
  state: string;
  lastError?: string;
}

export type UpstreamLogin = NonNullable<UpstreamSummary['login']>;

/** What the gateway's own OAuth client holds for a secured upstream (in memory, as read from the secret store). */
export interface LoginView {
  issuer?: string;
  tokens?: { expires_at?: number; refresh_token?: string };
  /** grant client_credentials: no login; a token is fetched whenever one is needed. */
  machine?: boolean;
}

/**
 * A secured upstream's login as the window shows it. No tokens: needed. Tokens the gateway cannot
 * use any more — an access token past its expiry with no refresh token, or tokens held while the
 * upstream still waits for a login (it refused them) — expired. Otherwise logged in: an expired
 * access token with a refresh token is refreshed on the next request.
 */
export function loginStatus(view: LoginView, upstreamState: string | undefined, now = Date.now()): UpstreamLogin {
  const issuer = view.issuer ? { issuer: view.issuer } : {};
  const tokens = view.tokens;
  // Nothing for a person to do: the next request fetches a token (or the upstream's error says why not).
  if (view.machine) return { ...issuer, state: 'logged_in', machine: true };
  if (!tokens) return { ...issuer, state: 'needed' };
  const unusable = (tokens.expires_at !== undefined && tokens.expires_at <= now && !tokens.refresh_token) || upstreamState === 'auth_needed';
  return { ...issuer, state: unusable ? 'expired' : 'logged_in' };
}

export function summarizeUpstream(config: UpstreamConfig, running: UpstreamRuntimeView | undefined, login?: UpstreamLogin): UpstreamSummary {
  const health = running ? healthOf(running.state) : { state: 'closed' as const };
  const summary: UpstreamSummary = { name: config.name, kind: config.kind, target: upstreamTarget(config), state: health.state, ...(login ? { login } : {}) };
  const detail = 'unknown' in health && health.unknown ? `state ${health.unknown}${running?.lastError ? `: ${running.lastError}` : ''}` : running?.lastError;
  if (health.state !== 'connected' && detail) summary.detail = scrubSecrets(detail, upstreamSecrets(config));
  if (!running) summary.detail = 'the route is not running';
  return summary;
}
