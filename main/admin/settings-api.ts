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
import type { AdminContext } from './admin-context.js';
import { badRequest } from './admin-error.js';
import type { ConfigEditor } from './config-editor.js';
import { passwordForFile, type PasswordEntry } from './password-for-file.js';
import { clientSummary, userSummary } from './overview-api.js';

type UserUpdate = IdpUserSummary & { password?: string };

async function secretsStatus(context: AdminContext): Promise<Pick<Settings, 'secretsBackend' | 'secretsProblem'>> {
  if (!context.secrets) return { secretsBackend: 'unavailable', secretsProblem: 'this launch of Gatehouse has no secret store' };
  try {
    return { secretsBackend: (await context.secrets()).backend };
  } catch (error) {
    return { secretsBackend: 'unavailable', secretsProblem: error instanceof Error ? error.message : String(error) };
  }
}

/** `machineClients`: the IdP's machine client ids, which a username may not take (both would be one subject to the ACLs). */
function parseUpdate(body: unknown, machineClients: ReadonlySet<string> = new Set()): SettingsUpdate {
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
        if (machineClients.has(user.username)) problems.push(`idp.users[${i}]: "${user.username}" is a machine client's id (idp.clients in the config); pick another username`);
        seen.add(user.username);
        if (user.password !== undefined && (typeof user.password !== 'string' || !user.password)) problems.push(`idp.users[${i}]: password, when given, must not be empty`);
      });
      if (!problems.length) out.idp = { users: users as UserUpdate[] };
    }
  }
  if (problems.length) throw badRequest('The settings were not saved', problems);
  return out;
}

/** A password node as the config has it now (a `${ENV}` reference stays one), or as Gatehouse writes it. */
interface WrittenPassword {
  key: PasswordEntry['key'];
  value: unknown;
}

/** The password nodes the config has now, by username, so an update without a password keeps them as written. */
function writtenPasswords(doc: Document): Map<string, WrittenPassword> {
  const users = doc.getIn(['idp', 'users'], true);
  const out = new Map<string, WrittenPassword>();
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

/**
 * `given`: the passwords sent with the update, `remembered`: the running demo's users, both already
 * as the file gets them (./password-for-file.ts); the config's own nodes come between the two.
 */
function writeUsers(doc: Document, users: UserUpdate[], given: ReadonlyMap<string, PasswordEntry>, remembered: ReadonlyMap<string, PasswordEntry>): void {
  const written = writtenPasswords(doc);
  const problems: string[] = [];
  const nodes = users.map((user) => {
    const entry: WrittenPassword | undefined = given.get(user.username) ?? written.get(user.username) ?? remembered.get(user.username);
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

async function entriesFor(users: ReadonlyArray<Parameters<typeof passwordForFile>[0]>): Promise<Map<string, PasswordEntry>> {
  const entries = await Promise.all(users.map(async (user) => [user.username, await passwordForFile(user)] as const));
  return new Map(entries.flatMap(([username, entry]) => (entry ? [[username, entry] as const] : [])));
}

export function settingsRouter(context: AdminContext, editor: ConfigEditor): Router {
  const router = express.Router();

  router.get('/settings', async (_req, res) => {
    const { gateway } = context;
    const settings: Settings = {
      listen: { host: gateway.host, port: gateway.port },
      adminPort: context.adminPort(),
      ...(gateway.config.idp
        ? { idp: { users: gateway.config.idp.users.map(userSummary), clients: gateway.config.idp.clients.map(clientSummary) } }
        : {}),
      ...(context.configPath ? { configPath: context.configPath } : {}),
      dataDir: context.dataDir,
      ...(await secretsStatus(context)),
    };
    res.json(settings);
  });

  router.put('/settings', async (req, res) => {
    const update = parseUpdate(req.body, new Set(context.gateway.config.idp?.clients.map((client) => client.client_id)));
    // Hashed before the edit: scrypt runs in the thread pool, the edit itself is synchronous.
    const given = await entriesFor((update.idp?.users ?? []).flatMap((user) => (user.password !== undefined ? [{ username: user.username, password: user.password }] : [])));
    // Only the demo's own users may be written from memory: a real config's passwords come from
    // its file, where they may be ${ENV} references that must stay so.
    const remembered = await entriesFor(context.demo && update.idp ? (context.gateway.config.idp?.users ?? []) : []);
    const saved = await editor.edit((doc) => {
      if (update.listen) doc.setIn(['listen', 'port'], update.listen.port);
      if (update.idp) writeUsers(doc, update.idp.users, given, remembered);
    });
    const portChanged = update.listen !== undefined && update.listen.port !== context.gateway.port;
    res.json({ saved: true, restartNeeded: portChanged || saved.reload.restartNeeded.length > 0, configPath: saved.configPath });
  });

  return router;
}
