/**
 * How the window shows an upstream (main/gateway/upstream-summary.ts): where it is, with anything
 * that looks like a credential shortened — in URLs, headers, environment and command lines — and
 * a secured upstream's login state, including tokens the gateway can no longer use.
 */
import { describe, expect, it } from 'vitest';

import { upstreamSchema } from '../../main/config/schema.js';
import { displayCommand, displayUrl, loginStatus, scrubSecrets, summarizeUpstream, upstreamSecrets } from '../../main/gateway/upstream-summary.js';

const GITHUB_TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const RANDOM_KEY = 'a8f3k2m9q1w7e5r4t6y8u0i2o4p6s8d0';

describe('upstream targets as the window shows them', () => {
  it('shortens a URL’s password and secret query values, and leaves the rest readable', () => {
    const shown = displayUrl(`https://user:hunter2-long@api.example.com/mcp?api_key=${RANDOM_KEY}&region=eu&sig=abcdef123456`);
    expect(shown).not.toContain('hunter2-long');
    expect(shown).not.toContain(RANDOM_KEY);
    expect(shown).not.toContain('abcdef123456');
    expect(shown).toContain('region=eu');
    expect(shown).toContain('…@api.example.com/mcp');
    expect(displayUrl('http://127.0.0.1:3001/mcp?page=2')).toBe('http://127.0.0.1:3001/mcp?page=2');
  });

  it('shortens flag values that name a secret, NAME=value arguments and secret-shaped arguments of a command', () => {
    const shown = displayCommand('npx', ['server', '--token', 'tok-1234567890', '--api-key=key-1234567890', 'GITHUB_TOKEN=abcdef-123456', GITHUB_TOKEN, '--port', '3000', '--verbose']);
    for (const secret of ['tok-1234567890', 'key-1234567890', 'abcdef-123456', GITHUB_TOKEN]) expect(shown).not.toContain(secret);
    expect(shown).toBe("npx server --token '…' '--api-key=…' 'GITHUB_TOKEN=…' 'ghp_0123…345' --port 3000 --verbose");
  });

  it('collects every secret of an upstream’s config, longest first, and scrubs them from error text', () => {
    const stdio = upstreamSchema.parse({ name: 'gh', kind: 'stdio', command: 'github-mcp', args: ['--github-token', 'pat-value-123456'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: GITHUB_TOKEN, LOG_LEVEL: 'debug-verbose' } });
    const secrets = upstreamSecrets(stdio);
    expect(secrets).toEqual([GITHUB_TOKEN, 'pat-value-123456']);
    const http = upstreamSchema.parse({ name: 'api', kind: 'http', url: 'https://api.example.com/mcp', headers: { 'X-Api-Key': RANDOM_KEY, Accept: 'application/json' } });
    expect(upstreamSecrets(http)).toContain(RANDOM_KEY);
    expect(upstreamSecrets(http)).not.toContain('application/json');
    const camel = upstreamSchema.parse({ name: 'k', kind: 'stdio', command: 'server', args: [], env: { privateKey: 'pem-body-123456', apiToken: 'tok-body-123456', logLevel: 'debug-verbose' } });
    expect(upstreamSecrets(camel)).toEqual(['pem-body-123456', 'tok-body-123456']);
    const error = `spawn github-mcp --github-token pat-value-123456 failed with ${GITHUB_TOKEN} in its env`;
    const scrubbed = scrubSecrets(error, secrets);
    expect(scrubbed).not.toContain('pat-value-123456');
    expect(scrubbed).not.toContain(GITHUB_TOKEN);
    expect(scrubbed).toContain('spawn github-mcp --github-token');
  });

  it('gives a stopped or failing upstream its reason, with the config’s secrets scrubbed', () => {
    const config = upstreamSchema.parse({ name: 'gh', kind: 'stdio', command: 'github-mcp', args: [], env: { GITHUB_TOKEN } });
    const summary = summarizeUpstream(config, { state: 'error', lastError: `exited: bad credentials ${GITHUB_TOKEN}` });
    expect(summary.state).toBe('error');
    expect(summary.detail).toMatch(/^exited: bad credentials /);
    expect(summary.detail).not.toContain(GITHUB_TOKEN);
    expect(summarizeUpstream(config, { state: 'weird' }).detail).toBe('state weird');
    expect(summarizeUpstream(config, undefined).detail).toBe('the route is not running');
  });
});

describe('a secured upstream’s login state', () => {
  const now = 1_800_000_000_000;
  const issuer = 'https://idp.example.com';

  it('is needed without tokens', () => {
    expect(loginStatus({ issuer }, 'auth_needed', now)).toEqual({ issuer, state: 'needed' });
  });

  it('is logged in with a live access token, or an expired one that a refresh token can renew', () => {
    expect(loginStatus({ issuer, tokens: { expires_at: now + 60_000 } }, 'connected', now).state).toBe('logged_in');
    expect(loginStatus({ issuer, tokens: { expires_at: now - 1, refresh_token: 'r' } }, 'connected', now).state).toBe('logged_in');
  });

  it('is expired when the access token is past its expiry with no refresh token', () => {
    expect(loginStatus({ issuer, tokens: { expires_at: now - 1 } }, 'connected', now)).toEqual({ issuer, state: 'expired' });
    expect(loginStatus({ issuer, tokens: { expires_at: now } }, 'connected', now).state).toBe('expired');
  });

  it('is expired when tokens are held but the upstream still asks for a login (it refused them)', () => {
    expect(loginStatus({ issuer, tokens: { expires_at: now + 60_000, refresh_token: 'r' } }, 'auth_needed', now).state).toBe('expired');
  });

  it('needs nobody with client_credentials: without tokens, or with an expired one, the next request fetches one', () => {
    expect(loginStatus({ issuer, machine: true }, 'connecting', now)).toEqual({ issuer, state: 'logged_in', machine: true });
    expect(loginStatus({ issuer, machine: true, tokens: { expires_at: now - 1 } }, 'connected', now)).toEqual({ issuer, state: 'logged_in', machine: true });
  });
});
