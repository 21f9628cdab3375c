/**
 * `gatehouse login <route>/<upstream>`, `gatehouse tokens list`, `gatehouse tokens revoke <…>`:
 * the gateway's OAuth client from the command line. Each returns an exit code and prints for a
 * person; secrets are shown shortened, never whole.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport, SSEClientTransport } from '@modelcontextprotocol/client';

import { ConfigError } from '../../config/config-error.js';
import { loadConfig } from '../../config/load-config.js';
import type { GatehouseConfig } from '../../config/schema.js';
import { openSecretStore, secretStoreOptionsFromEnv } from '../../secrets/secret-store.js';
import { shorten } from '../../trace/redact.js';
import type { TraceBus } from '../../trace/trace-bus.js';
import { systemBrowserStep } from './browser-step.js';
import type { SecretStoreLike, TokenSet } from './credential-vault.js';
import { EphemeralSecretStore } from './ephemeral-secret-store.js';
import { OAuthClientError } from './oauth-client-error.js';
import { openSystemBrowser, type BrowserOpener } from './system-browser.js';
import { revokeTokens } from './token-revocation.js';
import { probeChallenge } from './upstream-challenge.js';
import { UpstreamOAuth, isSecuredUpstream, loginTarget, type SecuredUpstreamConfig } from './upstream-oauth.js';

export { runConformanceClient as conformanceClient } from './conformance-client.js';

export interface OAuthCliOptions {
  /** The app's data folder (the encrypted-file fallback lives there). Default ~/.gatehouse */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** How the browser is opened (tests drive the login through it). Default: the system browser. */
  opener?: BrowserOpener;
  /** How long to wait for the browser to come back. Default 5 minutes. */
  timeoutMs?: number;
  trace?: TraceBus;
  /** A store to use instead of opening the OS keychain (the window passes its own). */
  store?: SecretStoreLike;
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function io(options: OAuthCliOptions): Io {
  return { out: options.out ?? ((line) => console.log(line)), err: options.err ?? ((line) => console.error(line)) };
}

