/**
 * The people who can sign in to the built-in identity provider, from `idp.users`. The username is
 * the account id and the token subject (`sub`); groups go into the `groups` claim.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { Account, FindAccount } from 'oidc-provider';

import type { IdpUser } from '../config/schema.js';
import { verifyPassword } from './password-hash.js';

export type LoginCheck =
  | { ok: true; user: IdpUser }
  | { ok: false; reason: 'unknown_user' | 'wrong_password' | 'missing_credentials' };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The hash of a password nobody knows (made once with hashPassword, default parameters). Every
 * login that has no hash of its own to check — an unknown user, a user with a plaintext
 * password — runs scrypt against it, so each login costs one scrypt and the time taken does not
 * tell which usernames exist or how their passwords are stored.
 */
const DUMMY_HASH = 'scrypt$16384$8$1$-WmY2761rk-cplsbCC-PzA$HXSG-ZFxNi-VBt8RV3tRQ5S5QGv1hfLFroUUL4YuKbk';

function plaintextMatches(password: string, expected: string): boolean {
  // Over digests, so the length does not leak either.
  return timingSafeEqual(digest(password), digest(expected));
}

export class AccountStore {
  private readonly users: ReadonlyMap<string, IdpUser>;

  constructor(users: readonly IdpUser[]) {
    this.users = new Map(users.map((user) => [user.username, user]));
  }

  find(username: string): IdpUser | undefined {
    return this.users.get(username);
  }

  usernames(): string[] {
    return [...this.users.keys()];
  }

  /**
   * Checks against the user's `password_hash` when it has one, else its plaintext `password` (in
   * constant time). Unknown users cost the same as known ones (see DUMMY_HASH).
   */
  async checkLogin(username: string, password: string): Promise<LoginCheck> {
    if (!username || !password) return { ok: false, reason: 'missing_credentials' };
    const user = this.users.get(username);
    const hashed = user?.password_hash;
    const hashMatches = await verifyPassword(password, hashed ?? DUMMY_HASH);
    const matches = hashed !== undefined ? hashMatches : plaintextMatches(password, user?.password ?? `\u0000${password}`);
    if (!user) return { ok: false, reason: 'unknown_user' };
    return matches ? { ok: true, user } : { ok: false, reason: 'wrong_password' };
  }

  /** oidc-provider's findAccount: standard claims for ID tokens and userinfo. */
  readonly findAccount: FindAccount = (_ctx, sub): Account | undefined => {
    const user = this.users.get(sub);
    if (!user) return undefined;
    return {
      accountId: user.username,
      claims: () => ({
        sub: user.username,
        preferred_username: user.username,
        ...(user.name ? { name: user.name } : {}),
        ...(user.email ? { email: user.email } : {}),
        groups: user.groups,
      }),
    };
  };
}
