/**
 * Making and checking the built-in IdP's password hashes (`idp.users[].password_hash`, format in
 * ../config/password-hash-format.ts), so the window's Settings never writes a password into a
 * config file.
 *
 * Why scrypt (RFC 7914): it is memory-hard, so guessing passwords from a leaked config costs
 * memory as well as CPU, and Node has it built in (`node:crypto`) — no native dependency. Both
 * directions run in Node's thread pool: scrypt takes tens of milliseconds by design, and the IdP
 * and the window's API share their event loop with the gateway's MCP traffic.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

import { DEFAULT_SCRYPT, formatPasswordHash, parsePasswordHash, scryptMemory, type ScryptParameters } from '../config/password-hash-format.js';

const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, length: number, parameters: ScryptParameters): Promise<Buffer> {
  const options = { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: scryptMemory(parameters) + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new salted scrypt hash of the password, `scrypt$N$r$p$<salt>$<key>`; two calls never give the same text. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return formatPasswordHash(DEFAULT_SCRYPT, salt, await derive(password, salt, KEY_BYTES, DEFAULT_SCRYPT));
}

/** Whether the password matches the stored hash, compared in constant time. A malformed hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  return timingSafeEqual(await derive(password, parsed.salt, parsed.key.length, parsed), parsed.key);
}
