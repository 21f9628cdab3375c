/**
 * `idp.users[]` in the config (main/config/schema.ts): a user gives `password` (plaintext or
 * `${ENV}`) or `password_hash` (what the window's Settings writes) — exactly one, and a hash in
 * the form Gatehouse can verify. A config that breaks this names the user, the field and the fix.
 */
import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../main/config/config-error.js';
import { parseConfig } from '../../main/config/load-config.js';
import { DEMO_USERS, gatehouseConfigSchema, idpUserSchema } from '../../main/config/schema.js';
import { hashPassword } from '../../main/idp/password-hash.js';

const HASH = await hashPassword('carol-secret');

function configWith(users: string): string {
  return `idp:
  kind: builtin
  users:
${users}
routes:
  - path: /a
    upstreams:
      - {name: x, kind: http, url: "http://127.0.0.1:1/mcp"}
`;
}

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfig(text, 'users.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the config was accepted');
}

describe('idp.users: password or password_hash', () => {
  it('accepts a plaintext password, as before', () => {
    expect(idpUserSchema.parse({ username: 'alice', password: 'demo' })).toEqual({ username: 'alice', password: 'demo', groups: [] });
  });

  it('accepts a password_hash instead', () => {
    expect(idpUserSchema.parse({ username: 'carol', password_hash: HASH, groups: ['auditors'] })).toEqual({ username: 'carol', password_hash: HASH, groups: ['auditors'] });
  });

  it('still takes ${ENV} passwords from the file', () => {
    const config = parseConfig(configWith('    - {username: alice, password: "${ALICE_PW}"}'), 'users.yaml', { ALICE_PW: 'from-env' });
    expect(config.idp?.users[0]).toMatchObject({ username: 'alice', password: 'from-env' });
  });

  it('keeps the demo users as they are', () => {
    const config = gatehouseConfigSchema.parse({ idp: 'builtin', routes: [{ path: '/a', upstreams: [{ name: 'x', kind: 'http', url: 'http://127.0.0.1:1/mcp' }] }] });
    expect(config.idp?.users).toEqual(DEMO_USERS);
  });

  it('refuses both, naming the user, its place in the file and the fix', () => {
    const [problem, ...rest] = problemsOf(configWith(`    - {username: alice, password: demo}\n    - {username: bob, password: demo}\n    - {username: carol, password: x, password_hash: "${HASH}"}`));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'users.yaml', line: 6, field: 'idp.users[2]', message: 'user carol: give either password or password_hash, not both' });
  });

  it('refuses neither, naming the user and the fix', () => {
    const [problem, ...rest] = problemsOf(configWith('    - {username: dave, groups: [x]}'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ field: 'idp.users[0]', message: 'user dave: give a password (or password_hash)' });
  });

  it('refuses a password_hash that is not one, saying what form is expected', () => {
    const [problem, ...rest] = problemsOf(configWith('    - {username: carol, password_hash: carol-secret}'));
    expect(rest).toEqual([]);
    expect(problem!.field).toBe('idp.users[0].password_hash');
    expect(problem!.message).toMatch(/^not a password hash Gatehouse can read — expected scrypt\$N\$r\$p\$<salt>\$<key> .*or give the password instead$/);
    expect(problem!.message).not.toContain('carol-secret');
  });

  it('refuses a hash with parameters outside the bounds (a config must not make logins cost gigabytes)', () => {
    const [, , , , salt, key] = HASH.split('$');
    const result = idpUserSchema.safeParse({ username: 'carol', password_hash: `scrypt$1048576$8$1$${salt}$${key}` });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['password_hash']);
  });

  it('an empty password is still refused (min 1)', () => {
    expect(idpUserSchema.safeParse({ username: 'alice', password: '' }).success).toBe(false);
  });
});
