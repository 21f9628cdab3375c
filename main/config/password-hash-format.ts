/**
 * The text of a built-in IdP user's `password_hash`: `scrypt$N$r$p$<salt>$<key>` — scrypt (RFC
 * 7914) parameters, then salt and derived key in base64url without padding (RFC 4648 §5). The
 * `$`-separated layout follows the PHC string format's spirit, minus its key=value parameter
 * syntax. The value describes itself, so the parameters can be raised later and old hashes still
 * verify. Reading it is the config's business (the schema checks it); making and checking hashes
 * is the IdP's (../idp/password-hash.ts).
 */

/** RFC 7914 §2 parameters: CPU/memory cost N, block size r, parallelisation p. */
export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

export interface ParsedPasswordHash extends ScryptParameters {
  salt: Buffer;
  key: Buffer;
}

/** The RFC's interactive-login figures: 16 MiB, tens of milliseconds. */
export const DEFAULT_SCRYPT: ScryptParameters = { N: 16_384, r: 8, p: 1 };

/**
 * Bounds for hashes written by hand or by another tool: a config must not be able to make every
 * login take seconds (scrypt's time grows with N·r·p) or gigabytes (it needs 128·N·r bytes), nor
 * carry a salt or key too short to mean anything.
 */
const MAX_WORK = 4 * DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * DEFAULT_SCRYPT.p;
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const MIN_SALT_BYTES = 8;
const KEY_LENGTHS = { min: 16, max: 64 };

const SHAPE = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Bytes scrypt needs for these parameters (Node refuses to run above its `maxmem`). */
export function scryptMemory({ N, r }: ScryptParameters): number {
  return 128 * N * r;
}

/** base64url, refusing text that does not round-trip (stray characters, impossible lengths). */
function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function parsePasswordHash(stored: string): ParsedPasswordHash | undefined {
  const match = SHAPE.exec(stored);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = decodeBase64url(match[4]!);
  const key = decodeBase64url(match[5]!);
  if (!salt || !key) return undefined;
  // N must be a power of two above 1 (RFC 7914 §2).
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1) return undefined;
  if (N * r * p > MAX_WORK || scryptMemory({ N, r, p }) > MAX_MEMORY_BYTES) return undefined;
  if (salt.length < MIN_SALT_BYTES || key.length < KEY_LENGTHS.min || key.length > KEY_LENGTHS.max) return undefined;
  return { N, r, p, salt, key };
}

export function formatPasswordHash({ N, r, p }: ScryptParameters, salt: Buffer, key: Buffer): string {
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether the text is a hash the IdP can check (the config schema's test for `password_hash`). */
export function isPasswordHash(value: string): boolean {
  return parsePasswordHash(value) !== undefined;
}

/** What a valid `password_hash` looks like, for error messages. */
export const PASSWORD_HASH_FORMAT = `scrypt$N$r$p$<salt>$<key> (N a power of two, salt and key in base64url, N·r·p at most 4× the default ${DEFAULT_SCRYPT.N}·${DEFAULT_SCRYPT.r}·${DEFAULT_SCRYPT.p}, at most ${MAX_MEMORY_BYTES / 1024 / 1024} MiB of scrypt memory)`;
