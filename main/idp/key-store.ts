/**
 * The identity provider's secrets that must survive a restart: the JWS signing keys (so access
 * tokens issued before a restart still verify against the JWKS, RFC 7517) and the keys that sign
 * its cookies. Generated on first start into the data folder, mode 0600, never anywhere else.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

import { IdpError } from './idp-error.js';
import { ensurePrivateDir, readPrivateFile, writePrivateFile } from './private-file.js';

export const KEY_FILE_NAME = 'idp-keys.json';

/** A private signing key as a JWK with the members oidc-provider selects on (kid, alg, use). */
export type SigningJwk = JWK & { kid: string; alg: string; use: 'sig'; d: string };

export interface IdpKeys {
  /** Private JWKs: one RS256 (RSA 2048) and one ES256 (P-256) key. */
  signingKeys: SigningJwk[];
  /** Keygrip keys for oidc-provider's signed cookies, newest first. */
  cookieKeys: string[];
}

interface KeyFile {
  description: string;
  version: 1;
  createdAt: string;
  jwks: { keys: SigningJwk[] };
  cookieKeys: string[];
}

const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

async function generateSigningKey(alg: (typeof SIGNING_ALGORITHMS)[number]): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  // RFC 7638 thumbprint as kid: stable, and derived from the public part only.
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { ...jwk, kid, alg, use: 'sig', d: jwk.d as string };
}

function isSigningJwk(value: unknown): value is SigningJwk {
  const jwk = value as Partial<SigningJwk> | null;
  return (
    typeof jwk === 'object' &&
    jwk !== null &&
    typeof jwk.kid === 'string' &&
    typeof jwk.alg === 'string' &&
    typeof jwk.kty === 'string' &&
    typeof jwk.d === 'string'
  );
}

function parseKeyFile(file: string, text: string): IdpKeys {
  const invalid = (why: string) =>
    new IdpError(
      'key_file_invalid',
      `${file} is not a usable Gatehouse identity-provider key file (${why}). Delete it to generate new keys; tokens issued with the old keys will stop verifying.`,
    );
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(text) as Partial<KeyFile>;
  } catch (cause) {
    throw invalid(`not JSON: ${(cause as Error).message}`);
  }
  if (parsed.version !== 1) throw invalid(`unknown version ${String(parsed.version)}`);
  const keys = parsed.jwks?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isSigningJwk)) throw invalid('jwks.keys must hold private signing keys with kid and alg');
  for (const alg of SIGNING_ALGORITHMS) {
    if (!keys.some((key) => key.alg === alg)) throw invalid(`no ${alg} key`);
  }
  const cookieKeys = parsed.cookieKeys;
  if (!Array.isArray(cookieKeys) || cookieKeys.length === 0 || !cookieKeys.every((key) => typeof key === 'string' && key.length >= 32)) {
    throw invalid('cookieKeys must be a list of random strings');
  }
  return { signingKeys: keys, cookieKeys };
}

/**
 * Reads the keys from `dataDir`, or generates and stores them on first start.
 * `created` says which, for the trace.
 */
export async function loadOrCreateKeys(dataDir: string): Promise<{ keys: IdpKeys; file: string; created: boolean }> {
  await ensurePrivateDir(dataDir);
  const file = path.join(dataDir, KEY_FILE_NAME);
  const existing = await readPrivateFile(file);
  if (existing !== undefined) return { keys: parseKeyFile(file, existing), file, created: false };

  const signingKeys = await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey));
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const content: KeyFile = {
    description: 'Private keys of the Gatehouse built-in identity provider (token signing, cookies). Keep private; delete to rotate.',
    version: 1,
    createdAt: new Date().toISOString(),
    jwks: { keys: signingKeys },
    cookieKeys,
  };
  await writePrivateFile(file, `${JSON.stringify(content, null, 2)}\n`);
  return { keys: { signingKeys, cookieKeys }, file, created: true };
}
