/**
 * The secret store against a real gnome-keyring on a private D-Bus session (test-keychain.ts):
 * every store runs in a child process, so each run is a fresh start of Gatehouse and each failure
 * mode gets its own bus. Covers issue #7's keychain part: round trip, survival across restarts,
 * namespacing by issuer and resource, foreign items, the three ways a Linux keychain fails, and
 * the encrypted file that is used only on explicit opt-in.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SecretRef, StoredSecretRef } from '../../main/secrets/secret-store.js';
import { runSecretStoreSteps, startTestKeychain, type SecretStoreRun, type StepError, type StepOutcome, type TestKeychain } from '../helpers/test-keychain.js';

const ISSUER_A = 'https://idp-a.example';
const ISSUER_B = 'https://idp-b.example/realms/dev';
const RESOURCE_1 = 'https://api.example/mcp';
const RESOURCE_2 = 'https://api.example/other|mcp%';

/** A value that looks like what the OAuth client stores, unique per call so a leak is findable. */
function secretValue(label: string): string {
  return JSON.stringify({ access_token: `at-${label}-${randomBytes(12).toString('hex')}`, token_type: 'Bearer' });
}

const freshService = (): string => `gatehouse-test-${randomBytes(4).toString('hex')}`;

function valueOf(outcome: StepOutcome | undefined): unknown {
  if (!outcome?.ok) throw new Error(`step failed: ${outcome ? JSON.stringify(outcome.error) : 'missing'}`);
  return outcome.value;
}

function errorOf(outcome: StepOutcome | undefined): StepError {
  if (outcome === undefined || outcome.ok) throw new Error(`step did not fail: ${JSON.stringify(outcome)}`);
  return outcome.error;
}

function opened(run: SecretStoreRun, backend: 'keychain' | 'encrypted-file'): SecretStoreRun {
  if (run.openError) throw new Error(`openSecretStore failed: ${run.openError.message}`);
  expect(run.backend).toBe(backend);
  return run;
}

/** Every secret value handed to a store in this file, to check no error text ever holds one. */
const secretsUsed: string[] = [];
function secret(label: string): string {
  const value = secretValue(label);
  secretsUsed.push(value);
  return value;
}

/** An error a user would see: it must never hold a secret (the value, or the token inside it). */
function remember(error: StepError | undefined): StepError {
  if (error === undefined) throw new Error('expected an error');
  const texts = [error.message, error.fix ?? ''];
  for (const value of secretsUsed) {
    const token = (JSON.parse(value) as { access_token: string }).access_token;
    for (const text of texts) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(token);
    }
  }
  return error;
}

let keychain: TestKeychain;
let dataDir: string;

beforeAll(async () => {
  keychain = await startTestKeychain();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-'));
});

