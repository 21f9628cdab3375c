/**
 * How a built-in IdP user's password goes into a config file Gatehouse writes (Settings, the
 * demo's saved config): as a salted hash, never as the password — except the demo's own users
 * with the demo's published password, which is no secret (README, sign-in page) and which the
 * window's test client and the client snippets rely on to sign in without asking.
 */
import { DEMO_USERS, type IdpUser } from '../config/schema.js';
import { hashPassword } from '../idp/password-hash.js';

export interface PasswordEntry {
  key: 'password' | 'password_hash';
  value: string;
}

function isPublishedDemoPassword(username: string, password: string): boolean {
  return DEMO_USERS.some((demo) => demo.username === username && demo.password === password);
}

/** The password, as the file gets it; undefined when the user has none to give. */
export async function passwordForFile(user: Pick<IdpUser, 'username' | 'password' | 'password_hash'>): Promise<PasswordEntry | undefined> {
  if (user.password_hash !== undefined) return { key: 'password_hash', value: user.password_hash };
  if (user.password === undefined) return undefined;
  if (isPublishedDemoPassword(user.username, user.password)) return { key: 'password', value: user.password };
  return { key: 'password_hash', value: await hashPassword(user.password) };
}
