/**
 * GET /api/settings and PUT /api/settings: the listen port and the built-in IdP's users, saved
 * into the config (atomically, through ./config-editor.ts). Both need a restart to take effect
 * (the port is in every route's resource URL; the IdP's users are read at start), and the answer
 * says so. Passwords are accepted, never returned, and written only as a salted scrypt hash
 * (`password_hash`, ../idp/password-hash.ts) — Gatehouse never puts a password in a file. A user
 * sent without one keeps what the config already has (as written there: `password`, `${ENV}`
 * references included, or `password_hash`).
 */
import express, { type Router } from 'express';
import { isMap, isSeq, type Document } from 'yaml';

import type { IdpUserSummary, Settings, SettingsUpdate } from '../../shared/admin-api.js';
import type { IdpUser } from '../config/schema.js';
import { hashPassword } from '../idp/password-hash.js';
import type { AdminContext } from './admin-context.js';
import { badRequest } from './admin-error.js';
import type { ConfigEditor } from './config-editor.js';
import { userSummary } from './overview-api.js';

type UserUpdate = IdpUserSummary & { password?: string };

async function secretsStatus(context: AdminContext): Promise<Pick<Settings, 'secretsBackend' | 'secretsProblem'>> {
  if (!context.secrets) return { secretsBackend: 'unavailable', secretsProblem: 'this launch of Gatehouse has no secret store' };
  try {
    return { secretsBackend: (await context.secrets()).backend };
  } catch (error) {
    return { secretsBackend: 'unavailable', secretsProblem: error instanceof Error ? error.message : String(error) };
  }
}

function parseUpdate(body: unknown): SettingsUpdate {
  const problems: string[] = [];
  const update = (body ?? {}) as Record<string, unknown>;
  const out: SettingsUpdate = {};
  if (update.listen !== undefined) {
    const port = (update.listen as { port?: unknown } | null)?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) problems.push('listen.port must be a whole number from 0 to 65535 (0 picks a free port)');
    else out.listen = { port };
  }
  if (update.idp !== undefined) {
    const users = (update.idp as { users?: unknown } | null)?.users;
    if (!Array.isArray(users) || users.length === 0) problems.push('idp.users must list at least one user');
    else {
      const seen = new Set<string>();
      users.forEach((user: Partial<UserUpdate> | null, i) => {
        if (!user || typeof user.username !== 'string' || !Array.isArray(user.groups) || !user.groups.every((g) => typeof g === 'string')) {
          problems.push(`idp.users[${i}]: expected {username, groups: [..], name?, email?, password?}`);
          return;
        }
        if (seen.has(user.username)) problems.push(`idp.users[${i}]: user "${user.username}" is listed twice`);
        seen.add(user.username);
        if (user.password !== undefined && (typeof user.password !== 'string' || !user.password)) problems.push(`idp.users[${i}]: password, when given, must not be empty`);
      });
      if (!problems.length) out.idp = { users: users as UserUpdate[] };
    }
  }
  if (problems.length) throw badRequest('The settings were not saved', problems);
  return out;
}

/**
 * How a user's password is kept in the file: the node as written (a `${ENV}` reference stays one),
 * or a hash Gatehouse made. Never a plaintext value Gatehouse chose to write.
 */
interface PasswordEntry {
  key: 'password' | 'password_hash';
  value: unknown;
}

/** The password nodes the config has now, by username, so an update without a password keeps them as written. */
function writtenPasswords(doc: Document): Map<string, PasswordEntry> {
  const users = doc.getIn(['idp', 'users'], true);
  const out = new Map<string, PasswordEntry>();
  if (!isSeq(users)) return out;
  for (const item of users.items) {
    if (!isMap(item)) continue;
    const hash = item.get('password_hash', true);
    const password = item.get('password', true);
    if (hash !== undefined) out.set(String(item.get('username')), { key: 'password_hash', value: hash });
    else if (password !== undefined) out.set(String(item.get('username')), { key: 'password', value: password });
  }
  return out;
}

/** A running user's password as Gatehouse may write it: hashed, whatever form it is in memory. */
function fromMemory(user: IdpUser): PasswordEntry | undefined {
  if (user.password_hash !== undefined) return { key: 'password_hash', value: user.password_hash };
  if (user.password !== undefined) return { key: 'password_hash', value: hashPassword(user.password) };
  return undefined;
}

function writeUsers(doc: Document, users: UserUpdate[], running: ReadonlyMap<string, IdpUser>): void {
  const written = writtenPasswords(doc);
  const problems: string[] = [];
  const nodes = users.map((user) => {
    const given: PasswordEntry | undefined = user.password !== undefined ? { key: 'password_hash', value: hashPassword(user.password) } : undefined;
    const remembered = running.get(user.username);
    const entry = given ?? written.get(user.username) ?? (remembered ? fromMemory(remembered) : undefined);
    if (entry === undefined) problems.push(`user "${user.username}" is new: give it a password`);
    return doc.createNode({
      username: user.username,
      ...(entry ? { [entry.key]: entry.value } : {}),
      groups: [...user.groups],
      ...(user.name ? { name: user.name } : {}),
      ...(user.email ? { email: user.email } : {}),
    });
  });
  if (problems.length) throw badRequest('The settings were not saved', problems);
  const idp = doc.get('idp', true);
  if (!isMap(idp)) doc.set('idp', doc.createNode({ kind: 'builtin' }));
  doc.setIn(['idp', 'users'], doc.createNode(nodes));
}

export function settingsRouter(context: AdminContext, editor: ConfigEditor): Router {
  const router = express.Router();

  router.get('/settings', async (_req, res) => {
    const { gateway } = context;
    const settings: Settings = {
      listen: { host: gateway.host, port: gateway.port },
      adminPort: context.adminPort(),
      ...(gateway.config.idp ? { idp: { users: gateway.config.idp.users.map(userSummary) } } : {}),
      ...(context.configPath ? { configPath: context.configPath } : {}),
      dataDir: context.dataDir,
      ...(await secretsStatus(context)),
    };
    res.json(settings);
  });

  router.put('/settings', async (req, res) => {
    const update = parseUpdate(req.body);
    // Only the demo's own users (password "demo") may be written from memory, and then hashed: a
    // real config's passwords come from its file, where they may be ${ENV} references that must stay so.
    const running = new Map(context.demo ? (context.gateway.config.idp?.users ?? []).map((u) => [u.username, u]) : []);
    const saved = await editor.edit((doc) => {
      if (update.listen) doc.setIn(['listen', 'port'], update.listen.port);
      if (update.idp) writeUsers(doc, update.idp.users, running);
    });
    const portChanged = update.listen !== undefined && update.listen.port !== context.gateway.port;
    res.json({ saved: true, restartNeeded: portChanged || saved.reload.restartNeeded.length > 0, configPath: saved.configPath });
  });

  return router;
}
