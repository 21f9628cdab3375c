/**
 * The encrypted secrets file (secrets.enc), for machines without a keychain and only on request.
 * JSON envelope, so a user can see what the file is without being able to read it:
 *
 *   { "format": "gatehouse-secrets", "version": 1,
 *     "kdf": { "name": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": <base64> },
 *     "cipher": "aes-256-gcm", "iv": <base64>, "tag": <base64>, "ciphertext": <base64> }
 *
 * The key is scrypt(passphrase, salt) (RFC 7914); the plaintext is `{"entries": {account: value}}`
 * with the account names of secret-ref.ts, so even which issuers have secrets stays private. The
 * header is authenticated as additional data: changing the KDF parameters fails like a wrong
 * passphrase instead of silently weakening the key.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type BinaryLike, type ScryptOptions } from 'node:crypto';

import { SecretFileError } from './secret-file-error.js';
import { SECRETS_PASSPHRASE_ENV } from './secret-store-env.js';

const FORMAT = 'gatehouse-secrets';
const VERSION = 1;
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit IVs are GCM's native size (NIST SP 800-38D §8.2); a fresh random one per write.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_BYTES = 16;

/** scrypt cost for new files: 2^15 × 8 × 128 B = 32 MiB and about 0.1 s, once per process. */
const NEW_FILE_KDF = { N: 2 ** 15, r: 8, p: 1 } as const;

export interface ScryptParameters {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
}

interface Envelope {
  format: typeof FORMAT;
  version: typeof VERSION;
  kdf: ScryptParameters;
  cipher: typeof CIPHER;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** A derived key and the parameters it came from (written back with every save). */
export interface FileKey {
  kdf: ScryptParameters;
  key: Buffer;
}

export type Entries = Record<string, string>;

function scryptAsync(passphrase: BinaryLike, salt: BinaryLike, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(passphrase, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Derives the key for a file's parameters, or for a new file (fresh salt) when none are given. */
export async function deriveFileKey(passphrase: string, kdf?: ScryptParameters): Promise<FileKey> {
  const parameters = kdf ?? { name: 'scrypt', ...NEW_FILE_KDF, salt: randomBytes(SALT_BYTES).toString('base64') };
  const { N, r, p } = parameters;
  const key = await scryptAsync(passphrase, Buffer.from(parameters.salt, 'base64'), KEY_BYTES, { N, r, p, maxmem: 256 * N * r });
  return { kdf: parameters, key };
}

const additionalData = (kdf: ScryptParameters): Buffer => Buffer.from([FORMAT, VERSION, CIPHER, kdf.name, kdf.N, kdf.r, kdf.p, kdf.salt].join('.'), 'utf8');

export function sealEntries(entries: Entries, fileKey: FileKey): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, fileKey.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(fileKey.kdf));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ entries }), 'utf8'), cipher.final()]);
  const envelope: Envelope = {
    format: FORMAT,
    version: VERSION,
    kdf: fileKey.kdf,
    cipher: CIPHER,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown, min: number, max: number): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

function invalid(file: string, what: string): SecretFileError {
  return new SecretFileError(
    'file_invalid',
    `${file} is not a Gatehouse secrets file Gatehouse can read (${what})`,
    `restore the file from a backup, or move it away to start with an empty secrets file (upstreams will ask you to sign in again)`,
  );
}

/** Reads the envelope's header; bounds the KDF cost so a planted file cannot exhaust memory. */
export function parseEnvelope(text: string, file: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(file, 'not JSON');
  }
  if (!isRecord(value) || value.format !== FORMAT) throw invalid(file, `no "format": "${FORMAT}"`);
  if (value.version !== VERSION) throw invalid(file, `version ${JSON.stringify(value.version)}, this Gatehouse reads version ${VERSION}`);
  const { kdf } = value;
  if (!isRecord(kdf) || kdf.name !== 'scrypt' || !isInteger(kdf.N, 2 ** 14, 2 ** 20) || (kdf.N & (kdf.N - 1)) !== 0 || !isInteger(kdf.r, 1, 32) || !isInteger(kdf.p, 1, 16) || typeof kdf.salt !== 'string') {
    throw invalid(file, 'unsupported key derivation parameters');
  }
  if (value.cipher !== CIPHER || typeof value.iv !== 'string' || typeof value.tag !== 'string' || typeof value.ciphertext !== 'string') {
    throw invalid(file, 'unsupported cipher or missing fields');
  }
  return value as unknown as Envelope;
}

export function openEntries(envelope: Envelope, fileKey: FileKey, file: string): Entries {
  let plaintext: string;
  try {
    const decipher = createDecipheriv(CIPHER, fileKey.key, Buffer.from(envelope.iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(envelope.kdf));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch (cause) {
    // GCM cannot tell a wrong key from altered bytes; a wrong passphrase is by far the likelier.
    throw new SecretFileError(
      'wrong_passphrase',
      `cannot decrypt ${file}: the passphrase is wrong, or the file was altered`,
      `set ${SECRETS_PASSPHRASE_ENV} to the passphrase the file was created with; to start over, move ${file} away (its secrets are lost and upstreams will ask you to sign in again)`,
      { cause },
    );
  }
  const payload: unknown = JSON.parse(plaintext);
  if (!isRecord(payload) || !isRecord(payload.entries) || !Object.values(payload.entries).every((v) => typeof v === 'string')) {
    throw invalid(file, 'unexpected content');
  }
  return payload.entries as Entries;
}
