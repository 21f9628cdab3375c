/**
 * The people who can sign in to the built-in identity provider, from `idp.users`. The username is
 * the account id and the token subject (`sub`); groups go into the `groups` claim.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { Account, FindAccount } from 'oidc-provider';

import type { IdpUser } from '../config/schema.js';

export type LoginCheck =
  | { ok: true; user: IdpUser }
  | { ok: false; reason: 'unknown_user' | 'wrong_password' | 'missing_credentials' };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
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

  /** Compares in constant time (over digests, so the length does not leak either). */
  checkLogin(username: string, password: string): LoginCheck {
    if (!username || !password) return { ok: false, reason: 'missing_credentials' };
    const user = this.users.get(username);
    // Compare even for unknown users, so timing does not tell which usernames exist.
    const matches = timingSafeEqual(digest(password), digest(user?.password ?? `\u0000${password}`));
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
