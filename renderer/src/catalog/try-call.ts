/**
 * "Try it" from the catalog goes through the built-in test client (the same path a real MCP
 * client takes: OAuth as the demo user, then tools/call), so the call is authorised, decided and
 * traced like any other. One connected session per route and user is kept and reused.
 */
import type { TestClientSession, ToolCallOutcome } from '../../../shared/admin-api.js';
import { AdminRequestError, type AdminClient } from '../api/admin-client.js';

const sessions = new Map<string, Promise<TestClientSession>>();

const keyOf = (route: string, user: string | undefined) => `${route}\n${user ?? ''}`;

/** Whether a session for this route and user is open or opening: a password typed once has done its work. */
export function hasSession(route: string, user: string | undefined): boolean {
  return sessions.has(keyOf(route, user));
}

async function connect(admin: AdminClient, route: string, user: string | undefined, password: string | undefined): Promise<TestClientSession> {
  const created = await admin.send<TestClientSession>('POST', '/api/test-client/sessions', { route, user, ...(password ? { password } : {}) });
  const session = await admin.send<TestClientSession>('POST', `/api/test-client/sessions/${encodeURIComponent(created.id)}/run`);
  if (session.state !== 'connected') {
    const failed = session.steps.find((step) => step.status === 'error');
    throw new AdminRequestError(502, {
      error: 'test_client_failed',
      message: failed
        ? `The test client could not connect as ${user ?? 'anonymous'}: step "${failed.name}" failed — ${failed.error ?? failed.summary ?? 'no reason given'}. Open the Test client screen to see every step.`
        : `The test client stopped in state "${session.state}". Open the Test client screen to see its steps.`,
    });
  }
  return session;
}

export async function tryCall(
  admin: AdminClient,
  route: string,
  user: string | undefined,
  tool: string,
  args: Record<string, unknown>,
  /** For a user whose password the config keeps only hashed: used to sign in, never kept. */
  password?: string,
): Promise<ToolCallOutcome & { session: string }> {
  const key = keyOf(route, user);
  for (let attempt = 0; attempt < 2; attempt++) {
    let pending = sessions.get(key);
    if (!pending) {
      pending = connect(admin, route, user, password);
      sessions.set(key, pending);
      pending.catch(() => sessions.delete(key));
    }
    const session = await pending;
    try {
      const outcome = await admin.send<ToolCallOutcome>('POST', `/api/test-client/sessions/${encodeURIComponent(session.id)}/call`, { tool, arguments: args });
      return { ...outcome, session: session.id };
    } catch (error) {
      // The session ended (Gatehouse restarted, the token was revoked by a fault): connect afresh once.
      if (attempt === 0 && error instanceof AdminRequestError && (error.status === 404 || error.status === 409)) {
        sessions.delete(key);
        continue;
      }
      throw error;
    }
  }
  throw new AdminRequestError(502, { error: 'test_client_failed', message: 'The test client lost its session twice in a row; try again.' });
}
