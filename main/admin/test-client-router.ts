/**
 * The built-in test client's admin endpoints (shared/admin-api.ts), mounted by the admin server
 * at /api/test-client; the admin server checks the admin token and origin before these run.
 *
 *   POST   /sessions {route, user?, password?} → TestClientSession
 *   POST   /sessions/:id/step              → the next step run
 *   POST   /sessions/:id/run               → every remaining step run
 *   POST   /sessions/:id/call {tool, arguments} → ToolCallOutcome
 *   GET    /sessions/:id                   → TestClientSession
 *   DELETE /sessions/:id                   → the closed TestClientSession
 *
 * Sessions hold an MCP connection and maybe a loopback listener, so they are closed after being
 * idle for a while and all of them on shutdown (`closeTestClients`).
 */
import { randomUUID } from 'node:crypto';

import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';

import type { AdminError } from '../../shared/admin-api.js';
import type { IdpUser } from '../config/schema.js';
import type { RunningGateway } from '../gateway/gateway.js';
import { TestClientError } from './test-client-error.js';
import { TestClientRun } from './test-client-session.js';

export interface TestClientDeps {
  gateway: RunningGateway;
  /**
   * The built-in IdP's users with their passwords (the test client signs in as one). Default:
   * `idp.users` of the config the gateway runs now.
   */
  idpUsers?: () => readonly IdpUser[];
  /** A session untouched this long is closed. Default 30 minutes. */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
/** More sessions than this and the least recently used one is closed: each holds sockets. */
const MAX_SESSIONS = 32;

const createBody = z.strictObject({
  route: z.string().min(1),
  user: z.string().min(1).optional(),
  /** For a user whose password the config keeps only hashed; used for this session's sign-in and nothing else. */
  password: z.string().min(1).optional(),
});

const callBody = z.strictObject({
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, example: string): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw new TestClientError('bad_request', `the request body is not what this endpoint takes (${problems.join('; ')}) — send JSON like ${example}`);
}

function usersOf(deps: TestClientDeps): readonly IdpUser[] {
  if (deps.idpUsers) return deps.idpUsers();
  return deps.gateway.config.idp?.users ?? [];
}

class TestClientSessions {
  private readonly sessions = new Map<string, TestClientRun>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: TestClientDeps) {
    const idleMs = deps.idleMs ?? DEFAULT_IDLE_MS;
    this.sweeper = setInterval(() => void this.sweep(idleMs), Math.max(25, Math.min(idleMs / 2, 60_000)));
    this.sweeper.unref();
  }

  create(body: unknown): TestClientRun {
    const { route: given, user, password } = parse(createBody, body, '{"route": "/ecommerce-mcp", "user": "alice"} (plus "password" for a user the config keeps hashed)');
    const route = given.startsWith('/') ? given : `/${given}`;
    const { gateway } = this.deps;
    const runtime = gateway.routes.get(route);
    if (!runtime) {
      const routes = [...gateway.routes.keys()];
      throw new TestClientError('unknown_route', `there is no route ${route} on this gateway — pick one of ${routes.join(', ') || '(none configured)'}`);
    }
    let credentials: { username: string; password: string } | undefined;
    const issuer = runtime.route.auth?.issuer;
    if (user !== undefined && issuer !== undefined && issuer !== 'builtin') {
      throw new TestClientError('user_not_applicable', `${route} signs in at ${issuer}, not at the built-in identity provider, so it has no user ${user} — leave the user out and sign in through the browser`);
    }
    if (password !== undefined && user === undefined) {
      throw new TestClientError('bad_request', 'a password was sent without a user — send {"route", "user", "password"} to sign in as that user, or leave the password out');
    }
    // A machine client of the built-in IdP (the config keeps client ids and usernames apart).
    const machine = user === undefined ? undefined : this.deps.gateway.config.idp?.clients.find((client) => client.client_id === user);
    if (machine && password !== undefined) {
      throw new TestClientError('bad_request', `${machine.client_id} is a machine client: it has a client secret in the config, not a password — leave the password out`);
    }
    if (machine) {
      const session = new TestClientRun({ id: randomUUID(), route, url: gateway.url(route), trace: gateway.trace, machine: { clientId: machine.client_id, clientSecret: machine.client_secret } });
      this.sessions.set(session.id, session);
      this.evictBeyondLimit();
      return session;
    }
    if (user !== undefined) {
      const users = usersOf(this.deps);
      const found = users.find((candidate) => candidate.username === user);
      if (!found) {
        throw new TestClientError(
          'unknown_user',
          users.length
            ? `the built-in identity provider has no user or machine client ${user} — pick one of ${[...users.map((u) => u.username), ...(this.deps.gateway.config.idp?.clients.map((c) => c.client_id) ?? [])].join(', ')}, or add ${user} under idp.users in the config`
            : `the built-in identity provider has no users this test client can sign in as — turn it on (idp: builtin) and give it users, or leave the user out and sign in through the browser`,
        );
      }
      credentials = { username: found.username, password: this.passwordFor(found, password, issuer === 'builtin', route) };
    }
    const session = new TestClientRun({ id: randomUUID(), route, url: gateway.url(route), trace: gateway.trace, ...(credentials ? { credentials } : {}) });
    this.sessions.set(session.id, session);
    this.evictBeyondLimit();
    return session;
  }