async function openStore(options: OAuthCliOptions, { err }: Io): Promise<SecretStoreLike | undefined> {
  if (options.store) return options.store;
  const dataDir = options.dataDir ?? path.join(os.homedir(), '.gatehouse');
  try {
    return await openSecretStore(secretStoreOptionsFromEnv(dataDir, options.env ?? process.env));
  } catch (error) {
    // KeychainUnavailable and SecretFileError messages already end with their fix.
    err(`gatehouse: cannot open the secret store: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function readConfig(configFile: string, env: NodeJS.ProcessEnv, { err }: Io): Promise<GatehouseConfig | undefined> {
  try {
    return await loadConfig(configFile, env);
  } catch (error) {
    err(error instanceof ConfigError ? error.message : `gatehouse: cannot read ${configFile}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Finds `route/upstream` (route with or without its leading slash) among the secured upstreams. */
function findSecuredUpstream(config: GatehouseConfig, target: string): { route: string; upstream: SecuredUpstreamConfig } | string {
  const cut = target.lastIndexOf('/');
  if (cut <= 0) return `"${target}" is not <route>/<upstream> (e.g. team-search/github)`;
  const routePath = `/${target.slice(0, cut).replace(/^\/+/, '')}`;
  const name = target.slice(cut + 1);
  const secured = config.routes.flatMap((route) => route.upstreams.filter(isSecuredUpstream).map((upstream) => loginTarget(route.path, upstream.name)));
  const route = config.routes.find((candidate) => candidate.path === routePath);
  const upstream = route?.upstreams.find((candidate) => candidate.name === name);
  if (!route || !upstream) return `no upstream ${target} in the config${secured.length ? ` — secured upstreams: ${secured.join(', ')}` : ' (and none has auth: {type: oauth})'}`;
  if (!isSecuredUpstream(upstream)) return `upstream ${target} has no auth block — add auth: {type: oauth} to it (only http and sse upstreams can be secured)`;
  return { route: route.path, upstream };
}

function describeExpiry(tokens: TokenSet | undefined, now = Date.now()): string {
  if (!tokens?.expires_at) return 'no expiry given';
  const seconds = Math.round((tokens.expires_at - now) / 1000);
  return seconds > 0 ? `expires in ${seconds} s` : `expired ${-seconds} s ago`;
}

/**
 * `gatehouse login <route>/<upstream>`: the browser login, then a tools/list with the new tokens.
 * For a client_credentials upstream: a token request, which proves the credentials.
 */
export async function login(configFile: string, target: string, options: OAuthCliOptions = {}): Promise<number> {
  const streams = io(options);
  const env = options.env ?? process.env;
  const config = await readConfig(configFile, env, streams);
  if (!config) return 1;
  const found = findSecuredUpstream(config, target);
  if (typeof found === 'string') {
    streams.err(`gatehouse login: ${found}`);
    return 2;
  }
  const { route, upstream } = found;
  const machine = upstream.auth.grant === 'client_credentials';
  // A machine client keeps its tokens in memory: no secret store is needed (or touched).
  const store = machine ? new EphemeralSecretStore() : await openStore(options, streams);
  if (!store) return 1;
  const oauth = new UpstreamOAuth({
    store,
    trace: options.trace,
    baseDir: path.dirname(path.resolve(configFile)),
    browser: () =>
      systemBrowserStep({
        opener: options.opener ?? openSystemBrowser,
        port: upstream.auth.redirect_port,
        timeoutMs: options.timeoutMs ?? 5 * 60_000,
        onManualOpen: (url, problem) => streams.out(`Could not open a browser (${problem}). Open this URL to log in:\n  ${url}`),
      }),
  });
  const authorizer = oauth.authorizer(upstream, route);
  const shown = loginTarget(route, upstream.name);
  try {
    // The upstream's own 401 says where its metadata is and which scopes it wants (MCP discovery starts there).
    const challenge = await probeChallenge(upstream);
    if (challenge.status !== 401 && upstream.kind === 'http') streams.out(`Note: ${upstream.url} answered ${challenge.status} without a token; logging in anyway.`);
    // A machine client needs no login; this checks its credentials now rather than on the first call.
    streams.out(machine ? `Getting a token for ${shown} as client ${upstream.auth.client_id} (client_credentials; the gateway does this by itself, no login needed)…` : `Logging in to ${shown} — finish the login in your browser…`);
    await authorizer.authorize({ scope: challenge.scope, resourceMetadataUrl: challenge.resourceMetadataUrl, force: true, reason: 'gatehouse login' });

    const client = new Client({ name: 'gatehouse-login', version: '0.1.0' });
    const fetchFn = authorizer.fetch(fetch);
    const transport = upstream.kind === 'http' ? new StreamableHTTPClientTransport(new URL(upstream.url), { fetch: fetchFn }) : new SSEClientTransport(new URL(upstream.url), { fetch: fetchFn });
    await client.connect(transport);
    const tools = await client.listTools().catch(() => undefined);
    await client.close();
    const tokens = authorizer.tokens;
    if (machine) {
      streams.out(
        `Client ${upstream.auth.client_id} gets tokens for ${shown} from ${authorizer.issuer ?? 'its authorization server'}: access token ${tokens ? shorten(tokens.access_token) : '?'} (${describeExpiry(tokens)}). Nothing to keep: the gateway asks for its own whenever it needs one.${tools ? ` ${tools.tools.length} tools available.` : ''}`,
      );
      return 0;
    }
    streams.out(
      `Logged in to ${shown} at ${authorizer.issuer ?? 'its authorization server'}: access token ${tokens ? shorten(tokens.access_token) : '?'} (${describeExpiry(tokens)}${tokens?.refresh_token ? ', refreshable' : ', no refresh token'}), kept in the ${store.backend === 'keychain' ? 'OS keychain' : store.backend}.${tools ? ` ${tools.tools.length} tools available.` : ''}`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    streams.err(`gatehouse login ${shown}: ${error instanceof OAuthClientError ? message : `failed: ${message}`}`);
    return 1;
  }
}

/** `gatehouse tokens list`: what the secret store holds for secured upstreams, shortened. */
export async function tokensList(options: OAuthCliOptions = {}): Promise<number> {
  const streams = io(options);
  const store = await openStore(options, streams);
  if (!store) return 1;
  const entries = await store.list();
  if (entries.length === 0) {
    streams.out('No stored tokens or client registrations. Log in with `gatehouse login <route>/<upstream>`.');
    return 0;
  }
  streams.out(`In the ${store.backend === 'keychain' ? 'OS keychain' : store.backend}:`);
  for (const entry of entries) {
    const value = await store.get(entry).catch(() => undefined);
    let summary = '';
    try {
      if (entry.kind === 'tokens' && value) {
        const tokens = JSON.parse(value) as TokenSet;
        summary = `access ${shorten(tokens.access_token)}, ${describeExpiry(tokens)}${tokens.refresh_token ? ', refresh token' : ''}${tokens.scope ? `, scope "${tokens.scope}"` : ''}`;
      } else if (entry.kind === 'client' && value) {
        summary = `client_id ${(JSON.parse(value) as { client_id?: string }).client_id ?? '?'}`;
      }
    } catch {
      summary = 'unreadable value';
    }
    streams.out(`  ${entry.id}  ${entry.kind.padEnd(6)}  ${entry.issuer}  ${entry.resource ?? ''}  ${summary}`);
  }
  return 0;
}

/**
 * `gatehouse tokens revoke <route>/<upstream> | <id>`: revokes the tokens at the authorization
 * server (RFC 7009, where it offers revocation) and removes them from the secret store. The
 * client registration stays, so the next login does not register again.
 */
export async function tokensRevoke(target: string, options: OAuthCliOptions & { configFile?: string } = {}): Promise<number> {
  const streams = io(options);
  const env = options.env ?? process.env;
  const store = await openStore(options, streams);
  if (!store) return 1;
  const entries = await store.list();
  let upstream: SecuredUpstreamConfig | undefined;
  let baseDir = process.cwd();
  let selected = entries.filter((entry) => entry.id === target && entry.kind === 'tokens');
  if (selected.length === 0) {
    if (!options.configFile) {
      streams.err(`gatehouse tokens revoke: no stored tokens with id ${target}; to name an upstream as <route>/<upstream>, pass --config FILE (ids: gatehouse tokens list)`);
      return 2;
    }
    const config = await readConfig(options.configFile, env, streams);
    if (!config) return 1;
    const found = findSecuredUpstream(config, target);
    if (typeof found === 'string') {
      streams.err(`gatehouse tokens revoke: ${found}`);
      return 2;
    }
    upstream = found.upstream;
    baseDir = path.dirname(path.resolve(options.configFile));
    selected = entries.filter((entry) => entry.kind === 'tokens' && entry.resource === found.upstream.url);
  }
  if (selected.length === 0) {
    streams.out(`No stored tokens for ${target}; nothing to revoke.`);
    return 0;
  }
  let code = 0;
  for (const entry of selected) {
    const raw = await store.get(entry);
    const tokens = raw ? (JSON.parse(raw) as TokenSet) : undefined;
    const storedClient = await store.get({ kind: 'client', issuer: entry.issuer, resource: entry.resource });
    const client = storedClient ? (JSON.parse(storedClient) as { client_id: string; client_secret?: string }) : upstream?.auth.client_id ? { client_id: upstream.auth.client_id, client_secret: upstream.auth.client_secret } : undefined;
    let remote = 'not revoked at the authorization server (no client to revoke as)';
    if (tokens && client) {
      const privateKey = upstream?.auth.private_key_jwk ?? (upstream?.auth.private_key_file ? await readFile(path.resolve(baseDir, upstream.auth.private_key_file), 'utf8') : undefined);
      const outcome = await revokeTokens({ issuer: entry.issuer, client, tokens, config: upstream?.auth, privateKey });
      if ('revoked' in outcome) {
        const words = (hints: string[]) => hints.join(', ').replaceAll('_', ' ');
        remote = `revoked at ${entry.issuer} (${words(outcome.revoked)})`;
        if (outcome.selfContained.length) remote += `; the ${words(outcome.selfContained)} cannot be revoked there (self-contained) and stays valid until it expires (${describeExpiry(tokens)})`;
      }
      else if ('unsupported' in outcome) remote = `not revoked remotely: ${outcome.unsupported}`;
      else {
        remote = `NOT revoked remotely: ${outcome.failed}`;
        code = 1;
      }
    }
    await store.delete(entry);
    streams.out(`${entry.resource ?? entry.issuer}: ${remote}; removed from the ${store.backend === 'keychain' ? 'OS keychain' : store.backend}.`);
  }
  return code;
}
