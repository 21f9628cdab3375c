/**
 * The lazily opened store Gatehouse gives its OAuth client: nothing is opened until a secret is
 * needed, a failed open is tried again on the next use (the user unlocked the keyring or set the
 * passphrase), and the store then behaves as the one it opened. Runs without a session bus, so the
 * keychain is unavailable and the opt-in encrypted file is what eventually opens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { lazySecretStore } from '../../../main/secrets/lazy-secret-store.js';
import { openSecretStore, SecretFileError } from '../../../main/secrets/secret-store.js';

let dataDir: string;

beforeAll(async () => {
  // No bus: the keychain is unavailable in this process, as on a headless machine.
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  delete process.env.DISPLAY;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-lazy-store-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('lazySecretStore', () => {
  it('opens nothing until used, retries after a failed open, then works as the opened store', async () => {
    const settings: { passphrase?: string } = {};
    let opens = 0;
    const store = lazySecretStore(() => {
      opens++;
      return openSecretStore({ dataDir, allowEncryptedFile: true, passphrase: settings.passphrase });
    });
    expect(opens).toBe(0);
    expect(store.backend).toBe('unopened');

    const ref = { kind: 'tokens' as const, issuer: 'https://idp.example', resource: 'https://mcp.example/mcp' };
    const failed = await store.get(ref).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(SecretFileError);
    expect((failed as SecretFileError).message).toMatch(/GATEHOUSE_SECRETS_PASSPHRASE/);
    expect(store.backend).toBe('unopened');

    settings.passphrase = 'correct horse battery staple';
    await store.set(ref, '{"access_token":"at-1"}');
    expect(opens).toBe(2);
    expect(store.backend).toBe('encrypted-file');
    expect(await store.get(ref)).toBe('{"access_token":"at-1"}');
    expect((await store.list()).map(({ kind, issuer, resource }) => ({ kind, issuer, resource }))).toEqual([ref]);
    expect(opens).toBe(2);
  });
});
