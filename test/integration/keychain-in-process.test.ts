/**
 * The secret store used the way the gateway uses it: in this process, bound once to a test
 * keychain (useTestKeychainInThisProcess). Also pins down the library behaviour that binding rule
 * rests on — entry calls keep the session bus of their first use — so a library update that
 * changes it shows up here, and the encrypted file's behaviour under concurrent writes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openEncryptedFileStore } from '../../main/secrets/encrypted-file-store.js';
import { openSecretStore, type SecretRef } from '../../main/secrets/secret-store.js';
import { startTestKeychain, useTestKeychainInThisProcess, type TestKeychain } from '../helpers/test-keychain.js';

let first: TestKeychain;
let second: TestKeychain | undefined;
let dataDir: string;
const service = `gatehouse-test-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  first = await startTestKeychain();
  useTestKeychainInThisProcess(first);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-'));
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('secret store in this process', () => {
  it('runs concurrent operations on the keychain', async () => {
    const store = await openSecretStore({ dataDir, service });
    expect(store.backend).toBe('keychain');
    const refs: SecretRef[] = Array.from({ length: 8 }, (_, i) => ({ kind: 'tokens', issuer: 'https://idp.example', resource: `https://api.example/${i}/mcp` }));
    await Promise.all(refs.map((ref, i) => store.set(ref, `value-${i}`)));
    expect(await Promise.all(refs.map((ref) => store.get(ref)))).toEqual(refs.map((_, i) => `value-${i}`));
    expect(await store.list()).toHaveLength(refs.length);
    expect(await Promise.all(refs.map((ref) => store.delete(ref)))).toEqual(refs.map(() => true));
    expect(await store.list()).toEqual([]);
  });

  it('keeps the first session bus for entries even when the environment changes (why tests bind once)', async () => {
    const ref: SecretRef = { kind: 'client', issuer: 'https://first.example' };
    const store = await openSecretStore({ dataDir, service });
    await store.set(ref, 'on the first bus');

    second = await startTestKeychain();
    const secondKeychain = second;
    expect(() => useTestKeychainInThisProcess(secondKeychain)).toThrow(/already uses another test keychain/);
    const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = secondKeychain.env.DBUS_SESSION_BUS_ADDRESS;
    try {
      // Entries still reach the first keyring; the second one is empty.
      expect(await store.get(ref)).toBe('on the first bus');
      expect(await (await openSecretStore({ dataDir, service })).get(ref)).toBe('on the first bus');
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = previous;
    }
    expect(await store.delete(ref)).toBe(true);
  });
});

describe('encrypted file in this process', () => {
  it('loses no write when many run at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-file-'));
    try {
      const store = await openEncryptedFileStore(path.join(dir, 'secrets.enc'), 'concurrency passphrase');
      const refs: SecretRef[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'client', issuer: `https://idp-${i}.example` }));
      await Promise.all(refs.map((ref, i) => store.set(ref, `client-${i}`)));
      const reopened = await openEncryptedFileStore(path.join(dir, 'secrets.enc'), 'concurrency passphrase');
      expect(await Promise.all(refs.map((ref) => reopened.get(ref)))).toEqual(refs.map((_, i) => `client-${i}`));
      expect(await readdir(dir)).toEqual(['secrets.enc']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
