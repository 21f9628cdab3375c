/**
 * Pure parts of the secret store: keychain account names and ids (secret-ref.ts), how an error
 * from the keyring library is explained (keychain-problem.ts), and the environment settings
 * (secret-store-env.ts). The keychain itself is tested in test/integration/keychain.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { keychainUnavailable } from '../../../main/secrets/keychain-problem.js';
import { accountNameOf, accountNameOfId, secretIdOf, secretRefOf, storedSecretRefOf, type SecretRef } from '../../../main/secrets/secret-ref.js';
import { KeychainUnavailable, SecretFileError, secretStoreOptionsFromEnv } from '../../../main/secrets/secret-store.js';

const refArbitrary: fc.Arbitrary<SecretRef> = fc.oneof(
  fc.record({ kind: fc.constantFrom('tokens' as const, 'client' as const), issuer: fc.string({ minLength: 1 }) }),
  fc.record({ kind: fc.constantFrom('tokens' as const, 'client' as const), issuer: fc.string({ minLength: 1 }), resource: fc.string({ minLength: 1 }) }),
);

describe('keychain account names', () => {
  it('reads like the brief: kind|issuer|resource', () => {
    expect(accountNameOf({ kind: 'tokens', issuer: 'https://issuer', resource: 'https://resource/mcp' })).toBe('tokens|https://issuer|https://resource/mcp');
    expect(accountNameOf({ kind: 'client', issuer: 'https://issuer' })).toBe('client|https://issuer');
  });

  it('round-trips every ref, even with the separator and escapes inside', () => {
    fc.assert(
      fc.property(refArbitrary, (ref) => {
        const account = accountNameOf(ref);
        expect(secretRefOf(account)).toEqual(ref);
        const id = secretIdOf(account);
        expect(id).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(accountNameOfId(id)).toBe(account);
        expect(storedSecretRefOf(account)).toEqual({ ...ref, id });
      }),
    );
  });

  it('gives different refs different names', () => {
    fc.assert(
      fc.property(refArbitrary, refArbitrary, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(accountNameOf(a)).not.toBe(accountNameOf(b));
      }),
    );
  });

  it('does not take other programs’ names or probes for its own', () => {
    for (const foreign of ['', 'gatehouse-keychain-probe', 'tokens', 'tokens|', 'tokens|a|', 'sessions|https://a', 'tokens|a|b|c', 'client|a%2Fb', 'client|%', 'client|a%7cb']) {
      expect(secretRefOf(foreign), foreign).toBeUndefined();
    }
    expect(accountNameOfId('not base64url!')).toBeUndefined();
    expect(accountNameOfId(secretIdOf('someone-else'))).toBeUndefined();
  });

  it('refuses malformed refs instead of writing a name it cannot read back', () => {
    expect(() => accountNameOf({ kind: 'tokens', issuer: '' })).toThrow(/issuer/);
    expect(() => accountNameOf({ kind: 'tokens', issuer: 'https://a', resource: '' })).toThrow(/resource/);
    expect(() => accountNameOf({ kind: 'session' as 'tokens', issuer: 'https://a' })).toThrow(/kind/);
  });
});

describe('explaining keychain errors', () => {
  // Texts from libsecret/keytar (ENVIRONMENT.md) and from @napi-rs/keyring 2.1 (observed in the
  // integration test), which must land on the same codes.
  const cases: [string, string][] = [
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'no_session_bus'],
    ['Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead', 'no_session_bus'],
    ['Failed to connect to socket /tmp/dbus-gone: No such file or directory', 'no_session_bus'],
    ['Cannot create an item in a locked collection', 'locked'],
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'locked'],
    ["Couldn't access platform storage: Secret Service: no result found", 'locked'],
    ['Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files', 'no_secret_service'],
    ['something new', 'unknown'],
  ];

  it.each(cases)('%s → %s', (detail, code) => {
    const error = keychainUnavailable(new Error(detail), { service: 'gatehouse', platform: 'linux' });
    expect(error).toBeInstanceOf(KeychainUnavailable);
    expect(error.code).toBe(code);
    expect(error.message).toContain(detail);
    expect(error.message).toContain(error.fix);
    expect(error.fix).toContain('GATEHOUSE_SECRETS_FILE=1');
  });

  it('speaks of Keychain Access on macOS, where there is no D-Bus', () => {
    const locked = keychainUnavailable(new Error('The user name or passphrase you entered is not correct; keychain locked'), { service: 'gatehouse', platform: 'darwin' });
    expect(locked.code).toBe('locked');
    expect(locked.fix).toMatch(/Keychain Access/);
    expect(keychainUnavailable(new Error('no result found'), { service: 'gatehouse', platform: 'darwin' }).code).toBe('unknown');
  });
});

describe('secretStoreOptionsFromEnv', () => {
  it('uses the keychain unless the file is asked for', () => {
    expect(secretStoreOptionsFromEnv('/data', {})).toEqual({ dataDir: '/data' });
    expect(secretStoreOptionsFromEnv('/data', { GATEHOUSE_SECRETS_FILE: '0', GATEHOUSE_SECRETS_PASSPHRASE: 'p' })).toEqual({ dataDir: '/data', passphrase: 'p' });
  });

  it('opts in with GATEHOUSE_SECRETS_FILE=1 and takes the passphrase and service', () => {
    expect(secretStoreOptionsFromEnv('/data', { GATEHOUSE_SECRETS_FILE: '1', GATEHOUSE_SECRETS_PASSPHRASE: 'pass phrase', GATEHOUSE_KEYCHAIN_SERVICE: 'gatehouse-dev' })).toEqual({
      dataDir: '/data',
      allowEncryptedFile: true,
      passphrase: 'pass phrase',
      service: 'gatehouse-dev',
    });
    expect(secretStoreOptionsFromEnv('/data', { GATEHOUSE_SECRETS_FILE: 'TRUE' }).allowEncryptedFile).toBe(true);
  });

  it('refuses a value it would have to guess about, without echoing other settings', () => {
    const attempt = (): unknown => secretStoreOptionsFromEnv('/data', { GATEHOUSE_SECRETS_FILE: 'yes', GATEHOUSE_SECRETS_PASSPHRASE: 'hunter2-passphrase' });
    expect(attempt).toThrow(SecretFileError);
    expect(attempt).toThrow(/GATEHOUSE_SECRETS_FILE="yes".*set GATEHOUSE_SECRETS_FILE=1/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});
