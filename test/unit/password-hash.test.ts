/**
 * Password hashes for the built-in IdP's users (main/idp/password-hash.ts): scrypt (RFC 7914)
 * in a self-describing `scrypt$N$r$p$salt$key` string, verified in constant time, and a stored
 * value that is not a well-formed hash matching nothing instead of throwing.
 */
import { scryptSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { isPasswordHash } from '../../main/config/password-hash-format.js';
import { hashPassword, verifyPassword } from '../../main/idp/password-hash.js';

const PASSWORD = 'correct-horse-battery-staple-4711';

const STORED = await hashPassword(PASSWORD);

describe('hashPassword', () => {
  const stored = STORED;

  it('writes scrypt$16384$8$1$<16-byte salt>$<32-byte key>, base64url, and no trace of the password', () => {
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64url')).toHaveLength(32);
    expect(stored).toMatch(/^[\w$-]+$/);
    expect(stored).not.toContain(PASSWORD);
  });

  it('is RFC 7914 scrypt over the salt it names (checked with node:crypto directly)', () => {
    const [, N, r, p, salt, key] = stored.split('$');
    const expected = scryptSync(PASSWORD, Buffer.from(salt!, 'base64url'), 32, { N: Number(N), r: Number(r), p: Number(p) });
    expect(expected.toString('base64url')).toBe(key);
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const again = await hashPassword(PASSWORD);
    expect(again).not.toBe(stored);
    expect(await verifyPassword(PASSWORD, again)).toBe(true);
  });
});

describe('verifyPassword', () => {
  const stored = STORED;

  it('accepts the password it was made from', async () => {
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
  });

  it('refuses a wrong password, a near miss and an empty one', async () => {
    expect(await verifyPassword('wrong', stored)).toBe(false);
    expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false);
    expect(await verifyPassword(PASSWORD.toUpperCase(), stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies a hash with other parameters, read from the stored text', async () => {
    const salt = Buffer.from('a-salt-of-16-byt');
    const key = scryptSync(PASSWORD, salt, 24, { N: 1024, r: 4, p: 2 });
    const other = `scrypt$1024$4$2$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(isPasswordHash(other)).toBe(true);
    expect(await verifyPassword(PASSWORD, other)).toBe(true);
    expect(await verifyPassword('wrong', other)).toBe(false);
  });

  const [, , , , salt, key] = stored.split('$');
  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['the plaintext password itself', PASSWORD],
    ['another algorithm', `bcrypt$16384$8$1$${salt}$${key}`],
    ['a missing part', `scrypt$16384$8$${salt}$${key}`],
    ['an extra part', `${stored}$x`],
    ['N not a power of two', `scrypt$16383$8$1$${salt}$${key}`],
    ['N of 1', `scrypt$1$8$1$${salt}$${key}`],
    ['r of 0', `scrypt$16384$0$1$${salt}$${key}`],
    ['p of 0', `scrypt$16384$8$0$${salt}$${key}`],
    ['more than 64 MiB of memory', `scrypt$1048576$8$1$${salt}$${key}`],
    ['64 times the default work within the memory bound', `scrypt$65536$8$16$${salt}$${key}`],
    ['standard base64 padding', `scrypt$16384$8$1$${salt}==$${key}`],
    ['characters outside base64url', `scrypt$16384$8$1$${salt!.slice(0, -1)}+$${key}`],
    ['an impossible base64 length', `scrypt$16384$8$1$${salt}$${key}AA`],
    ['a short salt', `scrypt$16384$8$1$AAAA$${key}`],
    ['a short key', `scrypt$16384$8$1$${salt}$AAAAAAAA`],
    ['a key too long', `scrypt$16384$8$1$${salt}$${Buffer.alloc(65).toString('base64url')}`],
    ['surrounding whitespace', ` ${stored}`],
  ];

  it.each(malformed)('a stored value with %s matches nothing, and is no hash', async (_why, value) => {
    expect(isPasswordHash(value)).toBe(false);
    expect(await verifyPassword(PASSWORD, value)).toBe(false);
  });

  it('isPasswordHash accepts what hashPassword writes', () => {
    expect(isPasswordHash(stored)).toBe(true);
  });
});
