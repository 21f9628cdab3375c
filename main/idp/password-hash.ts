/**
 * Password hashes for the built-in IdP's users (`idp.users[].password_hash`), so the window's
 * Settings never writes a password into a config file.
 *
 * Why scrypt (RFC 7914): it is memory-hard, so guessing passwords from a leaked config costs
 * memory as well as CPU, and Node has it built in (`node:crypto`) — no native dependency. The
 * parameters are the RFC's interactive-login figures (N=16384, r=8, p=1: 16 MiB, tens of ms).
 *
 * The stored value describes itself, so the parameters can be raised later and old hashes still
 * verify: `scrypt$N$r$p$<salt>$<key>`, salt (16 random bytes) and derived key (32 bytes) in
 * base64url without padding (RFC 4648 §5). The `$`-separated layout follows the PHC string
 * format's spirit, minus its key=value parameter syntax, which the format check keeps simple.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** RFC 7914 §2 parameters: CPU/memory cost N, block size r, parallelisation p. */
interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

interface ParsedHash extends ScryptParameters {
  salt: Buffer;
  key: Buffer;
}

const DEFAULTS: ScryptParameters = { N: 16_384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Bounds for hashes written by hand or by another tool: a config must not be able to make every
 * login take seconds or gigabytes (scrypt needs 128·N·r bytes), nor carry a salt or key too
 * short to mean anything.
 */
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_P = 16;
const MIN_SALT_BYTES = 8;
const KEY_LENGTHS = { min: 16, max: 64 };

const SHAPE = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Node's scrypt refuses to run above `maxmem`; its default (32 MiB) is below what the bounds allow. */
function memoryFor({ N, r }: ScryptParameters): number {
  return 128 * N * r;
}

/** base64url, refusing text that does not round-trip (stray characters, impossible lengths). */
function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function parse(stored: string): ParsedHash | undefined {
  const match = SHAPE.exec(stored);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = decodeBase64url(match[4]!);
  const key = decodeBase64url(match[5]!);
  if (!salt || !key) return undefined;
  // N must be a power of two above 1 (RFC 7914 §2).
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || p > MAX_P) return undefined;
  if (memoryFor({ N, r, p }) > MAX_MEMORY_BYTES) return undefined;
  if (salt.length < MIN_SALT_BYTES || key.length < KEY_LENGTHS.min || key.length > KEY_LENGTHS.max) return undefined;
  return { N, r, p, salt, key };
}

function scryptOptions(parameters: ScryptParameters) {
  return { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: memoryFor(parameters) + 1024 * 1024 };
}

/**
 * Checking a login runs in Node's thread pool: scrypt takes tens of milliseconds by design, and
 * the IdP shares its event loop with the gateway's MCP traffic and the window's API.
 */
function derive(password: string, salt: Buffer, length: number, parameters: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, scryptOptions(parameters), (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new salted scrypt hash of the password, `scrypt$N$r$p$<salt>$<key>`; two calls never give the same text. */
export function hashPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  // Synchronous: a hash is made when someone saves Settings, not on any request path.
  const key = scryptSync(password, salt, KEY_BYTES, scryptOptions(DEFAULTS));
  return `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether the password matches the stored hash, compared in constant time. A malformed hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  return timingSafeEqual(await derive(password, parsed.salt, parsed.key.length, parsed), parsed.key);
}

/** Whether the text is a hash `verifyPassword` can check (the config schema's test for `password_hash`). */
export function isPasswordHash(value: string): boolean {
  return parse(value) !== undefined;
}

/** What a valid `password_hash` looks like, for error messages. */
export const PASSWORD_HASH_FORMAT = `scrypt$N$r$p$<salt>$<key> (N a power of two, salt and key in base64url, at most ${MAX_MEMORY_BYTES / 1024 / 1024} MiB of scrypt memory)`;