  /**
   * The password to sign in with: the one typed in, else the config's plaintext one. A hashed
   * password cannot be used to sign in, so without a typed one the session cannot start — unless
   * the route needs no sign-in at all, where the password is never sent.
   */
  private passwordFor(user: IdpUser, typed: string | undefined, signsIn: boolean, route: string): string {
    const password = typed ?? user.password;
    if (password !== undefined) return password;
    if (!signsIn) return '';
    throw new TestClientError(
      'password_needed',
      `${user.username}'s password is stored hashed in the config (password_hash), so the test client cannot sign in to ${route} as ${user.username} by itself — type the password in (send it as "password"), or sign in through the browser`,
    );
  }

  get(id: string): TestClientRun {
    const session = this.sessions.get(id);
    if (!session) {
      throw new TestClientError('unknown_session', `no test client session ${id} — it ended, expired after being idle, or never existed; start one with POST /api/test-client/sessions`);
    }
    return session;
  }

  async remove(id: string): Promise<TestClientRun> {
    const session = this.get(id);
    this.sessions.delete(id);
    await session.close();
    return session;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.close()));
  }

  private async sweep(idleMs: number): Promise<void> {
    const now = Date.now();
    const idle = [...this.sessions.values()].filter((session) => now - session.lastActive > idleMs);
    for (const session of idle) this.sessions.delete(session.id);
    await Promise.allSettled(idle.map((session) => session.close()));
  }

  private evictBeyondLimit(): void {
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = [...this.sessions.values()].reduce((a, b) => (a.lastActive <= b.lastActive ? a : b));
      this.sessions.delete(oldest.id);
      void oldest.close();
    }
  }
}

const live = new Set<TestClientSessions>();

/** Closes every test client session of every router (the admin server calls it on shutdown). */
export async function closeTestClients(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((sessions) => sessions.close()));
}

export function testClientRouter(deps: TestClientDeps): express.Router {
  const sessions = new TestClientSessions(deps);
  live.add(sessions);
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/sessions', (req, res) => {
    res.status(201).json(sessions.create(req.body).snapshot());
  });
  router.get('/sessions/:id', (req, res) => {
    res.json(sessions.get(req.params.id).snapshot());
  });
  router.post('/sessions/:id/step', async (req, res) => {
    res.json(await sessions.get(req.params.id).step());
  });
  router.post('/sessions/:id/run', async (req, res) => {
    res.json(await sessions.get(req.params.id).run());
  });
  router.post('/sessions/:id/call', async (req, res) => {
    const session = sessions.get(req.params.id);
    const { tool, arguments: args } = parse(callBody, req.body, '{"tool": "list-orders", "arguments": {}}');
    res.json(await session.call(tool, args));
  });
  router.delete('/sessions/:id', async (req, res) => {
    res.json((await sessions.remove(req.params.id)).snapshot());
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let answer: { status: number; body: AdminError };
    if (error instanceof TestClientError) answer = { status: error.status, body: error.toAdminError() };
    else if ((error as { type?: unknown }).type === 'entity.parse.failed') {
      answer = { status: 400, body: { error: 'bad_request', message: 'the request body is not valid JSON — send Content-Type: application/json with a JSON object' } };
    } else {
      const message = error instanceof Error ? error.message : String(error);
      answer = { status: 500, body: { error: 'internal', message: `the test client failed unexpectedly: ${message}` } };
    }
    res.status(answer.status).json(answer.body);
  });
  return router;
}