afterAll(async () => {
  await keychain?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('OS keychain (gnome-keyring over a private D-Bus session)', () => {
  it('stores, reads, lists and deletes a secret, by ref and by id', async () => {
    const service = freshService();
    const ref: SecretRef = { kind: 'tokens', issuer: ISSUER_A, resource: RESOURCE_1 };
    const value = secret('round-trip');
    const run = opened(
      await runSecretStoreSteps(keychain, { dataDir, service }, [
        { op: 'get', ref },
        { op: 'set', ref, value },
        { op: 'get', ref },
        { op: 'list' },
        { op: 'delete', ref },
        { op: 'get', ref },
        { op: 'delete', ref },
      ]),
      'keychain',
    );
    const [before, , after, list, deleted, gone, deletedAgain] = run.steps;
    expect(valueOf(before)).toBeUndefined();
    expect(valueOf(after)).toBe(value);
    const listed = valueOf(list) as StoredSecretRef[];
    expect(listed).toEqual([{ ...ref, id: expect.stringMatching(/^[A-Za-z0-9_-]+$/) }]);
    expect(valueOf(deleted)).toBe(true);
    expect(valueOf(gone)).toBeUndefined();
    expect(valueOf(deletedAgain)).toBe(false);
  });

  it('keeps secrets across restarts, replaces on set, and reaches them by the listed id', async () => {
    const service = freshService();
    const tokens: SecretRef = { kind: 'tokens', issuer: ISSUER_A, resource: RESOURCE_1 };
    const client: SecretRef = { kind: 'client', issuer: ISSUER_A };
    const [first, second, clientValue] = [secret('v1'), secret('v2'), secret('client')];
    opened(await runSecretStoreSteps(keychain, { dataDir, service }, [{ op: 'set', ref: tokens, value: first }, { op: 'set', ref: client, value: clientValue }]), 'keychain');
    opened(await runSecretStoreSteps(keychain, { dataDir, service }, [{ op: 'set', ref: tokens, value: second }]), 'keychain');

    const restarted = opened(await runSecretStoreSteps(keychain, { dataDir, service }, [{ op: 'get', ref: tokens }, { op: 'get', ref: client }, { op: 'list' }]), 'keychain');
    expect(valueOf(restarted.steps[0])).toBe(second);
    expect(valueOf(restarted.steps[1])).toBe(clientValue);
    const listed = valueOf(restarted.steps[2]) as StoredSecretRef[];
    expect(listed.map(({ id: _id, ...ref }) => ref)).toEqual(expect.arrayContaining([tokens, client]));
    expect(listed).toHaveLength(2);

    const tokensId = listed.find((r) => r.kind === 'tokens')?.id ?? '';
    const byId = opened(
      await runSecretStoreSteps(keychain, { dataDir, service }, [
        { op: 'getById', id: tokensId },
        { op: 'getById', id: 'bm90LW91cnM' },
        { op: 'deleteById', id: 'not base64url!' },
        { op: 'deleteById', id: tokensId },
        { op: 'get', ref: tokens },
        { op: 'get', ref: client },
      ]),
      'keychain',
    );
    expect(byId.steps.map(valueOf)).toEqual([second, undefined, false, true, undefined, clientValue]);
  });

  it('keeps secrets of two issuers for one resource, and of one issuer for two resources, apart', async () => {
    const service = freshService();
    const refs: SecretRef[] = [
      { kind: 'tokens', issuer: ISSUER_A, resource: RESOURCE_1 },
      { kind: 'tokens', issuer: ISSUER_B, resource: RESOURCE_1 },
      { kind: 'tokens', issuer: ISSUER_A, resource: RESOURCE_2 },
      { kind: 'client', issuer: ISSUER_A },
      { kind: 'client', issuer: ISSUER_B },
      // No resource is not the same as some resource.
      { kind: 'tokens', issuer: ISSUER_A },
    ];
    const values = refs.map((_, i) => secret(`ns-${i}`));
    const run = opened(
      await runSecretStoreSteps(keychain, { dataDir, service }, [
        ...refs.map((ref, i) => ({ op: 'set' as const, ref, value: values[i] ?? '' })),
        ...refs.map((ref) => ({ op: 'get' as const, ref })),
        { op: 'delete', ref: refs[0] as SecretRef },
        ...refs.map((ref) => ({ op: 'get' as const, ref })),
        { op: 'list' },
      ]),
      'keychain',
    );
    const gets = run.steps.slice(refs.length, 2 * refs.length).map(valueOf);
    expect(gets).toEqual(values);
    const afterDelete = run.steps.slice(2 * refs.length + 1, 3 * refs.length + 1).map(valueOf);
    expect(afterDelete).toEqual([undefined, ...values.slice(1)]);
    const listed = valueOf(run.steps.at(-1)) as StoredSecretRef[];
    expect(listed.map(({ id: _id, ...ref }) => ref)).toEqual(expect.arrayContaining(refs.slice(1)));
    expect(listed).toHaveLength(refs.length - 1);
    expect(new Set(listed.map((r) => r.id)).size).toBe(listed.length);
  });

  it('lists only its own items: foreign names under its service and other services are ignored', async () => {
    const service = freshService();
    const ours: SecretRef = { kind: 'client', issuer: ISSUER_B };
    const value = secret('ours');
    const run = opened(
      await runSecretStoreSteps(keychain, { dataDir, service }, [
        { op: 'setForeign', service, account: 'someone-else', value: 'foreign-1' },
        { op: 'setForeign', service, account: 'tokens|', value: 'foreign-2' },
        { op: 'setForeign', service, account: 'sessions|https://idp-a.example', value: 'foreign-3' },
        { op: 'setForeign', service, account: 'tokens|https://a|https://b|extra', value: 'foreign-4' },
        { op: 'setForeign', service: `${service}-other`, account: `client|${ISSUER_B}`, value: 'foreign-5' },
        { op: 'set', ref: ours, value },
        { op: 'list' },
        { op: 'get', ref: ours },
      ]),
      'keychain',
    );
    run.steps.slice(0, 6).forEach(valueOf);
    expect(valueOf(run.steps[6])).toEqual([{ ...ours, id: expect.any(String) }]);
    expect(valueOf(run.steps[7])).toBe(value);
  });

  it('uses the keychain even when the encrypted file is allowed, and writes no file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-'));
    try {
      const run = await runSecretStoreSteps(keychain, { dataDir: dir, service: freshService(), allowEncryptedFile: true, passphrase: 'unused passphrase' }, [
        { op: 'set', ref: { kind: 'client', issuer: ISSUER_A }, value: secret('kc') },
      ]);
      opened(run, 'keychain');
      valueOf(run.steps[0]);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('when the keychain is unavailable', () => {
  const FILE_OPT_IN = ['--secrets-file', 'GATEHOUSE_SECRETS_FILE=1', 'GATEHOUSE_SECRETS_PASSPHRASE'];

  it('no D-Bus session bus: no_session_bus, naming dbus-run-session and the file opt-in', async () => {
    const run = await runSecretStoreSteps(undefined, { dataDir, service: freshService() }, []);
    const error = remember(run.openError);
    expect(error).toMatchObject({ name: 'KeychainUnavailable', code: 'no_session_bus' });
    expect(error.message).toMatch(/no D-Bus session bus/);
    for (const words of ['dbus-run-session', 'gnome-keyring', ...FILE_OPT_IN]) expect(error.fix).toContain(words);
    expect(error.message).toContain(error.fix);
  });

  it('no Secret Service on the bus: no_secret_service, naming gnome-keyring and the file opt-in', async () => {
    const bare = await startTestKeychain({ state: 'no-secret-service' });
    try {
      const run = await runSecretStoreSteps(bare, { dataDir, service: freshService() }, []);
      const error = remember(run.openError);
      expect(error).toMatchObject({ name: 'KeychainUnavailable', code: 'no_secret_service' });
      for (const words of ['apt-get install gnome-keyring', ...FILE_OPT_IN]) expect(error.fix).toContain(words);
    } finally {
      await bare.stop();
    }
  });

  it('locked keyring at startup: locked, naming how to unlock and the file opt-in', async () => {
    const locked = await startTestKeychain({ state: 'locked' });
    try {
      const run = await runSecretStoreSteps(locked, { dataDir, service: freshService() }, []);
      const error = remember(run.openError);
      expect(error).toMatchObject({ name: 'KeychainUnavailable', code: 'locked' });
      expect(error.message).toMatch(/locked/);
      for (const words of ['unlock the login keyring', ...FILE_OPT_IN]) expect(error.fix).toContain(words);
    } finally {
      await locked.stop();
    }
  });

  it('keyring locked while running: every operation explains it, none leaks the value', async () => {
    const own = await startTestKeychain();
    try {
      const ref: SecretRef = { kind: 'tokens', issuer: ISSUER_A, resource: RESOURCE_1 };
      const [before, during] = [secret('before-lock'), secret('during-lock')];
      const run = opened(
        await runSecretStoreSteps(own, { dataDir, service: freshService() }, [
          { op: 'set', ref, value: before },
          { op: 'lockKeyring' },
          { op: 'set', ref, value: during },
          { op: 'get', ref },
          { op: 'delete', ref },
          { op: 'list' },
        ]),
        'keychain',
      );
      valueOf(run.steps[0]);
      valueOf(run.steps[1]);
      for (const outcome of run.steps.slice(2)) expect(remember(errorOf(outcome))).toMatchObject({ name: 'KeychainUnavailable', code: 'locked' });
    } finally {
      await own.stop();
    }
  });
});

describe('encrypted-file fallback (explicit opt-in only)', () => {
  const PASSPHRASE = `correct horse ${randomBytes(4).toString('hex')}`;
  const WRONG = `wrong horse ${randomBytes(4).toString('hex')}`;
  const ref: SecretRef = { kind: 'tokens', issuer: ISSUER_B, resource: RESOURCE_2 };
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secrets-file-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is not used without opt-in: KeychainUnavailable, and no file is written', async () => {
    const run = await runSecretStoreSteps(undefined, { dataDir: dir, passphrase: PASSPHRASE }, []);
    expect(remember(run.openError)).toMatchObject({ name: 'KeychainUnavailable', code: 'no_session_bus' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('needs a passphrase when opted in', async () => {
    const run = await runSecretStoreSteps(undefined, { dataDir: dir, allowEncryptedFile: true }, []);
    const error = remember(run.openError);
    expect(error).toMatchObject({ name: 'SecretFileError', code: 'passphrase_missing' });
    expect(error.fix).toContain('GATEHOUSE_SECRETS_PASSPHRASE');
    expect(await readdir(dir)).toEqual([]);
  });

  it('stores secrets encrypted (owner-only, atomically replaced) and reads them after a restart', async () => {
    const [value, clientValue] = [secret('file-tokens'), secret('file-client')];
    const client: SecretRef = { kind: 'client', issuer: ISSUER_A };
    const first = opened(
      await runSecretStoreSteps(undefined, { dataDir: dir, allowEncryptedFile: true, passphrase: PASSPHRASE }, [
        { op: 'set', ref, value },
        { op: 'set', ref: client, value: clientValue },
        { op: 'get', ref },
      ]),
      'encrypted-file',
    );
    expect(valueOf(first.steps[2])).toBe(value);

    // Only the file itself: no plaintext copy, no temporary file left behind.
    expect(await readdir(dir)).toEqual(['secrets.enc']);
    const file = path.join(dir, 'secrets.enc');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const content = await readFile(file, 'utf8');
    for (const plain of [value, clientValue, ISSUER_B, RESOURCE_2, PASSPHRASE, 'access_token']) expect(content).not.toContain(plain);
    expect(JSON.parse(content)).toMatchObject({ format: 'gatehouse-secrets', cipher: 'aes-256-gcm', kdf: { name: 'scrypt' } });

    const restarted = opened(
      await runSecretStoreSteps(undefined, { dataDir: dir, allowEncryptedFile: true, passphrase: PASSPHRASE }, [{ op: 'get', ref }, { op: 'list' }, { op: 'delete', ref: client }, { op: 'get', ref: client }]),
      'encrypted-file',
    );
    expect(valueOf(restarted.steps[0])).toBe(value);
    const listed = valueOf(restarted.steps[1]) as StoredSecretRef[];
    expect(listed.map(({ id: _id, ...r }) => r)).toEqual(expect.arrayContaining([ref, client]));
    expect(restarted.steps.slice(2).map(valueOf)).toEqual([true, undefined]);
  });

  it('refuses a wrong passphrase, naming the file and the fix, and leaves the file alone', async () => {
    const file = path.join(dir, 'secrets.enc');
    const before = await readFile(file, 'utf8');
    const run = await runSecretStoreSteps(undefined, { dataDir: dir, allowEncryptedFile: true, passphrase: WRONG }, []);
    const error = remember(run.openError);
    expect(error).toMatchObject({ name: 'SecretFileError', code: 'wrong_passphrase' });
    expect(error.message).toContain(file);
    expect(error.fix).toContain('GATEHOUSE_SECRETS_PASSPHRASE');
    for (const words of [PASSPHRASE, WRONG]) expect(error.message).not.toContain(words);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
